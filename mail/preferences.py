"""Nudge preferences: when a member's next weekly nudge goes out, and saving what they choose.

`next_weekly_nudge` asks the planner's own audience (`audience.weekly_nudge_audience`) for the
member's coming slots, so the preferences page never promises a nudge the tick won't send.
"""

import datetime

from django.db import transaction
from django.db.models import Q

from cohorts.models import Role
from course.timezones import iso_week_key
from lessons.models import Pause

from .audience import weekly_nudge_days, weekly_nudge_weeks_taken
from .models import OPTIONAL_KINDS, Delivery, Kind, NudgeOptOut
from .timing import week_began

# However far ahead a member pauses (at most a year) or a cohort starts, the answer is found
# within this many weeks; past it, there is no next nudge to show.
MAX_WEEKS_AHEAD = 120
# The weeks looked at past the first slot in the audience: one of them was not planned yet.
WEEKS_TO_CHECK = 3
# The coming slots are asked about a few at a time, nearest first: most members are in the
# audience on their next slots, and one question about all 120 took 0.2 s to build.
SLOT_BATCHES = (WEEKS_TO_CHECK + 1, 16, MAX_WEEKS_AHEAD)


def next_weekly_nudge(membership, now, *, planned_weeks=None):
    """The moment (aware, in the member's own time zone) of the next weekly nudge, or None.

    A slot counts until its hour is over: the tick runs every few minutes within the hour. The
    membership's saved state decides (two queries, up to two more for a member out of the audience
    for weeks: the audience on the coming slot days, nearest first and a few at a time, and the
    weeks that already had their nudge, `audience.weekly_nudge_weeks_taken`: also a week that had
    it in another zone or at another slot before the member changed them). `planned_weeks` (the
    keys of those weeks) is loaded when not given.
    """
    zone = membership.zone
    local_now = now.astimezone(zone)
    today = local_now.date()
    day = today + datetime.timedelta(days=(membership.nudge_weekday - today.weekday()) % 7)
    slots = []
    for _week in range(MAX_WEEKS_AHEAD):
        moment = datetime.datetime.combine(day, datetime.time(membership.nudge_hour), tzinfo=zone)
        if moment + datetime.timedelta(hours=1) > local_now:
            slots.append(moment)
        day += datetime.timedelta(days=7)
    candidates, start = [], 0
    for end in SLOT_BATCHES:
        batch = slots[start:end]
        in_audience = set(weekly_nudge_days(membership, [moment.date() for moment in batch]))
        candidates += [moment for moment in batch if moment.date() in in_audience]
        if len(candidates) >= WEEKS_TO_CHECK or end >= len(slots):
            break
        start = end
    candidates = candidates[:WEEKS_TO_CHECK]
    if not candidates:
        return None
    if planned_weeks is None:
        keys = [iso_week_key(moment.date()) for moment in candidates]
        rows = Delivery.objects.filter(membership=membership, kind=Kind.WEEKLY_NUDGE).filter(
            Q(period_key__in=keys) | Q(due_at__gte=week_began(today, zone))
        )
        planned_weeks = weekly_nudge_weeks_taken(rows.values_list("period_key", "state", "due_at"), zone)
    for moment in candidates:
        if iso_week_key(moment.date()) not in planned_weeks:
            return moment  # else this week's nudge already went out (or is on its way) at another slot
    return None


def shown_kinds(membership):
    """The kinds of email a member can switch off on the preferences page: every optional kind,
    but the facilitator digest only for facilitators."""
    if membership.role == Role.FACILITATOR:
        return list(OPTIONAL_KINDS)
    return [kind for kind in OPTIONAL_KINDS if kind != Kind.FACILITATOR_DIGEST]


@transaction.atomic
def set_opt_outs(membership, kinds, *, shown):
    """Make the membership's opt-outs among `shown` exactly `kinds`: one row per switched-off
    kind, deleted again when switched back on. Opt-outs of kinds not shown are left alone."""
    kinds = set(kinds) & set(shown)
    NudgeOptOut.objects.filter(membership=membership, kind__in=set(shown) - kinds).delete()
    NudgeOptOut.objects.bulk_create(
        [NudgeOptOut(membership=membership, kind=kind) for kind in sorted(kinds)], ignore_conflicts=True
    )


def record_pause(membership, paused_until, today):
    """Keep the history of pauses for the streak (Membership.paused_until holds only the current
    one): setting a pause opens or moves today's Pause row, ending it early shortens it."""
    current = Pause.objects.filter(membership=membership, starts_on__lte=today, ends_on__gte=today).first()
    if paused_until and paused_until > today:
        if current:
            Pause.objects.filter(pk=current.pk).update(ends_on=paused_until)
        else:
            Pause.objects.create(membership=membership, starts_on=today, ends_on=paused_until)
    elif current:
        Pause.objects.filter(pk=current.pk).update(ends_on=max(current.starts_on, today))
