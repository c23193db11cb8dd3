"""The "send this week's nudge now" button says when the mail actually leaves: at once, or when each
member's quiet hours or weekend end, in their own time zone."""

import datetime
import html
import zoneinfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import make_cohort, make_members

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def send_now(client, cohort):
    response = client.post(reverse("cohort_deliveries:send_now", args=[cohort.pk]))
    return [html.unescape(str(m)).strip() for m in get_messages(response.wsgi_request)]


@pytest.fixture
def cohort(course_page):
    return make_cohort(course_page, name="Leadership A")


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.mark.django_db
def test_on_a_saturday_it_says_the_nudges_leave_on_monday_at_seven_in_each_members_zone(admin_client, cohort):
    make_members(cohort, 2, prefix="a", zones=("Europe/Berlin", "America/New_York"))
    with at(datetime.datetime(2026, 11, 28, 10, 0, tzinfo=BERLIN)):
        (text,) = send_now(admin_client, cohort)
    assert text == (
        "2 weekly nudges queued, 0 members already had this week's nudge. "
        "2 leave on Monday at 07:00 in each member's own time zone (quiet hours or weekend)."
    )


@pytest.mark.django_db
def test_on_a_weekday_morning_it_says_they_leave_now(admin_client, cohort):
    make_members(cohort, 2, prefix="a")
    with at(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN)):
        (text,) = send_now(admin_client, cohort)
    assert text.endswith("They leave now.")


@pytest.mark.django_db
def test_in_the_evening_it_says_who_gets_it_now_and_when_the_rest_leaves(admin_client, cohort):
    make_members(cohort, 2, prefix="a", zones=("Europe/Berlin", "America/New_York"))
    with at(datetime.datetime(2026, 11, 25, 21, 0, tzinfo=BERLIN)):  # 15:00 in New York
        (text,) = send_now(admin_client, cohort)
    assert text.endswith(
        "1 leaves now; 1 leave on Thursday at 07:00 in each member's own time zone (quiet hours or weekend)."
    )


@pytest.mark.django_db
def test_the_facilitator_reads_it_in_german(admin_client, cohort, consultant):
    consultant.language = "de"
    consultant.save(update_fields=["language"])
    make_members(cohort, 1, prefix="a")
    with at(datetime.datetime(2026, 11, 28, 10, 0, tzinfo=BERLIN)):
        (text,) = send_now(admin_client, cohort)
    assert "Montag" in text and "07:00" in text
