"""Sending a batch: claim each row, send it over one SMTP connection, record the outcome.

    send_batch(ids) → per row: not due or quiet for the recipient → deferred (due later), unless
      that is at or past its deadline → expired (mail.timing.too_late);
      claim:   pending → sending, a conditional UPDATE committed before the message leaves
      build:   mail.messages.BatchContext, in the member's language (Skip → skipped)
      send:    throttled to KLARTEXT_SEND_RATE across workers, over one connection per batch
      outcome: sent, written right after the message left; a transient error → pending again
               with backoff (retry); a permanent one or too many attempts → failed

A worker that dies leaves at most one row in 'sending'; the tick's reconcile flags it instead of
resending it.
"""

import datetime
import logging
import random
import smtplib
import time
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cohorts.models import Invitation

from .dispatch import enqueue, expire
from .messages import BatchContext, Skip
from .models import Delivery, DeliveryState
from .timing import EXPIRED_HELD, EXPIRED_LATE, allowed_moment, too_late

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
RETRY_CAP_SECONDS = 900
TRANSIENT_SMTP_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)


def is_transient(error):
    """4xx SMTP replies and lost connections are worth retrying; 5xx are final."""
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in error.recipients.values())
    return isinstance(error, TRANSIENT_SMTP_ERRORS)


def retry_delay(attempts):
    """Exponential backoff with full jitter, capped far below the broker's visibility timeout."""
    base = settings.KLARTEXT_RETRY_BASE_SECONDS
    cap = min(RETRY_CAP_SECONDS, settings.CELERY_VISIBILITY_TIMEOUT // 4)
    return random.uniform(base / 2, min(cap, base * 2**attempts))


def throttle():
    """A global send-rate limit shared by all workers through the cache (Redis in production)."""
    rate = getattr(settings, "KLARTEXT_SEND_RATE", 0)
    if not rate:
        return
    while True:
        second = int(time.time())
        key = f"send-rate:{second}"
        cache.add(key, 0, timeout=5)
        try:
            count = cache.incr(key)
        except ValueError:
            count = 1
        if count <= rate:
            return
        time.sleep(max(0.0, second + 1 - time.time()))


def keep_open(backend):
    """Django's SMTP backend closes a connection that send() opened itself: a batch that left the
    opening to send() paid a connect, EHLO and QUIT per message. Opening it first keeps one
    connection for the batch, and opens a new one after a failure closed it. The file and memory
    backends keep their behaviour (one file per message in var/outbox)."""
    if isinstance(backend, SMTPBackend) and backend.connection is None:
        backend.open()


def send_batch(ids, now=None):
    """Send the given deliveries over one SMTP connection. Safe to run twice with the same ids:
    only rows this call claims are sent."""
    now = now or timezone.now()
    rows = list(
        Delivery.objects.filter(pk__in=ids, state=DeliveryState.PENDING)
        .select_related("membership__user", "membership__cohort__course", "invitation__cohort__course")
        .order_by("pk")
    )
    context = BatchContext(rows, now)
    smtp = get_connection()
    outcome = defaultdict(list)
    try:
        for delivery in rows:
            outcome[_send_one(delivery, context, smtp, now)].append(delivery.pk)
    finally:
        try:
            smtp.close()
        except (smtplib.SMTPException, OSError):
            logger.warning("closing the SMTP connection failed", exc_info=True)
    return {key: len(value) for key, value in outcome.items()}


def claim(delivery, now):
    """pending → sending, committed before the message leaves; True if this call has the row."""
    claimed = Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(
        state=DeliveryState.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return claimed == 1


def record_sent(delivery, to_email, variant):
    """The outcome of a message that left, written at once: sending → sent."""
    sent_at = timezone.now()
    fields = {
        "state": DeliveryState.SENT,
        "sent_at": sent_at,
        "to_email": to_email,
        "last_error": "",
        "variant": variant,
    }
    if not delivery.invitation_id:
        Delivery.objects.filter(pk=delivery.pk).update(**fields)
        return
    with transaction.atomic():  # the invitation shows it was sent exactly when its row does
        Delivery.objects.filter(pk=delivery.pk).update(**fields)
        Invitation.objects.filter(pk=delivery.invitation_id).update(sent_at=sent_at)


def _send_one(delivery, context, smtp, now):
    if delivery.due_at > now:
        return "not_due"
    allowed = allowed_moment(delivery, now)
    if too_late(delivery, allowed):
        expire(delivery, EXPIRED_HELD if allowed > now else EXPIRED_LATE)
        return "expired"
    if allowed > now:
        # Quiet hours or a weekend the member did not choose: move it, don't send it now.
        Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(due_at=allowed, enqueued_at=None)
        return "deferred"
    if not claim(delivery, timezone.now()):
        return "taken"  # another worker has it, or it was already sent
    try:
        message = context.build(delivery, smtp)
    except Skip as reason:
        Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SKIPPED, last_error=str(reason))
        return "skipped"
    throttle()
    try:
        keep_open(smtp)
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        return _record_failure(delivery, error, smtp)
    record_sent(delivery, message.to[0], context.variants.get(delivery.pk, delivery.variant))
    return "sent"


def _record_failure(delivery, error, smtp):
    attempts = delivery.attempts + 1
    text = f"{type(error).__name__}: {error}"[:1000]
    if isinstance(error, (smtplib.SMTPServerDisconnected, OSError)):
        # The connection is gone: close it so the next message opens a new one.
        try:
            smtp.close()
        except (smtplib.SMTPException, OSError):
            logger.debug("closing a broken SMTP connection", exc_info=True)
    if is_transient(error) and attempts < MAX_ATTEMPTS:
        delay = retry_delay(attempts)
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.PENDING,
            due_at=timezone.now() + datetime.timedelta(seconds=delay),
            enqueued_at=timezone.now(),
            last_error=text,
        )
        # Retry soon through Celery; the tick's re-dispatch is the safety net if this is lost.
        enqueue([delivery.pk], countdown=delay + 1)
        return "retry"
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.FAILED, last_error=text)
    logger.warning("delivery %s failed permanently: %s", delivery.pk, text)
    return "failed"
