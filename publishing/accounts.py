"""Connecting and disconnecting network accounts (the rules; the views only call these)."""

import logging

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import bluesky, mastodon
from .errors import ConnectError, RevokeFailed
from .models import AccountState, ConnectedAccount, Network

logger = logging.getLogger(__name__)

STATE_SALT = "publishing.mastodon.oauth"
STATE_MAX_AGE = 15 * 60

CONNECT_MESSAGES = {
    "handle": _("No Bluesky account has this handle. Check its spelling."),
    "resolve": _("Bluesky could not be reached to look up this handle. Try again in a moment."),
    "pds": _("This handle's server could not be found."),
    "password": _("Bluesky refused this app password. Check it, or create a new one."),
    "login": _("Bluesky could not be reached. Try again in a moment."),
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
        logger.info("registering on %s failed: %s", instance, type(error.__cause__).__name__)
        raise ConnectError(_("%(instance)s did not answer like a Mastodon server.") % {"instance": instance}) from None
    state = signing.dumps({"user": user.pk, "instance": instance}, salt=STATE_SALT)
    return mastodon.authorize_url(app, state)


def finish_mastodon(user, state, code):
    try:
        data = signing.loads(state or "", salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature:
        raise ConnectError(_("This sign-in link is old or not yours. Start connecting again.")) from None
    if data.get("user") != user.pk or not code:
        raise ConnectError(_("This sign-in link is old or not yours. Start connecting again."))
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


def disconnect(account):
    """Revoke where the network allows it (Mastodon's token; Bluesky's session), then delete the
    row and with it the secret. Returns False when revoking failed (deleted all the same)."""
    revoked = True
    try:
        if account.network == Network.MASTODON:
            mastodon.revoke(account)
        else:
            bluesky.end_session(account)
    except RevokeFailed as error:
        # The token goes from our side whatever the network says.
        logger.info("revoking %s account %s failed: %s", account.network, account.pk, error.detail)
        revoked = False
    with transaction.atomic():
        account.delete()
    return revoked
