"""Screenshots of member pages in Debian's Chromium, saved to test-artifacts/ for a person to look at."""

import datetime

import pytest

from cohorts.models import Membership
from course.models import User
from lessons.models import Contribution, Pause, PostLog, Relationship, Response, Submission, SubmissionVersion
from tests.factories import make_cohort

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_practice_page_renders_the_strip(signed_in, live_server, course_page, artifacts):
    from playwright.sync_api import expect

    today = datetime.date.today()
    cohort = make_cohort(
        course_page,
        start_date=today - datetime.timedelta(weeks=30),
        end_date=today + datetime.timedelta(weeks=4),
    )
    user = User.objects.create_user(email="anna@example.test", password="pw-long-enough-42", full_name="Anna Member")
    anna = Membership.objects.create(user=user, cohort=cohort, time_zone="Europe/Berlin")
    ben = Membership.objects.create(
        user=User.objects.create_user(email="ben@example.test", password="pw-long-enough-42", full_name="Ben"),
        cohort=cohort,
    )
    piece = Submission.objects.create(membership=anna, assignment_id="a", state="shared")
    bens = Submission.objects.create(membership=ben, assignment_id="b", state="shared")
    dana = Relationship.objects.create(membership=anna, name="Dana")
    monday = today - datetime.timedelta(days=today.weekday())
    skipped = {6, 7, 12, 13, 14, 20}
    for week in range(0, 24):
        if week in skipped:
            continue
        day = monday - datetime.timedelta(weeks=week, days=-1)
        version = SubmissionVersion.objects.create(submission=piece, number=week + 1, body="text")
        SubmissionVersion.objects.filter(pk=version.pk).update(
            created_at=datetime.datetime.combine(day, datetime.time(10), datetime.UTC)
        )
        if week % 3 == 0:
            PostLog.objects.create(
                membership=anna, url="https://example.com/p", platform=["linkedin", "blog"][week % 2], posted_on=day
            )
        if week % 2 == 0:
            response = Response.objects.create(submission=bens, author=anna, body="Heard.")
            Response.objects.filter(pk=response.pk).update(
                created_at=datetime.datetime.combine(day, datetime.time(11), datetime.UTC)
            )
        if week % 4 == 1:
            Contribution.objects.create(relationship=dana, kind="comment", made_on=day)
    Pause.objects.create(
        membership=anna,
        starts_on=monday - datetime.timedelta(weeks=14),
        ends_on=monday - datetime.timedelta(weeks=12, days=1),
    )
    Response.objects.create(submission=piece, author=ben, body="Thanks.")

    page = signed_in(user).new_page()
    page.goto(f"{live_server.url}/practice/")
    expect(page.locator("svg.practice-strip")).to_be_visible()
    expect(page.get_by_test_id("streak")).to_contain_text("week")
    path = artifacts / "practice.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"practice page screenshot: {path}")  # noqa: T201
    assert path.stat().st_size > 10_000
