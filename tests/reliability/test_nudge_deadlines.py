"""On time or not at all, and nothing silently missed: deadlines, outages, backlogs and mid-week
changes, driven by `tick` under time_machine (beat every few minutes, workers in-process right
after each tick, or later during a backlog) against the real database and, where the message
itself matters, a real SMTP sink.

Each scenario ends with a tally (sent / duplicated / skipped / expired / missed / lost), added to
test-artifacts/nudge-deadlines.md for the record and checked: nothing duplicated, nothing lost, nothing sent late.
"""

import datetime
import zoneinfo
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from cohorts.models import CohortEvent, LessonDate, Membership
from course.timezones import iso_week_key
from mail import dispatch, planned_rows, sending, timing
from mail.models import Delivery, DeliveryState, Kind, PlanWatermark
from mail.preferences import next_weekly_nudge
from tests.factories import make_cohort, make_lesson, make_members

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
MINUTES = datetime.timedelta(minutes=1)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.django_db


def simulate(start, end, *, every=10 * MINUTES, beat_down=(), workers_down=()):
    """Beat ticks every `every` from `start` to `end` (not while `beat_down`, a (from, to) pair);
    workers send what each tick queued right after it (not while `workers_down`: then the queue
    waits and they take all of it when they are back)."""
    moment = start
    while moment <= end:
        with time_machine.travel(moment, tick=False):
            if not (beat_down and beat_down[0] <= moment < beat_down[1]):
                dispatch.tick(moment)
            if not (workers_down and workers_down[0] <= moment < workers_down[1]):
                queued = Delivery.objects.filter(state=DeliveryState.PENDING, enqueued_at__isnull=False)
                ids = list(queued.values_list("pk", flat=True))
                if ids:
                    sending.send_batch(ids, now=moment)
        moment += every


def local(moment, membership):
    return moment.astimezone(membership.zone)


def tally(name, memberships, expected, *, at, messages=()):
    """What became of the rows of these memberships. `expected`: (membership id, kind, period key)
    of every email the scenario must account for; `messages`: Message-IDs the sink received.
    Lost: expected without a row, or left pending past its deadline at `at`. Duplicated: a message
    received twice, or a second weekly nudge in one local week (in the member's zone now)."""
    by_pk = {m.pk: m for m in memberships}
    rows = list(Delivery.objects.filter(membership__in=by_pk))
    states = Counter(row.state for row in rows)
    keys = {(row.membership_id, row.kind, row.period_key) for row in rows}
    stuck = [
        row
        for row in rows
        if row.state in (DeliveryState.PENDING, DeliveryState.SENDING) and row.send_by and row.send_by <= at
    ]
    weeks = Counter(
        (row.membership_id, iso_week_key(local(row.sent_at, by_pk[row.membership_id]).date()))
        for row in rows
        if row.kind == Kind.WEEKLY_NUDGE and row.state == DeliveryState.SENT
    )
    figures = {
        "sent": states[DeliveryState.SENT],
        "duplicated": sum(n - 1 for n in Counter(messages).values() if n > 1)
        + sum(n - 1 for n in weeks.values() if n > 1),
        "skipped": states[DeliveryState.SKIPPED],
        "expired": states[DeliveryState.EXPIRED],
        "missed": states[DeliveryState.MISSED],
        "lost": len(set(expected) - keys) + len(stuck),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "nudge-deadlines.md").open("a") as table:
        table.write(f"| {name} | " + " | ".join(str(value) for value in figures.values()) + " |\n")
    return figures


def sent_on_time(row):
    """Sent before its deadline, outside the recipient's quiet hours."""
    return (row.send_by is None or row.sent_at < row.send_by) and not timing.is_quiet(
        local(row.sent_at, row.membership)
    )


# --- deadlines ----------------------------------------------------------------------------------


