"""The email pipeline: plan what is due into the Delivery table, dispatch it to workers, send it.

    beat (every 5 min) → tick(now)
      reconcile: rows stuck in 'sending' past SENDING_TIMEOUT → 'unknown' + flagged (never resent)
      plan:      per kind, one INSERT … SELECT … ON CONFLICT DO NOTHING: the unique constraint on
                 (recipient, kind, period key) makes a second or concurrent tick insert nothing,
                 and the query count does not grow with the number of members
      dispatch:  one UPDATE … RETURNING marks due pending rows as enqueued; send_batch tasks of
                 BATCH_SIZE ids are queued after commit
    worker: send_batch(ids) → per row: claim (pending → sending, conditional update), render in
            the member's language, send over one SMTP connection, record sent / retry / failed

The database is the source of truth for every email; Celery is only the transport.
"""

import datetime
import logging
import random
import smtplib
import time
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort, CohortEvent, Frequency, Invitation, Membership, Role

from .models import Delivery, DeliveryState, Kind, NudgeOptOut

logger = logging.getLogger(__name__)

BATCH_SIZE = 250
DISPATCH_LIMIT = 100_000
MAX_ATTEMPTS = 6
# Longer than the task's hard time limit: a row still 'sending' after this lost its worker.
SENDING_TIMEOUT = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 300)
# A row enqueued but not claimed for this long lost its message (e.g. a purged queue): re-enqueue.
REDISPATCH_AFTER = datetime.timedelta(minutes=20)
QUIET_START, QUIET_END = 20, 7  # local hours: nothing is sent from 20:00 to 07:00
RETRY_CAP_SECONDS = 900
EVENT_PHASES = {"before": -3, "day": 0, "after": 2}
LESSON_LOOKBACK = datetime.timedelta(days=2)
UNSUBSCRIBE_SALT = "klartext.unsubscribe"
UNSUBSCRIBE_MAX_AGE = datetime.timedelta(days=400)

ZONE_SET = frozenset(zoneinfo.available_timezones())


# --- time rules --------------------------------------------------------------------------------


def is_quiet(local):
    return local.hour >= QUIET_START or local.hour < QUIET_END


def next_allowed_moment(moment, zone, *, allow_weekends):
    """`moment` itself if it is outside quiet hours (and not a weekend unless allowed), else the
    next 07:00 local on an allowed day."""
    local = moment.astimezone(zone)
    if not is_quiet(local) and (allow_weekends or local.weekday() < 5):
        return moment
    day = local.date() if local.hour < QUIET_END else local.date() + datetime.timedelta(days=1)
    while not allow_weekends and day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(QUIET_END), tzinfo=zone)


def iso_week_key(day):
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def retry_delay(attempts):
    """Exponential backoff with full jitter, capped far below the broker's visibility timeout."""
    base = settings.KLARTEXT_RETRY_BASE_SECONDS
    cap = min(RETRY_CAP_SECONDS, settings.CELERY_VISIBILITY_TIMEOUT // 4)
    return random.uniform(base / 2, min(cap, base * 2**attempts))


# --- planning ----------------------------------------------------------------------------------


def insert_select(queryset, **columns):
    """INSERT INTO delivery (columns) SELECT … FROM queryset ON CONFLICT DO NOTHING.

    One statement however many rows it inserts; returns the number inserted. Column values are
    expressions over the queryset's model (or constants)."""
    names = list(columns)
    select = queryset.order_by().annotate(**{f"_c_{name}": expr for name, expr in columns.items()})
    select = select.values_list(*[f"_c_{name}" for name in names])
    sql, params = select.query.sql_with_params()
    table = Delivery._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(Delivery._meta.get_field(n).column) for n in names)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({quoted}) {sql} ON CONFLICT DO NOTHING", params)
        return cursor.rowcount


def _prefixed_id(prefix, field_name):
    """SQL for prefix || id, e.g. 'feedback:42', as a period key."""
    return Concat(Value(prefix), Cast(field_name, CharField()), output_field=CharField())


