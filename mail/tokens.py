"""Unsubscribe tokens: signed (membership, kind) pairs, so a link in an email unsubscribes its
recipient from that kind without a login, and a changed or expired link does nothing."""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Kind

UNSUBSCRIBE_SALT = "klartext.unsubscribe"
UNSUBSCRIBE_MAX_AGE = datetime.timedelta(days=400)


def unsubscribe_token(membership_id, kind):
    return signing.dumps({"m": membership_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token):
    """(membership id, kind), or raise signing.BadSignature (also for expired tokens)."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    if not isinstance(data, dict) or data.get("k") not in Kind.values or not isinstance(data.get("m"), int):
        raise signing.BadSignature("Malformed unsubscribe token")
    return data["m"], data["k"]


def unsubscribe_url(membership_id, kind):
    """The absolute one-click unsubscribe link for one kind of email to one membership."""
    return settings.SITE_URL + reverse("mail:unsubscribe", args=[unsubscribe_token(membership_id, kind)])