def test_no_assignment_reminder_goes_out_after_the_assignment_is_due(course_page, smtp):
    # The lesson opens on Thursday 10 December 2026; its assignment is due Sunday 13th, 23:59 Berlin.
    cohort = make_cohort(course_page, start_date=datetime.date(2026, 12, 3), end_date=datetime.date(2027, 2, 1))
    lesson = make_lesson(course_page, "Listening", offset=1)
    (block_id, _value) = lesson.writing_assignments[0]
    # Weekday people in Berlin and Los Angeles: their next allowed moment is Monday, after the deadline.
    held = make_members(cohort, 10, zones=("Europe/Berlin", "America/Los_Angeles"), prefix="held", nudge_weekday=0)
    # In Tokyo, Monday 07:00 comes before Sunday 23:59 Berlin; in Berlin a Sunday person may have Sunday.
    in_time = make_members(cohort, 5, zones=("Asia/Tokyo",), prefix="tokyo", nudge_weekday=0)
    in_time += make_members(cohort, 5, zones=("Europe/Berlin",), prefix="sunday", nudge_weekday=6)
    deadline = datetime.datetime(2026, 12, 13, 23, 59, tzinfo=BERLIN)

    end = datetime.datetime(2026, 12, 14, 12, 0, tzinfo=BERLIN)
    simulate(datetime.datetime(2026, 12, 12, 12, 0, tzinfo=BERLIN), end)

    reminders = Delivery.objects.filter(kind=Kind.ASSIGNMENT_DUE).select_related("membership__cohort")
    assert {row.send_by for row in reminders} == {deadline}
    late = [row for row in reminders if row.sent_at and row.sent_at >= deadline]
    assert late == []
    assert {row.membership_id: row.state for row in reminders} == {
        **{m.pk: DeliveryState.EXPIRED for m in held},
        **{m.pk: DeliveryState.SENT for m in in_time},
    }
    assert {row.reason for row in reminders if row.state == DeliveryState.EXPIRED} == {timing.EXPIRED_HELD}
    assert all(sent_on_time(row) for row in reminders if row.state == DeliveryState.SENT)
    expected = [(m.pk, Kind.ASSIGNMENT_DUE, f"due:{block_id}") for m in held + in_time]
    figures = tally(
        "assignment due Sunday 23:59", held + in_time, expected, at=end, messages=smtp.count_by_message_id()
    )
    assert (figures["duplicated"], figures["lost"]) == (0, 0)


def test_a_saturday_events_phases_reach_each_member_on_their_own_local_day(course_page, smtp):
    cohort = make_cohort(course_page)  # Berlin
    event = CohortEvent.objects.create(
        cohort=cohort, name="Open Summit", date=datetime.date(2026, 12, 12), hashtag="OS"
    )
    zones = ("Europe/Berlin", "America/Los_Angeles", "Asia/Tokyo")
    members = make_members(cohort, 6, zones=zones, prefix="wk", nudge_weekday=1)
    members += make_members(cohort, 3, zones=zones, prefix="we", nudge_weekday=5)
    # Noon in Berlin on Saturday is Saturday in all three zones (03:00 in Los Angeles, 20:00 in Tokyo).
    expected_day = {
        "before": datetime.date(2026, 12, 9),
        "day": datetime.date(2026, 12, 12),
        "after": datetime.date(2026, 12, 14),
    }

    end = datetime.datetime(2026, 12, 16, 12, 0, tzinfo=BERLIN)
    simulate(datetime.datetime(2026, 12, 7, 12, 0, tzinfo=BERLIN), end, every=30 * MINUTES)

    rows = list(Delivery.objects.filter(kind=Kind.EVENT_KIT).select_related("membership__cohort"))
    assert len(rows) == 3 * len(members)
    for row in rows:
        assert row.state == DeliveryState.SENT, (row.membership.time_zone, row.variant, row.state, row.reason)
        assert local(row.sent_at, row.membership).date() == expected_day[row.variant], (
            row.membership.time_zone,
            row.variant,
        )
        assert sent_on_time(row)
    expected = [(m.pk, Kind.EVENT_KIT, f"event:{event.pk}:{phase}") for m in members for phase in expected_day]
    figures = tally("Saturday event, Berlin/LA/Tokyo", members, expected, at=end, messages=smtp.count_by_message_id())
    assert (figures["duplicated"], figures["lost"], figures["expired"]) == (0, 0, 0)


def test_a_phase_that_cannot_go_on_its_day_expires_instead_of_going_later(course_page, mailoutbox):
    cohort = make_cohort(course_page)
    event = CohortEvent.objects.create(cohort=cohort, name="Summit", date=datetime.date(2026, 12, 12), hashtag="S")
    make_members(cohort, 1)
    # Workers are down all of Saturday: the "on the day" mail waits in the queue until Sunday.
    simulate(
        datetime.datetime(2026, 12, 12, 6, 0, tzinfo=BERLIN),
        datetime.datetime(2026, 12, 13, 9, 0, tzinfo=BERLIN),
        every=30 * MINUTES,
        workers_down=(
            datetime.datetime(2026, 12, 12, 0, 0, tzinfo=BERLIN),
            datetime.datetime(2026, 12, 13, 0, 0, tzinfo=BERLIN),
        ),
    )
    row = Delivery.objects.get(kind=Kind.EVENT_KIT, period_key=f"event:{event.pk}:day")
    assert (row.state, row.reason) == (DeliveryState.EXPIRED, timing.EXPIRED_LATE)
    assert mailoutbox == []


