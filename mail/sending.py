"""Sending a batch: claim each row, send it over one SMTP connection, record the outcome.

    send_batch(ids) → per row: not due or quiet for the recipient → deferred (due later), unless
      that is at or past its deadline → expired (mail.timing.too_late);
      throttle: wait for a slot under KLARTEXT_SEND_RATE (shared by all workers), before the claim
      claim:    pending → sending in one conditional UPDATE that re-checks consent (mail.audience
                .consent_rules: account, unsubscribe, opt-out, pause, cohort end); a row that fails
                it ends 'skipped' with the reason
      build:    mail.messages.BatchContext, in the member's language (Skip → skipped)
      send:     mail.smtp.Connection, one per batch
      outcome:  sent; not accepted and transient (connect errors, lost before the end of DATA,
                4xx) → pending again with backoff (retry); 5xx or too many attempts → failed;
                no reply after the end of DATA → 'unknown' and flagged, never resent

A batch stops claiming before its soft time limit and queues the rest as a new batch, so no row is
left in 'sending' by a time limit. A worker that dies leaves at most one row in 'sending'; the
tick's reconcile flags it instead of resending it.
"""

import datetime
import logging
import random
import time
from collections import defaultdict

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, CharField, F, Value, When
from django.utils import timezone

from cohorts.models import Invitation

from . import coalescing
from .claiming import Consent, claim, update_row
from .contents import Skip
from .dispatch import enqueue, expire
from .messages import BatchContext
from .models import Delivery, DeliveryState
from .smtp import Connection, NotAccepted, Unknown
from .timing import EXPIRED_HELD, EXPIRED_LATE, allowed_moment, too_late

logger = logging.getLogger(__name__)

ROW_RELATED = ("membership__user", "membership__cohort__course", "invitation__cohort__course")
MAX_ATTEMPTS = 6
RETRY_CAP_SECONDS = 900
# The outcome of a row the batch had no time left for: it goes to the next batch.
OUT_OF_TIME = "out_of_time"


