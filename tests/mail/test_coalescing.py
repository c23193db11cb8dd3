"""One email, not five: what falls due for one person in one slot leaves as one message that
lists it all, each email still its own Delivery row, sent exactly once; the same event is never
listed twice. Real SMTP sink on loopback; a real Celery worker where a broker is configured."""

import datetime
import os
import time
import zoneinfo
from email.header import decode_header, make_header

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.db import close_old_connections, connection, transaction

from config.celery import app
from lessons.models import Feedback, Submission
from mail import dispatch
from mail.models import Delivery, DeliveryState, Kind
from mail.sending import send_batch
from tests.factories import daytime_zone, make_every_email, make_lesson

NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)  # Wednesday, 10:00 in Berlin
MEMBER_KINDS = {
    Kind.WEEKLY_NUDGE,
    Kind.LESSON_RELEASED,
    Kind.ASSIGNMENT_DUE,
    Kind.FEEDBACK_READY,
    Kind.PEER_RESPONDED,
    Kind.EVENT_KIT,
}


def author_rows(rows):
    """The author's rows of five and more kinds (alumni nudge and self-check left out: they
    never fall due with a running cohort's emails)."""
    for kind in set(rows) - MEMBER_KINDS - {Kind.INVITATION, Kind.PEER_REVIEW, Kind.FACILITATOR_DIGEST}:
        rows.pop(kind).delete()
    return {kind: rows[kind] for kind in MEMBER_KINDS}


def to(messages, email):
    return [message for message in messages if message["To"] == email]


def subject(message):
    return str(make_header(decode_header(message["Subject"]))).strip()


def body(message):
    part = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.django_db
def test_a_member_with_six_kinds_due_in_one_slot_gets_one_email_listing_each_once(course_page, smtp, frozen):
    rows = make_every_email(course_page, "en")
    mine = author_rows(rows)

    send_batch(sorted(row.pk for row in rows.values()), now=NOW)

    received = to(smtp.received, "author@example.test")
    assert len(received) == 1
    text = body(received[0])
    assert subject(received[0]) == "Feedback on “Leadership team” (and 5 more)"
    for listed in ["New lesson: Leadership team", "Due tomorrow:", "Your post this week", "In three days:"]:
        assert text.count(listed) == 1, (listed, text)
    states = Delivery.objects.filter(pk__in=[row.pk for row in mine.values()]).values_list(
        "state", "to_email", "attempts"
    )
    assert set(states) == {(DeliveryState.SENT, "author@example.test", 1)}
    # The others' emails are theirs: one each.
    assert len(smtp.received) == 4
    assert len(to(smtp.received, "reader@example.test")) == 1


@pytest.mark.django_db
def test_rows_of_one_person_in_other_batches_ride_with_the_first_and_are_not_sent_again(course_page, smtp, frozen):
    mine = author_rows(make_every_email(course_page, "en"))
    first, *others = sorted(row.pk for row in mine.values())

    assert send_batch([first], now=NOW) == {"sent": 1}
    assert send_batch(others, now=NOW) == {}  # nothing pending left to send
    assert send_batch([first, *others], now=NOW) == {}

    assert len(smtp.received) == 1
    assert set(Delivery.objects.filter(pk__in=[first, *others]).values_list("state", flat=True)) == {DeliveryState.SENT}


@pytest.mark.django_db
def test_a_row_another_worker_already_claimed_is_left_to_it(course_page, smtp, frozen):
    mine = author_rows(make_every_email(course_page, "en"))
    elsewhere = mine[Kind.EVENT_KIT]
    Delivery.objects.filter(pk=elsewhere.pk).update(state=DeliveryState.SENDING)

    send_batch([mine[Kind.WEEKLY_NUDGE].pk], now=NOW)

    assert len(smtp.received) == 1
    assert "In three days:" not in body(smtp.received[0])
    assert Delivery.objects.get(pk=elsewhere.pk).state == DeliveryState.SENDING  # untouched


