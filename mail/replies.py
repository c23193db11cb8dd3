"""What outgoing mail says about answers to it, and the confirmation of a reply.

Every message carries a VERP return path, `bounce+<token>@<KLARTEXT_INBOUND_DOMAIN>`, naming its
Delivery, so a bounce or complaint finds the address it is about. Emails that invite writing
also carry `Reply-To: reply+<token>@…`: the token names the Delivery (and so the member and what
the reply is for: a free post, or the assignment the email is about) and the day it was issued,
and expires after REPLY_MAX_AGE. Both tokens are HMACs under SECRET_KEY, lower case only (some
relays fold the case of local parts) and short enough for the 64-character local part.

The inbound package reads these addresses back (`read_address`) and queues the "draft saved"
confirmation (`queue_draft_saved`).
"""

import base64
import datetime
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from cohorts.models import Membership
from course.models import User
from lessons.models import LessonPage

from .models import Delivery, Kind

REPLY_MAX_AGE = datetime.timedelta(days=30)
# Emails that invite writing: a reply to them becomes a draft.
WRITING_KINDS = frozenset(
    {Kind.WEEKLY_NUDGE, Kind.LESSON_RELEASED, Kind.ASSIGNMENT_DUE, Kind.ALUMNI_NUDGE, Kind.EVENT_KIT}
)
# Nudges (everything planned for a member) are one mailing list to a mail client's filters.
LIST_KINDS = frozenset(Kind) - {Kind.INVITATION, Kind.DRAFT_SAVED}
REPLY, BOUNCE = "reply", "bounce"
MAC_CHARS = 16  # 80 bits of HMAC-SHA256, base32
EPOCH = datetime.date(1970, 1, 1)


class BadAddress(ValueError):
    """Not one of our reply or bounce addresses, or its signature does not match."""


class ExpiredAddress(BadAddress):
    """A genuine reply address, older than REPLY_MAX_AGE."""


@dataclass(frozen=True)
class Address:
    purpose: str  # REPLY or BOUNCE
    delivery_id: int
    issued_on: datetime.date | None = None  # reply addresses only


def _b36(number):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


def _mac(purpose, payload):
    digest = salted_hmac(f"klartext.{purpose}-address", payload, algorithm="sha256").digest()
    return base64.b32encode(digest).decode("ascii").lower()[:MAC_CHARS]


def _address(local_part):
    return f"{local_part}@{settings.KLARTEXT_INBOUND_DOMAIN}"


def reply_address(delivery, today):
    """reply+<delivery>-<day>-<mac>@domain; `today` is the issuing (UTC) date."""
    payload = f"{_b36(delivery.pk)}-{_b36((today - EPOCH).days)}"
    return _address(f"{REPLY}+{payload}-{_mac(REPLY, payload)}")


def bounce_address(delivery):
    """The envelope sender (VERP): bounce+<delivery>-<mac>@domain."""
    payload = _b36(delivery.pk)
    return _address(f"{BOUNCE}+{payload}-{_mac(BOUNCE, payload)}")


def _signed(address):
    """(purpose, numbers) of one of our addresses whose signature matches; raises BadAddress."""
    local, _at, domain = (address or "").strip().strip("<>").rpartition("@")
    if domain.lower() != settings.KLARTEXT_INBOUND_DOMAIN:
        raise BadAddress("Not our domain.")
    purpose, _plus, token = local.lower().partition("+")
    parts = token.split("-")
    if purpose == REPLY and len(parts) == 3:
        payload, mac = f"{parts[0]}-{parts[1]}", parts[2]
    elif purpose == BOUNCE and len(parts) == 2:
        payload, mac = parts[0], parts[1]
    else:
        raise BadAddress("Not a reply or bounce address.")
    if not hmac.compare_digest(mac, _mac(purpose, payload)):
        raise BadAddress("The signature does not match.")
    try:
        return purpose, [int(part, 36) for part in payload.split("-")]
    except ValueError:  # a key that signed it would have signed only base-36 numbers
        raise BadAddress("Not a reply or bounce address.") from None


def read_address(address, today):
    """The Address an inbound recipient names. Raises BadAddress (not ours, forged, changed) or
    ExpiredAddress (a genuine reply address past REPLY_MAX_AGE)."""
    purpose, numbers = _signed(address)
    if purpose == BOUNCE:
        return Address(BOUNCE, numbers[0])
    issued_on = EPOCH + datetime.timedelta(days=numbers[1])
    if today - issued_on > REPLY_MAX_AGE:
        raise ExpiredAddress("The reply address has expired.")
    return Address(REPLY, numbers[0], issued_on)


def is_inbound_recipient(address):
    """At SMTP time, before any database work: one of our addresses, with a matching signature
    (an HMAC, no query). A forged or guessed address is refused in the dialogue, so it stores
    nothing; an expired one is accepted and dropped with its reason."""
    try:
        _signed(address)
    except BadAddress:
        return False
    return True


