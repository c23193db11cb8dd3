"""A member's whole course loop in a real browser, in English and German, on a 390 px
phone and on a desktop: accept the emailed invitation, sign in, read this week's lesson, write
with autosave, share, respond to a peer, get feedback, revise, publish and log the URL, change the
nudge preferences and unsubscribe through the link in a delivered email.

Every main page on the way must pass axe-core with no serious or critical violation and must not
scroll sideways on the phone; screenshots of each go to test-artifacts/."""

import datetime
import email.policy

import pytest
from django.utils import timezone

from cohorts import invitations
from cohorts.models import Circle, Invitation, Membership
from course.models import User
from lessons import writing
from lessons.models import PostLog, Response, Submission, SubmissionState, Visibility
from mail import dispatch, receivers, sending, timing
from mail.models import Delivery, Kind, NudgeOptOut
from tests.browser.checks import PageChecks, links_in, local_url, translated
from tests.factories import make_cohort, make_lesson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Klartext-journey-2026!"


def send_invitation_now(invitation_id):
    """The invitation's current link through the pipeline, now; False when nothing was sent."""
    invitation = Invitation.objects.get(pk=invitation_id)
    return sending.send_batch([receivers.invitation_delivery(invitation).pk]).get("sent", 0) == 1


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


def first_allowed_moment(membership):
    """The first moment the quiet-hour and weekend rules let a nudge reach the member, so the
    test does not depend on the hour or the weekday it runs at."""
    return timing.next_allowed_moment(timezone.now(), membership.zone, allow_weekends=membership.nudge_weekday >= 5)


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

    checks = PageChecks(live_server, artifacts, f"{language}-{device}", phone=device == "phone")
    cohort, lesson = course.cohort, course.lesson

    # The consultant's invitation arrives by email; its link is the way in.
    invitation = invitations.invite(cohort, email="mara@example.test", full_name="Mara Lindqvist", language=language)
    assert invitation.status == "created"
    assert send_invitation_now(invitation.invitation.pk)
    (accept_url,) = [link for link in links_in(plain_text(smtp.received[-1])) if "/invite/" in link]

    page = open_context(language, device).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(local_url(live_server, accept_url))
    assert page.locator("html").get_attribute("lang") == language
    checks.page(page, "invitation")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name=t("Create my account and join")).click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/")
    membership = Membership.objects.get(user__email="mara@example.test", cohort=cohort)
    assert membership.language == language
    # Circles are formed by the facilitator once people have joined.
    Membership.objects.filter(pk=membership.pk).update(circle=course.circle)

    # Out, and back in through the login form.
    menu(page).get_by_role("button", name=t("Sign out")).click()
    page.wait_for_url(live_server.url + "/")
    checks.page(page, "landing")
    menu(page).get_by_role("link", name=t("Sign in"), exact=True).click()
    page.wait_for_url("**/accounts/login/**")
    checks.page(page, "login")
    if language == "de":
        # The German catalogue is compiled and in use, not only lang="de" on the page.
        assert page.locator("#main").get_by_role("button", name="Anmelden", exact=True).is_visible()
    page.locator("#id_username").fill("Mara@Example.test")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#main").get_by_role("button", name=t("Sign in")).click()
    page.wait_for_url(live_server.url + "/")
    page.get_by_role("heading", level=1, name=cohort.name).wait_for()
    checks.page(page, "home")

    # This week's lesson, then the assignment.
    page.get_by_role("link", name=t("Read the lesson")).click()
    page.get_by_role("heading", level=1, name=lesson.title).wait_for()
    checks.page(page, "lesson")
    page.get_by_role("link", name=t("Write your piece")).click()
    page.wait_for_url("**/write/piece/*/")
    piece = Submission.objects.get(membership=membership)
    checks.page(page, "editor", screenshot=False)

    page.locator("#id_title").fill("What fills my day")
    page.locator("#id_body").fill("Mondays start with listening to the team.")
    # Autosaved, no button pressed: leaving the field saves at once (the save after three idle
    # seconds has its own test in test_autosave.py).
    page.locator("#id_body").press("Tab")
    page.locator("#save-status [data-save-state=saved]").wait_for()
    page.reload()
    assert page.locator("#id_body").input_value() == "Mondays start with listening to the team."
    assert Submission.objects.get(pk=piece.pk).body == "Mondays start with listening to the team."
    checks.screenshot(page, "editor")

    # Share with the circle; the feed thanks and points to a peer's piece that has no response.
    assert page.get_by_role("radio", checked=True).count() == 1  # the assignment's audience is preselected
    if language == "de":
        assert page.get_by_role("button", name="Teilen", exact=True).is_visible()
    page.get_by_role("button", name=t("Share"), exact=True).click()
    page.wait_for_url(f"**/circle/{cohort.pk}/?shared={piece.pk}")
    assert Submission.objects.get(pk=piece.pk).state == SubmissionState.SHARED
    audience = translated(language, str(Visibility.CIRCLE.label))
    shared = translated(language, "Shared with: %(audience)s.") % {"audience": audience}
    assert page.locator(".alert-success").inner_text().strip() == shared  # "Mein Schreibkreis", capitalised
    checks.page(page, "circle-feed")
    page.locator(".respond-invitation").get_by_role("link", name="Listening first").click()
    page.get_by_role("heading", level=1, name="Listening first").wait_for()
    page.locator("#id_body").fill("The pause before you answer — I felt that.")
    page.get_by_role("button", name=t("Post response")).click()
    page.locator("#response-list .response").filter(has_text="I felt that").wait_for()
    assert page.locator("#response-count").inner_text() == "1"
    checks.page(page, "circle-piece")
    assert Response.objects.filter(submission=course.bens, author=membership).count() == 1

    # The facilitator asks for a revision; the member reads it next to the text and revises.
    revise = "Open with the team, not with you."
    writing.give_feedback(Submission.objects.get(pk=piece.pk), course.fay, revise, "revise")
    page.goto(f"{live_server.url}/write/piece/{piece.pk}/")
    page.locator(".feedback-body").filter(has_text="Open with the team").wait_for()
    page.locator("#id_body").fill("The team starts my Mondays: I listen first.")
    page.locator("#id_body").press("Tab")  # leaving the field saves at once
    page.locator("#save-status [data-save-state=saved]").wait_for()
    assert Submission.objects.get(pk=piece.pk).body == "The team starts my Mondays: I listen first."

    # Ready to publish: post it elsewhere and record the public URL.
    writing.give_feedback(Submission.objects.get(pk=piece.pk), course.fay, "Ready. Post it.", "ready")
    page.reload()
    page.get_by_role("link", name=t("Publish it")).click()
    page.wait_for_url(f"**/write/piece/{piece.pk}/publish/")
    checks.page(page, "publish")
    page.locator("#id_url").fill("https://www.linkedin.com/posts/mara-lindqvist-mondays")
    page.locator("#id_platform").select_option("linkedin")
    page.get_by_role("button", name=t("Record my post")).click()
    page.locator(".post-list a").filter(has_text="linkedin.com/posts/mara").wait_for()
    published = Submission.objects.get(pk=piece.pk)
    assert published.state == SubmissionState.PUBLISHED
    assert PostLog.objects.get(submission=piece).url == "https://www.linkedin.com/posts/mara-lindqvist-mondays"

    # The practice page counts it.
    menu(page).get_by_role("link", name=t("Practice"), exact=True).click()
    page.wait_for_url("**/practice/")
    page.locator("svg.practice-strip:visible, .practice-weeks-list:visible").first.wait_for()
    checks.page(page, "practice")

    # "My writing" lists the piece as published.
    menu(page).get_by_role("link", name=t("My writing"), exact=True).click()
    page.wait_for_url("**/write/")
    page.locator(f'.my-piece[data-piece="{piece.pk}"][data-standing="published"]').wait_for()
    checks.page(page, "my-writing")

    # Nudges on Thursday at 17:00 London time.
    menu(page).get_by_role("link", name=t("Preferences"), exact=True).click()
    page.wait_for_url("**/preferences/")
    checks.page(page, "preferences")
    page.locator("#id_preferences-nudge_weekday").select_option("3")
    page.locator("#id_preferences-nudge_hour").select_option("17")
    page.locator("#id_preferences-time_zone").select_option("Europe/London")
    page.get_by_role("button", name=t("Save preferences")).click()
    page.locator(".alert-success").wait_for()
    membership.refresh_from_db()
    assert (membership.nudge_weekday, membership.nudge_hour, membership.time_zone) == (3, 17, "Europe/London")
    assert page.locator("#id_preferences-time_zone").input_value() == "Europe/London"

    # A weekly nudge goes out; its one-click unsubscribe link works in the browser.
    sent_before = len(smtp.received)
    # Pressed when the member may receive it: "send now" on a weekend would only queue a nudge
    # that expires at the end of the week, before the Monday morning it could leave.
    moment = first_allowed_moment(membership)
    dispatch.queue_weekly_nudges_now(cohort, moment)
    ids = list(Delivery.objects.filter(membership=membership, kind=Kind.WEEKLY_NUDGE).values_list("pk", flat=True))
    assert sending.send_batch(ids, now=moment) == {"sent": 1}
    nudge = delivered(smtp, "mara@example.test", sent_before)
    unsubscribe_url = " ".join(nudge["List-Unsubscribe"].split()).strip("<>")
    page.goto(local_url(live_server, unsubscribe_url))
    checks.page(page, "unsubscribe")
    if language == "de":
        assert page.get_by_role("button", name="Abbestellen", exact=True).is_visible()
    page.get_by_role("button", name=t("Unsubscribe")).click()
    page.get_by_role("heading", level=1, name=t("You are unsubscribed")).wait_for()
    assert NudgeOptOut.objects.filter(membership=membership, kind=Kind.WEEKLY_NUDGE).exists()
    assert page.locator("html").get_attribute("lang") == language

    checks.assert_clean()
