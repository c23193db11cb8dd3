"""Connecting and disconnecting network accounts (the rules; the views only call these)."""

import datetime
import logging
from collections import defaultdict

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.access import default_membership
from cohorts.models import Membership
from mail.dispatch import enqueue as enqueue_emails
from mail.models import Delivery, DeliveryState, Kind

from . import bluesky, linkedin, mastodon
from .errors import ConnectError, RevokeFailed
from .models import AccountState, ConnectedAccount, Network

logger = logging.getLogger(__name__)

STATE_SALT = "publishing.mastodon.oauth"
LINKEDIN_STATE_SALT = "publishing.linkedin.oauth"
STATE_MAX_AGE = 15 * 60
# LinkedIn's tokens end after 60 days: the member is asked to reconnect this long before.
REMIND_BEFORE = datetime.timedelta(days=7)
STALE_LINK = _("This sign-in link is old or not yours. Start connecting again.")

CONNECT_MESSAGES = {
    "handle": _("No Bluesky account has this handle. Check its spelling."),
    "resolve": _("Bluesky could not be reached to look up this handle. Try again in a moment."),
    "pds": _("This handle's server could not be found."),
    "password": _("Bluesky refused this app password. Check it, or create a new one."),
    "login": _("Bluesky could not be reached. Try again in a moment."),
    "not_public": _("This handle's server is not on the public internet."),
}


def connect_bluesky(user, handle, app_password):
    try:
        did, pds, shown_handle, session = bluesky.login(handle, app_password)
    except ConnectError as error:
        raise ConnectError(CONNECT_MESSAGES.get(error.detail, CONNECT_MESSAGES["login"])) from None
    account, _created = ConnectedAccount.objects.update_or_create(
        user=user,
        network=Network.BLUESKY,
        defaults={
            "handle": shown_handle,
            "remote_id": did,
            "service_url": pds,
            "secret": app_password,
            "session": session,
            "state": AccountState.ACTIVE,
            "reconnect_since": None,
        },
    )
    return account


def start_mastodon(user, instance):
    """The server's authorize URL for this member (Klartext's app registered there on first use)."""
    try:
        app = mastodon.register_app(instance)
    except ConnectError as error:
        logger.info("registering on %s failed: %s", instance, error.__cause__)
        if error.detail == "not_public":
            raise ConnectError(
                _("%(instance)s is not a server on the public internet.") % {"instance": instance}
            ) from None
        raise ConnectError(_("%(instance)s did not answer like a Mastodon server.") % {"instance": instance}) from None
    state = signing.dumps({"user": user.pk, "instance": instance}, salt=STATE_SALT)
    return mastodon.authorize_url(app, state)


