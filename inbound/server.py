"""The inbound SMTP server: aiosmtpd, in its own process (`manage.py inbound_smtp`).

It answers during the SMTP dialogue what it can know without reading the message: a recipient
that is none of our reply or bounce addresses, or whose signature does not match, is refused
(550); more than MAX_RECIPIENTS recipients, or an address that received MAX_PER_ADDRESS_PER_DAY
messages in the last day, are deferred (452); a message over KLARTEXT_INBOUND_MAX_BYTES is
refused (552, announced as SIZE in EHLO). Everything else is stored
raw (inbound.receiving.store) and answered 250; whether it becomes a draft is decided later by
a task, and nothing is ever sent back to the sender of a refused reply.

The rows of messages that arrive close together go to the worker together: a task for every
BATCH_SIZE rows, or for what BATCH_WAIT seconds gathered. Stopping the server queues what it
holds; if the process dies first, the sweep (inbound.tasks) queues those rows ten minutes later.
"""

import asyncio
import logging

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, close_old_connections
from kombu.exceptions import OperationalError

from mail.replies import is_inbound_recipient

from .receiving import BATCH_SIZE, MAX_RECIPIENTS, flooded, queue, store

logger = logging.getLogger(__name__)

BATCH_WAIT = 0.05  # seconds a stored message may wait for others to share its task


def store_message(raw, mail_from, recipients):
    # A long-running server has no request cycle to do this: drop a connection the database
    # closed. Not in `store` itself, which the webhook calls inside a request (and its
    # transaction, where closing the connection breaks it).
    close_old_connections()
    return store(raw, mail_from, recipients)


def flooded_now(address):
    close_old_connections()
    return bool(flooded([address]))


class InboundHandler:
    def __init__(self):
        self.stored = []  # row ids not yet queued
        self.timer = None
        self.flushes = set()  # running flushes (the event loop keeps only weak references)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        if not is_inbound_recipient(address):
            return "550 5.1.1 No such recipient here"
        try:
            full = await sync_to_async(flooded_now, thread_sensitive=False)(address)
        except DatabaseError:
            logger.exception("could not count an address's inbound messages")
            return "451 4.3.0 Temporary failure, try again later"
        if full:
            return "452 4.2.2 Too many messages for this address today"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            # Each message in a thread of its own: the database work never blocks the event loop.
            ids = await sync_to_async(store_message, thread_sensitive=False)(raw, envelope.mail_from, envelope.rcpt_tos)
        except DatabaseError:
            logger.exception("could not store an inbound message")
            return "451 4.3.0 Temporary failure, try again later"
        self.stored += ids
        if len(self.stored) >= BATCH_SIZE:
            self.flush_soon()
        elif self.stored and self.timer is None:
            self.timer = asyncio.get_running_loop().call_later(BATCH_WAIT, self.flush_soon)
        return "250 2.0.0 Accepted"

    def flush_soon(self):
        flush = asyncio.ensure_future(self.flush())
        self.flushes.add(flush)
        flush.add_done_callback(self.flushes.discard)

    async def flush(self):
        """Queue the stored rows (in a thread: queueing talks to the broker)."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        ids, self.stored = self.stored, []
        if not ids:
            return
        try:
            await sync_to_async(queue, thread_sensitive=False)(ids)
        except (OperationalError, OSError):
            logger.exception("could not queue %s inbound messages; the sweep will", len(ids))


class InboundController(Controller):
    def stop(self, *args, **kwargs):
        """Queue what the handler holds before the event loop stops."""
        if self.loop.is_running():
            asyncio.run_coroutine_threadsafe(self.handler.flush(), self.loop).result(timeout=30)
        super().stop(*args, **kwargs)


def controller(host=None, port=None):
    """An aiosmtpd Controller (a thread with its own event loop) for our handler."""
    return InboundController(
        InboundHandler(),
        hostname=host or settings.KLARTEXT_INBOUND_SMTP_HOST,
        port=port or settings.KLARTEXT_INBOUND_SMTP_PORT,
        data_size_limit=settings.KLARTEXT_INBOUND_MAX_BYTES,
        enable_SMTPUTF8=True,
        ready_timeout=10,
        server_hostname=settings.KLARTEXT_INBOUND_DOMAIN,
        ident="Klartext inbound",
    )
