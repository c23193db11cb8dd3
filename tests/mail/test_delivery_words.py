"""The Deliveries report speaks in words: kind, person and what the email is about (the lesson,
the piece, the event, the week), never an internal key such as `link:241aff…`; its filters sit
in one bar."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohorts.models import CohortEvent, Invitation
from lessons import writing
from mail.models import Delivery, FacilitatorNote, Kind
from tests.factories import MembershipFactory, SubmissionFactory, make_cohort, make_lesson, make_members

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN)
INDEX = "/admin/deliveries/"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cohort(course_page):
    return make_cohort(course_page, name="Leadership A")


def row_texts(html):
    body = html[html.index('class="listing deliveries"') :]
    body = body[: body.index("</tbody>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("<tr>")[1:]]


def one_of_each(cohort, course_page):
    lesson = make_lesson(course_page, "Who am I")
    block_id = lesson.writing_assignments[0][0]
    anna = MembershipFactory(cohort=cohort, user__full_name="Anna Vogel", user__email="anna@example.com")
    piece = SubmissionFactory(membership=anna, lesson=lesson, assignment_id=block_id, title="What I stand for")
    event = CohortEvent.objects.create(
        cohort=cohort, name="Energy Summit", date=datetime.date(2026, 12, 3), hashtag="ES"
    )
    invitation = Invitation.objects.create(
        cohort=cohort,
        email="ben@example.com",
        full_name="Ben Adler",
        language="en",
        time_zone="Europe/Berlin",
        expires_at=Invitation.default_expiry(),
    )
    rows = [
        (Kind.WEEKLY_NUDGE, "2026-W48", None),
        (Kind.LESSON_RELEASED, f"lesson:{lesson.pk}", lesson.pk),
        (Kind.ASSIGNMENT_DUE, f"due:{block_id}", lesson.pk),
        (Kind.FEEDBACK_READY, "feedback:7", piece.pk),
        (Kind.PEER_REVIEW, "review:3:2", piece.pk),
        (Kind.PEER_RESPONDED, f"responses:{piece.pk}:2026112509", piece.pk),
        (Kind.EVENT_KIT, f"event:{event.pk}:before", None),
        (Kind.ALUMNI_NUDGE, "2026-11", None),
        (Kind.SELF_CHECK, "self-check:2026", None),
    ]
    note = FacilitatorNote.objects.create(
        cohort=cohort, author=anna.user, membership=anna, subject="A word about your draft", body="Hi"
    )
    rows += [
        (Kind.PERSONAL_NOTE, f"note:{note.pk}", note.pk, ""),
        (Kind.EVENT_INVITATION, f"event-invite:{event.pk}:3", event.pk, "REQUEST"),
        (Kind.DRAFT_SAVED, "reply:41", piece.pk, "compare:2"),
        (Kind.RECONNECT_NEEDED, "reconnect:bluesky:2026-11-25", None, "bluesky"),
    ]
    for kind, key, subject, *variant in rows:
        Delivery.objects.create(
            membership=anna, kind=kind, period_key=key, subject_id=subject, due_at=NOW, variant=(variant or [""])[0]
        )
    Delivery.objects.create(
        invitation=invitation, kind=Kind.INVITATION, period_key=f"link:{invitation.nonce}", due_at=NOW
    )
    Delivery.objects.create(invitation=invitation, kind=Kind.INVITATION, period_key="link:241affdeadbeef", due_at=NOW)


@pytest.mark.django_db
def test_the_report_names_kind_person_and_what_each_email_is_about(admin_client, cohort, course_page):
    one_of_each(cohort, course_page)
    html = admin_client.get(INDEX).content.decode()
    rows = " | ".join(row_texts(html))
    for words in [
        "Weekly posting nudge Anna Vogel anna@example.com Leadership A week of 23 November 2026",
        "Lesson released Anna Vogel anna@example.com Leadership A lesson “Who am I”",
        "“Write about Who am I”, due the next day",
        "feedback on “What I stand for”",
        "“What I stand for”, reminder 2 of 3",
        "responses to “What I stand for”",
        "Energy Summit, three days before",
        "November 2026",
        "the yearly self-check 2026",
        "Invitation Ben Adler ben@example.com Leadership A the invitation link",
        "an earlier invitation link (replaced since)",
        "note “A word about your draft”",
        "invitation to Energy Summit",
        "an emailed reply, saved to “What I stand for”",
        "Bluesky",
    ]:
        assert words in rows
    for key in (
        "link:", "2026-W48", "due:", "feedback:7", "review:3", "responses:", "event:", "self-check:",
        "note:", "event-invite:", "reply:41", "reconnect:", "REQUEST", "compare:",
    ):  # fmt: skip
        assert key not in rows


@pytest.mark.django_db
def test_a_german_consultant_reads_the_words_in_german(client, consultant, cohort, course_page):
    consultant.language = "de"
    consultant.save()
    one_of_each(cohort, course_page)
    client.force_login(consultant)
    rows = " | ".join(row_texts(client.get(INDEX).content.decode()))
    assert "Woche vom 23. November 2026" in rows
    assert "Energy Summit, drei Tage vorher" in rows


@pytest.mark.django_db
def test_the_filters_sit_in_one_bar(admin_client, cohort):
    html = admin_client.get(INDEX, {"cohort": cohort.pk}).content.decode()
    bar = html[html.index('class="kt-filter-bar"') :]
    bar = bar[: bar.index("</form>")]
    for name in ("cohort", "kind", "state", "flagged"):
        assert f'name="{name}"' in bar
    assert '<ul class="fields">' not in bar
    assert "Clear filters" in bar
    assert "css/admin-deliveries.css" in html


@pytest.mark.django_db
def test_words_cost_the_same_queries_for_10_and_60_rows(admin_client, cohort, course_page, django_assert_num_queries):
    lesson = make_lesson(course_page, "Who am I")
    block_id = lesson.writing_assignments[0][0]

    def add(count, prefix):
        for member in make_members(cohort, count, prefix=prefix):
            piece = writing.get_or_start(member, lesson, block_id)
            Delivery.objects.create(
                membership=member,
                kind=Kind.FEEDBACK_READY,
                period_key=f"feedback:{piece.pk}",
                subject_id=piece.pk,
                due_at=NOW,
            )
            Delivery.objects.create(
                membership=member,
                kind=Kind.LESSON_RELEASED,
                period_key=f"lesson:{lesson.pk}",
                subject_id=lesson.pk,
                due_at=NOW,
            )

    add(5, "small")
    admin_client.get(INDEX)
    with CaptureQueriesContext(connection) as small:
        admin_client.get(INDEX)
    add(25, "large")
    with django_assert_num_queries(len(small)):
        response = admin_client.get(INDEX)
    assert response.content.decode().count("feedback on “Write about Who am I”") == 25
