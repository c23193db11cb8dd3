"""One week of the loop without seams, in a real browser, in English and German, with the real
email pipeline: beat's tick runs on a Celery worker on the broker (Redis) and sends to an SMTP
sink on loopback; every step is reached through the link the person was sent.

A weekly nudge's button → sign in → the editor → write and share → a circle peer responds (a
second browser context) → "someone responded" mail → the facilitator marks the piece ready in the
Wagtail admin → "feedback ready" mail quotes it, its button opens the piece → the publish page
shows LinkedIn's fold and no Markdown → a post URL is recorded → home and "My writing" show it
published, the practice page counts it once. Screenshots of every step go to test-artifacts/.

The clock is moved (time_machine, ticking) to a Tuesday morning in Berlin, a few days ahead of the
real date so the browser keeps the session cookies; the test process, its live server and its
worker threads all read that clock."""

import datetime
import email.policy
import os
from html.parser import HTMLParser
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import close_old_connections
from django.urls import reverse

from cohorts.models import Circle, Membership, Role
from course.models import User
from lessons.models import PostLog, Response, Submission, SubmissionState
from mail import tasks
from mail.models import Delivery, DeliveryState, Kind
from tests.browser.checks import BROWSER_LOCALES, DESKTOP, local_url, translated
from tests.factories import facilitators_group, make_cohort, make_lesson, wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the pipeline runs on a real broker: set REDIS_URL"),
]

BERLIN = ZoneInfo("Europe/Berlin")
PASSWORD = "Klartext-week-2026!"
TITLE = "Mondays start with listening"
# Markdown the networks must never see: emphasis, a list, a link.
BODY = (
    "Mondays start with *listening*, not with my agenda.\n"
    "Three questions I now ask the team first:\n"
    "\n"
    "- What got in your way last week?\n"
    "- What should I stop doing?\n"
    "- What would you decide if it were yours?\n"
    "\n"
    "It takes twenty minutes and it changes the week. How we started: [our notes](https://example.com/listening)"
)
RESPONSE = "The second question is brave. I will steal it for Thursday."
FEEDBACK = "Ready to post: the three questions carry the piece.\nKeep the first line as it is."
POST_URL = "https://www.linkedin.com/posts/mara-lindqvist-listening-first"


def next_tuesday_morning():
    """09:40 in Berlin on the next Tuesday after today: always ahead of the real clock, so the
    browser (which reads the real one) never finds the cookies the server sets expired."""
    today = datetime.datetime.now(BERLIN).date()
    tuesday = today + datetime.timedelta(days=(1 - today.weekday()) % 7 or 7)
    return datetime.datetime.combine(tuesday, datetime.time(9, 40), tzinfo=BERLIN)


@pytest.fixture
def clock():
    with time_machine.travel(next_tuesday_morning(), tick=True) as traveller:
        yield traveller


@pytest.fixture
def worker(clock, worker):
    """The real worker, started once the clock has moved (its threads read the same clock)."""
    return worker


@pytest.fixture
def week(course_page, language, clock):
    """A cohort in its second week: lesson 1 (a LinkedIn post, due on Thursday) opened last
    Monday, lesson 2 opens next Monday. Mara's nudge is on Tuesdays at 9; Ben shares her circle;
    Fay facilitates."""
    tuesday = datetime.datetime.now(BERLIN).date()
    cohort = make_cohort(
        course_page,
        "Führungskreis Nord" if language == "de" else "Leadership North",
        start_date=tuesday - datetime.timedelta(days=8),
        end_date=tuesday + datetime.timedelta(weeks=10),
        language=language,
        time_zone="Europe/Berlin",
    )
    lesson = make_lesson(
        course_page,
        "Who am I",
        assignment={"title": "What fills your Monday", "format": "linkedin", "due_offset_days": 10},
    )
    make_lesson(course_page, "Finding my voice", offset=2)
    circle = Circle.objects.create(cohort=cohort, name="Blau" if language == "de" else "Blue")

    def person(email, full_name, role=Role.MEMBER, **fields):
        user = User.objects.create_user(email=email, password=PASSWORD, full_name=full_name, language=language)
        membership = Membership.objects.create(
            user=user, cohort=cohort, role=role, language=language, time_zone="Europe/Berlin", **fields
        )
        return user, membership

    mara, mara_membership = person("mara@example.test", "Mara Lindqvist", circle=circle, nudge_weekday=1, nudge_hour=9)
    ben, _ = person("ben@example.test", "Ben Okafor", circle=circle, nudge_weekday=3, nudge_hour=9)
    fay, _ = person("fay@example.test", "Fay Fischer", role=Role.FACILITATOR)
    fay.groups.add(facilitators_group())
    return type(
        "Week",
        (),
        {"cohort": cohort, "lesson": lesson, "mara": mara, "membership": mara_membership, "ben": ben, "fay": fay},
    )


# --- reading what arrived at the sink --------------------------------------------------------------


