"""What is due: one planner per kind of email, each writing Delivery rows in a few statements.

Each planner covers a span of time (since, now]. The tick's span for a kind starts where the last
successful tick left off (`PlanWatermark`), so after beat or the database was down the next tick
catches up, and reaches back at least the kind's LOOKBACK, so a member who joins or moves their
slot in the meantime is still planned. Each statement is an INSERT … SELECT … ON CONFLICT DO
NOTHING: the unique constraint on (recipient, kind, period key) makes a second or concurrent tick
insert nothing, and the number of statements does not grow with the number of members.

Every row gets a deadline (`send_by`) after which sending it is pointless; a worker never sends it
later (it expires, `mail.timing.too_late`), and a row whose deadline passed before any tick could
plan it is recorded 'missed' instead of silently left out:

    kind                        due                                  deadline
    weekly nudge, alumni nudge, the member's weekday and local hour  20:00 that local day
      facilitator digest
    lesson released             the lesson opens                     the next lesson opens, at most 3 days
    assignment due              24 h before the assignment is due    the moment it is due
    feedback ready              the feedback is given                7 days later
    peer response reminder      48, 96 and 144 h after assignment    the next reminder (48 h later)
    event kit                   07:00 on the member's local day      20:00 that day
    yearly self-check           twelve months after the last one     14 days later
    invitation                  at once (mail.receivers)             the invitation's expiry

An event's phases are days in each member's own zone: the event's instant (its start, or noon of
an all-day event's date, in the cohort's zone) seen from the member's zone, 3 days before, that
day, 2 days after.

`plan` is the tick's plan step; `plan_weekly_nudges_for` is "send now"'s.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db import connection
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

from cohorts.models import Cohort, CohortEvent, Membership, Role
from cohorts.schedule import Schedule
from course.timezones import iso_week_key, zone_named
from lessons.models import Feedback, PeerReview, Response, SelfCheck, Submission, SubmissionState

from .audience import (
    alumni_nudge_audience,
    facilitator_digest_audience,
    not_paused,
    reachable,
    weekly_nudge_audience,
    without_weekly_nudge_since,
)
from .meetups import plan_event_invitations
from .models import Delivery, DeliveryState, Kind, NudgeOptOut, PlanWatermark, SkipReason
from .timing import (
    local_dates,
    sending_day,
    sending_hours_between,
    week_began,
    week_ends,
    year_before,
    zones_in_use,
)

EVENT_PHASES = {"before": -3, "day": 0, "after": 2}
# An all-day event's instant is noon of its date in the cohort's zone.
EVENT_TIME = datetime.time(12)
REMIND_BEFORE_DUE = datetime.timedelta(hours=24)
PEER_REVIEW_EVERY = datetime.timedelta(hours=48)
PEER_REVIEW_REMINDERS = 3
LESSON_RELEASED_WITHIN = datetime.timedelta(days=3)
FEEDBACK_READY_WITHIN = datetime.timedelta(days=7)
SELF_CHECK_WITHIN = datetime.timedelta(days=14)

# How far back every tick looks, whatever the watermark says: a slot counts for its whole hour, a
# lesson's email reaches a member who joins in its first days, a reminder window is 24 or 48 h.
LOOKBACK = {
    Kind.WEEKLY_NUDGE: datetime.timedelta(hours=1),
    Kind.ALUMNI_NUDGE: datetime.timedelta(hours=1),
    Kind.FACILITATOR_DIGEST: datetime.timedelta(hours=1),
    Kind.LESSON_RELEASED: datetime.timedelta(days=2),
    Kind.ASSIGNMENT_DUE: REMIND_BEFORE_DUE,
    Kind.FEEDBACK_READY: datetime.timedelta(days=2),
    Kind.PEER_REVIEW: PEER_REVIEW_EVERY,
    Kind.PEER_RESPONDED: datetime.timedelta(days=1),
    Kind.EVENT_KIT: datetime.timedelta(days=1),
    Kind.EVENT_INVITATION: datetime.timedelta(0),
    Kind.SELF_CHECK: datetime.timedelta(0),
}

MISSED_REASON = SkipReason.PLANNED_TOO_LATE


@dataclass(frozen=True)
class Span:
    """What one planner covers: everything that became due in (since, now]. `planned_through` is
    the kind's watermark: what fell due before it was a tick's business already."""

    since: datetime.datetime
    now: datetime.datetime
    planned_through: datetime.datetime | None = None

    @classmethod
    def for_kind(cls, kind, now, planned_through=None):
        since = now - LOOKBACK[kind]
        if planned_through is not None and planned_through < since:
            since = planned_through
        return cls(since, now, planned_through)

    def covers(self, moment):
        return self.since < moment <= self.now

    def state(self, due_at, send_by):
        """'pending' while there is time to send; 'missed' when its deadline passed while no tick
        ran (it fell due after the watermark); None when it fell due before the watermark (an
        earlier tick's business: planned then, or not for this member) or before the very first
        tick (nothing tells what happened then)."""
        if send_by is None or send_by > self.now:
            return DeliveryState.PENDING
        if self.planned_through is not None and due_at > self.planned_through:
            return DeliveryState.MISSED
        return None


@dataclass
class Counts:
    planned: int = 0
    missed: int = 0

    def add(self, state, count):
        if state == DeliveryState.MISSED:
            self.missed += count
        else:
            self.planned += count
        return self


class PlanContext:
    """What several planners of one tick read, loaded once per tick on first use."""

    def __init__(self, now, earliest):
        self.now = now
        self.earliest = earliest  # the earliest `since` of the tick's spans
        self._hours = {}
        self._roles = {}

    @cached_property
    def zones(self):
        return zones_in_use()

    @cached_property
    def schedules(self):
        cohorts = Cohort.objects.filter(
            start_date__lte=(self.now + datetime.timedelta(days=1)).date(),
            end_date__gte=(self.earliest - datetime.timedelta(days=3)).date(),
        ).select_related("course")
        return Schedule.for_cohorts(cohorts)

    def roles_in_slots(self, span):
        """The roles of the memberships whose weekday, zone and hour is one of the span's local
        hours, in one light query: most ticks of a small installation find nobody due, and a
        kind nobody with its role is due for needs no statement of its own."""
        if span.since not in self._roles:
            condition = Q(pk__in=[])
            for day, starts in _by_day(self.sending_hours(span)).items():
                pairs = [(start.zone, start.hour) for start in starts]
                condition |= Q(nudge_weekday=day.weekday()) & _zone_hour_in(pairs)
            roles = Membership.objects.filter(condition).order_by().values_list("role", flat=True).distinct()
            self._roles[span.since] = set(roles) if self.sending_hours(span) else set()
        return self._roles[span.since]

    def sending_hours(self, span):
        """The local sending hours that begin within the span, in every zone in use (the slot
        kinds share one span, so this is worked out once per tick)."""
        if span.since not in self._hours:
            self._hours[span.since] = sending_hours_between(span.since, self.now, self.zones)
        return self._hours[span.since]


def _span_and_context(kind, now, span, context):
    span = span or Span.for_kind(kind, now)
    return span, context or PlanContext(span.now, span.since)


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


def _row_defaults(kind, now, state=DeliveryState.PENDING, variant=""):
    return {
        "kind": Value(kind, output_field=CharField()),
        "state": Value(state, output_field=CharField()),
        "variant": Value(variant, output_field=CharField()),
        "attempts": Value(0, output_field=IntegerField()),
        "last_error": Value("", output_field=CharField()),
        "reason": Value(MISSED_REASON if state == DeliveryState.MISSED else "", output_field=CharField()),
        "flagged": Value(False),
        "to_email": Value("", output_field=CharField()),
        "created_at": Value(now, output_field=DateTimeField()),
    }


def _moment(value):
    return Value(value, output_field=DateTimeField())


def _by_condition(pairs, output_field=None, default=None):
    """An expression that is each pair's value where its condition holds: (condition, value)
    pairs sharing a value become one When; a single value is a plain constant."""
    output_field = output_field or DateTimeField()
    conditions = defaultdict(list)
    for condition, value in pairs:
        conditions[value].append(condition)
    if len(conditions) == 1 and default is None:
        return Value(next(iter(conditions)), output_field=output_field)
    whens = []
    for value, group in conditions.items():
        combined = group[0]
        for condition in group[1:]:
            combined |= condition
        whens.append(When(combined, then=Value(value, output_field=output_field)))
    default = Value(default, output_field=output_field) if default is not None else None
    return Case(*whens, default=default, output_field=output_field)


def _zone_hour_in(pairs):
    """A membership condition: its (time zone, nudge hour) is one of `pairs`, as one row-value IN."""
    table = connection.ops.quote_name(Membership._meta.db_table)
    sql = "({t}.time_zone, {t}.nudge_hour) IN ({rows})".format(t=table, rows=", ".join(["(%s, %s)"] * len(pairs)))
    return ExpressionWrapper(
        RawSQL(sql, [value for pair in pairs for value in pair]),  # noqa: S611 - only %s placeholders; values are params
        output_field=BooleanField(),
    )


# --- kinds at each person's weekday and local hour ----------------------------------------------


def _by_day(starts):
    days = defaultdict(list)
    for start in starts:
        days[start.day].append(start)
    return days


def plan_slot_kind(kind, span, context, *, role, audience, period, one_per_week=False):
    """Plan a kind that goes out at each person's chosen weekday and local hour, for every local
    hour that began within the span.

    One statement (per state, and per week of span when catching up on more than a week): the
    memberships whose (weekday, zone, hour) is one of the local hours in the span. The rules that
    depend on the local date are `audience(day)` (a Q) and `period(day)` (the period key, None to
    skip the day); within a week a member's weekday tells which date matched. The deadline is
    20:00 that local day: never in quiet hours, never in another week."""
    if role not in context.roles_in_slots(span):
        return Counts()
    groups = defaultdict(lambda: defaultdict(list))  # (week of span, state) → day → [(start, send by)]
    first_day = None
    for start in sorted(context.sending_hours(span), key=lambda start: start.day):
        first_day = first_day or start.day
        send_by = sending_day(start.day, zone_named(start.zone))[1]
        state = span.state(start.starts_at, send_by)
        if state and period(start.day) is not None:
            groups[((start.day - first_day).days // 7, state)][start.day].append((start, send_by))
    counts = Counts()
    for (_week, state), days in groups.items():
        condition = Q(pk__in=[])
        keys, due, deadlines, began = [], [], [], []
        for day, starts in days.items():
            on_day = Q(nudge_weekday=day.weekday())
            condition |= on_day & _zone_hour_in([(start.zone, start.hour) for start, _b in starts]) & audience(day)
            keys.append((on_day, period(day)))
            for start, send_by in starts:
                due.append((on_day & _zone_hour_in([(start.zone, start.hour)]), start.starts_at))
                deadlines.append((day, start.zone, send_by))
                began.append((day, start.zone, week_began(day, zone_named(start.zone))))
        memberships = reachable(Membership.objects.filter(condition), kind)
        if one_per_week:
            memberships = without_weekly_nudge_since(memberships, _by_day_and_zone(began))
        inserted = insert_select(
            memberships,
            membership=F("pk"),
            period_key=_by_condition(keys, output_field=CharField()),
            due_at=_by_condition(due),
            send_by=_by_day_and_zone(deadlines),
            **_row_defaults(kind, span.now, state),
        )
        counts.add(state, inserted)
    return counts


def _by_day_and_zone(values):
    """A moment per membership from (local date, zone name, moment) triples: one When per distinct
    moment and weekday, over the zones that share it."""
    zones = defaultdict(set)
    for day, zone, moment in values:
        zones[(moment, day.weekday())].add(zone)
    return _by_condition(
        [(Q(nudge_weekday=weekday, time_zone__in=sorted(names)), moment) for (moment, weekday), names in zones.items()]
    )


def plan_weekly_nudges(now, span=None, context=None):
    """Members of running cohorts, and alumni who chose weekly nudges: at most one per local week,
    whatever they change in the middle of it."""
    span, context = _span_and_context(Kind.WEEKLY_NUDGE, now, span, context)
    return plan_slot_kind(
        Kind.WEEKLY_NUDGE,
        span,
        context,
        role=Role.MEMBER,
        audience=weekly_nudge_audience,
        period=iso_week_key,
        one_per_week=True,
    )


def plan_alumni_nudges(now, span=None, context=None):
    """Alumni with monthly nudges: on the first of their weekdays in each month."""
    span, context = _span_and_context(Kind.ALUMNI_NUDGE, now, span, context)
    return plan_slot_kind(
        Kind.ALUMNI_NUDGE,
        span,
        context,
        role=Role.MEMBER,
        audience=alumni_nudge_audience,
        period=lambda day: f"{day:%Y-%m}" if day.day <= 7 else None,
    )


def plan_facilitator_digests(now, span=None, context=None):
    span, context = _span_and_context(Kind.FACILITATOR_DIGEST, now, span, context)
    return plan_slot_kind(
        Kind.FACILITATOR_DIGEST,
        span,
        context,
        role=Role.FACILITATOR,
        audience=facilitator_digest_audience,
        period=iso_week_key,
    )


# --- kinds that follow a cohort's calendar ------------------------------------------------------


def plan_lesson_released(now, span=None, context=None):
    """Lessons that opened within the span, for the members of their cohort; pointless once the
    next lesson has opened, and after LESSON_RELEASED_WITHIN (a weekend in between still fits)."""
    span, context = _span_and_context(Kind.LESSON_RELEASED, now, span, context)
    opened = defaultdict(list)  # (lesson id, state) → [(cohort id, opens at, send by)]
    for cohort_id, schedule in context.schedules.items():
        openings = sorted({slot.opens_at for slot in schedule.slots})
        for slot in schedule.slots:
            if not span.covers(slot.opens_at):
                continue
            send_by = min([slot.opens_at + LESSON_RELEASED_WITHIN, *(t for t in openings if t > slot.opens_at)])
            state = span.state(slot.opens_at, send_by)
            if state:
                opened[(slot.lesson.pk, state)].append((cohort_id, slot.opens_at, send_by))
    counts = Counts()
    for (lesson_id, state), cohorts in opened.items():
        memberships = reachable(
            Membership.objects.filter(cohort_id__in=[c for c, _o, _s in cohorts], role=Role.MEMBER),
            Kind.LESSON_RELEASED,
        )
        inserted = insert_select(
            memberships,
            membership=F("pk"),
            period_key=Value(f"lesson:{lesson_id}", output_field=CharField()),
            subject_id=Value(lesson_id, output_field=IntegerField()),
            due_at=_by_condition([(Q(cohort_id=c), opens_at) for c, opens_at, _s in cohorts]),
            send_by=_by_condition([(Q(cohort_id=c), send_by) for c, _o, send_by in cohorts]),
            **_row_defaults(Kind.LESSON_RELEASED, span.now, state),
        )
        counts.add(state, inserted)
    return counts


def plan_assignments_due(now, span=None, context=None):
    """A reminder 24 h before an assignment is due, for members who have not shared it yet;
    pointless once it is due."""
    span, context = _span_and_context(Kind.ASSIGNMENT_DUE, now, span, context)
    counts = Counts()
    for cohort_id, schedule in context.schedules.items():
        for assignment in schedule.assignments(span.now):
            remind_at = assignment.due_at - REMIND_BEFORE_DUE
            if not span.covers(remind_at):
                continue
            state = span.state(remind_at, assignment.due_at)
            if not state:
                continue
            done = Submission.objects.filter(membership=OuterRef("pk"), assignment_id=assignment.block_id).exclude(
                state=SubmissionState.DRAFT
            )
            memberships = reachable(
                Membership.objects.filter(cohort_id=cohort_id, role=Role.MEMBER), Kind.ASSIGNMENT_DUE
            ).exclude(Exists(done))
            inserted = insert_select(
                memberships,
                membership=F("pk"),
                period_key=Value(f"due:{assignment.block_id}", output_field=CharField()),
                subject_id=Value(assignment.lesson.pk, output_field=IntegerField()),
                due_at=_moment(remind_at),
                send_by=_moment(assignment.due_at),
                **_row_defaults(Kind.ASSIGNMENT_DUE, span.now, state),
            )
            counts.add(state, inserted)
    return counts


def plan_event_kits(now, span=None, context=None):
    """Events: 3 days before, on the day and 2 days after, each on the member's own local day
    (from 07:00 to 20:00 there), for every member of the cohort. Members whose zone is unknown
    count in the cohort's zone."""
    span, context = _span_and_context(Kind.EVENT_KIT, now, span, context)
    counts = Counts()
    window = (span.since - datetime.timedelta(days=4)).date(), (span.now + datetime.timedelta(days=4)).date()
    for event in CohortEvent.objects.filter(date__range=window, cancelled=False).select_related("cohort"):
        instant = event.starts_at
        if event.all_day:
            instant = datetime.datetime.combine(event.date, EVENT_TIME, tzinfo=event.cohort.zone)
        for phase, offset in EVENT_PHASES.items():
            by_state = defaultdict(list)
            for name in {*context.zones, event.cohort.time_zone}:
                zone = zone_named(name)
                due_at, send_by = sending_day(instant.astimezone(zone).date() + datetime.timedelta(days=offset), zone)
                if span.covers(due_at) and (state := span.state(due_at, send_by)):
                    by_state[state].append((name, due_at, send_by))
            for state, group in by_state.items():
                names = [name for name, _d, _s in group]
                in_zones = Q(time_zone__in=names)
                if event.cohort.time_zone in names:
                    in_zones |= ~Q(time_zone__in=context.zones)
                memberships = reachable(
                    Membership.objects.filter(in_zones, cohort_id=event.cohort_id, role=Role.MEMBER), Kind.EVENT_KIT
                )
                cohort_zone = [(due_at, send_by) for name, due_at, send_by in group if name == event.cohort.time_zone]
                default_due, default_by = cohort_zone[0] if cohort_zone else (None, None)
                inserted = insert_select(
                    memberships,
                    membership=F("pk"),
                    period_key=Value(f"event:{event.pk}:{phase}", output_field=CharField()),
                    subject_id=Value(event.pk, output_field=IntegerField()),
                    due_at=_by_condition([(Q(time_zone=n), d) for n, d, _s in group], default=default_due),
                    send_by=_by_condition([(Q(time_zone=n), s) for n, _d, s in group], default=default_by),
                    **_row_defaults(Kind.EVENT_KIT, span.now, state, variant=phase),
                )
                counts.add(state, inserted)
    return counts


# --- kinds that follow what people do -----------------------------------------------------------


def plan_feedback_ready(now, span=None, context=None):
    """One email per piece of feedback given within the span; pointless after a week."""
    span, _context = _span_and_context(Kind.FEEDBACK_READY, now, span, context)
    given = Feedback.objects.filter(created_at__gt=span.since, created_at__lte=span.now)
    if not given.exists():  # the usual answer, from a far cheaper statement than the INSERT's
        return Counts()
    opted_out = NudgeOptOut.objects.filter(membership=OuterRef("submission__membership"), kind=Kind.FEEDBACK_READY)
    feedback = Feedback.objects.filter(
        submission__membership__unsubscribed_at__isnull=True,
        submission__membership__user__is_active=True,
    ).exclude(Exists(opted_out))
    fresh_after = span.now - FEEDBACK_READY_WITHIN
    parts = [(DeliveryState.PENDING, max(span.since, fresh_after), span.now)]
    missed_after = max(span.since, span.planned_through or span.since)
    if missed_after < fresh_after:  # only when catching up on more than a week
        parts.append((DeliveryState.MISSED, missed_after, fresh_after))
    counts = Counts()
    for state, after, until in parts:
        counts.add(
            state,
            insert_select(
                feedback.filter(created_at__gt=after, created_at__lte=until),
                membership=F("submission__membership_id"),
                period_key=_prefixed_id("feedback:", "pk"),
                subject_id=F("submission_id"),
                due_at=F("created_at"),
                send_by=ExpressionWrapper(F("created_at") + Value(FEEDBACK_READY_WITHIN), output_field=DateTimeField()),
                **_row_defaults(Kind.FEEDBACK_READY, span.now, state),
            ),
        )
    return counts


def plan_peer_review_reminders(now, span=None, context=None):
    """A reader assigned a piece who has not responded: a reminder 48, 96 and 144 h after it was
    assigned, each pointless once the next one is due."""
    span, _context = _span_and_context(Kind.PEER_REVIEW, now, span, context)
    reviews = PeerReview.objects.filter(
        responded_at__isnull=True,
        assigned_at__lte=span.now - PEER_REVIEW_EVERY,
        assigned_at__gt=span.since - PEER_REVIEW_EVERY * PEER_REVIEW_REMINDERS,
        reviewer__unsubscribed_at__isnull=True,
    ).exclude(Exists(NudgeOptOut.objects.filter(membership=OuterRef("reviewer"), kind=Kind.PEER_REVIEW)))
    rows = []
    for review_id, reviewer_id, submission_id, assigned_at in reviews.values_list(
        "pk", "reviewer_id", "submission_id", "assigned_at"
    ):
        for number in range(1, PEER_REVIEW_REMINDERS + 1):
            due_at = assigned_at + PEER_REVIEW_EVERY * number
            send_by = due_at + PEER_REVIEW_EVERY
            if span.covers(due_at) and (state := span.state(due_at, send_by)):
                rows.append(
                    Delivery(
                        membership_id=reviewer_id,
                        kind=Kind.PEER_REVIEW,
                        period_key=f"review:{review_id}:{number}",
                        subject_id=submission_id,
                        due_at=due_at,
                        send_by=send_by,
                        state=state,
                        reason=MISSED_REASON if state == DeliveryState.MISSED else "",
                    )
                )
    counts = Counts()
    for row in Delivery.objects.bulk_create(rows, ignore_conflicts=True) if rows else []:
        counts.add(row.state, 1)
    return counts


RESPONSE_SLOT = datetime.timedelta(hours=1)
RESPONDED_DEADLINE = datetime.timedelta(days=1)


def plan_peer_responded(now, span=None, context=None):
    """The "someone responded to your piece" email: one row per piece and hour, due at the end of
    that hour, so the responses of one hour make one email (and mail.coalescing joins it with
    whatever else is due for the writer then); pointless a day later. Own replies under one's
    piece do not count."""
    span, _context = _span_and_context(Kind.PEER_RESPONDED, now, span, context)
    opted_out = NudgeOptOut.objects.filter(membership=OuterRef("submission__membership"), kind=Kind.PEER_RESPONDED)
    responses = (
        Response.objects.filter(created_at__gt=span.since - RESPONSE_SLOT, created_at__lte=span.now)
        .exclude(author=F("submission__membership"))
        .filter(submission__membership__unsubscribed_at__isnull=True, submission__membership__user__is_active=True)
        .exclude(Exists(opted_out))
    )
    rows = {}
    for submission_id, writer_id, created_at in responses.values_list(
        "submission_id", "submission__membership_id", "created_at"
    ):
        slot = created_at.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0) + RESPONSE_SLOT
        send_by = slot + RESPONDED_DEADLINE
        state = span.state(slot, send_by)
        if state is None or (slot > span.now and state != DeliveryState.PENDING):
            continue
        rows[(writer_id, submission_id, slot)] = Delivery(
            membership_id=writer_id,
            kind=Kind.PEER_RESPONDED,
            period_key=f"responses:{submission_id}:{slot:%Y%m%d%H}",
            subject_id=submission_id,
            due_at=slot,
            send_by=send_by,
            state=state,
            reason=MISSED_REASON if state == DeliveryState.MISSED else "",
        )
    counts = Counts()
    for row in Delivery.objects.bulk_create(list(rows.values()), ignore_conflicts=True) if rows else []:
        counts.add(row.state, 1)
    return counts


