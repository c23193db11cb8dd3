"""The Content-Security-Policy in a real browser: the member pages and the Wagtail editor run
without a single violation (a violation means something is blocked: a script, a style, a frame)."""

import pytest
from django.urls import reverse

from course.models import User
from lessons import writing
from lessons.writing import get_or_start
from tests.factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every violation fires this DOM event; Chromium also logs it to the console.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || ""}:${event.lineNumber}`);
});
"""


def watch(context):
    """Collect CSP violations from the console and the DOM event of every page in `context`."""
    found = []
    context.add_init_script(RECORD_VIOLATIONS)

    def on_console(message):
        if "Content Security Policy" in message.text:
            found.append(f"console: {message.text}")

    context.on("console", on_console)
    # A script that throws is as broken as a blocked one.
    context.on("page", lambda page: page.on("pageerror", lambda error: found.append(f"page error: {error}")))
    return found


def visit(page, url, found):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    found.extend(f"{url}: {v}" for v in page.evaluate("window.__cspViolations || []"))
    return response


@pytest.fixture
def world(course_page):
    world = make_world(course_page)
    mine = get_or_start(world.anna, world.lesson, world.assignment_id)
    writing.save_draft(mine.pk, title="My day", body="Monday starts with listening.", base_version=0)
    theirs = get_or_start(world.ben, world.lesson, world.assignment_id)
    writing.save_draft(theirs.pk, title="Ben's day", body="Ben listens too.", base_version=0)
    theirs.refresh_from_db()
    writing.share(theirs)
    writing.respond(theirs, world.anna, "I hear you, Ben.")
    world.piece, world.theirs = mine, theirs
    return world


def test_member_pages_run_under_the_strict_policy_without_a_violation(
    signed_in, browser, live_server, world, artifacts
):
    from playwright.sync_api import expect

    context = signed_in(world.anna.user)
    found = watch(context)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    pages = [
        "/",
        world.lesson.url,
        f"/write/piece/{world.piece.pk}/",
        f"/circle/{world.cohort.pk}/",
        f"/circle/piece/{world.theirs.pk}/",
        "/preferences/",
        "/practice/",
        "/account/delete/",
    ]
    for path in pages:
        response = visit(page, f"{live_server.url}{path}", found)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path

    # htmx at work: an autosave swaps the status in without tripping the policy.
    visit(page, f"{live_server.url}/write/piece/{world.piece.pk}/", found)
    page.locator("#id_body").press("End")
    page.locator("#id_body").press_sequentially(" Then coffee.", delay=10)
    page.locator("#id_body").press("Tab")  # leaving the field saves at once
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=30_000)
    found.extend(page.evaluate("window.__cspViolations"))
    # The navbar collapses on a phone: Bootstrap's script sets styles through the DOM, allowed.
    page.set_viewport_size({"width": 390, "height": 800})
    page.locator(".navbar-toggler").click()
    expect(page.locator("#site-nav")).to_be_visible()
    found.extend(page.evaluate("window.__cspViolations"))

    signed_out = browser.new_context()
    found_signed_out = watch(signed_out)
    try:
        login = signed_out.new_page()
        response = visit(login, f"{live_server.url}/accounts/login/", found_signed_out)
        assert response.status == 200
        visit(login, f"{live_server.url}/accounts/password_reset/", found_signed_out)
    finally:
        signed_out.close()

    assert found == [] and found_signed_out == []


def test_the_wagtail_admin_runs_without_inline_scripts(signed_in, live_server, world):
    """The admin allows inline styles but no inline script: Wagtail's date pickers and inline
    panels are started from markers by static/js/admin.js, and they still work."""
    from playwright.sync_api import expect

    editor = User.objects.create_superuser(
        email="ed@example.test", password="pw-long-enough-42", full_name="Ed", language="en"
    )
    context = signed_in(editor)
    found = watch(context)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    lesson_editor = f"{live_server.url}/admin/pages/{world.lesson.pk}/edit/"
    cohort_editor = f"{live_server.url}{reverse('cohort_admin:edit', args=[world.cohort.pk])}"

    for url in [f"{live_server.url}/admin/", f"{live_server.url}/admin/pages/{world.lesson.pk}/", cohort_editor]:
        response = visit(page, url, found)
        assert response.status == 200, url
        script_src = response.headers["content-security-policy"].split("script-src ")[1].split(";")[0]
        assert script_src == "'self'", url

    # An inline panel adds a form, and the new form's date field opens its picker.
    page.get_by_role("button", name="Add Lesson date").click()
    date_input = page.locator("input[name='lesson_dates-0-opens_on']")
    expect(date_input).to_be_visible()
    date_input.click()
    expect(page.locator(".xdsoft_datetimepicker:visible")).to_have_count(1)
    found.extend(page.evaluate("window.__cspViolations"))
    # The new form's page chooser opens its dialog.
    page.locator("#id_lesson_dates-0-lesson-chooser").get_by_role("button", name="Choose a page").click()
    expect(page.locator(".modal-dialog").first).to_contain_text(world.lesson.get_parent().title)
    found.extend(page.evaluate("window.__cspViolations"))

    # The page editor's live preview frames the member page from the admin.
    visit(page, lesson_editor, found)
    page.get_by_role("button", name="Toggle preview").click()
    frame = page.frame_locator("iframe#w-preview-iframe")
    expect(frame.locator("h1")).to_contain_text("Who am I", timeout=30_000)
    found.extend(page.evaluate("window.__cspViolations"))

    assert found == [], "\n".join(found)
