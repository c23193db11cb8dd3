"""A simulated year of ticks for members in 40+ time zones: exactly one weekly nudge per member per
ISO week, always inside the member's chosen local hour, never in quiet hours, and the lighter
variant in weeks where the member had already posted.

The year runs as four quarters of 13 weeks, each from a fresh database: together they tick every
hour of the year (every DST change on both hemispheres and the turn of the year), and the test
runner can spread them over its workers."""

import datetime
import random
import zoneinfo
from collections import defaultdict
from unittest.mock import patch

import pytest
import time_machine

from course import timezones
from lessons.models import PostLog
from mail import dispatch, planning, sending, timing
from mail.models import Delivery, Kind
from tests.factories import make_cohort, make_members

ZONES = [
    # DST zones on both hemispheres, half- and quarter-hour offsets, and the far east of the date line.
    "Europe/Berlin", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Helsinki", "Europe/Moscow",
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Anchorage",
    "America/Halifax", "America/St_Johns", "America/Sao_Paulo", "America/Santiago", "America/Mexico_City",
    "America/Havana", "Pacific/Honolulu", "Atlantic/Azores", "Africa/Casablanca", "Africa/Lagos",
    "Africa/Johannesburg", "Africa/Nairobi", "Asia/Tehran", "Asia/Dubai", "Asia/Kabul", "Asia/Karachi",
    "Asia/Kolkata", "Asia/Kathmandu", "Asia/Dhaka", "Asia/Yangon", "Asia/Bangkok", "Asia/Singapore",
    "Asia/Tokyo", "Australia/Adelaide", "Australia/Darwin", "Australia/Sydney", "Australia/Lord_Howe",
    "Pacific/Auckland", "Pacific/Chatham", "Pacific/Tongatapu", "Pacific/Kiritimati",
]  # fmt: skip

YEAR_START = datetime.datetime(2026, 1, 5, 0, 0, tzinfo=datetime.UTC)
WEEKS = 13  # per quarter


# Every tick commits, as beat's ticks do: a quarter of ticks in one test transaction would keep
# every superseded row version alive and make each later statement wade through them. What the
# ticks queue for workers is purged: the test sends in-process.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("purge_queue")
@pytest.mark.parametrize("quarter", [0, 1, 2, 3])
def test_a_simulated_year_gives_one_nudge_per_member_per_iso_week_in_their_local_hour(course_page, mailoutbox, quarter):
    start = YEAR_START + datetime.timedelta(weeks=WEEKS * quarter)
    assert len(ZONES) >= 40
    assert any(zoneinfo.ZoneInfo(z).utcoffset(start) == datetime.timedelta(hours=5, minutes=45) for z in ZONES)
    assert any(zoneinfo.ZoneInfo(z).utcoffset(YEAR_START) == datetime.timedelta(hours=13) for z in ZONES)

    cohort = make_cohort(
        course_page, start_date=datetime.date(2025, 12, 1), end_date=datetime.date(2027, 3, 1), time_zone="UTC"
    )
    members = make_members(cohort, len(ZONES), zones=ZONES)
    rng = random.Random(2026)
    for member in members:
        member.nudge_weekday = rng.randrange(7)
        member.nudge_hour = rng.randrange(7, 20)
        member.save(update_fields=["nudge_weekday", "nudge_hour"])
    # Some members post in some weeks (on the Monday of that local week).
    posted_weeks = defaultdict(set)
    posts = []
    for index, member in enumerate(members):
        zone = zoneinfo.ZoneInfo(member.time_zone)
        for week in range(1, WEEKS, 3 + index % 4):
            monday = (start + datetime.timedelta(weeks=week)).astimezone(zone).date()
            monday -= datetime.timedelta(days=monday.weekday())
            posted_weeks[member.pk].add(timezones.iso_week_key(monday))
            posts.append(
                PostLog(membership=member, url="https://x.com/member/status/1", platform="x", posted_on=monday)
            )
    PostLog.objects.bulk_create(posts)

    # The kinds planned from each person's weekday and local hour. The other planners have nothing
    # to plan here (no lessons, events, responses or feedback; nobody joined a year ago) and their
    # own tests: they run in the first tick of every simulated day, so the whole tick still runs
    # across every DST change, and the hourly ticks in between plan the slot kinds alone.
    all_planners = planning.PLANNERS
    slot_planners = {
        kind: all_planners[kind] for kind in (Kind.WEEKLY_NUDGE, Kind.ALUMNI_NUDGE, Kind.FACILITATOR_DIGEST)
    }
    # A worker process keeps the zones it uses alive between ticks; without this reference the
    # interpreter's small zone cache would read 42 zone files again on every simulated tick.
    held_zones = [zoneinfo.ZoneInfo(name) for name in ZONES]  # noqa: F841
    # Beat ticks every 5 minutes; compressed here to one tick every 60 minutes (at :07 UTC). Steps
    # exactly an hour apart hit every local hour of every zone once, :30 and :45 offsets included.
    steps = WEEKS * 7 * 24
    for step in range(steps):
        moment = start + datetime.timedelta(hours=step, minutes=7)
        planners = slot_planners if step % 24 else all_planners
        with time_machine.travel(moment, tick=False), patch.object(planning, "PLANNERS", planners):
            result = dispatch.tick(moment)
            # Workers send what the tick dispatched (in-process here; the pipeline tests use a real worker).
            if result.dispatched:
                ids = list(Delivery.objects.filter(state="pending", due_at__lte=moment).values_list("pk", flat=True))
                sending.send_batch(ids, now=moment)

    assert set(Delivery.objects.values_list("kind", flat=True)) == {Kind.WEEKLY_NUDGE}
    rows = list(Delivery.objects.filter(kind=Kind.WEEKLY_NUDGE).select_related("membership"))
    by_member = defaultdict(list)
    for row in rows:
        by_member[row.membership_id].append(row)

    end = start + datetime.timedelta(hours=steps)
    for member in members:
        zone = zoneinfo.ZoneInfo(member.time_zone)
        member_rows = by_member[member.pk]
        weeks = [row.period_key for row in member_rows]
        assert len(weeks) == len(set(weeks)), f"{member.time_zone}: a week got two nudges"
        # Every ISO week whose chosen slot lies inside the simulated span got its nudge.
        expected = set()
        day = start.astimezone(zone).date()
        while True:
            slot = datetime.datetime.combine(day, datetime.time(member.nudge_hour), tzinfo=zone)
            if slot >= end:
                break
            if day.weekday() == member.nudge_weekday and slot >= start:
                expected.add(timezones.iso_week_key(day))
            day += datetime.timedelta(days=1)
        assert set(weeks) == expected, f"{member.time_zone}: {sorted(set(weeks) ^ expected)}"
        for row in member_rows:
            local = row.due_at.astimezone(zone)
            assert (local.weekday(), local.hour) == (member.nudge_weekday, member.nudge_hour), member.time_zone
            assert not timing.is_quiet(local)
            assert row.state == "sent"
            assert row.variant == ("posted" if row.period_key in posted_weeks[member.pk] else "standard"), (
                f"{member.time_zone} {row.period_key}"
            )
    assert len(mailoutbox) == len(rows) >= len(members) * (WEEKS - 1)