# --- outages and backlogs -----------------------------------------------------------------------

OUTAGE = (datetime.datetime(2026, 12, 8, 22, 0, tzinfo=BERLIN), datetime.datetime(2026, 12, 10, 4, 0, tzinfo=BERLIN))


def test_a_30_hour_beat_outage_across_a_wednesday_leaves_every_email_sent_in_time_or_recorded_missed(course_page, smtp):
    cohort = make_cohort(course_page, start_date=datetime.date(2026, 11, 2), end_date=datetime.date(2027, 3, 1))
    lesson = make_lesson(course_page, "Wednesday lesson", offset=20)
    LessonDate.objects.create(cohort=cohort, lesson=lesson, opens_on=datetime.date(2026, 12, 9))  # 08:00 Berlin
    event = CohortEvent.objects.create(cohort=cohort, name="Midweek", date=datetime.date(2026, 12, 9), hashtag="MW")
    zones = ("Europe/Berlin", "America/Los_Angeles", "Asia/Tokyo", "Asia/Kathmandu", "Pacific/Auckland")
    members = []
    slots = [(1, 19), (2, 7), (2, 9), (2, 12), (2, 15), (2, 19), (3, 8), (3, 18)]
    for weekday, hour in slots:
        members += make_members(
            cohort, len(zones), zones=zones, prefix=f"s{weekday}{hour}-", nudge_weekday=weekday, nudge_hour=hour
        )
    start = datetime.datetime(2026, 12, 6, 0, 0, tzinfo=BERLIN)
    end = datetime.datetime(2026, 12, 11, 22, 0, tzinfo=BERLIN)  # before Friday's assignment reminders

    simulate(start, end, every=15 * MINUTES, beat_down=OUTAGE)

    expected = []
    for member in members:
        zone = member.zone
        day = start.astimezone(zone).date()
        while day <= end.astimezone(zone).date():
            slot = datetime.datetime.combine(day, datetime.time(member.nudge_hour), tzinfo=zone)
            if day.weekday() == member.nudge_weekday and start <= slot <= end:
                expected.append((member.pk, Kind.WEEKLY_NUDGE, iso_week_key(day)))
            day += datetime.timedelta(days=1)
        expected.append((member.pk, Kind.EVENT_KIT, f"event:{event.pk}:day"))
        expected.append((member.pk, Kind.EVENT_KIT, f"event:{event.pk}:after"))
        expected.append((member.pk, Kind.LESSON_RELEASED, f"lesson:{lesson.pk}"))

    rows = list(Delivery.objects.filter(membership__in=members).select_related("membership__cohort"))
    for row in rows:
        assert row.state in (DeliveryState.SENT, DeliveryState.MISSED), (row.kind, row.period_key, row.state)
        if row.state == DeliveryState.SENT:
            assert sent_on_time(row), (row.kind, row.membership.time_zone, row.sent_at, row.send_by)
        else:
            assert row.send_by <= OUTAGE[1] and row.reason
    missed = Counter(row.kind for row in rows if row.state == DeliveryState.MISSED)
    # Wednesday's nudges and "on the day" mails that could not wait for the end of the outage are
    # on record; the lesson's email could, and went out.
    assert missed[Kind.WEEKLY_NUDGE] > 0 and missed[Kind.EVENT_KIT] > 0
    assert missed[Kind.LESSON_RELEASED] == 0
    figures = tally("beat down 30 h across a Wednesday", members, expected, at=end, messages=smtp.count_by_message_id())
    assert (figures["duplicated"], figures["lost"], figures["expired"]) == (0, 0, 0)