def _full_hour(moment):
    return moment.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)


def plan_self_checks(now, span=None, context=None):
    """The yearly self-check: one per member per year, once twelve months have passed since
    their last self-check (or since they joined, if they never answered) and since the last time
    we asked. One query; the period key `self-check:<year>` makes a second one that year impossible.
    Twelve months need no precision finer than an hour: the tick asks in the first tick interval
    of each hour, and in any tick whose span crosses the full hour (ticks late or at another
    cadence than configured)."""
    first_interval = now.minute * 60 + now.second < settings.KLARTEXT_TICK_SECONDS
    if span is not None and not first_interval and _full_hour(span.since) == _full_hour(now):
        return Counts()
    cutoff = year_before(now)
    answered = SelfCheck.objects.filter(membership=OuterRef("pk"), created_at__gt=cutoff)
    # A member who does not answer is asked again twelve months later, not on 1 January.
    asked = Delivery.objects.filter(membership=OuterRef("pk"), kind=Kind.SELF_CHECK, created_at__gt=cutoff)
    memberships = (
        reachable(
            Membership.objects.filter(role=Role.MEMBER, joined_at__lte=cutoff).filter(not_paused(now.date())),
            Kind.SELF_CHECK,
        )
        .exclude(Exists(answered))
        .exclude(Exists(asked))
    )
    year = now.astimezone(datetime.UTC).year
    inserted = insert_select(
        memberships,
        membership=F("pk"),
        period_key=Value(f"self-check:{year}", output_field=CharField()),
        due_at=_moment(now),
        send_by=_moment(now + SELF_CHECK_WITHIN),
        **_row_defaults(Kind.SELF_CHECK, now),
    )
    return Counts(planned=inserted)