def retry_delay(attempts):
    """Exponential backoff with full jitter, capped far below the broker's visibility timeout."""
    base = settings.KLARTEXT_RETRY_BASE_SECONDS
    cap = min(RETRY_CAP_SECONDS, settings.CELERY_VISIBILITY_TIMEOUT // 4)
    return random.uniform(base / 2, min(cap, base * 2**attempts))


def claim_deadline(started):
    """Until when (on the monotonic clock) a batch that started at `started` may claim a row: its
    soft time limit less the time one message can take (connect, send, await the reply, each
    bounded by EMAIL_TIMEOUT), and never later than halfway."""
    soft_limit = settings.CELERY_TASK_SOFT_TIME_LIMIT
    one_message = 2 * (getattr(settings, "EMAIL_TIMEOUT", None) or 30)
    return started + soft_limit - min(soft_limit / 2, one_message)


def throttle(deadline):
    """Wait for a slot under the global send rate, shared by all workers through the cache (Redis
    in production). False, without a slot, when none comes free before `deadline`."""
    if time.monotonic() >= deadline:
        return False
    rate = settings.KLARTEXT_SEND_RATE
    if not rate:
        return True
    while True:
        second = int(time.time())
        key = f"send-rate:{second}"
        cache.add(key, 0, timeout=5)
        try:
            count = cache.incr(key)
        except ValueError:
            count = 1
        if count <= rate:
            return True
        wait = max(0.0, second + 1 - time.time())
        if time.monotonic() + wait >= deadline:
            return False
        time.sleep(wait)


def send_batch(ids, now=None):
    """Send the given deliveries over one SMTP connection. Safe to run twice with the same ids:
    only rows this call claims are sent."""
    deadline = claim_deadline(time.monotonic())
    now = now or timezone.now()
    rows = list(
        Delivery.objects.filter(pk__in=ids, state=DeliveryState.PENDING).select_related(*ROW_RELATED).order_by("pk")
    )
    # Held for the batch: ZoneInfo caches only zones still referenced (and the last eight), and
    # a batch's rows cycle through dozens of zones, which would each be read from disk per row.
    zones = {delivery.membership.zone for delivery in rows if delivery.membership_id}  # noqa: F841
    # Several rows due for one person now leave as one message (mail.coalescing).
    companions, extra = coalescing.gather(rows, now, related=ROW_RELATED)
    context = BatchContext(rows + extra, now)
    consent = Consent(now)
    connection = Connection()
    outcome = defaultdict(int)
    try:
        for index, delivery in enumerate(rows):
            result = _send_one(delivery, context, consent, connection, now, deadline, companions.get(delivery.pk, ()))
            if result == OUT_OF_TIME:
                outcome["requeued"] = requeue(rows[index:])
                break
            outcome[result] += 1
    finally:
        connection.close()
    return dict(outcome)


def record_sent(delivery, to_email, variants, ids):
    """The outcome of a message that left, written at once: sending → sent, for every row the
    message carried (`variants`: pk → the variant building chose)."""
    sent_at = timezone.now()
    fields = {"state": DeliveryState.SENT, "sent_at": sent_at, "to_email": to_email, "last_error": ""}
    chosen = {pk: variants[pk] for pk in ids if pk in variants}
    if list(chosen) == ids == ids[:1]:
        fields["variant"] = chosen[ids[0]]  # the usual message, one row: no CASE to build
    elif chosen:
        whens = [When(pk=pk, then=Value(variant)) for pk, variant in chosen.items()]
        fields["variant"] = Case(*whens, default=F("variant"), output_field=CharField())
    if not delivery.invitation_id:
        if ids == [delivery.pk]:
            update_row(delivery.pk, fields)  # the usual message: one row, written out
        else:
            Delivery.objects.filter(pk__in=ids).update(**fields)
        return
    with transaction.atomic():  # the invitation shows it was sent exactly when its row does
        Delivery.objects.filter(pk__in=ids).update(**fields)
        Invitation.objects.filter(pk=delivery.invitation_id).update(sent_at=sent_at)


def release(ids):
    """sending → pending: the message did not leave (the batch ran out of time before)."""
    Delivery.objects.filter(pk__in=ids, state=DeliveryState.SENDING).update(
        state=DeliveryState.PENDING, attempts=F("attempts") - 1
    )


def requeue(rows):
    """Queue the rows a batch had no time for as a new batch; stamped as queued now, so the tick
    does not queue them a second time meanwhile."""
    ids = [delivery.pk for delivery in rows]
    Delivery.objects.filter(pk__in=ids, state=DeliveryState.PENDING).update(enqueued_at=timezone.now())
    enqueue(ids)
    return len(ids)


def _send_one(delivery, context, consent, connection, now, deadline, candidates=()):
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
    if (
        settings.KLARTEXT_SEND_RATE
        and not Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).exists()
    ):
        return "taken"  # e.g. by a second batch with the same rows: keep the slot for a row to send
    if coalescing.carried_earlier(delivery, context):
        return "taken"  # it went with an earlier message of this batch
    if not throttle(deadline):
        return OUT_OF_TIME
    claimed = claim(delivery, now, consent)
    if claimed != "claimed":
        return claimed
    ids = [delivery.pk]
    try:
        companions = coalescing.claim(candidates, now)
        ids += [companion.pk for companion in companions]
        message = context.build(delivery, connection.backend, companions)
        coalescing.record_left_out(delivery, context)
        ids = coalescing.message_ids(delivery, context)
        connection.send(message)
    except Skip as reason:
        Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SKIPPED, reason=str(reason)[:200])
        coalescing.record_left_out(delivery, context)
        return "skipped"
    except Unknown as error:
        Delivery.objects.filter(pk__in=ids).update(
            state=DeliveryState.UNKNOWN, flagged=True, last_error=str(error)[:1000]
        )
        logger.warning("delivery %s: outcome unknown, flagged and not resent: %s", delivery.pk, error)
        return "unknown"
    except NotAccepted as error:
        if isinstance(error.error, SoftTimeLimitExceeded):
            release(ids)
            return OUT_OF_TIME
        return _record_failure(delivery, error, ids)
    except SoftTimeLimitExceeded:
        release(ids)  # while building: nothing left
        return OUT_OF_TIME
    record_sent(delivery, message.to[0], context.variants, ids)
    return "sent"


def _record_failure(delivery, error, ids):
    attempts = delivery.attempts + 1
    text = str(error)[:1000]
    if error.transient and attempts < MAX_ATTEMPTS:
        retry_at = timezone.now() + datetime.timedelta(seconds=retry_delay(attempts))
        # Queued for its retry moment: the tick re-dispatches it only if that message is lost.
        Delivery.objects.filter(pk__in=ids).update(
            state=DeliveryState.PENDING, due_at=retry_at, enqueued_at=retry_at, last_error=text
        )
        enqueue([delivery.pk], countdown=(retry_at - timezone.now()).total_seconds() + 1)
        return "retry"
    Delivery.objects.filter(pk__in=ids).update(state=DeliveryState.FAILED, last_error=text)
    logger.warning("delivery %s failed permanently: %s", delivery.pk, text)
    return "failed"
