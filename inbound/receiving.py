"""Accepting a message: stored raw first, one row per recipient of ours, then handed to the worker
in batches of at most BATCH_SIZE (one task each). The webhook queues its rows once they are
committed; the SMTP server gathers the rows of messages that arrive close together first
(inbound.server)."""

from django.db import transaction

from mail.replies import is_inbound_recipient

from .models import InboundMessage
from .tasks import process_messages

# Messages one task processes in one transaction: the queue's and the database's fixed cost per
# message shrinks, and a batch still takes well under a second.
BATCH_SIZE = 20


def store(raw, mail_from, recipients, source=InboundMessage.Source.SMTP):
    """Store `raw` for each of `recipients` that is one of our addresses (one INSERT); returns
    the row ids. The caller queues them (`queue`)."""
    ours = [address for address in dict.fromkeys(recipients) if is_inbound_recipient(address)]
    if not ours:
        return []
    rows = InboundMessage.objects.bulk_create(
        [
            InboundMessage(
                raw=raw, size=len(raw), mail_from=(mail_from or "")[:320], rcpt_to=address[:320], source=source
            )
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
