"""What an accepted message does, decided once per message in one transaction.

    process(id): lock the row while it is still 'received' (else it was done: return)
      recipient  mail.replies.read_address: a reply address (signed, 30 days) or a bounce address
      reply      the sender must be the member (email_key, as at sign-in); at most
                 MAX_REPLIES_PER_DAY drafts a day; auto-replies and empty replies are dropped;
                 the new text → a free post (weekly nudge) or the assignment's piece, a new version
                 through lessons.writing.save_reply; the "draft saved" confirmation is queued
      bounce     a DSN: hard → the address is bouncing; soft → counted (three in a row = hard)
      complaint  an ARF report: unsubscribed from all nudges
    Anything refused is dropped with a reason and answered with nothing (no backscatter).

The row's state changes in the same transaction as the draft, so a worker that dies mid-way
leaves the row 'received' and a second run does the whole work once.
"""

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from course.identity import email_key
from course.validators import has_visible_text
from lessons import writing
from lessons.models import SubmissionVersion
from mail.models import Delivery
from mail.replies import (
    BOUNCE,
    BadAddress,
    ExpiredAddress,
    draft_saved_variant,
    queue_draft_saved,
    read_address,
    record_bounce,
    reply_purpose,
    reset_soft_bounces,
    unsubscribe_everywhere,
)

from .models import DropReason, InboundKind, InboundMessage, InboundState
from .parsing import parse, read_reply
from .reports import COMPLAINT, read_report

logger = logging.getLogger(__name__)

MAX_REPLIES_PER_DAY = 20


class Drop(Exception):
    def __init__(self, reason, detail=""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def process(inbound_id, now=None):
    """Process one stored message; returns its state, or None when it was processed before."""
    now = now or timezone.now()
    with transaction.atomic():
        row = InboundMessage.objects.select_for_update().filter(pk=inbound_id, state=InboundState.RECEIVED).first()
        if row is None:
            return None
        try:
            handle(row, now)
        except Drop as drop:
            row.state, row.reason, row.detail = InboundState.DROPPED, drop.reason, drop.detail[:300]
            logger.info("inbound message %s dropped: %s %s", row.pk, drop.reason, drop.detail)
        row.processed_at = timezone.now()  # when the draft was saved (the bench's latency ends here)
        row.save(
            update_fields=["kind", "state", "reason", "detail", "delivery", "membership", "submission", "processed_at"]
        )
    return row.state


def handle(row, now):
    try:
        address = read_address(row.rcpt_to, now.astimezone(datetime.UTC).date())
    except ExpiredAddress as error:
        raise Drop(DropReason.EXPIRED) from error
    except BadAddress as error:
        raise Drop(DropReason.BAD_ADDRESS, str(error)) from error
    try:
        message = parse(bytes(row.raw))
    except (ValueError, TypeError, LookupError) as error:
        raise Drop(DropReason.UNREADABLE, str(error)) from error
    report = read_report(message)
    if address.purpose == BOUNCE or report is not None:
        apply_report(row, address, report, now)
    else:
        draft_from_reply(row, address, message, now)


def delivery_for(row, address, *, lock_member=False):
    """The Delivery the address names, with its member; `lock_member` holds the membership row
    until commit, so one member's replies are counted one after another."""
    deliveries = Delivery.objects.select_related("membership__user").filter(
        pk=address.delivery_id, membership__isnull=False
    )
    if lock_member:
        deliveries = deliveries.select_for_update(of=("membership",))
    delivery = deliveries.first()
    if delivery is None:
        raise Drop(DropReason.UNKNOWN_EMAIL)
    row.delivery, row.membership = delivery, delivery.membership
    return delivery


def draft_from_reply(row, address, message, now):
    row.kind = InboundKind.REPLY
    delivery = delivery_for(row, address, lock_member=True)
    membership = delivery.membership
    user = membership.user
    reply = read_reply(message)
    if email_key(reply.sender) != email_key(user.email):
        raise Drop(DropReason.FORGED_SENDER, reply.sender[:200])
    if not user.is_active:
        raise Drop(DropReason.INACTIVE)
    if reply.automatic:
        raise Drop(DropReason.AUTOMATIC)
    drafted_today = InboundMessage.objects.filter(
        membership__user_id=user.pk,
        state=InboundState.DRAFTED,
        processed_at__gt=now - datetime.timedelta(days=1),
    ).count()
    if drafted_today >= MAX_REPLIES_PER_DAY:
        raise Drop(DropReason.RATE_LIMITED)
    if not has_visible_text(reply.text):
        raise Drop(DropReason.EMPTY)
    purpose = reply_purpose(delivery)
    changed = None
    try:
        if purpose.is_free:
            piece = writing.start_free_piece(
                membership, f"reply-{row.pk}", body=reply.text, kind=SubmissionVersion.Kind.REPLY
            )
            version = 1
        else:
            piece = writing.get_or_start(membership, purpose.lesson, purpose.assignment_id)
            sent_at = delivery.sent_at or datetime.datetime.combine(
                address.issued_on, datetime.time(), tzinfo=datetime.UTC
            )
            result, changed = writing.save_reply(piece.pk, body=reply.text, sent_at=sent_at)
            version = result.version
    except writing.WritingError as error:
        raise Drop(DropReason.TOO_LONG if error.code == "too_long" else DropReason.EMPTY, str(error.message)) from error
    row.state, row.submission = InboundState.DRAFTED, piece
    row.detail = f"version {version}" + (f", beside version {changed}" if changed else "")
    if user.email_soft_bounces:
        reset_soft_bounces(user.pk)
    queue_draft_saved(
        membership.pk,
        piece.pk,
        row.pk,
        variant=draft_saved_variant(compare=changed, attachments_dropped=reply.attachments),
        now=now,
    )


def apply_report(row, address, report, now):
    if report is None:
        raise Drop(DropReason.NOT_A_REPORT)
    row.kind = InboundKind.COMPLAINT if report.kind == COMPLAINT else InboundKind.BOUNCE
    delivery = delivery_for(row, address)
    user = delivery.membership.user
    if report.kind == COMPLAINT:
        unsubscribe_everywhere(user.pk, now)
        row.state, row.detail = InboundState.APPLIED, f"complaint: {report.action}"
        return
    # A late bounce for an address the person has since changed says nothing about the new one.
    if delivery.to_email and email_key(delivery.to_email) != email_key(user.email):
        raise Drop(DropReason.UNKNOWN_EMAIL, f"{report.status}: the member's address changed since")
    if (
        report.soft
        and InboundMessage.objects.filter(delivery_id=delivery.pk, kind=InboundKind.BOUNCE, state=InboundState.APPLIED)
        .exclude(pk=row.pk)
        .exists()
    ):
        # Delay warnings repeat for one message: one soft bounce per email, so "in a row" means emails.
        row.state, row.detail = InboundState.APPLIED, f"{report.status} {report.action} (repeat)"
        return
    bouncing = record_bounce(user.pk, hard=report.hard, now=now)
    row.state = InboundState.APPLIED
    row.detail = f"{report.status} {report.action}" + (" → bouncing" if bouncing else "")