def _row_defaults(kind, now, due_at=None, variant=""):
    return {
        "kind": Value(kind, output_field=CharField()),
        "state": Value(DeliveryState.PENDING, output_field=CharField()),
        "variant": Value(variant, output_field=CharField()),
        "due_at": Value(due_at or now, output_field=DateTimeField()),
        "attempts": Value(0, output_field=IntegerField()),
        "last_error": Value("", output_field=CharField()),
        "flagged": Value(False),
        "to_email": Value("", output_field=CharField()),
        "created_at": Value(now, output_field=DateTimeField()),
    }


def reachable(memberships, kind):
    """Members who still want this kind: active account, not unsubscribed, not opted out."""
    opted_out = NudgeOptOut.objects.filter(membership=OuterRef("pk"), kind=kind)
    return memberships.filter(user__is_active=True, unsubscribed_at__isnull=True).exclude(Exists(opted_out))


def zones_in_use():
    """The distinct time zones of memberships (one query; far fewer than all IANA zones)."""
    names = set(Membership.objects.order_by().values_list("time_zone", flat=True).distinct())
    return sorted(name for name in names if name in ZONE_SET)


def zone_groups(now, zones=None):
    """Time zones grouped by their current local (weekday, hour, date)."""
    groups = defaultdict(list)
    for name in zones if zones is not None else zones_in_use():
        local = now.astimezone(zoneinfo.ZoneInfo(name))
        groups[(local.weekday(), local.hour, local.date())].append(name)
    return groups


def _not_paused(local_date):
    return Q(paused_until__isnull=True) | Q(paused_until__lt=local_date)


def plan_slot_kind(now, kind, *, role, cohort_filter, period, extra=None):
    """Plan a kind that goes out at each person's chosen weekday and local hour.

    One query: the memberships whose (time zone, weekday, hour) is the current local
    (weekday, hour) of that zone. The slot test is one row-value IN over the zones in use; the
    rules that depend on the local date (`cohort_filter(day)`, pauses, `period(day)`, None to skip)
    are grouped by the at most three local dates that exist at any moment."""
    slots = []
    zones_by_day = defaultdict(list)
    for (weekday, hour, local_date), zones in zone_groups(now).items():
        if period(local_date) is None:
            continue
        zones_by_day[local_date].extend(zones)
        slots.extend((zone, weekday, hour) for zone in zones)
    if not slots:
        return 0
    table = connection.ops.quote_name(Membership._meta.db_table)
    slot_sql = "({t}.time_zone, {t}.nudge_weekday, {t}.nudge_hour) IN ({rows})".format(
        t=table, rows=", ".join(["(%s, %s, %s)"] * len(slots))
    )
    in_slot = ExpressionWrapper(
        RawSQL(slot_sql, [v for slot in slots for v in slot]),  # noqa: S611 - only %s placeholders; values are params
        output_field=BooleanField(),
    )
    by_day = Q(pk__in=[])
    period_cases = []
    for local_date, zones in zones_by_day.items():
        by_day |= Q(time_zone__in=zones) & _not_paused(local_date) & cohort_filter(local_date)
        period_cases.append(When(time_zone__in=zones, then=Value(period(local_date))))
    memberships = reachable(Membership.objects.filter(role=role).filter(in_slot).filter(by_day), kind)
    if extra is not None:
        memberships = memberships.filter(extra)
    return insert_select(
        memberships,
        membership=F("pk"),
        period_key=Case(*period_cases, output_field=CharField()),
        **_row_defaults(kind, now),
    )


def running_on(local_date):
    return Q(cohort__start_date__lte=local_date, cohort__end_date__gte=local_date)


def alumni_on(local_date):
    return Q(cohort__end_date__lt=local_date)


def plan_weekly_nudges(now):
    """Members of running cohorts, and alumni who chose weekly nudges."""
    cohort_filter = lambda day: running_on(day) | (alumni_on(day) & Q(nudge_frequency=Frequency.WEEKLY))  # noqa: E731
    return plan_slot_kind(now, Kind.WEEKLY_NUDGE, role=Role.MEMBER, cohort_filter=cohort_filter, period=iso_week_key)


def plan_alumni_nudges(now):
    """Alumni with monthly nudges: on the first of their weekdays in each month."""
    return plan_slot_kind(
        now,
        Kind.ALUMNI_NUDGE,
        role=Role.MEMBER,
        cohort_filter=lambda day: alumni_on(day) & Q(nudge_frequency=Frequency.MONTHLY),
        period=lambda day: f"{day:%Y-%m}" if day.day <= 7 else None,
    )


