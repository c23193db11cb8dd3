"""Beyond the journeys, the member's secondary pages and the error and help pages pass
axe-core with no serious or critical violation and fit a 390 px phone, in German (the longest
words, so the hardest case for the narrow layout)."""

import datetime

import pytest
from django.utils import timezone

from cohorts.models import Membership
from course.models import User
from lessons import writing
from lessons.models import Relationship
from tests.browser.checks import PageChecks
from tests.factories import make_cohort, make_lesson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secondary_member_pages_and_error_pages_pass_axe_on_a_phone(course_page, open_context, live_server, artifacts):
    today = timezone.localdate()
    cohort = make_cohort(
        course_page, start_date=today - datetime.timedelta(days=2), end_date=today + datetime.timedelta(weeks=8)
    )
    lesson = make_lesson(course_page, "Who am I")
    later = make_lesson(course_page, "Finding my voice", offset=3)
    user = User.objects.create_user(
        email="lena@example.test", password="Secondary-pages-2026", full_name="Lena Langenscheidt", language="de"
    )
    membership = Membership.objects.create(user=user, cohort=cohort)
    piece = writing.get_or_start(membership, lesson, lesson.writing_assignments[0][0])
    writing.save_draft(piece.pk, title="Zuhören", body="Erst zuhören, dann reden.", base_version=0)
    writing.save_draft(piece.pk, title="Zuhören", body="Erst zuhören. Dann reden.", base_version=1)
    Relationship.objects.create(membership=membership, name="Dana Schmidt-Rottluff")

    checks = PageChecks(live_server, artifacts, "de-phone", phone=True)
    page = open_context("de", "phone").new_page()
    signed_out = {
        "course": course_page.url,
        "password-reset": "/accounts/password_reset/",
        "invitation-problem": "/invite/not-a-real-token/",
        "not-found": "/no-such-page/",
    }
    for name, path in signed_out.items():
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == "de"
        checks.page(page, name, screenshot=False)

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill("lena@example.test")
    page.locator("#id_password").fill("Secondary-pages-2026")
    page.locator("#id_password").press("Enter")
    page.wait_for_url(live_server.url + "/")
    signed_in = {
        "lesson-not-open": later.url,
        "versions": f"/write/piece/{piece.pk}/versions/",
        "version": f"/write/piece/{piece.pk}/versions/1/",
        "posts": "/write/posts/",
        "relationships": "/practice/relationships/",
        "self-check": "/practice/self-check/",
    }
    for name, path in signed_in.items():
        response = page.goto(live_server.url + path)
        assert response.ok, f"{name}: {response.status}"
        checks.page(page, name, screenshot=False)

    checks.assert_clean()