def _counted(planner):
    """A planner that plans what is due now whatever the span (it answers from the state of
    things, not from a moment in time) and returns a count."""

    def plan_now(now, span=None, context=None):
        return Counts(planned=planner(now))

    plan_now.__name__ = planner.__name__
    return plan_now


PLANNERS = {
    Kind.WEEKLY_NUDGE: plan_weekly_nudges,
    Kind.ALUMNI_NUDGE: plan_alumni_nudges,
    Kind.FACILITATOR_DIGEST: plan_facilitator_digests,
    Kind.LESSON_RELEASED: plan_lesson_released,
    Kind.ASSIGNMENT_DUE: plan_assignments_due,
    Kind.FEEDBACK_READY: plan_feedback_ready,
    Kind.PEER_REVIEW: plan_peer_review_reminders,
    Kind.PEER_RESPONDED: plan_peer_responded,
    Kind.EVENT_KIT: plan_event_kits,
    Kind.EVENT_INVITATION: _counted(plan_event_invitations),
    Kind.SELF_CHECK: plan_self_checks,
}


def plan(now):
    """The tick's plan step: every kind, over the span since its watermark, which then moves to
    `now` (in the tick's transaction: a tick that fails moves nothing). Returns {planner name:
    Counts}."""
    marks = dict(PlanWatermark.objects.values_list("kind", "planned_through"))
    spans = {kind: Span.for_kind(kind, now, marks.get(kind)) for kind in PLANNERS}
    context = PlanContext(now, min(span.since for span in spans.values()))
    counts = {
        planner.__name__.removeprefix("plan_"): planner(now, spans[kind], context) for kind, planner in PLANNERS.items()
    }
    PlanWatermark.objects.bulk_create(
        [PlanWatermark(kind=kind, planned_through=max(now, marks.get(kind, now))) for kind in PLANNERS],
        update_conflicts=True,
        unique_fields=["kind"],
        update_fields=["planned_through"],
    )
    return counts


