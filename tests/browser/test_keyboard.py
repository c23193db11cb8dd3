"""Signing in, writing, sharing and responding work with the keyboard alone (Tab,
Shift+Tab, Enter, Space), and every element that takes focus on the way shows a visible focus ring."""

import datetime

import pytest
from django.utils import timezone

from cohorts.models import Circle, Membership
from course.models import User
from lessons import writing
from lessons.models import Response, Submission, SubmissionState
from tests.browser.checks import focused, tab_to, translated
from tests.factories import make_cohort, make_lesson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["de"])
def test_a_member_signs_in_writes_shares_and_responds_with_the_keyboard_only(
    language, course_page, open_context, live_server
):
    def t(message):
        return translated(language, message)

    today = timezone.localdate()
    cohort = make_cohort(
        course_page, start_date=today - datetime.timedelta(days=2), end_date=today + datetime.timedelta(weeks=8)
    )
    lesson = make_lesson(course_page, "Who am I")
    circle = Circle.objects.create(cohort=cohort, name="Blue")

    def member(email, name):
        user = User.objects.create_user(email=email, password="Keys-only-2026", full_name=name, language=language)
        return Membership.objects.create(user=user, cohort=cohort, circle=circle)

    kim, ben = member("kim@example.test", "Kim Keys"), member("ben@example.test", "Ben Okafor")
    bens = writing.get_or_start(ben, lesson, lesson.writing_assignments[0][0])
    writing.save_draft(bens.pk, title="Listening first", body="I listen before I talk.", base_version=0)
    writing.share(Submission.objects.get(pk=bens.pk))

    page = open_context(language, "desktop").new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={lesson.url}")

    tab_to(page, lambda element: element["id"] == "id_username")
    page.keyboard.type("kim@example.test")
    tab_to(page, lambda element: element["id"] == "id_password", limit=1)
    page.keyboard.type("Keys-only-2026")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + lesson.url)

    # The skip link comes first and jumps over the navigation.
    skip = tab_to(page, lambda element: element["href"] == "#main", limit=1)
    assert skip["label"] == t("Skip to content")
    page.keyboard.press("Enter")
    tab_to(page, lambda element: "/write/lesson/" in element["href"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/write/piece/*/")

    tab_to(page, lambda element: element["id"] == "id_title")
    page.keyboard.type("Keys only")
    tab_to(page, lambda element: element["id"] == "id_body", limit=1)
    page.keyboard.type("Written without a mouse.")
    # The audience radios are one tab stop; Shift+Tab comes back from the button to them.
    tab_to(page, lambda element: element["tag"] == "button" and element["label"] == t("Share"))
    radio = tab_to(page, lambda element: element["type"] == "radio", backwards=True, limit=1)
    assert radio["visible"]
    page.keyboard.press("Tab")
    assert focused(page)["label"] == t("Share")
    page.keyboard.press("Enter")
    page.wait_for_url("**/circle/*/?shared=*")

    piece = Submission.objects.get(membership=kim)
    assert (piece.title, piece.body, piece.state) == ("Keys only", "Written without a mouse.", SubmissionState.SHARED)

    tab_to(page, lambda element: element["label"] == "Listening first")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/circle/piece/{bens.pk}/")
    tab_to(page, lambda element: element["tag"] == "textarea")
    page.keyboard.type("Heard, and thank you.")
    tab_to(page, lambda element: element["tag"] == "button" and element["label"] == t("Post response"), limit=1)
    page.keyboard.press("Space")
    page.locator("#response-list .response").filter(has_text="Heard, and thank you.").wait_for()
    assert Response.objects.filter(submission_id=bens.pk, author=kim).count() == 1