def plan_facilitator_digests(now):
    return plan_slot_kind(
        now, Kind.FACILITATOR_DIGEST, role=Role.FACILITATOR, cohort_filter=running_on, period=iso_week_key
    )


def plan_lesson_released(now):
    """Lessons that opened within LESSON_LOOKBACK, for the members of their cohort."""
    from cohorts.schedule import Schedule

    cohorts = Cohort.objects.filter(
        start_date__lte=(now + datetime.timedelta(days=1)).date(),
        end_date__gte=(now - LESSON_LOOKBACK - datetime.timedelta(days=1)).date(),
    ).select_related("course")
    opened = defaultdict(list)  # lesson id → cohort ids
    for cohort_id, schedule in Schedule.for_cohorts(cohorts).items():
        for slot in schedule.slots:
            if now - LESSON_LOOKBACK < slot.opens_at <= now:
                opened[slot.lesson.pk].append(cohort_id)
    inserted = 0
    for lesson_id, cohort_ids in opened.items():
        memberships = reachable(
            Membership.objects.filter(cohort_id__in=cohort_ids, role=Role.MEMBER), Kind.LESSON_RELEASED
        )
        inserted += insert_select(
            memberships,
            membership=F("pk"),
            period_key=Value(f"lesson:{lesson_id}", output_field=CharField()),
            subject_id=Value(lesson_id, output_field=IntegerField()),
            **_row_defaults(Kind.LESSON_RELEASED, now),
        )
    return inserted


def plan_assignments_due(now):
    """A reminder the day before an assignment is due, for members who have not shared it yet."""
    from cohorts.schedule import Schedule
    from lessons.models import Submission, SubmissionState

    cohorts = Cohort.objects.filter(
        start_date__lte=(now + datetime.timedelta(days=1)).date(), end_date__gte=now.date()
    ).select_related("course")
    inserted = 0
    for cohort_id, schedule in Schedule.for_cohorts(cohorts).items():
        for assignment in schedule.assignments(now):
            if not (now < assignment.due_at <= now + datetime.timedelta(hours=24)):
                continue
            done = Submission.objects.filter(membership=OuterRef("pk"), assignment_id=assignment.block_id).exclude(
                state=SubmissionState.DRAFT
            )
            memberships = reachable(
                Membership.objects.filter(cohort_id=cohort_id, role=Role.MEMBER), Kind.ASSIGNMENT_DUE
            ).exclude(Exists(done))
            inserted += insert_select(
                memberships,
                membership=F("pk"),
                period_key=Value(f"due:{assignment.block_id}", output_field=CharField()),
                subject_id=Value(assignment.lesson.pk, output_field=IntegerField()),
                **_row_defaults(Kind.ASSIGNMENT_DUE, now),
            )
    return inserted


def plan_feedback_ready(now):
    """One email per piece of feedback given in the last two days."""
    from lessons.models import Feedback

    feedback = Feedback.objects.filter(created_at__gt=now - datetime.timedelta(days=2), created_at__lte=now)
    opted_out = NudgeOptOut.objects.filter(membership=OuterRef("submission__membership"), kind=Kind.FEEDBACK_READY)
    feedback = feedback.filter(
        submission__membership__unsubscribed_at__isnull=True,
        submission__membership__user__is_active=True,
    ).exclude(Exists(opted_out))
    return insert_select(
        feedback,
        membership=F("submission__membership_id"),
        period_key=_prefixed_id("feedback:", "pk"),
        subject_id=F("submission_id"),
        **_row_defaults(Kind.FEEDBACK_READY, now),
    )


