"""Connecting accounts (from the preferences page) and posting a piece to them. Thin: the rules
are in publishing.accounts and publishing.posting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lessons.views import get_piece_or_404

from . import accounts, linkedin, posting
from .errors import ConnectError
from .forms import BlueskyConnectForm, MastodonConnectForm, PostForm
from .models import ConnectedAccount, Network, Publication, PublicationState
from .text import plain_text, thread


def _preferences():
    return redirect(reverse("mail:preferences") + "#networks")


@login_required
@require_POST
def connect_bluesky(request):
    form = BlueskyConnectForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _preferences()
    try:
        account = accounts.connect_bluesky(request.user, form.cleaned_data["handle"], form.cleaned_data["app_password"])
    except ConnectError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Bluesky is connected as %(handle)s.") % {"handle": account.handle})
    return _preferences()


@login_required
@require_POST
def connect_mastodon(request):
    form = MastodonConnectForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _preferences()
    try:
        url = accounts.start_mastodon(request.user, form.cleaned_data["instance"])
    except ConnectError as error:
        messages.error(request, error.detail)
        return _preferences()
    return redirect(url)


@login_required
def mastodon_callback(request):
    if request.GET.get("error"):
        messages.info(request, _("Mastodon was not connected."))
        return _preferences()
    try:
        account = accounts.finish_mastodon(request.user, request.GET.get("state"), request.GET.get("code"))
    except ConnectError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Mastodon is connected as %(handle)s.") % {"handle": account.handle})
    return _preferences()


@login_required
@require_POST
def connect_linkedin(request):
    if not linkedin.enabled():
        raise Http404
    return redirect(accounts.start_linkedin(request.user))


@login_required
def linkedin_callback(request):
    if not linkedin.enabled():
        raise Http404
    if request.GET.get("error"):
        messages.info(request, _("LinkedIn was not connected."))
        return _preferences()
    try:
        account = accounts.finish_linkedin(request.user, request.GET.get("state"), request.GET.get("code"))
    except ConnectError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("LinkedIn is connected as %(handle)s.") % {"handle": account.handle})
    return _preferences()


@login_required
@require_POST
def disconnect(request, network):
    if network not in Network.values:
        raise Http404
    account = get_object_or_404(ConnectedAccount, user=request.user, network=network)
    label = account.get_network_display()
    if accounts.disconnect(account):
        messages.success(request, _("%(network)s is disconnected and its key deleted.") % {"network": label})
    else:
        messages.warning(
            request,
            _("%(network)s is disconnected and its key deleted here; the network could not be told.")
            % {"network": label},
        )
    return _preferences()


@login_required
def piece(request, pk):
    """Post a piece to the member's connected networks: each network's text, editable, now or later."""
    piece = get_piece_or_404(request.user, pk)
    membership = piece.membership
    connected = list(ConnectedAccount.objects.filter(user=request.user).select_related("mastodon_app"))
    usable = [account for account in connected if account.state == "active"]
    text = plain_text(piece.body)
    texts = {account.network: text for account in usable}
    form = PostForm(request.POST or None, accounts=usable, texts=texts, zone=membership.zone)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            scheduled = []
            for account in data["chosen"]:
                parts = thread(data[f"text_{account.network}"], account.network, account.character_limit)
                try:
                    posting.schedule(piece, account, parts, data["due_at"])
                except posting.PublishingError as error:
                    messages.error(request, error.message)
                else:
                    scheduled.append(account.get_network_display())
            if scheduled:
                messages.success(
                    request,
                    (_("Posting now on: %(networks)s.") if data["when"] == "now" else _("Scheduled on: %(networks)s."))
                    % {"networks": ", ".join(scheduled)},
                )
                return redirect("publishing:piece", piece.pk)
        status = 422
    previews = []
    for account in usable:
        shown = form[f"text_{account.network}"].value() or ""
        previews.append({"account": account, "parts": thread(shown, account.network, account.character_limit)})
    publications = list(Publication.objects.filter(submission=piece).order_by("-created_at"))
    return render(
        request,
        "publishing/piece.html",
        {
            "piece": piece,
            "form": form,
            "accounts": connected,
            "usable": usable,
            "previews": previews,
            "publications": publications,
            "zone": membership.zone,
            "open_states": [PublicationState.PENDING],
        },
        status=status,
    )


@login_required
@require_POST
def cancel(request, pk):
    publication = get_object_or_404(Publication, pk=pk, submission__membership__user=request.user)
    if posting.cancel(publication):
        messages.success(request, _("The scheduled post is cancelled."))
    else:
        messages.info(request, _("This post is no longer waiting: it could not be cancelled."))
    return redirect("publishing:piece", publication.submission_id)
