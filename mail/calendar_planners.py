"""The kinds that follow a cohort's calendar: a lesson opens, an assignment is due tomorrow, an
event comes near. The lessons and due dates come from the cohorts' release schedules, loaded once
per tick (`PlanContext.schedules`)."""

import datetime
from collections import defaultdict

from django.db.models import CharField, Exists, F, IntegerField, OuterRef, Q, Value

from cohorts.models import CohortEvent, Membership, Role
from course.timezones import zone_named
from lessons.models import Submission, SubmissionState

from .audience import reachable
from .models import Kind
from .planned_rows import by_condition, insert_select, moment, row_defaults
from .spans import EVENT_PHASES, EVENT_TIME, LESSON_RELEASED_WITHIN, REMIND_BEFORE_DUE, Counts, span_and_context
from .timing import sending_day


def plan_lesson_released(now, span=None, context=None):
    """Lessons that opened within the span, for the members of their cohort; pointless once the
    next lesson has opened, and after LESSON_RELEASED_WITHIN (a weekend in between still fits)."""
    span, context = span_and_context(Kind.LESSON_RELEASED, now, span, context)
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
            due_at=by_condition([(Q(cohort_id=c), opens_at) for c, opens_at, _s in cohorts]),
            send_by=by_condition([(Q(cohort_id=c), send_by) for c, _o, send_by in cohorts]),
            **row_defaults(Kind.LESSON_RELEASED, span.now, state),
        )
        counts.add(state, inserted)
    return counts


def plan_assignments_due(now, span=None, context=None):
    """A reminder 24 h before an assignment is due, for members who have not shared it yet;
    pointless once it is due."""
    span, context = span_and_context(Kind.ASSIGNMENT_DUE, now, span, context)
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
                due_at=moment(remind_at),
                send_by=moment(assignment.due_at),
                **row_defaults(Kind.ASSIGNMENT_DUE, span.now, state),
            )
            counts.add(state, inserted)
    return counts


def plan_event_kits(now, span=None, context=None):
    """Events: 3 days before, on the day and 2 days after, each on the member's own local day
    (from 07:00 to 20:00 there), for every member of the cohort. Members whose zone is unknown
    count in the cohort's zone."""
    span, context = span_and_context(Kind.EVENT_KIT, now, span, context)
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
                    due_at=by_condition([(Q(time_zone=n), d) for n, d, _s in group], default=default_due),
                    send_by=by_condition([(Q(time_zone=n), s) for n, _d, s in group], default=default_by),
                    **row_defaults(Kind.EVENT_KIT, span.now, state, variant=phase),
                )
                counts.add(state, inserted)
    return counts
