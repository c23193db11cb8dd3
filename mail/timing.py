"""The pipeline's local time rules: quiet hours, weekends, and which local day and hour it is in
each member's zone.

Nothing leaves between 20:00 and 07:00 in the recipient's zone, nor on a weekend unless the member
chose a weekend day for their nudge. Emails a person triggered themselves (invitations, a reply's
confirmation) go at once.
A member's zone is `Membership.zone`; weeks are `course.timezones.iso_week_key` / `week_start`.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from cohorts.models import Membership
from course.timezones import AVAILABLE_ZONES, zone_named

from .models import Kind

QUIET_START, QUIET_END = 20, 7  # local hours: nothing is sent from 20:00 to 07:00
# Transactional emails a person triggered themselves: sent at once, never held for quiet hours.
IMMEDIATE_KINDS = {Kind.INVITATION, Kind.DRAFT_SAVED}


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


def allowed_moment(delivery, now):
    """When the delivery may leave: `now`, or later if it is quiet or a weekend for its recipient.
    The membership (and its cohort) must be loaded with the delivery."""
    if delivery.kind in IMMEDIATE_KINDS or delivery.membership is None:
        return now
    membership = delivery.membership
    return next_allowed_moment(now, membership.zone, allow_weekends=membership.nudge_weekday >= 5)


def zones_in_use(memberships=None):
    """The distinct time zones of these memberships (all by default), in one query: far fewer than
    all IANA zones. Unknown names are left out."""
    memberships = Membership.objects.all() if memberships is None else memberships
    names = set(memberships.order_by().values_list("time_zone", flat=True).distinct())
    return sorted(names & AVAILABLE_ZONES)


def zone_groups(now, zones=None):
    """Time zones (those in use by default) grouped by their current local (weekday, hour, date)."""
    groups = defaultdict(list)
    for name in zones if zones is not None else zones_in_use():
        local = now.astimezone(zone_named(name))
        groups[(local.weekday(), local.hour, local.date())].append(name)
    return groups


def year_before(moment):
    """The same moment twelve months earlier (29 February → 28 February)."""
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:
        return moment.replace(year=moment.year - 1, day=28)


@dataclass(frozen=True)
class Departures:
    """When rows due now actually leave: `now` rows at once, the others at the moments their
    recipients' quiet hours and weekends allow (`local`: the distinct local wall times)."""

    now: int
    later: int
    local: frozenset
    last: datetime.datetime | None


def departures(rows, now):
    """Departures of these pending rows (membership loaded), by `allowed_moment`."""
    later = []
    for delivery in rows:
        moment = max(allowed_moment(delivery, now), delivery.due_at)
        if moment > now:
            later.append((moment, moment.astimezone(delivery.membership.zone) if delivery.membership else moment))
    local = frozenset((mine.weekday(), mine.time()) for _moment, mine in later)
    return Departures(
        now=len(rows) - len(later), later=len(later), local=local, last=max((m for m, _l in later), default=None)
    )
