"""Accepting a message: stored raw first, one row per recipient of ours, its task queued after
commit. The SMTP server and the webhook both come through here."""

from django.db import transaction

from mail.replies import is_inbound_recipient

from .models import InboundMessage
from .tasks import process_message


def accept(raw, mail_from, recipients, source=InboundMessage.Source.SMTP):
    """Store `raw` for each of `recipients` that is one of our addresses; returns the row ids."""
    ours = [address for address in dict.fromkeys(recipients) if is_inbound_recipient(address)]
    if not ours:
        return []
    with transaction.atomic():
        rows = InboundMessage.objects.bulk_create(
            [
                InboundMessage(
                    raw=raw, size=len(raw), mail_from=(mail_from or "")[:320], rcpt_to=address[:320], source=source
                )
                for address in ours
            ]
        )
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: [process_message.delay(pk) for pk in ids])
    return ids