def test_a_backlog_past_quiet_hours_never_moves_a_nudge_into_the_next_iso_week(course_page, mailoutbox):
    cohort = make_cohort(course_page)
    friday = make_members(cohort, 5, prefix="fri", nudge_weekday=4, nudge_hour=19)
    sunday = make_members(cohort, 5, prefix="sun", nudge_weekday=6, nudge_hour=19)
    # Workers stuck from 18:55 to 20:15 on Friday and on Sunday: the 19:00 nudges wait in the queue.
    friday_evening = datetime.datetime(2026, 12, 11, 18, 55, tzinfo=BERLIN)
    sunday_evening = datetime.datetime(2026, 12, 13, 18, 55, tzinfo=BERLIN)
    backlog = datetime.timedelta(minutes=80)
    simulate(friday_evening - datetime.timedelta(hours=1), friday_evening + backlog + datetime.timedelta(hours=1),
             every=5 * MINUTES, workers_down=(friday_evening, friday_evening + backlog))  # fmt: skip
    simulate(sunday_evening - datetime.timedelta(hours=1), sunday_evening + backlog + datetime.timedelta(hours=1),
             every=5 * MINUTES, workers_down=(sunday_evening, sunday_evening + backlog))  # fmt: skip
    # ... and the following Monday and Tuesday, when the old deferral would have sent them.
    simulate(
        datetime.datetime(2026, 12, 14, 6, 0, tzinfo=BERLIN),
        datetime.datetime(2026, 12, 15, 12, 0, tzinfo=BERLIN),
        every=30 * MINUTES,
    )

    rows = list(Delivery.objects.filter(kind=Kind.WEEKLY_NUDGE))
    assert {(row.period_key, row.state) for row in rows} == {("2026-W50", DeliveryState.EXPIRED)}
    assert len(rows) == 10 and all(row.reason for row in rows)
    assert mailoutbox == []
    expected = [(m.pk, Kind.WEEKLY_NUDGE, "2026-W50") for m in friday + sunday]
    end = datetime.datetime(2026, 12, 15, 12, 0, tzinfo=BERLIN)
    figures = tally("worker backlog 18:55-20:15, Fri and Sun", friday + sunday, expected, at=end)
    assert (figures["sent"], figures["lost"], figures["expired"]) == (0, 0, 10)


# Four days of ticks every five minutes: committed one by one, as beat's are, so the watermark's
# superseded rows do not pile up in one test transaction and slow every later tick.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("purge_queue")
def test_a_beat_backlog_past_quiet_hours_records_the_nudge_missed_and_sends_nothing_next_week(course_page, mailoutbox):
    cohort = make_cohort(course_page)
    members = make_members(cohort, 5, nudge_weekday=4, nudge_hour=19)
    beat_down = (
        datetime.datetime(2026, 12, 11, 18, 55, tzinfo=BERLIN),
        datetime.datetime(2026, 12, 11, 20, 15, tzinfo=BERLIN),
    )
    simulate(
        datetime.datetime(2026, 12, 11, 18, 0, tzinfo=BERLIN),
        datetime.datetime(2026, 12, 15, 12, 0, tzinfo=BERLIN),
        every=5 * MINUTES,
        beat_down=beat_down,
    )
    rows = list(Delivery.objects.filter(kind=Kind.WEEKLY_NUDGE))
    assert {(row.period_key, row.state) for row in rows} == {("2026-W50", DeliveryState.MISSED)}
    assert len(rows) == 5 and mailoutbox == []
    expected = [(m.pk, Kind.WEEKLY_NUDGE, "2026-W50") for m in members]
    figures = tally("beat down 18:55-20:15 Fri", members, expected, at=beat_down[1])
    assert (figures["sent"], figures["lost"], figures["missed"]) == (0, 0, 5)


# --- one weekly nudge per local week ------------------------------------------------------------

# (zone, weekday, hour) before → after, changed an hour after the member's first nudge went out,
# and the ISO weeks of the first and the next nudge. The first two are the reported case: Monday
# 09:00 in Tokyo is Sunday in Los Angeles, so the new slot an hour later fell in "another" week.
# When the new zone's next week has the old zone's key already, the nudge after comes a week
# later (at most one per week, never two).
CHANGES = [
    (("Asia/Tokyo", 0, 9), ("America/Los_Angeles", 6, 17), ("2026-W47", "2026-W48")),
    (("America/Los_Angeles", 6, 16), ("Asia/Tokyo", 0, 10), ("2026-W46", "2026-W48")),
    (("Europe/Berlin", 0, 8), ("Pacific/Auckland", 0, 19), ("2026-W47", "2026-W48")),
    (("Pacific/Auckland", 0, 9), ("America/New_York", 6, 17), ("2026-W47", "2026-W48")),
    (("Europe/Berlin", 2, 10), ("Asia/Kolkata", 1, 9), ("2026-W47", "2026-W48")),
    (("America/New_York", 4, 12), ("Europe/London", 4, 18), ("2026-W46", "2026-W47")),
]


