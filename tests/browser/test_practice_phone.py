"""The practice page on a 390 px phone: the weeks are a readable list, not a 26-column strip
shrunk to a few pixels, and nothing scrolls sideways."""

import datetime

import pytest

from lessons.models import PostLog, Response, Submission, SubmissionVersion
from tests.factories import MembershipFactory, make_cohort

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_practice_weeks_are_readable_on_a_phone(
    open_context, client, live_server, course_page, artifacts, language
):
    cohort = make_cohort(
        course_page,
        start_date=datetime.date.today() - datetime.timedelta(weeks=12),
        end_date=datetime.date.today() + datetime.timedelta(weeks=4),
    )
    anna = MembershipFactory(cohort=cohort, user__full_name="Anna Member", user__language=language)
    today = anna.local_today()
    ben = MembershipFactory(cohort=cohort)
    piece = Submission.objects.create(membership=anna, assignment_id="a", state="shared")
    bens = Submission.objects.create(membership=ben, assignment_id="b", state="shared")
    monday = today - datetime.timedelta(days=today.weekday())
    for week in range(8):
        day = monday - datetime.timedelta(weeks=week)
        moment = datetime.datetime.combine(day, datetime.time(10), datetime.UTC)
        version = SubmissionVersion.objects.create(submission=piece, number=week + 1, body="text")
        SubmissionVersion.objects.filter(pk=version.pk).update(created_at=moment)
        if week % 2 == 0:
            Response.objects.filter(pk=Response.objects.create(submission=bens, author=anna, body="Heard.").pk).update(
                created_at=moment
            )
    PostLog.objects.create(
        membership=anna, url="https://www.linkedin.com/posts/a", platform="linkedin", posted_on=today
    )

    client.force_login(anna.user)
    context = open_context(language, "phone")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/practice/")

    weeks = page.locator(".practice-weeks-list .practice-week")
    weeks.first.wait_for()
    assert page.locator("svg.practice-strip").is_hidden()
    assert 4 <= weeks.count() <= 10
    # this week first, with what happened in it, in letters a person can read
    first = weeks.first
    assert ("This week" if language == "en" else "Diese Woche") in first.inner_text()
    assert ("published" if language == "en" else "veröffentlicht") in first.inner_text()
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('.practice-weeks-list *')]
             .filter(el => [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
             .map(el => parseFloat(getComputedStyle(el).fontSize)))"""
    )
    assert smallest >= 12
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    for box in (weeks.nth(n).bounding_box() for n in range(weeks.count())):
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=str(artifacts / f"practice-phone-{language}.png"), full_page=True)
