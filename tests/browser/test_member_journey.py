"""ACCEPTANCE: a member's whole course loop in a real browser, in English and German, on a 390 px
phone and on a desktop: accept the emailed invitation, sign in, read this week's lesson, write
with autosave, share, respond to a peer, get feedback, revise, publish and log the URL, change the
nudge preferences and unsubscribe through the link in a delivered email.

Every main page on the way must pass axe-core with no serious or critical violation and must not
scroll sideways on the phone; screenshots of each go to test-artifacts/."""

import datetime
import email.policy

import pytest
from django.utils import timezone

from cohorts import invitations, nudges
from cohorts.models import Circle, Delivery, Kind, Membership, NudgeOptOut
from course.models import User
from lessons import writing
from lessons.models import PostLog, Response, Submission, SubmissionState
from tests.browser.checks import PageChecks, links_in, local_url, translated
from tests.conftest import make_cohort, make_lesson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Klartext-journey-2026!"


def menu(page):
    """The site navigation; on a phone it is folded behind the menu button, which is opened."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        page.locator("#site-nav.show").wait_for()
    return page.locator("#site-nav")


def delivered(sink, to, count_before):
    messages = [m for m in sink.received[count_before:] if to in m["To"]]
    assert messages, f"no email to {to}"
    return messages[-1]


def plain_text(message):
    message = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()


def send_now(delivery_ids, membership):
    """Send through the real pipeline at the first moment its quiet-hour rules allow, so the
    test does not depend on the hour it runs at."""
    allowed = nudges.next_allowed_moment(
        timezone.now(), membership.time_zone_info, allow_weekends=membership.nudge_weekday >= 5
    )
    return nudges.send_batch(delivery_ids, now=allowed)


@pytest.fixture
def course(course_page, language):
    today = timezone.localdate()
    cohort = make_cohort(
        course_page,
        "Führungskreis Nord" if language == "de" else "Leadership North",
        organisation="Acme",
        start_date=today - datetime.timedelta(days=3),
        end_date=today + datetime.timedelta(weeks=10),
        language=language,
    )
    lesson = make_lesson(course_page, "Who am I")
    make_lesson(course_page, "Finding my voice", offset=1)
    circle = Circle.objects.create(cohort=cohort, name="Blau" if language == "de" else "Blue")
    fay = User.objects.create_user(email="fay@example.test", password="pw", full_name="Fay Facilitator")
    Membership.objects.create(user=fay, cohort=cohort, role="facilitator")
    ben_user = User.objects.create_user(email="ben@example.test", password="pw", full_name="Ben Okafor")
    ben = Membership.objects.create(user=ben_user, cohort=cohort, circle=circle)
    bens = writing.get_or_start(ben, lesson, lesson.writing_assignments[0][0])
    writing.save_draft(bens.pk, title="Listening first", body="I listen before I talk.", base_version=0)
    writing.share(Submission.objects.get(pk=bens.pk))
    return type("Course", (), {"cohort": cohort, "lesson": lesson, "circle": circle, "fay": fay, "bens": bens})


@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["en", "de"])
def test_a_member_goes_from_invitation_to_published_post(
    language, device, course, open_context, live_server, smtp, artifacts
):
    def t(message):
        return translated(language, message)

    print("STEP", 89, __import__("time").perf_counter())
    checks = PageChecks(live_server, artifacts, f"{language}-{device}", phone=device == "phone")
    print("STEP", 90, __import__("time").perf_counter())
    cohort, lesson = course.cohort, course.lesson

    # The consultant's invitation arrives by email; its link is the way in.
    print("STEP", 93, __import__("time").perf_counter())
    invitation = invitations.invite(cohort, email="mara@example.test", full_name="Mara Lindqvist", language=language)
    print("STEP", 94, __import__("time").perf_counter())
    assert invitation.status == "created"
    print("STEP", 95, __import__("time").perf_counter())
    assert invitations.send_invitation_email(invitation.invitation.pk)
    print("STEP", 96, __import__("time").perf_counter())
    (accept_url,) = [link for link in links_in(plain_text(smtp.received[-1])) if "/invite/" in link]

    print("STEP", 98, __import__("time").perf_counter())
    page = open_context(language, device).new_page()
    print("STEP", 99, __import__("time").perf_counter())
    page.on("dialog", lambda dialog: dialog.accept())
    print("STEP", 100, __import__("time").perf_counter())
    page.goto(local_url(live_server, accept_url))
    print("STEP", 101, __import__("time").perf_counter())
    assert page.locator("html").get_attribute("lang") == language
    print("STEP", 102, __import__("time").perf_counter())
    checks.page(page, "invitation")
    print("STEP", 103, __import__("time").perf_counter())
    page.locator("#id_password1").fill(PASSWORD)
    print("STEP", 104, __import__("time").perf_counter())
    page.locator("#id_password2").fill(PASSWORD)
    print("STEP", 105, __import__("time").perf_counter())
    page.get_by_role("button", name=t("Create my account and join")).click()
    print("STEP", 106, __import__("time").perf_counter())
    page.wait_for_url(f"**/cohorts/{cohort.pk}/")
    print("STEP", 107, __import__("time").perf_counter())
    membership = Membership.objects.get(user__email="mara@example.test", cohort=cohort)
    print("STEP", 108, __import__("time").perf_counter())
    assert membership.language == language
    # Circles are formed by the facilitator once people have joined.
    print("STEP", 110, __import__("time").perf_counter())
    Membership.objects.filter(pk=membership.pk).update(circle=course.circle)

    # Out, and back in through the login form.
    print("STEP", 113, __import__("time").perf_counter())
    menu(page).get_by_role("button", name=t("Sign out")).click()
    print("STEP", 114, __import__("time").perf_counter())
    page.wait_for_url(live_server.url + "/")
    print("STEP", 115, __import__("time").perf_counter())
    checks.page(page, "landing")
    print("STEP", 116, __import__("time").perf_counter())
    menu(page).get_by_role("link", name=t("Sign in"), exact=True).click()
    print("STEP", 117, __import__("time").perf_counter())
    page.wait_for_url("**/accounts/login/**")
    print("STEP", 118, __import__("time").perf_counter())
    checks.page(page, "login")
    print("STEP", 119, __import__("time").perf_counter())
    if language == "de":
        # The German catalogue is compiled and in use, not only lang="de" on the page.
        assert page.locator("#main").get_by_role("button", name="Anmelden", exact=True).is_visible()
    print("STEP", 122, __import__("time").perf_counter())
    page.locator("#id_username").fill("Mara@Example.test")
    print("STEP", 123, __import__("time").perf_counter())
    page.locator("#id_password").fill(PASSWORD)
    print("STEP", 124, __import__("time").perf_counter())
    page.locator("#main").get_by_role("button", name=t("Sign in")).click()
    print("STEP", 125, __import__("time").perf_counter())
    page.wait_for_url(live_server.url + "/")
    print("STEP", 126, __import__("time").perf_counter())
    page.get_by_role("heading", level=1, name=cohort.name).wait_for()
    print("STEP", 127, __import__("time").perf_counter())
    checks.page(page, "home")

    # This week's lesson, then the assignment.
    print("STEP", 130, __import__("time").perf_counter())
    page.get_by_role("link", name=t("Read the lesson")).click()
    print("STEP", 131, __import__("time").perf_counter())
    page.get_by_role("heading", level=1, name=lesson.title).wait_for()
    print("STEP", 132, __import__("time").perf_counter())
    checks.page(page, "lesson")
    print("STEP", 133, __import__("time").perf_counter())
    page.get_by_role("link", name=t("Write your piece")).click()
    print("STEP", 134, __import__("time").perf_counter())
    page.wait_for_url("**/write/piece/*/")
    print("STEP", 135, __import__("time").perf_counter())
    piece = Submission.objects.get(membership=membership)
    print("STEP", 136, __import__("time").perf_counter())
    checks.page(page, "editor", screenshot=False)

    print("STEP", 138, __import__("time").perf_counter())
    page.locator("#id_title").fill("What fills my day")
    print("STEP", 139, __import__("time").perf_counter())
    page.locator("#id_body").fill("Mondays start with listening to the team.")
    print("STEP", 140, __import__("time").perf_counter())
    page.locator("#save-status [data-save-state=saved]").wait_for()  # autosaved, no button pressed
    print("STEP", 141, __import__("time").perf_counter())
    page.reload()
    print("STEP", 142, __import__("time").perf_counter())
    assert page.locator("#id_body").input_value() == "Mondays start with listening to the team."
    print("STEP", 143, __import__("time").perf_counter())
    assert Submission.objects.get(pk=piece.pk).body == "Mondays start with listening to the team."
    print("STEP", 144, __import__("time").perf_counter())
    checks.screenshot(page, "editor")

    # Share with the circle; the feed thanks and points to a peer's piece that has no response.
    print("STEP", 147, __import__("time").perf_counter())
    assert page.get_by_role("radio", checked=True).count() == 1  # the assignment's audience is preselected
    print("STEP", 148, __import__("time").perf_counter())
    if language == "de":
        assert page.get_by_role("button", name="Teilen", exact=True).is_visible()
    print("STEP", 150, __import__("time").perf_counter())
    page.get_by_role("button", name=t("Share"), exact=True).click()
    print("STEP", 151, __import__("time").perf_counter())
    page.wait_for_url(f"**/circle/{cohort.pk}/?shared={piece.pk}")
    print("STEP", 152, __import__("time").perf_counter())
    assert Submission.objects.get(pk=piece.pk).state == SubmissionState.SHARED
    print("STEP", 153, __import__("time").perf_counter())
    checks.page(page, "circle-feed")
    print("STEP", 154, __import__("time").perf_counter())
    page.locator(".respond-invitation").get_by_role("link", name="Listening first").click()
    print("STEP", 155, __import__("time").perf_counter())
    page.get_by_role("heading", level=1, name="Listening first").wait_for()
    print("STEP", 156, __import__("time").perf_counter())
    page.locator("#id_body").fill("The pause before you answer — I felt that.")
    print("STEP", 157, __import__("time").perf_counter())
    page.get_by_role("button", name=t("Post response")).click()
    print("STEP", 158, __import__("time").perf_counter())
    page.locator("#response-list .response").filter(has_text="I felt that").wait_for()
    print("STEP", 159, __import__("time").perf_counter())
    assert page.locator("#response-count").inner_text() == "1"
    print("STEP", 160, __import__("time").perf_counter())
    checks.page(page, "circle-piece")
    print("STEP", 161, __import__("time").perf_counter())
    assert Response.objects.filter(submission=course.bens, author=membership).count() == 1

    # The facilitator asks for a revision; the member reads it next to the text and revises.
    print("STEP", 164, __import__("time").perf_counter())
    revise = "Open with the team, not with you."
    print("STEP", 165, __import__("time").perf_counter())
    writing.give_feedback(Submission.objects.get(pk=piece.pk), course.fay, revise, "revise")
    print("STEP", 166, __import__("time").perf_counter())
    page.goto(f"{live_server.url}/write/piece/{piece.pk}/")
    print("STEP", 167, __import__("time").perf_counter())
    page.locator(".feedback-body").filter(has_text="Open with the team").wait_for()
    print("STEP", 168, __import__("time").perf_counter())
    page.locator("#id_body").fill("The team starts my Mondays: I listen first.")
    print("STEP", 169, __import__("time").perf_counter())
    page.locator("#id_body").press("Tab")  # leaving the field saves at once
    print("STEP", 170, __import__("time").perf_counter())
    page.locator("#save-status [data-save-state=saved]").wait_for()
    print("STEP", 171, __import__("time").perf_counter())
    assert Submission.objects.get(pk=piece.pk).body == "The team starts my Mondays: I listen first."

    # Ready to publish: post it elsewhere and record the public URL.
    print("STEP", 174, __import__("time").perf_counter())
    writing.give_feedback(Submission.objects.get(pk=piece.pk), course.fay, "Ready. Post it.", "ready")
    print("STEP", 175, __import__("time").perf_counter())
    page.reload()
    print("STEP", 176, __import__("time").perf_counter())
    page.get_by_role("link", name=t("Publish it")).click()
    print("STEP", 177, __import__("time").perf_counter())
    page.wait_for_url(f"**/write/piece/{piece.pk}/publish/")
    print("STEP", 178, __import__("time").perf_counter())
    checks.page(page, "publish")
    print("STEP", 179, __import__("time").perf_counter())
    page.locator("#id_url").fill("https://www.linkedin.com/posts/mara-lindqvist-mondays")
    print("STEP", 180, __import__("time").perf_counter())
    page.locator("#id_platform").select_option("linkedin")
    print("STEP", 181, __import__("time").perf_counter())
    page.get_by_role("button", name=t("Record my post")).click()
    print("STEP", 182, __import__("time").perf_counter())
    page.locator(".post-list a").filter(has_text="linkedin.com/posts/mara").wait_for()
    print("STEP", 183, __import__("time").perf_counter())
    published = Submission.objects.get(pk=piece.pk)
    print("STEP", 184, __import__("time").perf_counter())
    assert published.state == SubmissionState.PUBLISHED
    print("STEP", 185, __import__("time").perf_counter())
    assert PostLog.objects.get(submission=piece).url == "https://www.linkedin.com/posts/mara-lindqvist-mondays"

    # The practice page counts it.
    print("STEP", 188, __import__("time").perf_counter())
    menu(page).get_by_role("link", name=t("My practice")).click()
    print("STEP", 189, __import__("time").perf_counter())
    page.wait_for_url("**/practice/")
    print("STEP", 190, __import__("time").perf_counter())
    page.locator("svg.practice-strip").wait_for()
    print("STEP", 191, __import__("time").perf_counter())
    checks.page(page, "practice")

    # Nudges on Thursday at 17:00 London time.
    print("STEP", 194, __import__("time").perf_counter())
    menu(page).get_by_role("link", name=t("Email preferences")).click()
    print("STEP", 195, __import__("time").perf_counter())
    page.wait_for_url("**/preferences/")
    print("STEP", 196, __import__("time").perf_counter())
    checks.page(page, "preferences")
    print("STEP", 197, __import__("time").perf_counter())
    page.locator("#id_preferences-nudge_weekday").select_option("3")
    print("STEP", 198, __import__("time").perf_counter())
    page.locator("#id_preferences-nudge_hour").select_option("17")
    print("STEP", 199, __import__("time").perf_counter())
    page.locator("#id_preferences-time_zone").select_option("Europe/London")
    print("STEP", 200, __import__("time").perf_counter())
    page.get_by_role("button", name=t("Save preferences")).click()
    print("STEP", 201, __import__("time").perf_counter())
    page.locator(".alert-success").wait_for()
    print("STEP", 202, __import__("time").perf_counter())
    membership.refresh_from_db()
    print("STEP", 203, __import__("time").perf_counter())
    assert (membership.nudge_weekday, membership.nudge_hour, membership.time_zone) == (3, 17, "Europe/London")
    print("STEP", 204, __import__("time").perf_counter())
    assert page.locator("#id_preferences-time_zone").input_value() == "Europe/London"

    # A weekly nudge goes out; its one-click unsubscribe link works in the browser.
    print("STEP", 207, __import__("time").perf_counter())
    sent_before = len(smtp.received)
    print("STEP", 208, __import__("time").perf_counter())
    nudges.queue_weekly_nudges_now(cohort, timezone.now())
    print("STEP", 209, __import__("time").perf_counter())
    ids = list(Delivery.objects.filter(membership=membership, kind=Kind.WEEKLY_NUDGE).values_list("pk", flat=True))
    print("STEP", 210, __import__("time").perf_counter())
    assert send_now(ids, membership) == {"sent": 1}
    print("STEP", 211, __import__("time").perf_counter())
    nudge = delivered(smtp, "mara@example.test", sent_before)
    print("STEP", 212, __import__("time").perf_counter())
    unsubscribe_url = " ".join(nudge["List-Unsubscribe"].split()).strip("<>")
    print("STEP", 213, __import__("time").perf_counter())
    page.goto(local_url(live_server, unsubscribe_url))
    print("STEP", 214, __import__("time").perf_counter())
    checks.page(page, "unsubscribe")
    print("STEP", 215, __import__("time").perf_counter())
    if language == "de":
        assert page.get_by_role("button", name="Abbestellen", exact=True).is_visible()
    print("STEP", 217, __import__("time").perf_counter())
    page.get_by_role("button", name=t("Unsubscribe")).click()
    print("STEP", 218, __import__("time").perf_counter())
    page.get_by_role("heading", level=1, name=t("You are unsubscribed")).wait_for()
    print("STEP", 219, __import__("time").perf_counter())
    assert NudgeOptOut.objects.filter(membership=membership, kind=Kind.WEEKLY_NUDGE).exists()
    print("STEP", 220, __import__("time").perf_counter())
    assert page.locator("html").get_attribute("lang") == language

    print("STEP", 222, __import__("time").perf_counter())
    checks.assert_clean()
