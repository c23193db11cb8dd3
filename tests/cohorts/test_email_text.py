"""Plain-text parts and subjects of every email are plain text: names stay as written, never
HTML entities; the HTML part stays escaped."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from cohorts.models import Circle, CohortEvent, Invitation, Membership, Role
from course.models import User
from lessons.writing import get_or_start, give_feedback, save_draft
from mail.messages import BatchContext
from mail.models import Delivery, FacilitatorNote, Kind
from tests.factories import make_cohort, make_lesson

NASTY = 'Q&A "Day" <b>\'s'
ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def person(email, cohort, language, role=Role.MEMBER, circle=None):
    user = User.objects.create_user(email=email, password="pw", full_name=f"{NASTY} {email[0]}", language=language)
    return Membership.objects.create(
        user=user, cohort=cohort, role=role, language=language, time_zone="Europe/Berlin", circle=circle
    )


def deliveries(course_page, language):
    lesson = make_lesson(course_page, NASTY)
    cohort = make_cohort(
        course_page, name=NASTY, start_date=datetime.date(2026, 11, 2), end_date=datetime.date(2027, 1, 31)
    )
    circle = Circle.objects.create(cohort=cohort, name=NASTY)
    author = person("author@example.test", cohort, language, circle=circle)
    reader = person("reader@example.test", cohort, language, circle=circle)
    facilitator = person("fac@example.test", cohort, language, role=Role.FACILITATOR)
    assignment_id = lesson.writing_assignments[0][0]
    piece = get_or_start(author, lesson, assignment_id)
    save_draft(piece.pk, title=NASTY, body=f"{NASTY} body", base_version=0)
    give_feedback(piece, facilitator.user, f"{NASTY} feedback", "revise")
    event = CohortEvent.objects.create(
        cohort=cohort,
        name=NASTY,
        date=datetime.date(2026, 11, 26),
        start_time=datetime.time(18),
        end_time=datetime.time(19),
        place=NASTY,
        agenda=NASTY,
        hashtag="QA",
    )
    note = FacilitatorNote.objects.create(
        cohort=cohort, membership=author, author=facilitator.user, subject=NASTY, body=f"{NASTY} note"
    )
    invitation = Invitation.objects.create(
        cohort=cohort,
        email="new@example.test",
        full_name=NASTY,
        language=language,
        time_zone="Europe/Berlin",
        invited_by=facilitator.user,
        expires_at=Invitation.default_expiry(),
    )

    def row(kind, membership=None, subject_id=None, key="k", **fields):
        return Delivery.objects.create(
            membership=membership, kind=kind, subject_id=subject_id, period_key=key, due_at=timezone.now(), **fields
        )

    return {
        Kind.WEEKLY_NUDGE: row(Kind.WEEKLY_NUDGE, author),
        Kind.LESSON_RELEASED: row(Kind.LESSON_RELEASED, author, lesson.pk),
        Kind.ASSIGNMENT_DUE: row(Kind.ASSIGNMENT_DUE, author, lesson.pk, key=f"due:{assignment_id}"),
        Kind.FEEDBACK_READY: row(Kind.FEEDBACK_READY, author, piece.pk),
        Kind.PEER_REVIEW: row(Kind.PEER_REVIEW, reader, piece.pk),
        Kind.FACILITATOR_DIGEST: row(Kind.FACILITATOR_DIGEST, facilitator),
        Kind.ALUMNI_NUDGE: row(Kind.ALUMNI_NUDGE, author),
        Kind.EVENT_KIT: row(Kind.EVENT_KIT, author, event.pk, variant="before"),
        Kind.SELF_CHECK: row(Kind.SELF_CHECK, author, key="self-check:2026"),
        Kind.INVITATION: row(Kind.INVITATION, invitation=invitation),
        Kind.PERSONAL_NOTE: row(Kind.PERSONAL_NOTE, author, note.pk),
        Kind.GROUP_MESSAGE: row(Kind.GROUP_MESSAGE, reader, note.pk),
        Kind.EVENT_INVITATION: row(
            Kind.EVENT_INVITATION, author, event.pk, key=f"event-invite:{event.pk}:0", variant="REQUEST"
        ),
        Kind.DRAFT_SAVED: row(Kind.DRAFT_SAVED, author, piece.pk, key="reply:1", variant="compare:1;files"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "de"])
def test_every_emails_text_and_subject_are_unescaped_and_its_html_escaped(course_page, language):
    rows = deliveries(course_page, language)
    assert set(rows) == set(Kind)  # every kind of email is checked

    for kind, delivery in rows.items():
        message = BatchContext([delivery], NOW).build(delivery, connection=None)
        html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
        assert not ENTITY.search(message.subject), (kind, message.subject)
        assert not ENTITY.search(message.body), (kind, message.body)
        assert "Q&A" in message.subject + message.body, kind
        assert "<b>" not in html, kind
        assert "Q&amp;A" in html, kind