def finish_mastodon(user, state, code):
    try:
        data = signing.loads(state or "", salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature:
        raise ConnectError(STALE_LINK) from None
    if data.get("user") != user.pk or not code:
        raise ConnectError(STALE_LINK)
    app = mastodon.MastodonApp.objects.get(instance=data["instance"])
    try:
        token, remote_id, handle = mastodon.finish_login(app, code)
    except ConnectError as error:
        logger.info("Mastodon sign-in on %s failed: %s", app.instance, type(error.__cause__).__name__)
        raise ConnectError(
            _("%(instance)s did not accept the sign-in. Try again.") % {"instance": app.instance}
        ) from None
    account, _created = ConnectedAccount.objects.update_or_create(
        user=user,
        network=Network.MASTODON,
        defaults={
            "handle": handle,
            "remote_id": remote_id,
            "service_url": mastodon.base_url(app.instance),
            "mastodon_app": app,
            "secret": token,
            "session": "",
            "state": AccountState.ACTIVE,
            "reconnect_since": None,
        },
    )
    return account


def start_linkedin(user):
    """LinkedIn's authorize URL for this member ("Share on LinkedIn", and who they are)."""
    return linkedin.authorize_url(signing.dumps({"user": user.pk}, salt=LINKEDIN_STATE_SALT))


def finish_linkedin(user, state, code, now=None):
    try:
        data = signing.loads(state or "", salt=LINKEDIN_STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature:
        raise ConnectError(STALE_LINK) from None
    if data.get("user") != user.pk or not code:
        raise ConnectError(STALE_LINK)
    try:
        token, expires_at, urn, name = linkedin.finish_login(code, now)
    except ConnectError as error:
        logger.info("LinkedIn sign-in failed: %s", type(error.__cause__).__name__)
        raise ConnectError(_("LinkedIn did not accept the sign-in. Try again.")) from None
    account, _created = ConnectedAccount.objects.update_or_create(
        user=user,
        network=Network.LINKEDIN,
        defaults={
            "handle": name,
            "remote_id": urn,
            "service_url": "https://www.linkedin.com/",
            "secret": token,
            "session": "",
            "state": AccountState.ACTIVE,
            "reconnect_since": None,
            "expires_at": expires_at,
            "expiry_reminded_at": None,
        },
    )
    return account


def expires_soon(account, now=None):
    """Whether the member should reconnect now: the token ends within REMIND_BEFORE."""
    now = now or timezone.now()
    return account.expires_at is not None and account.expires_at - REMIND_BEFORE <= now


def remind_expiring(now=None):
    """Tokens that end (LinkedIn's, after 60 days): a week before, one email asking the member to
    reconnect; once ended, the account is marked "reconnect needed" (nothing is tried with it)."""
    now = now or timezone.now()
    ended = ConnectedAccount.objects.filter(state=AccountState.ACTIVE, expires_at__lte=now).update(
        state=AccountState.RECONNECT, reconnect_since=now
    )
    due = list(
        ConnectedAccount.objects.filter(
            state=AccountState.ACTIVE,
            expires_at__gt=now,
            expires_at__lte=now + REMIND_BEFORE,
            expiry_reminded_at__isnull=True,
        ).only("pk", "user_id", "network", "expires_at")[:500]
    )
    memberships = defaultdict(list)
    for membership in Membership.objects.filter(user_id__in={a.user_id for a in due}).select_related("cohort"):
        memberships[membership.user_id].append(membership)
    created = []
    for account in due:
        # Claimed like a delivery: only the tick that marks the account writes its email.
        claimed = ConnectedAccount.objects.filter(pk=account.pk, expiry_reminded_at__isnull=True).update(
            expiry_reminded_at=now
        )
        if not claimed or not memberships[account.user_id]:
            continue
        membership = default_membership(memberships[account.user_id], now)
        ends_on = timezone.localdate(account.expires_at, membership.zone)
        delivery, new = Delivery.objects.get_or_create(
            membership=membership,
            kind=Kind.RECONNECT_NEEDED,
            period_key=f"expiry:{account.network}:{account.pk}:{account.expires_at:%Y-%m-%dT%H:%M}",
            defaults={
                # The network and the day its token ends: mail reads no publishing rows.
                "variant": f"{account.network}:{ends_on.isoformat()}",
                "due_at": now,
                "state": DeliveryState.PENDING,
                "enqueued_at": now,
            },
        )
        if new:
            created.append(delivery.pk)
    enqueue_emails(created)
    return {"ended": ended, "reminded": len(created)}


def disconnect(account):
    """Revoke where the network allows it (Mastodon's and LinkedIn's token; Bluesky's session), then delete the
    row and with it the secret. Returns False when revoking failed (deleted all the same)."""
    revoked = True
    try:
        if account.network == Network.MASTODON:
            mastodon.revoke(account)
        elif account.network == Network.LINKEDIN:
            linkedin.revoke(account)
        else:
            bluesky.end_session(account)
    except RevokeFailed as error:
        # The token goes from our side whatever the network says.
        logger.info("revoking %s account %s failed: %s", account.network, account.pk, error.detail)
        revoked = False
    with transaction.atomic():
        account.delete()
    return revoked