def plan_peer_review_reminders(now):
    """A reader assigned a piece who has not responded: a reminder after 48 h, at most one per
    48 h and at most three."""
    from lessons.models import PeerReview

    reviews = PeerReview.objects.filter(
        responded_at__isnull=True,
        assigned_at__lte=now - datetime.timedelta(hours=48),
        assigned_at__gt=now - datetime.timedelta(hours=48 * 4),
        reviewer__unsubscribed_at__isnull=True,
    ).exclude(Exists(NudgeOptOut.objects.filter(membership=OuterRef("reviewer"), kind=Kind.PEER_REVIEW)))
    rows = []
    for review_id, reviewer_id, submission_id, assigned_at in reviews.values_list(
        "pk", "reviewer_id", "submission_id", "assigned_at"
    ):
        number = min(3, int((now - assigned_at) / datetime.timedelta(hours=48)))
        rows.append(
            Delivery(
                membership_id=reviewer_id,
                kind=Kind.PEER_REVIEW,
                period_key=f"review:{review_id}:{number}",
                subject_id=submission_id,
                due_at=now,
            )
        )
    return len(Delivery.objects.bulk_create(rows, ignore_conflicts=True)) if rows else 0


def plan_event_kits(now):
    """Events: 3 days before, on the day and 2 days after, for every member of the cohort."""
    inserted = 0
    window = (now - datetime.timedelta(days=4)).date(), (now + datetime.timedelta(days=4)).date()
    for event in CohortEvent.objects.filter(date__range=window).select_related("cohort"):
        local_today = timezone.localtime(now, event.cohort.zone).date()
        for phase, offset in EVENT_PHASES.items():
            if event.date + datetime.timedelta(days=offset) != local_today:
                continue
            memberships = reachable(
                Membership.objects.filter(cohort_id=event.cohort_id, role=Role.MEMBER), Kind.EVENT_KIT
            )
            inserted += insert_select(
                memberships,
                membership=F("pk"),
                period_key=Value(f"event:{event.pk}:{phase}", output_field=CharField()),
                subject_id=Value(event.pk, output_field=IntegerField()),
                variant=Value(phase, output_field=CharField()),
                **{k: v for k, v in _row_defaults(Kind.EVENT_KIT, now).items() if k != "variant"},
            )
    return inserted


def year_before(moment):
    """The same moment twelve months earlier (29 February → 28 February)."""
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:
        return moment.replace(year=moment.year - 1, day=28)


def plan_self_checks(now):
    """The yearly self-check: one per member per year, once twelve months have passed since
    their last self-check (or since they joined, if they never answered) and since the last time
    we asked. One query; the period key `self-check:<year>` makes a second one that year impossible."""
    from lessons.models import SelfCheck

    cutoff = year_before(now)
    answered = SelfCheck.objects.filter(membership=OuterRef("pk"), created_at__gt=cutoff)
    # A member who does not answer is asked again twelve months later, not on 1 January.
    asked = Delivery.objects.filter(membership=OuterRef("pk"), kind=Kind.SELF_CHECK, created_at__gt=cutoff)
    memberships = (
        reachable(
            Membership.objects.filter(role=Role.MEMBER, joined_at__lte=cutoff).filter(_not_paused(now.date())),
            Kind.SELF_CHECK,
        )
        .exclude(Exists(answered))
        .exclude(Exists(asked))
    )
    year = now.astimezone(datetime.UTC).year
    return insert_select(
        memberships,
        membership=F("pk"),
        period_key=Value(f"self-check:{year}", output_field=CharField()),
        **_row_defaults(Kind.SELF_CHECK, now),
    )


PLANNERS = [
    plan_weekly_nudges,
    plan_alumni_nudges,
    plan_facilitator_digests,
    plan_lesson_released,
    plan_assignments_due,
    plan_feedback_ready,
    plan_peer_review_reminders,
    plan_event_kits,
    plan_self_checks,
]


# --- reconcile and dispatch ---------------------------------------------------------------------


