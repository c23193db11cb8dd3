"""Plain-text parts and subjects of every email are plain text: names stay as written, never
HTML entities; the HTML part stays escaped."""

import datetime
import re

import pytest
import time_machine

from mail.messages import BatchContext
from mail.models import Kind
from tests.factories import make_every_email

NASTY = 'Q&A "Day" <b>\'s'
ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "de"])
def test_every_emails_text_and_subject_are_unescaped_and_its_html_escaped(course_page, language):
    rows = make_every_email(course_page, language, name=NASTY)
    assert set(rows) == set(Kind)  # every kind of email is checked

    for kind, delivery in rows.items():
        message = BatchContext([delivery], NOW).build(delivery, connection=None)
        html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
        assert not ENTITY.search(message.subject), (kind, message.subject)
        assert not ENTITY.search(message.body), (kind, message.body)
        assert "Q&A" in message.subject + message.body, kind
        assert "<b>" not in html, kind
        assert "Q&amp;A" in html, kind
