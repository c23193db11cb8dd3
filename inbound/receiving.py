"""Accepting a message: stored raw first, one row per recipient of ours, then handed to the worker
in batches of at most BATCH_SIZE (one task each). The webhook queues its rows once they are
committed; the SMTP server gathers the rows of messages that arrive close together first
(inbound.server)."""

import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from mail.replies import is_inbound_recipient

from .models import InboundMessage
from .tasks import process_messages

# Messages one task processes in one transaction: the queue's and the database's fixed cost per
# message shrinks, and a batch still takes well under a second.
BATCH_SIZE = 20
# A reply goes to one address. More recipients in one message is a list or someone multiplying
# one message's size in our database.
MAX_RECIPIENTS = 10
# Each address is one email's: a member replies a few times, a server bounces a few times. More
# in a day is a flood (the address leaked with a forwarded email); it is refused until tomorrow.
MAX_PER_ADDRESS_PER_DAY = 50


def normalised(address):
    """The form a recipient is stored and counted in (local parts are read case-insensitively)."""
    return (address or "").strip().strip("<>").lower()[:320]


def flooded(addresses, now=None):
    """Those of `addresses` that received MAX_PER_ADDRESS_PER_DAY messages in the last day (one query)."""
    now = now or timezone.now()
    counts = (
        InboundMessage.objects.filter(
            rcpt_to__in=[normalised(address) for address in addresses],
            received_at__gt=now - datetime.timedelta(days=1),
        )
        .values_list("rcpt_to")
        .annotate(count=Count("pk"))
        .order_by()
    )
    full = {rcpt_to for rcpt_to, count in counts if count >= MAX_PER_ADDRESS_PER_DAY}
    return [address for address in addresses if normalised(address) in full]


def store(raw, mail_from, recipients, source=InboundMessage.Source.SMTP):
    """Store `raw` for each of `recipients` that is one of our addresses (signed, not flooded;
    at most MAX_RECIPIENTS; one INSERT); returns the row ids. The caller queues them (`queue`)."""
    ours = [address for address in dict.fromkeys(map(normalised, recipients)) if is_inbound_recipient(address)]
    ours = ours[:MAX_RECIPIENTS]
    if ours:
        full = set(flooded(ours))
        ours = [address for address in ours if address not in full]
    if not ours:
        return []
    rows = InboundMessage.objects.bulk_create(
        [
            InboundMessage(raw=raw, size=len(raw), mail_from=(mail_from or "")[:320], rcpt_to=address, source=source)
            for address in ours
        ]
    )
    return [row.pk for row in rows]


def queue(ids):
    """One task per BATCH_SIZE stored rows. A row whose task is lost is queued again by the
    sweep (inbound.tasks), so nothing is lost if this never runs."""
    for start in range(0, len(ids), BATCH_SIZE):
        process_messages.delay(ids[start : start + BATCH_SIZE])


def accept(raw, mail_from, recipients, source=InboundMessage.Source.SMTP):
    """Store `raw` and queue its rows after commit; returns the row ids."""
    with transaction.atomic():
        ids = store(raw, mail_from, recipients, source)
        if ids:
            transaction.on_commit(lambda: queue(ids))
    return ids
