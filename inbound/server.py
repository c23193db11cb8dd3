"""The inbound SMTP server: aiosmtpd, in its own process (`manage.py inbound_smtp`).

It answers during the SMTP dialogue what it can know without reading the message: a recipient
that is none of our reply or bounce addresses is refused (550), a message over
KLARTEXT_INBOUND_MAX_BYTES is refused (552, announced as SIZE in EHLO). Everything else is stored
raw (inbound.receiving.accept) and answered 250; whether it becomes a draft is decided later by
a task, and nothing is ever sent back to the sender of a refused reply.
"""

import logging

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, close_old_connections

from mail.replies import is_inbound_recipient

from .receiving import accept

logger = logging.getLogger(__name__)


class InboundHandler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not is_inbound_recipient(address):
            return "550 5.1.1 No such recipient here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            # Each message in a thread of its own: the database work never blocks the event loop.
            await sync_to_async(_store, thread_sensitive=False)(raw, envelope.mail_from, envelope.rcpt_tos)
        except DatabaseError:
            logger.exception("could not store an inbound message")
            return "451 4.3.0 Temporary failure, try again later"
        return "250 2.0.0 Accepted"


def _store(raw, mail_from, rcpt_tos):
    # A long-running server has no request cycle to do this: drop a connection the database
    # closed. Not in `accept` itself, which the webhook calls inside a request (and its
    # transaction, where closing the connection breaks it).
    close_old_connections()
    return accept(raw, mail_from, rcpt_tos)


def controller(host=None, port=None):
    """An aiosmtpd Controller (a thread with its own event loop) for our handler."""
    return Controller(
        InboundHandler(),
        hostname=host or settings.KLARTEXT_INBOUND_SMTP_HOST,
        port=port or settings.KLARTEXT_INBOUND_SMTP_PORT,
        data_size_limit=settings.KLARTEXT_INBOUND_MAX_BYTES,
        enable_SMTPUTF8=True,
        ready_timeout=10,
        server_hostname=settings.KLARTEXT_INBOUND_DOMAIN,
        ident="Klartext inbound",
    )
