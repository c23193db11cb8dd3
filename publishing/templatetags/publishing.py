"""Publishing's parts of pages that lower packages own: the connected networks on the
preferences page, and a piece's conversation on its pages (loaded by name in the templates, so
no lower package imports publishing)."""

from django import template

from ..forms import BlueskyConnectForm, MastodonConnectForm
from ..models import ConnectedAccount, Publication, PublicationState
from ..replies import conversation

register = template.Library()


@register.inclusion_tag("publishing/_accounts.html", takes_context=True)
def network_accounts(context):
    user = context["request"].user
    accounts = {a.network: a for a in ConnectedAccount.objects.filter(user=user)}
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "bluesky": accounts.get("bluesky"),
        "mastodon": accounts.get("mastodon"),
        "bluesky_form": BlueskyConnectForm(),
        "mastodon_form": MastodonConnectForm(),
    }


@register.inclusion_tag("publishing/_conversation.html")
def piece_conversation(piece):
    publications = list(
        Publication.objects.filter(submission=piece, state=PublicationState.POSTED).order_by("posted_at", "pk")
    )
    replies = list(conversation([p.pk for p in publications]))
    for publication in publications:
        publication.conversation = [r for r in replies if r.publication_id == publication.pk]
    return {"publications": publications, "piece": piece}
