"""The demo has a past (seven weeks of writing, listening, feedback, posts and a pause) and, at
whatever moment it is seeded, the first tick finds a weekly nudge it may send at once."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.test import override_settings

from cohorts.models import Cohort, Membership
from cohorts.schedule import Schedule
from lessons.models import Feedback, Pause, PostLog, Response, Submission, SubmissionVersion
from mail import dispatch
from mail.models import Delivery, DeliveryState, Kind
from mail.timing import allowed_moment
from progress.habit import habit_for
from tests.factories import kept_for_the_module, seed_demo

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# Monday 7 December 2026 to Sunday 13 December, mid-morning, and a night hour.
MOMENTS = [datetime.datetime(2026, 12, 7 + day, 10, 20, tzinfo=BERLIN) for day in range(7)] + [
    datetime.datetime(2026, 12, 9, 3, 10, tzinfo=BERLIN),
    datetime.datetime(2026, 12, 12, 23, 55, tzinfo=BERLIN),
    datetime.datetime(2026, 12, 8, 17, 58, tzinfo=BERLIN),
]


# The tests run on one worker, so each moment is seeded once for all the tests that use it.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_history")]


@pytest.fixture(scope="module")
def seeded_at(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded at `request.param`, kept for the module's tests of that moment."""
    moment = request.param
    with kept_for_the_module(django_db_blocker):
        with (
            django_db_blocker.unblock(),
            time_machine.travel(moment, tick=False),
            override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        ):
            seed_demo()
        yield moment


def moment_id(moment):
    return moment.strftime("%a-%H%M")


@pytest.mark.parametrize("seeded_at", MOMENTS, ids=moment_id, indirect=True)
def test_the_first_tick_after_seeding_has_a_weekly_nudge_to_send_at_once(seeded_at):
    moment = seeded_at
    for minutes in (1, 2, 5):
        now = moment + datetime.timedelta(minutes=minutes)
        with time_machine.travel(now, tick=False):
            dispatch.tick(now)
        nudges = list(
            Delivery.objects.filter(
                kind=Kind.WEEKLY_NUDGE, state=DeliveryState.PENDING, due_at__lte=now
            ).select_related("membership__cohort")
        )
        assert any(allowed_moment(nudge, now) == now for nudge in nudges), (
            f"nothing to send {minutes} min after seeding"
        )


@pytest.mark.parametrize("seeded_at", MOMENTS[:7], ids=moment_id, indirect=True)
def test_the_demo_cohort_releases_lessons_on_mondays_with_one_still_to_come(seeded_at):
    moment = seeded_at
    cohort = Cohort.objects.get()
    assert cohort.start_date.weekday() == 0
    schedule = Schedule.for_cohort(cohort)
    assert all(slot.opens_at.weekday() == 0 for slot in schedule.slots)
    assert schedule.next_opening(moment) is not None
    assert len(schedule.open_lessons(moment)) >= 6


@pytest.mark.parametrize("seeded_at", MOMENTS[2:3], ids=moment_id, indirect=True)
def test_the_demo_has_seven_weeks_of_history_on_every_page(seeded_at):
    moment = seeded_at
    cohort = Cohort.objects.get()
    assert Submission.objects.filter(state="published").count() >= 5
    assert Submission.objects.filter(state="shared").count() >= 5
    assert Submission.objects.filter(state="draft").exists()
    assert Submission.objects.filter(feedback__verdict="revise").filter(feedback__verdict="ready").exists()
    assert Submission.objects.filter(shared_at__isnull=False, feedback__isnull=True).exists()  # waiting
    assert Response.objects.count() >= 20
    assert Pause.objects.exists()
    assert Delivery.objects.filter(kind=Kind.WEEKLY_NUDGE, state=DeliveryState.SENT).count() >= 30
    # Dated in the past, spread over the weeks, never in the future.
    days = {version.created_at.date() for version in SubmissionVersion.objects.all()}
    assert min(days) <= cohort.start_date + datetime.timedelta(days=3)
    assert max(days) <= moment.date()
    assert PostLog.objects.filter(posted_on__gt=moment.date()).count() == 0
    assert Feedback.objects.filter(created_at__gt=moment).count() == 0
    # The practice strip is not empty: Katrin wrote in six weeks, Thomas paused in two.
    with time_machine.travel(moment, tick=False):
        katrin = habit_for(Membership.objects.get(user__email="katrin@klartext.localhost"), moment)
        thomas = habit_for(Membership.objects.get(user__email="thomas@klartext.localhost"), moment)
    assert katrin.active_weeks >= 6 and katrin.published_total >= 3
    assert thomas.paused_weeks == 2