def reconcile(now):
    """Rows whose worker died between claim and outcome: we cannot know whether the message left,
    so they are flagged for a person to look at instead of being resent (no duplicates)."""
    return Delivery.objects.filter(state=DeliveryState.SENDING, claimed_at__lt=now - SENDING_TIMEOUT).update(
        state=DeliveryState.UNKNOWN,
        flagged=True,
        last_error="The worker stopped while sending; not resent to avoid a duplicate.",
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
    from .tasks import send_batch

    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        options = {"countdown": countdown} if countdown else {}
        transaction.on_commit(lambda batch=batch, options=options: send_batch.apply_async((batch,), **options))


@dataclass
class TickResult:
    planned: dict = field(default_factory=dict)
    reconciled: int = 0
    dispatched: int = 0


def tick(now=None):
    now = now or timezone.now()
    result = TickResult()
    with transaction.atomic():
        result.reconciled = reconcile(now)
        for planner in PLANNERS:
            result.planned[planner.__name__.removeprefix("plan_")] = planner(now)
        ids = dispatch(now)
        result.dispatched = len(ids)
        enqueue(ids)
    return result


# --- sending ----------------------------------------------------------------------------------


def unsubscribe_token(membership_id, kind):
    return signing.dumps({"m": membership_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token):
    """(membership id, kind), or raise signing.BadSignature (also for expired tokens)."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    if not isinstance(data, dict) or data.get("k") not in Kind.values or not isinstance(data.get("m"), int):
        raise signing.BadSignature("Malformed unsubscribe token")
    return data["m"], data["k"]


def unsubscribe_headers(delivery):
    if delivery.membership_id is None:
        return {}
    url = settings.SITE_URL + reverse(
        "mail:unsubscribe", args=[unsubscribe_token(delivery.membership_id, delivery.kind)]
    )
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def message_id(delivery):
    """Stable per delivery: a receiver (or our test sink) can tell a resend from a new email."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/")[0].split(":")[0] or "klartext"
    return f"<delivery-{delivery.pk}@{host}>"


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


class Skip(Exception):
    pass


def send_batch(ids, now=None):
    """Send the given deliveries over one SMTP connection. Safe to run twice with the same ids:
    only rows this call claims are sent."""
    from .rendering import BatchContext

    now = now or timezone.now()
    rows = list(
        Delivery.objects.filter(pk__in=ids, state=DeliveryState.PENDING)
        .select_related("membership__user", "membership__cohort__course", "invitation__cohort__course")
        .order_by("pk")
    )
    context = BatchContext(rows, now)
    smtp = get_connection()
    held = HeldOutcomes()
    outcome = defaultdict(list)
    try:
        for delivery in rows:
            outcome[_send_one(delivery, context, smtp, now, held)].append(delivery.pk)
    finally:
        held.commit()
        try:
            smtp.close()
        except (smtplib.SMTPException, OSError):
            logger.warning("closing the SMTP connection failed", exc_info=True)
    return {key: len(value) for key, value in outcome.items()}


class HeldOutcomes:
    """The per-message writes of the send loop, as plain SQL, with a sent message's outcome held
    back to go to the database together with the next claim. On PostgreSQL that is one statement
    (the outcome as a data-modifying WITH), so one round trip and one commit per message instead
    of two of each, and no ORM query building in the loop (bench B1). A claim still commits before
    its message leaves, and an outcome before the next message leaves, so a worker that dies
    leaves at most one row in 'sending', as before."""

    def __init__(self):
        self.writes = []  # (UPDATE statement, parameters)
        self.deliveries = connection.ops.quote_name(Delivery._meta.db_table)

    def hold_sent(self, delivery, sent_at, to_email, variant):
        adapt = connection.ops.adapt_datetimefield_value
        self.writes.append(
            (
                f"UPDATE {self.deliveries} SET state = %s, sent_at = %s, to_email = %s, last_error = '', "  # noqa: S608 - table from model meta, values are parameters
                "variant = %s WHERE id = %s",
                [DeliveryState.SENT, adapt(sent_at), to_email, variant, delivery.pk],
            )
        )
        if delivery.invitation_id:
            invitations = connection.ops.quote_name(Invitation._meta.db_table)
            self.writes.append(
                (f"UPDATE {invitations} SET sent_at = %s WHERE id = %s", [adapt(sent_at), delivery.invitation_id])  # noqa: S608 - as above
            )

    def claim(self, delivery, now):
        """pending → sending, with the held writes; returns 1 if this call claimed the row."""
        sql = (
            f"UPDATE {self.deliveries} SET state = %s, claimed_at = %s, attempts = attempts + 1 "  # noqa: S608 - as above
            "WHERE id = %s AND state = %s"
        )
        params = [
            DeliveryState.SENDING,
            connection.ops.adapt_datetimefield_value(now),
            delivery.pk,
            DeliveryState.PENDING,
        ]
        return self.commit(sql, params)

    def commit(self, sql=None, params=()):
        """The held writes and then `sql`; returns the number of rows `sql` changed."""
        if not self.writes and sql is None:
            return 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and sql is not None:
                held = ", ".join(f"held{index} AS ({write})" for index, (write, _params) in enumerate(self.writes))
                values = [value for _write, write_params in self.writes for value in write_params]
                cursor.execute((f"WITH {held} " if held else "") + sql, [*values, *params])
                count = cursor.rowcount
            else:  # SQLite cannot UPDATE inside WITH: the same writes, in one transaction
                with transaction.atomic():
                    for write, write_params in self.writes:
                        cursor.execute(write, write_params)
                    count = 0
                    if sql is not None:
                        cursor.execute(sql, params)
                        count = cursor.rowcount
        self.writes.clear()  # only once committed: a failed commit is retried by the final one
        return count


def keep_open(backend):
    """Django's SMTP backend closes a connection that send() opened itself: a batch that left the
    opening to send() paid a connect, EHLO and QUIT per message. Opening it first keeps one
    connection for the batch, and opens a new one after a failure closed it. The file and memory
    backends keep their behaviour (one file per message in var/outbox)."""
    if isinstance(backend, SMTPBackend) and backend.connection is None:
        backend.open()


def _send_one(delivery, context, smtp, now, held):
    if delivery.due_at > now:
        return "not_due"
    rules = context.recipient_zone(delivery)
    allowed = next_allowed_moment(now, rules[0], allow_weekends=rules[1]) if rules else now
    if allowed > now:
        # Quiet hours or a weekend the member did not choose: move it, don't send it now.
        Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(due_at=allowed, enqueued_at=None)
        return "deferred"
    claimed = held.claim(delivery, timezone.now())
    if claimed != 1:
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
    sent_at = timezone.now()
    held.hold_sent(delivery, sent_at, message.to[0], context.variants.get(delivery.pk, delivery.variant))
    return "sent"


def _record_failure(delivery, error, smtp):
    from .tasks import is_transient

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
        _schedule_retry(delivery.pk, delay)
        return "retry"
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.FAILED, last_error=text)
    logger.warning("delivery %s failed permanently: %s", delivery.pk, text)
    return "failed"


