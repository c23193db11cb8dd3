"""The pipeline's local time rules: quiet hours, weekends, deadlines, and which local hours begin
in a span of time in each member's zone.

Nothing leaves between 20:00 and 07:00 in the recipient's zone, nor on a weekend unless the member
chose a weekend day for their nudge (event kits go on their day, weekend or not). Emails a person
triggered themselves (invitations, a reply's confirmation) go at once. Nothing leaves at or after
its deadline (`Delivery.send_by`): a row that cannot leave in time expires instead of waiting. A
member's zone is `Membership.zone`; weeks are `course.timezones.iso_week_key` / `week_start`.
"""

import datetime
from collections import namedtuple
from dataclasses import dataclass

from cohorts.models import Membership
from course.timezones import AVAILABLE_ZONES, week_start, zone_named

from .models import Kind, SkipReason

QUIET_START, QUIET_END = 20, 7  # local hours: nothing is sent from 20:00 to 07:00
SENDING_HOURS = range(QUIET_END, QUIET_START)
# Transactional emails a person triggered themselves: sent at once, never held for quiet hours.
IMMEDIATE_KINDS = {Kind.INVITATION, Kind.DRAFT_SAVED}
# Tied to a date in the calendar (the event's): sent on that day even when it is a weekend day.
DATED_KINDS = {Kind.EVENT_KIT}

EXPIRED_LATE = SkipReason.DEADLINE_PASSED
EXPIRED_HELD = SkipReason.HELD_PAST_DEADLINE


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
    weekends = membership.nudge_weekday >= 5 or delivery.kind in DATED_KINDS
    return next_allowed_moment(now, membership.zone, allow_weekends=weekends)


def too_late(delivery, moment):
    """Whether leaving at `moment` would be at or after the delivery's deadline."""
    return delivery.send_by is not None and moment >= delivery.send_by


def sending_day(day, zone):
    """The first and the end of the sending hours (07:00, 20:00) of a local day, as instants."""
    return (
        datetime.datetime.combine(day, datetime.time(QUIET_END), tzinfo=zone),
        datetime.datetime.combine(day, datetime.time(QUIET_START), tzinfo=zone),
    )


def week_began(day, zone):
    """The instant the local ISO week of `day` began in `zone` (Monday 00:00 local)."""
    return datetime.datetime.combine(week_start(day), datetime.time(0), tzinfo=zone)


def week_ends(day, zone):
    """The instant the local ISO week of `day` ends in `zone` (the next Monday 00:00 local)."""
    return week_began(day + datetime.timedelta(days=7), zone)


def zones_in_use(memberships=None):
    """The distinct time zones of these memberships (all by default), in one query: far fewer than
    all IANA zones. Unknown names are left out."""
    memberships = Membership.objects.all() if memberships is None else memberships
    names = set(memberships.order_by().values_list("time_zone", flat=True).distinct())
    return sorted(names & AVAILABLE_ZONES)


# A local hour in one zone: its zone's name, local date and hour, and the instant it begins.
HourStart = namedtuple("HourStart", "zone day hour starts_at")


def sending_hours_between(since, until, zones):
    """Every local sending hour (07:00–19:00) that begins in (since, until] in each of `zones`
    (names): what a slot planner covers. A few conversions per zone, whatever the span's length
    in days."""
    starts = []
    for name in zones:
        zone = zone_named(name)
        first, last = since.astimezone(zone), until.astimezone(zone)
        day = first.date()
        while day <= last.date():
            low = first.hour if day == first.date() else QUIET_END
            high = last.hour if day == last.date() else QUIET_START - 1
            for hour in range(max(low, QUIET_END), min(high, QUIET_START - 1) + 1):
                starts_at = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)
                if since < starts_at <= until:  # exact, also across a DST change
                    starts.append(HourStart(name, day, hour, starts_at))
            day += datetime.timedelta(days=1)
    return starts


def local_dates(moment, zones):
    """{local date: [zone names]} at `moment`: at most three dates exist at once."""
    dates = {}
    for name in zones:
        dates.setdefault(moment.astimezone(zone_named(name)).date(), []).append(name)
    return dates


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
