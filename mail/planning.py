"""What is due: one planner per kind of email, each writing Delivery rows in one statement.

Each planner is one INSERT … SELECT … ON CONFLICT DO NOTHING (or one per lesson, assignment or
event): the unique constraint on (recipient, kind, period key) makes a second or concurrent tick
insert nothing, and the query count does not grow with the number of members. `plan` is the tick's
plan step; `plan_weekly_nudges_for` is "send now"'s.
"""

import datetime
from collections import defaultdict

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
from django.utils import timezone

from cohorts.models import Cohort, CohortEvent, Membership, Role
from cohorts.schedule import Schedule
from course.timezones import iso_week_key
from lessons.models import Feedback, PeerReview, Response, SelfCheck, Submission, SubmissionState

from .audience import (
    alumni_nudge_audience,
    facilitator_digest_audience,
    not_paused,
    reachable,
    weekly_nudge_audience,
)
from .meetups import plan_event_invitations
from .models import Delivery, DeliveryState, Kind, NudgeOptOut
from .timing import year_before, zone_groups, zones_in_use

EVENT_PHASES = {"before": -3, "day": 0, "after": 2}
LESSON_LOOKBACK = datetime.timedelta(days=2)


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


def _by_local_date(zones_by_day, audience, period):
    """The audience in each zone on that zone's local date, and each zone's period key: a filter
    and a Case over the at most three local dates that exist at any moment."""
    condition = Q(pk__in=[])
    period_cases = []
    for local_date, zones in zones_by_day.items():
        condition |= Q(time_zone__in=zones) & audience(local_date)
        period_cases.append(When(time_zone__in=zones, then=Value(period(local_date))))
    return condition, Case(*period_cases, output_field=CharField())


def plan_slot_kind(now, kind, *, audience, period):
    """Plan a kind that goes out at each person's chosen weekday and local hour.

    One query: the memberships whose (time zone, weekday, hour) is the current local
    (weekday, hour) of that zone. The slot test is one row-value IN over the zones in use; the
    rules that depend on the local date (`audience(day)`, a Q; `period(day)`, None to skip) are
    grouped by local date."""
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
    condition, period_key = _by_local_date(zones_by_day, audience, period)
    memberships = reachable(Membership.objects.filter(in_slot).filter(condition), kind)
    return insert_select(memberships, membership=F("pk"), period_key=period_key, **_row_defaults(kind, now))


def plan_weekly_nudges(now):
    """Members of running cohorts, and alumni who chose weekly nudges."""
    return plan_slot_kind(now, Kind.WEEKLY_NUDGE, audience=weekly_nudge_audience, period=iso_week_key)


def plan_alumni_nudges(now):
    """Alumni with monthly nudges: on the first of their weekdays in each month."""
    return plan_slot_kind(
        now,
        Kind.ALUMNI_NUDGE,
        audience=alumni_nudge_audience,
        period=lambda day: f"{day:%Y-%m}" if day.day <= 7 else None,
    )


def plan_facilitator_digests(now):
    return plan_slot_kind(now, Kind.FACILITATOR_DIGEST, audience=facilitator_digest_audience, period=iso_week_key)


def plan_lesson_released(now):
    """Lessons that opened within LESSON_LOOKBACK, for the members of their cohort."""
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


RESPONSE_SLOT = datetime.timedelta(hours=1)


def plan_peer_responded(now):
    """The "someone responded to your piece" email: one row per piece and hour, due at the end of the hour,
    so the responses of one hour make one email (and mail.coalescing joins it with whatever else
    is due for the writer then). Own replies under one's piece do not count."""
    opted_out = NudgeOptOut.objects.filter(membership=OuterRef("submission__membership"), kind=Kind.PEER_RESPONDED)
    responses = (
        Response.objects.filter(created_at__gt=now - datetime.timedelta(days=2), created_at__lte=now)
        .exclude(author=F("submission__membership"))
        .filter(submission__membership__unsubscribed_at__isnull=True, submission__membership__user__is_active=True)
        .exclude(Exists(opted_out))
    )
    rows = {}
    for submission_id, writer_id, created_at in responses.values_list(
        "submission_id", "submission__membership_id", "created_at"
    ):
        slot = created_at.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0) + RESPONSE_SLOT
        rows[(writer_id, submission_id, slot)] = Delivery(
            membership_id=writer_id,
            kind=Kind.PEER_RESPONDED,
            period_key=f"responses:{submission_id}:{slot:%Y%m%d%H}",
            subject_id=submission_id,
            due_at=slot,
        )
    return len(Delivery.objects.bulk_create(list(rows.values()), ignore_conflicts=True)) if rows else 0


def plan_event_kits(now):
    """Events: 3 days before, on the day and 2 days after, for every member of the cohort."""
    inserted = 0
    window = (now - datetime.timedelta(days=4)).date(), (now + datetime.timedelta(days=4)).date()
    for event in CohortEvent.objects.filter(date__range=window, cancelled=False).select_related("cohort"):
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


def plan_self_checks(now):
    """The yearly self-check: one per member per year, once twelve months have passed since
    their last self-check (or since they joined, if they never answered) and since the last time
    we asked. One query; the period key `self-check:<year>` makes a second one that year impossible."""
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
    plan_peer_responded,
    plan_event_kits,
    plan_event_invitations,
    plan_self_checks,
]


def plan(now):
    """The tick's plan step: every kind that is due at `now`; returns rows planned per kind."""
    return {planner.__name__.removeprefix("plan_"): planner(now) for planner in PLANNERS}


def plan_weekly_nudges_for(cohort, now):
    """This week's weekly nudge for the cohort's members, whatever their slot ("send now").

    The audience is the planner's without the weekday and hour; the period key is each member's
    current local ISO week, so a member who already had this week's nudge (from the tick or an
    earlier click) gets no new row. Returns {"queued": rows inserted, "already": members in the
    audience whose row for this week exists}."""
    zones_by_day = defaultdict(list)
    for (_weekday, _hour, local_date), zones in zone_groups(now, zones_in_use(cohort.memberships.all())).items():
        zones_by_day[local_date].extend(zones)
    if not zones_by_day:
        return {"queued": 0, "already": 0}
    condition, period_key = _by_local_date(zones_by_day, weekly_nudge_audience, iso_week_key)
    members = reachable(Membership.objects.filter(cohort=cohort).filter(condition), Kind.WEEKLY_NUDGE)
    eligible = members.count()
    queued = insert_select(members, membership=F("pk"), period_key=period_key, **_row_defaults(Kind.WEEKLY_NUDGE, now))
    return {"queued": queued, "already": eligible - queued}
