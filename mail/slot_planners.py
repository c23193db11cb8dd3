"""The kinds that go out at each person's chosen weekday and local hour: the weekly nudge, the
alumni nudge and the facilitator digest, each due in its slot and pointless after 20:00 that
local day."""

from collections import defaultdict

from django.db.models import CharField, F, Q

from cohorts.models import Membership, Role
from course.timezones import iso_week_key, zone_named

from .audience import (
    alumni_nudge_audience,
    facilitator_digest_audience,
    reachable,
    weekly_nudge_audience,
    without_weekly_nudge_since,
)
from .models import Kind
from .planned_rows import by_condition, insert_select, row_defaults, zone_hour_in
from .spans import Counts, span_and_context
from .timing import sending_day, week_began


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
            condition |= on_day & zone_hour_in([(start.zone, start.hour) for start, _b in starts]) & audience(day)
            keys.append((on_day, period(day)))
            # One condition per moment, not per zone: the zones of one UTC offset share it.
            at_moment = defaultdict(list)
            for start, send_by in starts:
                at_moment[start.starts_at].append((start.zone, start.hour))
                deadlines.append((day, start.zone, send_by))
                began.append((day, start.zone, week_began(day, zone_named(start.zone))))
            due.extend((on_day & zone_hour_in(pairs), starts_at) for starts_at, pairs in at_moment.items())
        memberships = reachable(Membership.objects.filter(condition), kind)
        if one_per_week:
            memberships = without_weekly_nudge_since(memberships, _by_day_and_zone(began))
        inserted = insert_select(
            memberships,
            membership=F("pk"),
            period_key=by_condition(keys, output_field=CharField()),
            due_at=by_condition(due),
            send_by=_by_day_and_zone(deadlines),
            **row_defaults(kind, span.now, state),
        )
        counts.add(state, inserted)
    return counts


def _by_day_and_zone(values):
    """A moment per membership from (local date, zone name, moment) triples: one When per distinct
    moment and weekday, over the zones that share it."""
    zones = defaultdict(set)
    for day, zone, moment in values:
        zones[(moment, day.weekday())].add(zone)
    return by_condition(
        [(Q(nudge_weekday=weekday, time_zone__in=sorted(names)), moment) for (moment, weekday), names in zones.items()]
    )


def plan_weekly_nudges(now, span=None, context=None):
    """Members of running cohorts, and alumni who chose weekly nudges: at most one per local week,
    whatever they change in the middle of it."""
    span, context = span_and_context(Kind.WEEKLY_NUDGE, now, span, context)
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
    span, context = span_and_context(Kind.ALUMNI_NUDGE, now, span, context)
    return plan_slot_kind(
        Kind.ALUMNI_NUDGE,
        span,
        context,
        role=Role.MEMBER,
        audience=alumni_nudge_audience,
        period=lambda day: f"{day:%Y-%m}" if day.day <= 7 else None,
    )


def plan_facilitator_digests(now, span=None, context=None):
    span, context = span_and_context(Kind.FACILITATOR_DIGEST, now, span, context)
    return plan_slot_kind(
        Kind.FACILITATOR_DIGEST,
        span,
        context,
        role=Role.FACILITATOR,
        audience=facilitator_digest_audience,
        period=iso_week_key,
    )
