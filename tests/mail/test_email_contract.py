"""Every email has one job and one button: exactly one primary button that deep-links to the
place the email is about (through the login when signed out), a visible unsubscribe link in the
body of every nudge, plain-text parts and subjects without HTML entities, every link on SITE_URL,
and a greeting with the person's short name."""

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
import time_machine
from django.urls import reverse

from lessons.models import Submission
from mail.messages import BatchContext
from mail.models import OPTIONAL_KINDS, Kind
from tests.factories import make_every_email

SITE = "http://klartext.example:8101"
NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)
ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
URL = re.compile(r"https?://[^\s<>\"]+")


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.primary = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.links.append(attrs.get("href", ""))
            if "button-primary" in (attrs.get("class") or "").split():
                self.primary.append(attrs["href"])


def parts(message):
    html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
    links = Links()
    links.feed(html)
    return html, links


def built(rows):
    return {kind: BatchContext([row], NOW).build(row, connection=None) for kind, row in rows.items()}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "de"])
def test_every_email_has_one_primary_button_its_url_on_a_line_and_every_link_on_site_url(course_page, language):
    rows = make_every_email(course_page, language)
    assert set(rows) == set(Kind)  # every kind is checked

    for kind, message in built(rows).items():
        html, links = parts(message)
        assert len(links.primary) == 1, (kind, links.primary)
        primary = links.primary[0]
        assert primary.startswith(SITE + "/"), (kind, primary)
        assert primary in message.body.splitlines(), (kind, message.body)  # the URL on a line of its own
        for href in links.links:
            assert href.startswith(SITE), (kind, href)
        for url in URL.findall(message.body):
            assert url.startswith(SITE), (kind, url)
        assert not ENTITY.search(message.subject), (kind, message.subject)
        assert not ENTITY.search(message.body), (kind, message.body)
        assert "{%" not in message.body + html and "{{" not in message.body + html, kind


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "de"])
def test_every_nudge_shows_its_one_click_unsubscribe_link_in_the_body(course_page, language):
    messages = built(make_every_email(course_page, language))
    for kind, message in messages.items():
        _html, links = parts(message)
        if kind not in OPTIONAL_KINDS:
            # Mail about the account or one's own reply is not a nudge: no unsubscribe that
            # would change nothing.
            assert "List-Unsubscribe" not in message.extra_headers, kind
            assert "/email/unsubscribe/" not in message.body, kind
            continue
        header_url = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert "/email/unsubscribe/" in header_url
        assert header_url in message.body.splitlines()[-1] or header_url in message.body, kind
        assert header_url in links.links, kind


@pytest.mark.django_db
def test_each_button_leads_to_the_exact_place_the_email_is_about(course_page):
    rows = make_every_email(course_page, "en")
    messages = built(rows)
    piece = Submission.objects.get(pk=rows[Kind.FEEDBACK_READY].subject_id)
    author = rows[Kind.FEEDBACK_READY].membership
    cohort_id = author.cohort_id
    lesson = rows[Kind.LESSON_RELEASED].subject_id
    start = reverse("lessons:start", args=[cohort_id, lesson, piece.assignment_id])
    expected = {
        Kind.FEEDBACK_READY: f"/write/piece/{piece.pk}/#feedback-heading",
        Kind.WEEKLY_NUDGE: start,
        Kind.ASSIGNMENT_DUE: start,
        Kind.PEER_REVIEW: f"/circle/piece/{piece.pk}/#response-form",
        Kind.PEER_RESPONDED: f"/circle/piece/{piece.pk}/#responses-heading",
        Kind.LESSON_RELEASED: course_page.get_children().get().url,
        Kind.EVENT_KIT: f"/events/{rows[Kind.EVENT_KIT].subject_id}/",
        Kind.EVENT_INVITATION: f"/events/{rows[Kind.EVENT_KIT].subject_id}/",
        Kind.DRAFT_SAVED: f"/write/piece/{piece.pk}/?compare=1",
        Kind.PERSONAL_NOTE: f"/cohorts/{cohort_id}/",
        Kind.SELF_CHECK: f"/practice/self-check/?cohort={cohort_id}",
        Kind.ALUMNI_NUDGE: f"/circle/{cohort_id}/",
        Kind.FACILITATOR_DIGEST: "/admin/feedback/",
    }
    for kind, path in expected.items():
        assert parts(messages[kind])[1].primary == [SITE + path], kind
    assert parts(messages[Kind.INVITATION])[1].primary[0].startswith(SITE + "/invite/")


@pytest.mark.django_db
def test_a_signed_out_reader_goes_through_the_login_and_keeps_where_the_button_pointed(course_page, client):
    messages = built(make_every_email(course_page, "en"))
    for kind, message in messages.items():
        if kind == Kind.INVITATION:
            continue  # the invitation page is for people without an account
        url = urlsplit(parts(message)[1].primary[0])
        target = url.path + (f"?{url.query}" if url.query else "")
        response = client.get(target)
        assert response.status_code == 302, (kind, target, response.status_code)
        login = "/admin/login/" if kind == Kind.FACILITATOR_DIGEST else "/accounts/login/"
        assert response["Location"].startswith(login), (kind, response["Location"])
        assert f"next={quote(target, safe='/')}" in response["Location"] or f"next={target}" in response[
            "Location"
        ].replace("%3F", "?").replace("%3D", "="), (kind, response["Location"])


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "quoted"), [("en", "Hello"), ("de", "Hallo")])
def test_feedback_ready_quotes_the_feedback_and_names_the_piece(course_page, language, quoted):
    message = built(make_every_email(course_page, language))[Kind.FEEDBACK_READY]
    html, _links = parts(message)
    assert "> Leadership team feedback A second paragraph." in message.body
    assert "<blockquote" in html and "Leadership team feedback" in html
    assert "Leadership team" in message.subject
    assert message.body.startswith(f"{quoted} Leadership")


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "hello"), [("en", "Hello Jörg,"), ("de", "Hallo Jörg,")])
def test_every_email_greets_by_the_short_name_never_a_title_or_the_full_name(course_page, language, hello):
    messages = built(make_every_email(course_page, language, full_name="Dr. Jörg Müller"))
    for kind, message in messages.items():
        html, _links = parts(message)
        assert message.body.splitlines()[0] == hello, (kind, message.body)
        assert f"<p>{hello}</p>" in html, kind
        assert "Dr." not in message.body.splitlines()[0] and "Müller," not in message.body, kind