def last_planned():
    """When a tick last planned (None before the first one)."""
    return max(PlanWatermark.objects.values_list("planned_through", flat=True), default=None)


def plan_weekly_nudges_for(cohort, now):
    """This week's weekly nudge for the cohort's members, whatever their slot ("send now").

    The audience is the planner's without the weekday and hour; the period key is each member's
    current local ISO week, and a member who already had a nudge this local week (from the tick
    or an earlier click) gets no new row. The deadline is the end of that week. Returns
    {"queued": rows inserted, "already": members in the audience who had this week's nudge}."""
    dates = local_dates(now, zones_in_use(cohort.memberships.all()))
    if not dates:
        return {"queued": 0, "already": 0}
    condition = Q(pk__in=[])
    period_keys, deadlines, began = [], [], {}
    for day, names in dates.items():
        condition |= Q(time_zone__in=names) & weekly_nudge_audience(day)
        period_keys.append((Q(time_zone__in=names), iso_week_key(day)))
        for name in names:
            zone = zone_named(name)
            deadlines.append((Q(time_zone=name), week_ends(day, zone)))
            began[name] = week_began(day, zone)
    members = reachable(Membership.objects.filter(cohort=cohort).filter(condition), Kind.WEEKLY_NUDGE)
    eligible = members.count()
    queued = insert_select(
        without_weekly_nudge_since(members, _by_condition([(Q(time_zone=name), at) for name, at in began.items()])),
        membership=F("pk"),
        period_key=_by_condition(period_keys, output_field=CharField()),
        due_at=_moment(now),
        send_by=_by_condition(deadlines),
        **_row_defaults(Kind.WEEKLY_NUDGE, now),
    )
    return {"queued": queued, "already": eligible - queued}