class Buttons(HTMLParser):
    """The hrefs of an email's primary buttons (emails/_button.html)."""

    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "button-primary" in (attrs.get("class") or "").split():
            self.hrefs.append(attrs.get("href"))


def parts(message):
    message = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def the_button(message):
    """The one primary button's URL: in the HTML part exactly once, in the text part too, and on
    SITE_URL."""
    text, html = parts(message)
    parser = Buttons()
    parser.feed(html)
    assert len(parser.hrefs) == 1, f"{len(parser.hrefs)} primary buttons in {message['Subject']!r}"
    (url,) = parser.hrefs
    assert url.startswith(settings.SITE_URL + "/"), url
    assert url in text, f"the text part lacks the button's link {url}"
    return url


def mail_of_kind(sink, kind, to, timeout=60):
    """Run beat's tick on the worker and wait until the delivery of `kind` to `to` is sent; the
    one message that arrived for `to` meanwhile."""
    before = len(sink.received)
    tasks.tick.delay()

    def sent():
        close_old_connections()
        return Delivery.objects.filter(kind=kind, membership__user__email=to, state=DeliveryState.SENT).exists()

    rows = Delivery.objects.filter(membership__user__email=to)
    assert wait_for(sent, timeout), f"no {kind} sent to {to}: {list(rows.values_list('kind', 'state', 'reason'))}"
    arrived = [message for message in sink.received[before:] if message["To"] == to]
    assert len(arrived) == 1, f"{len(arrived)} messages to {to}: {[m['Subject'] for m in arrived]}"
    return arrived[0]


def same_place(url, path, fragment=""):
    parts_ = urlsplit(url)
    assert (parts_.path, parts_.fragment) == (path, fragment), url


# --- the journey -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_week_from_the_nudge_to_the_recorded_post(
    language, week, clock, worker, smtp, browser, client, live_server, artifacts
):
    def t(message, plural=None, count=None):
        return translated(language, message, plural, count)

    step = iter(range(1, 100))

    def shot(page, name):
        page.screenshot(path=str(artifacts / f"week-{language}-{next(step):02d}-{name}.png"), full_page=True)

    contexts = []

    def new_context(user=None):
        context = browser.new_context(locale=BROWSER_LOCALES[language], reduced_motion="reduce", **DESKTOP)
        context.set_default_timeout(20_000)
        if user is not None:
            client.force_login(user)
            cookie = client.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
        contexts.append(context)
        return context

    try:
        journey(language, week, clock, smtp, live_server, t, shot, new_context)
    except BaseException:
        for context in contexts:  # every open page as it was when the journey broke
            for number, page in enumerate(context.pages):
                page.screenshot(path=str(artifacts / f"week-{language}-failed-{number}.png"), full_page=True)
        raise
    finally:
        for context in contexts:
            context.close()