def headers_for(delivery, now):
    """Reply-To (for emails that invite writing) and List-Id (for nudges)."""
    headers = {}
    if delivery.membership_id and delivery.kind in WRITING_KINDS:
        headers["Reply-To"] = reply_address(delivery, now.astimezone(datetime.UTC).date())
    if delivery.membership_id and delivery.kind in LIST_KINDS:
        headers["List-Id"] = f"Klartext <nudges.{settings.KLARTEXT_INBOUND_DOMAIN}>"
    return headers


# --- what a reply is for ------------------------------------------------------------------------


@dataclass(frozen=True)
class Purpose:
    """A free post (lesson None) or a given assignment (a lesson and its block id)."""

    lesson: LessonPage | None = None
    assignment_id: str = ""

    @property
    def is_free(self):
        return self.lesson is None


def reply_purpose(delivery):
    """What a reply to this delivery writes: the assignment an assignment or lesson email is
    about (a lesson's first assignment), else a free post."""
    if delivery.kind in (Kind.ASSIGNMENT_DUE, Kind.LESSON_RELEASED) and delivery.subject_id:
        lesson = LessonPage.objects.filter(pk=delivery.subject_id).first()
        if lesson is not None:
            if delivery.kind == Kind.ASSIGNMENT_DUE:
                block_id = delivery.period_key.removeprefix("due:")
                if lesson.assignment(block_id) is not None:
                    return Purpose(lesson, block_id)
            elif lesson.writing_assignments:
                return Purpose(lesson, lesson.writing_assignments[0][0])
    return Purpose()


# --- the confirmation -----------------------------------------------------------------------------

ATTACHMENTS_DROPPED = "files"


def draft_saved_variant(*, compare=None, attachments_dropped=False):
    """The confirmation's variant: which version to show beside the reply, and whether files were
    left out (both fit the Delivery's short variant column)."""
    parts = []
    if compare:
        parts.append(f"compare:{compare}")
    if attachments_dropped:
        parts.append(ATTACHMENTS_DROPPED)
    return ";".join(parts)


def read_draft_saved_variant(variant):
    """(compare version number or None, attachments dropped)."""
    compare, dropped = None, False
    for part in (variant or "").split(";"):
        if part.startswith("compare:") and part[8:].isdigit():
            compare = int(part[8:])
        dropped = dropped or part == ATTACHMENTS_DROPPED
    return compare, dropped


def queue_draft_saved(membership_id, submission_id, reply_key, *, variant="", now=None):
    """One "your draft is saved" email per accepted reply (`reply_key` names the reply): a row due
    now, which the next tick dispatches with whatever else is due for the member (one INSERT …
    ON CONFLICT DO NOTHING: a second call for the same reply adds nothing)."""
    now = now or timezone.now()
    Delivery.objects.bulk_create(
        [
            Delivery(
                membership_id=membership_id,
                kind=Kind.DRAFT_SAVED,
                period_key=f"reply:{reply_key}",
                subject_id=submission_id,
                variant=variant,
                due_at=now,
                send_by=now + datetime.timedelta(days=2),
            )
        ],
        ignore_conflicts=True,
    )


# --- the address's state: what bounces and complaints change ---------------------------------------

SOFT_BOUNCES_AS_HARD = 3


def record_bounce(user_id, *, hard, now=None):
    """A hard bounce marks the address as bouncing: nothing more is planned or sent to it (mail.
    audience.reachable, BatchContext). Soft bounces are counted; SOFT_BOUNCES_AS_HARD in a row count
    as hard. Returns True when the address is (now) bouncing."""
    now = now or timezone.now()
    users = User.objects.filter(pk=user_id)
    if hard:
        users.filter(email_bouncing_since__isnull=True).update(email_bouncing_since=now)
    else:
        users.update(email_soft_bounces=F("email_soft_bounces") + 1)
        users.filter(email_soft_bounces__gte=SOFT_BOUNCES_AS_HARD, email_bouncing_since__isnull=True).update(
            email_bouncing_since=now
        )
    return users.filter(email_bouncing_since__isnull=False).exists()


def address_works(user_id):
    """The person says their address works again, or mail from it arrived: count from zero."""
    User.objects.filter(pk=user_id).update(email_bouncing_since=None, email_soft_bounces=0)


def unsubscribe_everywhere(user_id, now=None):
    """A complaint ("this is spam"): no more nudges to this person from any cohort."""
    now = now or timezone.now()
    return Membership.objects.filter(user_id=user_id, unsubscribed_at__isnull=True).update(unsubscribed_at=now)


def reset_soft_bounces(user_id):
    """Mail from the address arrived: soft bounces so far were not "in a row"."""
    User.objects.filter(pk=user_id, email_soft_bounces__gt=0).update(email_soft_bounces=0)