def test_changing_zone_and_weekday_together_mid_week_never_gives_a_week_two_nudges(course_page, mailoutbox):
    cohort = make_cohort(course_page, start_date=datetime.date(2026, 11, 2), end_date=datetime.date(2027, 3, 1))
    groups = []
    for index, ((zone, weekday, hour), _after, _weeks) in enumerate(CHANGES):
        groups.append(
            make_members(cohort, 100, zones=(zone,), prefix=f"c{index}-", nudge_weekday=weekday, nudge_hour=hour)
        )
    first_zone = {m.pk: m.zone for group in groups for m in group}
    assert len(first_zone) == 600

    start = datetime.datetime(2026, 11, 13, 0, 0, tzinfo=datetime.UTC)  # Friday of W46
    end = datetime.datetime(2026, 11, 30, 2, 0, tzinfo=datetime.UTC)  # Monday of W49
    moment, promised = start, {}
    while moment <= end:
        simulate(moment, moment)
        for index, group in enumerate(groups):
            if index in promised:
                continue
            first_went = Delivery.objects.filter(
                membership=group[0],
                kind=Kind.WEEKLY_NUDGE,
                state=DeliveryState.SENT,
                sent_at__lte=moment - 60 * MINUTES,
            )
            if first_went.exists():
                zone, weekday, hour = CHANGES[index][1]
                Membership.objects.filter(pk__in=[m.pk for m in group]).update(
                    time_zone=zone, nudge_weekday=weekday, nudge_hour=hour
                )
                promised[index] = next_weekly_nudge(Membership.objects.get(pk=group[0].pk), moment)
        moment += 30 * MINUTES
    assert set(promised) == set(range(len(CHANGES)))

    members = list(Membership.objects.filter(pk__in=first_zone).select_related("cohort"))
    fresh = {member.pk: member for member in members}
    sent = defaultdict(list)
    for row in Delivery.objects.filter(kind=Kind.WEEKLY_NUDGE, state=DeliveryState.SENT).order_by("sent_at"):
        sent[row.membership_id].append(row)
    double_weeks = 0
    for member in members:
        for zone in {member.zone, first_zone[member.pk]}:
            weeks = Counter(iso_week_key(row.sent_at.astimezone(zone).date()) for row in sent[member.pk])
            double_weeks += sum(1 for n in weeks.values() if n > 1)
    assert double_weeks == 0
    expected = []
    for index, group in enumerate(groups):
        first_week, next_week = CHANGES[index][2]
        for member in group:
            assert [row.period_key for row in sent[member.pk]][:2] == [first_week, next_week], CHANGES[index]
            # The preferences page said when the next one would come, and it came then.
            moved = fresh[member.pk]
            assert local(sent[member.pk][1].sent_at, moved).replace(minute=0) == promised[index], CHANGES[index]
            expected += [(member.pk, Kind.WEEKLY_NUDGE, first_week), (member.pk, Kind.WEEKLY_NUDGE, next_week)]
    figures = tally("zone + weekday changed mid-week, 600 members", members, expected, at=end)
    assert (figures["duplicated"], figures["lost"]) == (0, 0)


# --- telling people -----------------------------------------------------------------------------


def test_the_admin_home_warns_when_beat_has_not_ticked_for_three_intervals(course_page, admin_client, settings):
    make_cohort(course_page)
    settings.KLARTEXT_TICK_SECONDS = 300
    assert not PlanWatermark.objects.exists()
    last_tick = datetime.datetime(2026, 12, 9, 10, 0, tzinfo=BERLIN)
    home = reverse("wagtailadmin_home")
    with time_machine.travel(last_tick, tick=False):
        assert "No email is being planned" not in admin_client.get(home).content.decode()  # never ticked: no clue
        dispatch.tick(last_tick)
    with time_machine.travel(last_tick + 15 * MINUTES, tick=False):
        assert "No email is being planned" not in admin_client.get(home).content.decode()
    with time_machine.travel(last_tick + 16 * MINUTES, tick=False):
        page = admin_client.get(home).content.decode()
    assert "No email is being planned" in page
    assert "9 December 2026" in page


def test_the_deliveries_report_shows_why_a_row_expired_or_was_missed(course_page, admin_client):
    cohort = make_cohort(course_page)
    held, late = make_members(cohort, 2)
    for member, state, reason in ((held, "expired", timing.EXPIRED_HELD), (late, "missed", planned_rows.MISSED_REASON)):
        Delivery.objects.create(
            membership=member,
            kind=Kind.WEEKLY_NUDGE,
            period_key="2026-W50",
            due_at=datetime.datetime(2026, 12, 11, 19, 0, tzinfo=BERLIN),
            send_by=datetime.datetime(2026, 12, 11, 20, 0, tzinfo=BERLIN),
            state=state,
            reason=reason,
        )
    page = admin_client.get(reverse("cohort_deliveries:index")).content.decode()
    assert str(timing.EXPIRED_HELD.label) in page and str(planned_rows.MISSED_REASON.label) in page
    assert 'data-counter="expired">1<' in page and 'data-counter="missed">1<' in page
