"""Publishing's parts of pages that lower packages own: the connected networks on the
preferences page, and a piece's conversation on its pages (loaded by name in the templates, so
no lower package imports publishing)."""

from django import template
from django.utils import timezone

from .. import linkedin
from ..accounts import REMIND_BEFORE, expires_soon
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
        # Shown only where Klartext has a LinkedIn app; otherwise LinkedIn stays a hand-off.
        "linkedin_enabled": linkedin.enabled(),
        "linkedin": accounts.get("linkedin"),
        "linkedin_expires_soon": "linkedin" in accounts and expires_soon(accounts["linkedin"]),
        "linkedin_ends_on": _local_day(accounts.get("linkedin"), context.get("membership")),
        "remind_days": REMIND_BEFORE.days,
        "bluesky_form": BlueskyConnectForm(),
        "mastodon_form": MastodonConnectForm(),
    }


def _local_day(account, membership):
    """The day a token ends, in the member's zone where the page knows it."""
    if account is None or account.expires_at is None:
        return None
    return timezone.localdate(account.expires_at, membership.zone if membership else None)


@register.inclusion_tag("publishing/_conversation.html")
def piece_conversation(piece):
    publications = list(
        Publication.objects.filter(submission=piece, state=PublicationState.POSTED).order_by("posted_at", "pk")
    )
    replies = list(conversation([p.pk for p in publications]))
    for publication in publications:
        publication.conversation = [r for r in replies if r.publication_id == publication.pk]
    return {"publications": publications, "piece": piece}