@pytest.mark.django_db
def test_the_same_event_twice_is_listed_once_and_two_lessons_in_one_email(course_page, smtp, frozen):
    rows = make_every_email(course_page, "en")
    for kind in MEMBER_KINDS - {Kind.FEEDBACK_READY, Kind.LESSON_RELEASED} | {Kind.ALUMNI_NUDGE, Kind.SELF_CHECK}:
        rows.pop(kind).delete()
    author = rows[Kind.FEEDBACK_READY].membership
    piece = Submission.objects.get(pk=rows[Kind.FEEDBACK_READY].subject_id)
    second_lesson = make_lesson(course_page, "Listening first")
    feedback = Feedback.objects.create(submission=piece, body="Same piece, once more.", verdict="ready", version=1)
    extra = [
        Delivery.objects.create(
            membership=author,
            kind=Kind.FEEDBACK_READY,
            period_key=f"feedback:{feedback.pk}",
            subject_id=piece.pk,
            due_at=NOW,
        ),
        Delivery.objects.create(
            membership=author,
            kind=Kind.LESSON_RELEASED,
            period_key=f"lesson:{second_lesson.pk}",
            subject_id=second_lesson.pk,
            due_at=NOW,
        ),
    ]
    ids = [rows[Kind.FEEDBACK_READY].pk, rows[Kind.LESSON_RELEASED].pk, *(row.pk for row in extra)]

    send_batch(ids, now=NOW)

    received = to(smtp.received, "author@example.test")
    assert len(received) == 1
    text = body(received[0])
    assert text.count("Feedback on “Leadership team”") == 0  # the lead is the subject, not listed again
    assert subject(received[0]) == "Feedback on “Leadership team” (and 2 more)"
    assert text.count("New lesson: Leadership team") == 1
    assert text.count("New lesson: Listening first") == 1
    assert set(Delivery.objects.filter(pk__in=ids).values_list("state", flat=True)) == {DeliveryState.SENT}


@pytest.mark.django_db
def test_a_companion_with_nothing_to_say_is_skipped_and_the_rest_still_goes(course_page, smtp, frozen):
    mine = author_rows(make_every_email(course_page, "en"))
    gone = mine[Kind.LESSON_RELEASED]
    Delivery.objects.filter(pk=gone.pk).update(subject_id=10**9)  # its lesson was deleted

    send_batch([mine[Kind.WEEKLY_NUDGE].pk], now=NOW)

    assert len(smtp.received) == 1
    gone.refresh_from_db()
    assert gone.state == DeliveryState.SKIPPED
    assert gone.reason == "The lesson no longer exists."
    others = Delivery.objects.filter(pk__in=[row.pk for row in mine.values()]).exclude(pk=gone.pk)
    assert set(others.values_list("state", flat=True)) == {DeliveryState.SENT}


@pytest.mark.django_db
def test_a_companion_switched_off_is_not_claimed_and_not_listed(course_page, smtp, frozen):
    mine = author_rows(make_every_email(course_page, "en"))
    mine[Kind.EVENT_KIT].membership.opt_outs.create(kind=Kind.EVENT_KIT)

    send_batch([mine[Kind.WEEKLY_NUDGE].pk], now=NOW)

    assert len(smtp.received) == 1
    assert "In three days:" not in body(smtp.received[0])
    assert Delivery.objects.get(pk=mine[Kind.EVENT_KIT].pk).state == DeliveryState.PENDING


