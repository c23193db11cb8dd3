"""The consultant's side in a real browser, with the Wagtail admin in English and in
German: sign in through the admin's login form, edit a lesson, add a writing assignment and
publish it, create a cohort and invite people by uploading a CSV file (preview, then confirm)."""

import pytest

from cohorts.models import Cohort, Invitation
from course.models import User
from lessons.models import LessonPage
from tests.browser.checks import translated
from tests.factories import make_lesson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# As Excel writes it in Germany: semicolons and a German header row.
CSV = "Name;E-Mail;Sprache;Zeitzone\nJörg Müller;joerg@example.test;de;Europe/Berlin\nAmy Chen;amy@example.test;en;\n"


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_consultant_adds_an_assignment_creates_a_cohort_and_invites_by_csv(
    language, course_page, open_context, live_server, artifacts
):
    def t(message):
        return translated(language, message)

    lesson = make_lesson(course_page, "Who am I", body=[("text", "<p>Who are you, at work?</p>")])
    User.objects.create_superuser(
        email="anna@klartext.test", password="Consultant-pw-2026", full_name="Anna Berger", language=language
    )
    page = open_context(language, "desktop").new_page()

    # The admin's own login form (through the authentication backends, as a person signs in).
    page.goto(live_server.url + "/admin/")
    page.wait_for_url("**/admin/login/**")
    assert page.locator("html").get_attribute("lang") == language
    page.locator("#id_username").fill("anna@klartext.test")
    page.locator("#id_password").fill("Consultant-pw-2026")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(live_server.url + "/admin/")

    # Edit the lesson: a sharper summary and a writing assignment at the end of the body.
    page.goto(f"{live_server.url}/admin/pages/{lesson.pk}/edit/")
    page.locator("#id_summary").fill("Who you are at work, in one honest paragraph.")
    page.locator("[data-contentpath=body] button.c-sf-add-button").last.click()
    page.get_by_role("option", name=t("Writing assignment")).click()
    page.locator("input[id^='body-'][id$='-value-title']").last.fill("What fills your day")
    page.locator("textarea[id^='body-'][id$='-value-prompt']").last.fill("One thing that held your attention.")
    page.screenshot(path=str(artifacts / f"admin-lesson-{language}.png"), full_page=True)
    page.locator("footer .w-dropdown-button .w-dropdown__toggle").click()
    publish = page.locator("button[name=action-publish]")
    if language == "de":
        assert publish.inner_text().strip() == "Veröffentlichen"  # Wagtail's own German
    publish.click()
    page.wait_for_url(f"**/admin/pages/{course_page.pk}/")
    published = t("Page '%(page_title)s' has been published.") % {"page_title": lesson.title}
    page.locator(".messages").filter(has_text=published).wait_for()

    lesson = LessonPage.objects.get(pk=lesson.pk)
    assert lesson.summary == "Who you are at work, in one honest paragraph."
    assert [block.block_type for block in lesson.body] == ["text", "writing_assignment"]
    assert lesson.body[1].value["title"] == "What fills your day"
    assert lesson.body[1].value["default_audience"] == "circle"  # the block's default
    assert not lesson.has_unpublished_changes

    # A new cohort for the course; creating it leads to its overview.
    page.goto(live_server.url + "/admin/cohorts/new/")
    page.locator("#id_course-chooser .chooser__choose-button").click()
    page.locator(".modal").get_by_role("link", name=course_page.title).click()
    page.locator("#id_course-title").filter(has_text=course_page.title).wait_for()
    page.locator("#id_name").fill("Board 2027")
    page.locator("#id_organisation").fill("Acme")
    for field, day in (("#id_start_date", "2027-01-11"), ("#id_end_date", "2027-03-28")):
        page.locator(field).fill(day)
        page.locator(field).press("Escape")  # close the date picker
    page.locator("#id_language").select_option(language)
    page.locator("footer button[type=submit]").first.click()
    page.wait_for_url("**/overview/")
    cohort = Cohort.objects.get(name="Board 2027")
    assert (cohort.course_id, str(cohort.start_date), cohort.language) == (course_page.pk, "2027-01-11", language)

    # Invite by CSV: the upload shows a preview and imports nothing until it is confirmed.
    page.get_by_role("link", name=t("Import a CSV file")).first.click()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "board.csv", "mimeType": "text/csv", "buffer": CSV.encode("utf-8")}]
    )
    page.get_by_role("button", name=t("Check the file")).click()
    rows = page.locator("#import-rows-section tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2
    assert "Jörg Müller" in rows.nth(0).inner_text()
    assert "amy@example.test" in rows.nth(1).inner_text()
    assert not Invitation.objects.exists()
    page.screenshot(path=str(artifacts / f"admin-import-preview-{language}.png"), full_page=True)

    page.locator("form[action$='/import/confirm/'] button[type=submit]").click()
    page.wait_for_url("**/overview/#invitations-section")
    invited = translated(language, "%(count)s person invited.", "%(count)s people invited.", 2) % {"count": 2}
    page.locator(".messages").filter(has_text=invited).wait_for()
    invitations = dict(Invitation.objects.filter(cohort=cohort).values_list("email", "language"))
    assert invitations == {"joerg@example.test": "de", "amy@example.test": "en"}
    section = page.locator("#invitations-section")
    assert "joerg@example.test" in section.inner_text()
    page.screenshot(path=str(artifacts / f"admin-invitations-{language}.png"), full_page=True)
