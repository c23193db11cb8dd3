"""The frame every planner works in: when each kind falls due and its deadline, the span of time a
planner covers, what it counted, and what the planners of one tick share.

Each planner covers a span of time (since, now]. The tick's span for a kind starts where the last
successful tick left off (`PlanWatermark`), so after beat or the database was down the next tick
catches up, and reaches back at least the kind's LOOKBACK, so a member who joins or moves their
slot in the meantime is still planned.

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
    someone responded           the end of the hour of the response  a day later
    event kit                   07:00 on the member's local day      20:00 that day
    yearly self-check           twelve months after the last one     14 days later
    invitation                  at once (mail.receivers)             the invitation's expiry

An event's phases are days in each member's own zone: the event's instant (its start, or noon of
an all-day event's date, in the cohort's zone) seen from the member's zone, 3 days before, that
day, 2 days after.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q

from cohorts.models import Cohort, Membership
from cohorts.schedule import Schedule

from .models import DeliveryState, Kind
from .planned_rows import zone_hour_in
from .timing import sending_hours_between, zones_in_use

EVENT_PHASES = {"before": -3, "day": 0, "after": 2}
# An all-day event's instant is noon of its date in the cohort's zone.
EVENT_TIME = datetime.time(12)
REMIND_BEFORE_DUE = datetime.timedelta(hours=24)
PEER_REVIEW_EVERY = datetime.timedelta(hours=48)
PEER_REVIEW_REMINDERS = 3
LESSON_RELEASED_WITHIN = datetime.timedelta(days=3)
FEEDBACK_READY_WITHIN = datetime.timedelta(days=7)
SELF_CHECK_WITHIN = datetime.timedelta(days=14)
RESPONSE_SLOT = datetime.timedelta(hours=1)
RESPONDED_DEADLINE = datetime.timedelta(days=1)

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
                condition |= Q(nudge_weekday=day.weekday()) & zone_hour_in(pairs)
            roles = Membership.objects.filter(condition).order_by().values_list("role", flat=True).distinct()
            self._roles[span.since] = set(roles) if self.sending_hours(span) else set()
        return self._roles[span.since]

    def sending_hours(self, span):
        """The local sending hours that begin within the span, in every zone in use (the slot
        kinds share one span, so this is worked out once per tick)."""
        if span.since not in self._hours:
            self._hours[span.since] = sending_hours_between(span.since, self.now, self.zones)
        return self._hours[span.since]


def _by_day(starts):
    days = defaultdict(list)
    for start in starts:
        days[start.day].append(start)
    return days


def span_and_context(kind, now, span, context):
    """The span and context a planner was given by the tick, or, called on its own, the kind's
    LOOKBACK up to `now` and a context of its own."""
    span = span or Span.for_kind(kind, now)
    return span, context or PlanContext(span.now, span.since)
