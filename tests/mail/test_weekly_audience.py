"""One weekly-nudge audience: the planner, "send now" and the preferences page agree on who gets it."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohorts.models import Frequency, Membership, Role
from mail import dispatch, slot_planners
from mail.models import Delivery, Kind, NudgeOptOut
from mail.preferences import next_weekly_nudge
from tests.factories import make_cohort, make_members

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# Monday 23 November 2026, 09:02 in Berlin: every member's slot (Monday 09:00, the default) is now.
NOW = datetime.datetime(2026, 11, 23, 9, 2, tzinfo=BERLIN)
THIS_SLOT = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def member_of(cohort, name, **fields):
    (membership,) = make_members(cohort, 1, prefix=name)
    if fields:
        Membership.objects.filter(pk=membership.pk).update(**fields)
    return Membership.objects.select_related("user", "cohort").get(pk=membership.pk)


@pytest.fixture
def people(course_page):
    """One member per reason to be in or out of this week's audience, by name."""
    running = make_cohort(course_page, "Running")
    ended = make_cohort(course_page, "Ended", start_date=datetime.date(2026, 6, 1), end_date=datetime.date(2026, 9, 30))
    upcoming = make_cohort(
        course_page, "Upcoming", start_date=datetime.date(2026, 12, 7), end_date=datetime.date(2027, 2, 28)
    )
    people = {
        "member": member_of(running, "member"),
        "pause_ended_yesterday": member_of(running, "pauseover", paused_until=TODAY - datetime.timedelta(days=1)),
        "alumnus_weekly": member_of(ended, "alumweekly", nudge_frequency=Frequency.WEEKLY),
        "paused": member_of(running, "paused", paused_until=TODAY),
        "opted_out": member_of(running, "optedout"),
        "unsubscribed": member_of(running, "unsub", unsubscribed_at=NOW - datetime.timedelta(days=3)),
        "inactive_account": member_of(running, "inactive"),
        "facilitator": member_of(running, "facil", role=Role.FACILITATOR),
        "alumnus_monthly": member_of(ended, "alummonthly", nudge_frequency=Frequency.MONTHLY),
        "alumnus_off": member_of(ended, "alumoff", nudge_frequency=Frequency.OFF),
        "not_started": member_of(upcoming, "notstarted"),
        "other_slot": member_of(running, "otherslot", nudge_weekday=2),
    }
    NudgeOptOut.objects.create(membership=people["opted_out"], kind=Kind.WEEKLY_NUDGE)
    NudgeOptOut.objects.create(membership=people["member"], kind=Kind.ALUMNI_NUDGE)  # another kind: no effect
    people["inactive_account"].user.is_active = False
    people["inactive_account"].user.save(update_fields=["is_active"])
    return people


IN_THIS_SLOT = {"member", "pause_ended_yesterday", "alumnus_weekly"}


def names(people, membership_ids):
    by_id = {membership.pk: name for name, membership in people.items()}
    return {by_id[pk] for pk in membership_ids}


def planned(people):
    return names(people, Delivery.objects.filter(kind=Kind.WEEKLY_NUDGE).values_list("membership_id", flat=True))


@pytest.mark.django_db
def test_the_planner_send_now_and_the_preferences_page_agree_on_the_weekly_audience(people):
    promised_now = {name for name, m in people.items() if next_weekly_nudge(m, NOW) == THIS_SLOT}
    assert promised_now == IN_THIS_SLOT

    slot_planners.plan_weekly_nudges(NOW)
    assert planned(people) == IN_THIS_SLOT

    Delivery.objects.all().delete()
    cohorts = {m.cohort for m in people.values()}
    queued = sum(dispatch.queue_weekly_nudges_now(cohort, NOW)["queued"] for cohort in cohorts)
    # "Send now" ignores the slot: the member whose slot is Wednesday gets this week's nudge too.
    assert planned(people) == IN_THIS_SLOT | {"other_slot"}
    assert queued == len(IN_THIS_SLOT) + 1


@pytest.mark.django_db
def test_after_this_weeks_nudge_all_three_move_on_to_next_week(people):
    slot_planners.plan_weekly_nudges(NOW)
    cohorts = {m.cohort for m in people.values()}
    results = [dispatch.queue_weekly_nudges_now(cohort, NOW) for cohort in cohorts]
    assert sum(result["already"] for result in results) == len(IN_THIS_SLOT)
    next_week = THIS_SLOT + datetime.timedelta(days=7)
    for name in IN_THIS_SLOT:
        assert next_weekly_nudge(people[name], NOW) == next_week, name


@pytest.mark.django_db
def test_the_preferences_page_promises_no_nudge_to_members_the_planner_leaves_out(client, people):
    for name, membership in people.items():
        if name in IN_THIS_SLOT or name in {"inactive_account", "other_slot"}:
            continue
        client.force_login(membership.user)
        content = client.get(f"/preferences/?cohort={membership.cohort_id}").content.decode()
        assert "Monday, 23 November 2026, 09:00" not in content, name
    client.force_login(people["member"].user)
    assert "Monday, 23 November 2026, 09:00" in client.get("/preferences/").content.decode()


@pytest.mark.django_db
def test_the_next_nudge_asks_about_a_few_coming_slots_and_about_more_only_for_a_long_absence(people):
    def asked(membership):
        """(the promise, how many slot days the audience was asked about, queries)"""
        with CaptureQueriesContext(connection) as queries:
            promised = next_weekly_nudge(membership, NOW)
        return promised, sum(query["sql"].count('"day_') for query in queries.captured_queries), len(queries)

    assert asked(people["member"]) == (THIS_SLOT, 4, 2)
    # Paused for five weeks: the slots after the pause are found by asking about the next twelve.
    paused = people["paused"]
    Membership.objects.filter(pk=paused.pk).update(paused_until=TODAY + datetime.timedelta(weeks=5))
    paused.refresh_from_db()
    assert asked(paused) == (THIS_SLOT + datetime.timedelta(weeks=6), 16, 3)
    # Out of every coming week (an alumnus with monthly nudges): no promise, every slot asked about.
    assert asked(people["alumnus_monthly"]) == (None, 120, 3)