def _schedule_retry(delivery_id, delay):
    """Retry soon through Celery; the tick's re-dispatch is the safety net if this is lost."""
    from .tasks import send_batch as send_batch_task

    transaction.on_commit(lambda: send_batch_task.apply_async(([delivery_id],), countdown=delay + 1))


# --- sending now, from the admin ----------------------------------------------------------------


def queue_weekly_nudges_now(cohort, now):
    """A facilitator's "send this week's nudge now": the weekly nudge for the cohort's members,
    through the same rows, rules and dedupe as the tick.

    The audience is plan_weekly_nudges' without the weekday and hour: members of a running cohort
    (alumni who chose weekly nudges), reachable, not paused on their local date. The period key is
    each member's current local ISO week, so a member who already had this week's nudge (from the
    tick or an earlier click) gets no new row. The rows are due now and dispatched at once; workers
    still hold them for quiet hours. Returns {"queued": inserted rows, "already": members skipped
    because their row for this week exists}."""
    names = set(Membership.objects.filter(cohort=cohort).order_by().values_list("time_zone", flat=True).distinct())
    condition = Q(pk__in=[])
    period_cases = []
    for (_weekday, _hour, local_date), zones in zone_groups(now, sorted(names & ZONE_SET)).items():
        audience = running_on(local_date) | (alumni_on(local_date) & Q(nudge_frequency=Frequency.WEEKLY))
        condition |= Q(time_zone__in=zones) & _not_paused(local_date) & audience
        period_cases.append(When(time_zone__in=zones, then=Value(iso_week_key(local_date))))
    if not period_cases:
        return {"queued": 0, "already": 0}
    members = reachable(Membership.objects.filter(cohort=cohort, role=Role.MEMBER).filter(condition), Kind.WEEKLY_NUDGE)
    with transaction.atomic():
        eligible = members.count()
        queued = insert_select(
            members,
            membership=F("pk"),
            period_key=Case(*period_cases, output_field=CharField()),
            **_row_defaults(Kind.WEEKLY_NUDGE, now),
        )
        enqueue(dispatch(now))
    return {"queued": queued, "already": eligible - queued}