def journey(language, week, clock, smtp, live_server, t, shot, new_context):
    cohort, lesson, mara = week.cohort, week.lesson, week.mara
    assignment_id = lesson.writing_assignments[0][0]

    # Tuesday 09:40: beat's tick plans Mara's 09:00 nudge and the worker sends it.
    nudge = mail_of_kind(smtp, Kind.WEEKLY_NUDGE, mara.email)
    start_url = the_button(nudge)
    same_place(start_url, reverse("lessons:start", args=[cohort.pk, lesson.pk, assignment_id]))

    # Its button, signed out: the sign-in form, then straight into the editor.
    page = new_context().new_page()
    page.goto(local_url(live_server, start_url))
    page.wait_for_url("**/accounts/login/**")
    assert page.locator("html").get_attribute("lang") == language
    shot(page, "sign-in")
    page.locator("#id_username").fill(mara.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#main").get_by_role("button", name=t("Sign in")).click()
    page.wait_for_url("**/write/piece/*/")
    piece = Submission.objects.get(membership=week.membership, assignment_id=assignment_id)
    assert urlsplit(page.url).path == reverse("lessons:editor", args=[piece.pk])
    shot(page, "editor")

    # Write (autosaved) and share with the circle.
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_body").fill(BODY)
    page.locator("#id_body").press("Tab")  # leaving the field saves at once
    page.locator("#save-status [data-save-state=saved]").wait_for()
    assert Submission.objects.get(pk=piece.pk).body == BODY
    # Beside the text, the assignment's network as its feed will show it: plain text, folded.
    fold = page.locator("#network-previews [data-network=linkedin] [data-fold]")
    fold.filter(has_text="Three questions I now ask").wait_for()
    assert fold.inner_text().startswith("Mondays start with listening, not with my agenda.\n")
    shot(page, "written")
    page.get_by_role("button", name=t("Share"), exact=True).click()
    page.wait_for_url(f"**/circle/{cohort.pk}/?shared={piece.pk}")
    assert Submission.objects.get(pk=piece.pk).state == SubmissionState.SHARED
    shot(page, "shared")

    # Ben, in a browser of his own, reads it in the circle and responds.
    peer = new_context(week.ben).new_page()
    peer.goto(f"{live_server.url}{reverse('circle:feed', args=[cohort.pk])}")
    peer.get_by_role("link", name=TITLE).first.click()
    peer.get_by_role("heading", level=1, name=TITLE).wait_for()
    peer.locator("#response-form #id_body").fill(RESPONSE)
    peer.get_by_role("button", name=t("Post response")).click()
    peer.locator("#response-list .response").filter(has_text="steal it for Thursday").wait_for()
    assert Response.objects.filter(submission=piece, author__user=week.ben).count() == 1
    shot(peer, "peer-responded")

    # The responses of one hour make one email, at the end of that hour.
    clock.move_to(datetime.datetime.now(BERLIN).replace(hour=10, minute=1))
    responded = mail_of_kind(smtp, Kind.PEER_RESPONDED, mara.email)
    responded_text, _html = parts(responded)
    assert week.ben.get_short_name() in responded_text
    responses_url = the_button(responded)
    same_place(responses_url, reverse("circle:piece", args=[piece.pk]), "responses-heading")
    page.goto(local_url(live_server, responses_url))
    page.locator("#response-list .response").filter(has_text="steal it for Thursday").wait_for()
    shot(page, "responses")

    # Fay marks it ready in the Wagtail admin, from the feedback queue.
    admin = new_context(week.fay).new_page()
    admin.goto(f"{live_server.url}{reverse('lessons_feedback:queue')}")
    admin.get_by_role("link", name=TITLE).first.click()
    admin.locator("#id_body").fill(FEEDBACK)
    admin.locator("input[name=verdict][value=ready]").check()
    shot(admin, "admin-feedback")
    admin.get_by_role("button", name=t("Send feedback")).click()
    admin.wait_for_url(f"**{reverse('lessons_feedback:queue')}**")
    assert Submission.objects.get(pk=piece.pk).ready_to_publish
    shot(admin, "admin-queue-after")

    # "Feedback ready" quotes it; its button opens the piece with the feedback.
    ready = mail_of_kind(smtp, Kind.FEEDBACK_READY, mara.email)
    ready_text, ready_html = parts(ready)
    assert FEEDBACK.splitlines()[0] in ready_text
    assert FEEDBACK.splitlines()[0] in ready_html
    piece_url = the_button(ready)
    same_place(piece_url, reverse("lessons:editor", args=[piece.pk]), "feedback-heading")
    page.goto(local_url(live_server, piece_url))
    page.locator(".feedback-body").filter(has_text="the three questions carry the piece").wait_for()
    shot(page, "feedback")

    # The publish page: LinkedIn's fold, and not a trace of Markdown.
    page.get_by_role("link", name=t("Publish it")).click()
    page.wait_for_url(f"**{reverse('lessons:publish', args=[piece.pk])}")
    plain = page.locator("#publish-text").input_value()
    assert "*" not in plain and "](" not in plain
    assert not any(line.startswith("- ") for line in plain.splitlines())
    assert "– What should I stop doing?" in plain
    assert "https://example.com/listening" in plain
    linkedin = page.locator("details.network-preview[data-network=linkedin]")
    linkedin.locator("summary").click()
    shown = linkedin.locator("[data-fold] .network-post-shown")
    shown.wait_for()
    assert shown.inner_text().startswith("Mondays start with listening, not with my agenda.")
    assert "*" not in shown.inner_text()
    assert linkedin.locator(".network-see-more").inner_text() == t("…see more")
    shot(page, "publish-preview")

    # Posted on LinkedIn: the URL is recorded.
    page.locator("#id_url").fill(POST_URL)
    page.locator("#id_platform").select_option("linkedin")
    page.get_by_role("button", name=t("Record my post")).click()
    page.locator(".post-list a").filter(has_text="linkedin.com/posts/mara").wait_for()
    assert Submission.objects.get(pk=piece.pk).state == SubmissionState.PUBLISHED
    assert list(PostLog.objects.filter(submission=piece).values_list("url", flat=True)) == [POST_URL]
    shot(page, "recorded")

    # Home and "My writing" show it published; the practice page counts it once.
    page.goto(live_server.url + "/")
    home_row = page.locator(f'.due-item[data-assignment="{assignment_id}"]')
    assert home_row.get_attribute("data-standing") == "published"
    assert t("Published") in home_row.text_content()
    shot(page, "home")
    page.goto(live_server.url + reverse("lessons:mine"))
    mine = page.locator(f'.my-piece[data-piece="{piece.pk}"]')
    assert mine.get_attribute("data-standing") == "published"
    assert t("Published") in mine.text_content()
    shot(page, "my-writing")
    page.goto(live_server.url + reverse("progress:practice"))
    platforms = page.locator("[aria-labelledby=platforms-heading] li")
    assert platforms.all_inner_texts() == ["LinkedIn: " + t("%(n)s piece", "%(n)s pieces", 1) % {"n": 1}]
    shot(page, "practice")

    # Nothing went out twice, and every message the week sent went to someone in it.
    assert set(smtp.count_by_message_id().values()) == {1}