@pytest.mark.django_db
def test_a_temporary_smtp_error_retries_the_whole_message_and_it_arrives_once(course_page, smtp_sink_factory, frozen):
    sink = smtp_sink_factory(temp_fail_rate=1.0)  # every Message-ID fails once, then passes
    mine = author_rows(make_every_email(course_page, "en"))
    ids = sorted(row.pk for row in mine.values())

    first = send_batch(ids, now=NOW)
    assert first["retry"] == 1, first
    assert set(Delivery.objects.filter(pk__in=ids).values_list("state", flat=True)) == {DeliveryState.PENDING}
    later = NOW + datetime.timedelta(minutes=20)
    second = send_batch(ids, now=later)
    assert second["sent"] == 1, second

    assert len(sink.received) == 1
    assert set(Delivery.objects.filter(pk__in=ids).values_list("state", flat=True)) == {DeliveryState.SENT}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real broker: set REDIS_URL")
def test_through_the_real_worker_a_member_with_five_kinds_due_gets_one_email(course_page, smtp):
    # Built around the real now: the worker runs unfrozen. Due a minute ago, in the member's daytime.
    with time_machine.travel(NOW, tick=False):
        mine = author_rows(make_every_email(course_page, "en"))
    now = datetime.datetime.now(datetime.UTC)
    ids = [row.pk for row in mine.values()]
    Delivery.objects.filter(pk__in=ids).update(due_at=now - datetime.timedelta(minutes=1))
    author = mine[Kind.WEEKLY_NUDGE].membership
    # Daytime on the member's chosen weekday, wherever and whenever the test runs: the weekday in
    # their zone (at 01:00 UTC on a Monday, daytime is Sunday afternoon at UTC-12, and a Sunday
    # they did not choose would hold the rows back until Monday).
    author.time_zone = daytime_zone(now)
    author.nudge_weekday = now.astimezone(zoneinfo.ZoneInfo(author.time_zone)).weekday()
    author.save(update_fields=["time_zone", "nudge_weekday"])
    app.control.purge()
    try:
        with start_worker(app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=30):
            with transaction.atomic():  # the tick's dispatch step: due rows to the worker, on commit
                dispatch.enqueue(dispatch.dispatch(now))
            deadline = time.monotonic() + 60
            while (
                time.monotonic() < deadline
                and Delivery.objects.filter(pk__in=ids, state=DeliveryState.PENDING).exists()
            ):
                time.sleep(0.3)
                close_old_connections()
            time.sleep(1)  # nothing more may arrive
    finally:
        app.control.purge()
        connection.close()
    assert len(to(smtp.received, "author@example.test")) == 1
    assert set(Delivery.objects.filter(pk__in=ids).values_list("state", flat=True)) == {DeliveryState.SENT}


@pytest.mark.django_db
def test_an_answer_lost_after_data_flags_every_row_of_the_message_and_resends_none(
    course_page, smtp_sink_factory, frozen
):
    sink = smtp_sink_factory(drop_every=1)  # the message arrives, the answer is lost
    mine = author_rows(make_every_email(course_page, "en"))
    ids = sorted(row.pk for row in mine.values())

    assert send_batch(ids, now=NOW) == {"unknown": 1, "taken": 5}  # the five went with the first
    assert send_batch(ids, now=NOW + datetime.timedelta(minutes=20)) == {}

    rows = Delivery.objects.filter(pk__in=ids)
    assert set(rows.values_list("state", "flagged")) == {(DeliveryState.UNKNOWN, True)}
    assert sorted(sink.count_by_message_id().values()) == [1]


@pytest.mark.django_db
def test_a_companion_of_a_member_who_paused_since_planning_is_not_claimed(course_page, smtp, frozen):
    mine = author_rows(make_every_email(course_page, "en"))
    author = mine[Kind.WEEKLY_NUDGE].membership
    author.paused_until = datetime.date(2026, 12, 31)
    author.save(update_fields=["paused_until"])

    assert send_batch([mine[Kind.WEEKLY_NUDGE].pk], now=NOW) == {"skipped": 1}

    assert smtp.received == []
    others = Delivery.objects.filter(pk__in=[row.pk for row in mine.values()]).exclude(kind=Kind.WEEKLY_NUDGE)
    assert set(others.values_list("state", flat=True)) == {DeliveryState.PENDING}  # each skipped on its own turn
