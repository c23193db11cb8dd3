"""Time zones and weeks, for every package above this one.

A person's, member's or cohort's zone is its model's `.zone` (User, Membership, Cohort), which
calls `zone_named`; code that holds only a zone's name calls `zone_named` itself. A week is the ISO
week of a local date: `week_start` is its Monday, `iso_week_key` its name ("2026-W48"), the period
key of weekly emails and the key of the habit strip's weeks.
"""

import datetime
import zoneinfo

AVAILABLE_ZONES = frozenset(zoneinfo.available_timezones())


def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(AVAILABLE_ZONES) if "/" in name]


def zone_named(name, default=None):
    """The ZoneInfo for an IANA name such as "Europe/Berlin". An empty or unknown name gives
    `default` when one is given (a ZoneInfo), and raises ZoneInfoNotFoundError (or ValueError)
    otherwise."""
    if default is not None and name not in AVAILABLE_ZONES:
        return default
    return zoneinfo.ZoneInfo(name)


def week_start(day):
    """The Monday of the ISO week `day` (a local date) is in."""
    return day - datetime.timedelta(days=day.weekday())


def iso_week_key(day):
    """The ISO week of a local date as "2026-W48"; the ISO year, so 1 January 2027 is "2026-W53"."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"
