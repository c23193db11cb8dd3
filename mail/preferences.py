"""Nudge preferences: when a member's next weekly nudge goes out, and saving what they choose.

`next_weekly_nudge` follows the planner's rules in `nudges.plan_weekly_nudges` (own weekday and
local hour, running cohort or alumni with weekly nudges, not paused, not unsubscribed, not opted
out, one per local ISO week), so the preferences page never promises a nudge the tick won't send.
"""

import datetime
import zoneinfo

from django.db import transaction

from cohorts.models import Frequency, Role

from .models import OPTIONAL_KINDS, Delivery, Kind, NudgeOptOut
from .nudges import iso_week_key

# However far ahead a member pauses (at most a year) or a cohort starts, the answer is found
# within this many weeks; past it, there is no next nudge to show.
MAX_WEEKS_AHEAD = 120


def next_weekly_nudge(membership, now, *, opted_out_kinds=None, planned_weeks=None):
    """The moment (aware, in the member's own time zone) of the next weekly nudge, or None.

    A slot counts until its hour is over: the tick runs every few minutes within the hour.
    `opted_out_kinds` (kinds the member switched off) and `planned_weeks` (period keys of weekly
    nudges already planned for this membership) are loaded when not given; pass them to compute
    this for many memberships without a query each.
    """
    if membership.role != Role.MEMBER or membership.unsubscribed_at is not None:
        return None
    if opted_out_kinds is None:
        opted_out_kinds = set(membership.opt_outs.values_list("kind", flat=True))
    if Kind.WEEKLY_NUDGE in opted_out_kinds:
        return None
    zone = zoneinfo.ZoneInfo(membership.time_zone)
    cohort = membership.cohort
    local_now = now.astimezone(zone)

    earliest = max(local_now.date(), cohort.start_date)
    if membership.paused_until is not None:
        earliest = max(earliest, membership.paused_until + datetime.timedelta(days=1))
    day = earliest + datetime.timedelta(days=(membership.nudge_weekday - earliest.weekday()) % 7)

    candidates = []
    for _week in range(MAX_WEEKS_AHEAD):
        moment = datetime.datetime.combine(day, datetime.time(membership.nudge_hour), tzinfo=zone)
        if moment + datetime.timedelta(hours=1) > local_now:
            candidates.append(moment)
            if len(candidates) == 3:
                break
        day += datetime.timedelta(days=7)
    if planned_weeks is None:
        keys = [iso_week_key(moment.date()) for moment in candidates]
        planned_weeks = set(
            Delivery.objects.filter(membership=membership, kind=Kind.WEEKLY_NUDGE, period_key__in=keys).values_list(
                "period_key", flat=True
            )
        )
    for moment in candidates:
        if iso_week_key(moment.date()) in planned_weeks:
            continue  # this week's nudge already went out (or is on its way) at another slot
        if moment.date() > cohort.end_date and membership.nudge_frequency != Frequency.WEEKLY:
            return None  # alumni get weekly nudges only when they chose them
        return moment
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
    from lessons.models import Pause

    current = Pause.objects.filter(membership=membership, starts_on__lte=today, ends_on__gte=today).first()
    if paused_until and paused_until > today:
        if current:
            Pause.objects.filter(pk=current.pk).update(ends_on=paused_until)
        else:
            Pause.objects.create(membership=membership, starts_on=today, ends_on=paused_until)
    elif current:
        Pause.objects.filter(pk=current.pk).update(ends_on=max(current.starts_on, today))
