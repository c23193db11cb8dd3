"""A delivery's email as a worker would build it, for the Deliveries report: rendered from the
database and rolled back, with the token of every invitation, unsubscribe and calendar link masked,
so whoever reads the preview cannot use the recipient's links."""

import dataclasses
import re

from django.db import transaction
from django.urls import reverse

from .claiming import unmet_consent
from .contents import Skip
from .messages import BatchContext
from .models import SkipReason


@dataclasses.dataclass
class Preview:
    rendered_at: object = None
    subject: str = ""
    text: str = ""
    html: str = ""
    to: str = ""
    problem: str = ""


# Every link whose token grants something (accepting an invitation, unsubscribing, reading a
# private calendar): a preview shows where it points, never the token itself.
TOKEN_URL_NAMES = ("cohorts:accept_invitation", "mail:unsubscribe", "cohorts:calendar")
LINK_MASK = "•••"
_PLACEHOLDER = "TOKENPLACEHOLDER0000000"


def _token_link_patterns():
    patterns = []
    for name in TOKEN_URL_NAMES:
        before, after = reverse(name, kwargs={"token": _PLACEHOLDER}).split(_PLACEHOLDER)
        link_part = r"[A-Za-z0-9_:.\-]+?"  # signed tokens (base64 and ":", "." when compressed) and urlsafe ones
        patterns.append((re.compile(re.escape(before) + link_part + re.escape(after)), before + LINK_MASK + after))
    return patterns


def mask_tokens(text):
    """`text` with the token of every link in TOKEN_URL_NAMES replaced by •••."""
    for pattern, replacement in _token_link_patterns():
        text = pattern.sub(replacement, text)
    return text


def render_preview(delivery, now):
    """The delivery's email as a worker would build it, rendered from the database now (or at the
    moment it was sent). Building changes nothing: a preview is rolled back."""
    at = delivery.sent_at or now
    unmet = "" if delivery.sent_at else unmet_consent(delivery, at)
    if unmet:
        return Preview(rendered_at=at, problem=SkipReason(unmet).label)
    try:
        with transaction.atomic():
            message = BatchContext([delivery], at).build(delivery, connection=None)
            # The weekly nudge records the variant it chose; a preview must not.
            transaction.set_rollback(True)
    except Skip as reason:
        return Preview(rendered_at=at, problem=str(reason))
    html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), "")
    return Preview(
        rendered_at=at,
        subject=mask_tokens(message.subject),
        text=mask_tokens(message.body),
        html=mask_tokens(html),
        to=", ".join(message.to),
    )
