"""From planned rows to queued work: the tick, "send now", and handing due rows to the workers.

    beat (every 5 min) → tick(now), in one transaction:
      reconcile: rows stuck in 'sending' past SENDING_TIMEOUT → 'unknown' + flagged (never resent)
      plan:      mail.planning.plan(now): each kind over the span since its watermark, a few
                 statements per kind; what was due in an outage and is past its deadline → 'missed'
      expire:    pending rows past their deadline (`send_by`) → 'expired', never sent late
      dispatch:  one UPDATE … RETURNING marks due pending rows as enqueued; send_batch tasks of
                 BATCH_SIZE ids are queued after commit (mail.sending does the rest)

The watermarks double as beat's heartbeat: `beat_is_late` tells the admin home when no tick has
planned for longer than three intervals.

The database is the source of truth for every email; Celery is only the transport.
"""

import datetime
from dataclasses import dataclass, field

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import Delivery, DeliveryState
from .planning import last_planned, plan, plan_weekly_nudges_for
from .timing import EXPIRED_LATE

BATCH_SIZE = 250
DISPATCH_LIMIT = 100_000
# Longer than the task's hard time limit: a row still 'sending' after this lost its worker.
SENDING_TIMEOUT = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 300)
# A row enqueued but not claimed for this long lost its message (e.g. a purged queue): the next
# tick queues it again. A row still waiting behind a slow throttle may be queued twice; the claim
# sends it once, and a batch that finds it taken skips it without using a send slot.
REDISPATCH_AFTER = datetime.timedelta(minutes=5)
# Looked up by name: mail.tasks imports this module to run the stages.
SEND_BATCH_TASK = "mail.tasks.send_batch"


def reconcile(now):
    """Rows whose worker died between claim and outcome: we cannot know whether the message left,
    so they are flagged for a person to look at instead of being resent (no duplicates)."""
    return Delivery.objects.filter(state=DeliveryState.SENDING, claimed_at__lt=now - SENDING_TIMEOUT).update(
        state=DeliveryState.UNKNOWN,
        flagged=True,
        last_error="The worker stopped while sending; not resent to avoid a duplicate.",
    )


def expire_overdue(now):
    """Pending rows whose deadline has passed (a worker never got to them in time): recorded
    'expired', never sent late."""
    return Delivery.objects.filter(state=DeliveryState.PENDING, send_by__lte=now).update(
        state=DeliveryState.EXPIRED, reason=EXPIRED_LATE, enqueued_at=None
    )


def expire(delivery, reason):
    """One pending row that can no longer leave before its deadline → 'expired' with the reason."""
    return Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(
        state=DeliveryState.EXPIRED, reason=reason, enqueued_at=None
    )


def dispatch(now, limit=DISPATCH_LIMIT):
    """Mark due pending rows as enqueued (one UPDATE … RETURNING) and return their ids."""
    table = Delivery._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    sql = f"""
        UPDATE {table} SET enqueued_at = %s
        WHERE id IN (
            SELECT id FROM {table}
            WHERE state = %s AND due_at <= %s AND (enqueued_at IS NULL OR enqueued_at < %s)
            ORDER BY due_at LIMIT %s
        )
        RETURNING id
    """  # noqa: S608 - the table name comes from model meta; values are parameters
    params = [adapt(now), DeliveryState.PENDING, adapt(now), adapt(now - REDISPATCH_AFTER), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor.fetchall())


def enqueue(ids, *, countdown=None):
    """Queue send_batch tasks of BATCH_SIZE ids once the current transaction commits."""
    send_batch = current_app.tasks[SEND_BATCH_TASK]
    options = {"countdown": countdown} if countdown else {}
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        transaction.on_commit(lambda batch=batch: send_batch.apply_async((batch,), **options))


@dataclass
class TickResult:
    planned: dict = field(default_factory=dict)  # pending rows planned, per planner
    missed: dict = field(default_factory=dict)  # rows recorded 'missed', per planner
    reconciled: int = 0
    expired: int = 0
    dispatched: int = 0


def tick(now=None):
    now = now or timezone.now()
    result = TickResult()
    with transaction.atomic():
        result.reconciled = reconcile(now)
        counts = plan(now)
        result.planned = {name: count.planned for name, count in counts.items()}
        result.missed = {name: count.missed for name, count in counts.items()}
        result.expired = expire_overdue(now)
        ids = dispatch(now)
        result.dispatched = len(ids)
        enqueue(ids)
    return result


def beat_is_late(now):
    """Since when no tick has planned, when that is longer than three tick intervals; else None
    (also before the very first tick: nothing tells a new installation from a missing beat)."""
    last = last_planned()
    if last is None or now - last <= datetime.timedelta(seconds=3 * settings.KLARTEXT_TICK_SECONDS):
        return None
    return last


def queue_weekly_nudges_now(cohort, now):
    """A facilitator's "send this week's nudge now": the weekly nudge for the cohort's members,
    through the same rows, audience and dedupe as the tick (`planning.plan_weekly_nudges_for`).
    The rows are due now and dispatched at once; workers still hold them for quiet hours.
    Returns {"queued": …, "already": …}."""
    with transaction.atomic():
        result = plan_weekly_nudges_for(cohort, now)
        enqueue(dispatch(now))
    return result
