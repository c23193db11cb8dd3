"""What an accepted message does, decided once per message, for a batch of messages in one
transaction.

    process_batch(ids): lock the rows still 'received' (the others were done), then read in one
      query each what the batch shares: the emails they answer with their members (locked until
      commit, so one member's replies are counted one after another) and each member's drafts
      of the last day
      recipient  mail.replies.read_address: a reply address (signed, 30 days) or a bounce address
      reply      the sender must be the member (email_key, as at sign-in); at most
                 MAX_REPLIES_PER_DAY drafts a day; auto-replies and empty replies are dropped;
                 the new text → a free post (weekly nudge) or the assignment's piece, a new version
                 through lessons.writing.save_reply; the "draft saved" confirmation is queued
      bounce     a DSN: hard → the address is bouncing; soft → counted (three in a row = hard)
      complaint  an ARF report: unsubscribed from all nudges
      Bounces and complaints count only at a bounce address (the return path); at a reply
      address they are dropped, and a reply is never read as a bounce.
    Anything refused is dropped with a reason and answered with nothing (no backscatter).

The rows' states change in the same transaction as the drafts, so a worker that dies mid-way
leaves the rows 'received' and a second run does the whole work once. A database error in one
message rolls its batch back; the batch is then processed one message at a time, so only that
message fails (and the sweep, which queues one message a task, tries it again).
"""

import datetime
import logging
from collections import Counter

from django.db import DatabaseError, transaction
from django.db.models import Count
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
from .reports import COMPLAINT, is_report, read_report

logger = logging.getLogger(__name__)

MAX_REPLIES_PER_DAY = 20
SAVED_FIELDS = ["kind", "state", "reason", "detail", "delivery", "membership", "submission", "processed_at"]


class Drop(Exception):
    def __init__(self, reason, detail=""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def process(inbound_id, now=None):
    """Process one stored message; returns its state, or None when it was processed before."""
    return process_batch([inbound_id], now).get(int(inbound_id))


def process_batch(ids, now=None):
    """Process stored messages; returns {id: state} for those still 'received' before."""
    now = now or timezone.now()
    try:
        return _process_together(ids, now)
    except DatabaseError:
        if len(ids) == 1:
            raise
        logger.exception("an inbound batch failed; processing its messages one at a time")
        states = {}
        for pk in ids:
            states.update(_process_together([pk], now))
        return states


def _process_together(ids, now):
    with transaction.atomic():
        # In id order, so two batches that share a row lock it in the same order.
        rows = list(
            InboundMessage.objects.select_for_update().filter(pk__in=ids, state=InboundState.RECEIVED).order_by("pk")
        )
        if not rows:
            return {}
        batch = Batch(rows, now)
        for row in rows:
            try:
                handle(row, batch)
            except Drop as drop:
                row.state, row.reason, row.detail = InboundState.DROPPED, drop.reason, drop.detail[:300]
                logger.info("inbound message %s dropped: %s %s", row.pk, drop.reason, drop.detail)
            row.processed_at = timezone.now()  # when the draft was saved (the bench's latency ends here)
            # One UPDATE a row: a bulk_update's CASE for every field costs more to build than it saves.
            row.save(update_fields=SAVED_FIELDS)
    return {row.pk: row.state for row in rows}


class Batch:
    """What the messages of one batch share, read in one query each."""

    def __init__(self, rows, now):
        self.now = now
        today = now.astimezone(datetime.UTC).date()
        self.addresses = {}
        for row in rows:
            try:
                self.addresses[row.pk] = read_address(row.rcpt_to, today)
            except ExpiredAddress:
                self.addresses[row.pk] = Drop(DropReason.EXPIRED)
            except BadAddress as error:
                self.addresses[row.pk] = Drop(DropReason.BAD_ADDRESS, str(error))
        delivery_ids = {address.delivery_id for address in self.addresses.values() if not isinstance(address, Drop)}
        # The members' rows stay locked until commit (in member order, so batches never deadlock):
        # a member's replies in two batches are counted one after the other.
        self.deliveries = {
            delivery.pk: delivery
            for delivery in Delivery.objects.select_related("membership__user")
            .filter(pk__in=delivery_ids, membership__isnull=False)
            .select_for_update(of=("membership",))
            .order_by("membership_id")
        }
        users = {delivery.membership.user_id for delivery in self.deliveries.values()}
        self.drafted_today = Counter(
            dict(
                InboundMessage.objects.filter(
                    membership__user_id__in=users,
                    state=InboundState.DRAFTED,
                    processed_at__gt=now - datetime.timedelta(days=1),
                )
                .values_list("membership__user_id")
                .annotate(count=Count("pk"))
                .order_by()
            )
        )

    def address(self, row):
        address = self.addresses[row.pk]
        if isinstance(address, Drop):
            raise address
        return address

    def delivery(self, row, address):
        """The Delivery the address names, with its member."""
        delivery = self.deliveries.get(address.delivery_id)
        if delivery is None:
            raise Drop(DropReason.UNKNOWN_EMAIL)
        row.delivery, row.membership = delivery, delivery.membership
        return delivery


def handle(row, batch):
    address = batch.address(row)
    try:
        message = parse(bytes(row.raw))
    except (ValueError, TypeError, LookupError) as error:
        raise Drop(DropReason.UNREADABLE, str(error)) from error
    if address.purpose == BOUNCE:
        apply_report(row, address, read_report(message), batch)
    elif is_report(message):
        # Mail servers send reports to the return path (the bounce address). A reply address is
        # in every writing email's Reply-To and in forwarded copies: a report there could come
        # from anyone, so it never unsubscribes or bounces the member.
        row.kind = InboundKind.BOUNCE
        raise Drop(DropReason.MISDIRECTED_REPORT)
    else:
        draft_from_reply(row, address, message, batch)


def draft_from_reply(row, address, message, batch):
    row.kind = InboundKind.REPLY
    now = batch.now
    delivery = batch.delivery(row, address)
    membership = delivery.membership
    user = membership.user
    reply = read_reply(message)
    if email_key(reply.sender) != email_key(user.email):
        raise Drop(DropReason.FORGED_SENDER, reply.sender[:200])
    if not user.is_active:
        raise Drop(DropReason.INACTIVE)
    if reply.automatic:
        raise Drop(DropReason.AUTOMATIC)
    if batch.drafted_today[user.pk] >= MAX_REPLIES_PER_DAY:
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
    batch.drafted_today[user.pk] += 1
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


def apply_report(row, address, report, batch):
    if report is None:
        raise Drop(DropReason.NOT_A_REPORT)
    now = batch.now
    row.kind = InboundKind.COMPLAINT if report.kind == COMPLAINT else InboundKind.BOUNCE
    delivery = batch.delivery(row, address)
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
        # Rows are saved as they are processed: an earlier row of this batch counts too.
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
