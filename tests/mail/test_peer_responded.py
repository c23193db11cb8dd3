"""Listening: a writer is told when peers respond to their piece, one email per piece and hour
(planned as a Delivery row by the tick, coalesced with whatever else is due then)."""

import datetime

import pytest
import time_machine

from lessons.models import Response
from mail.activity_planners import plan_peer_responded
from mail.models import Delivery, Kind, NudgeOptOut
from mail.sending import send_batch
from tests.factories import make_every_email

NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def world(course_page):
    with time_machine.travel(NOW, tick=False):
        rows = make_every_email(course_page, "en")
    Delivery.objects.all().delete()
    Response.objects.all().delete()
    piece_id = rows[Kind.FEEDBACK_READY].subject_id
    return rows[Kind.FEEDBACK_READY].membership, rows[Kind.PEER_REVIEW].membership, piece_id


def respond(piece_id, author, at):
    with time_machine.travel(at, tick=False):
        return Response.objects.create(submission_id=piece_id, author=author, body="I noticed this.")


@pytest.mark.django_db
def test_responses_within_one_hour_make_one_row_due_at_the_end_of_that_hour(world):
    writer, reader, piece_id = world
    respond(piece_id, reader, NOW + datetime.timedelta(minutes=5))
    respond(piece_id, reader, NOW + datetime.timedelta(minutes=40))
    respond(piece_id, reader, NOW + datetime.timedelta(minutes=70))

    plan_peer_responded(NOW + datetime.timedelta(minutes=75))
    plan_peer_responded(NOW + datetime.timedelta(minutes=80))  # a second tick adds nothing

    rows = Delivery.objects.filter(kind=Kind.PEER_RESPONDED).order_by("due_at")
    assert [(row.membership_id, row.subject_id) for row in rows] == [(writer.pk, piece_id)] * 2
    assert [row.due_at for row in rows] == [NOW + datetime.timedelta(hours=1), NOW + datetime.timedelta(hours=2)]


@pytest.mark.django_db
def test_no_email_for_ones_own_reply_or_when_switched_off(world):
    writer, reader, piece_id = world
    respond(piece_id, writer, NOW)
    plan_peer_responded(NOW + datetime.timedelta(minutes=1))
    assert not Delivery.objects.filter(kind=Kind.PEER_RESPONDED).exists()

    NudgeOptOut.objects.create(membership=writer, kind=Kind.PEER_RESPONDED)
    respond(piece_id, reader, NOW)
    plan_peer_responded(NOW + datetime.timedelta(minutes=1))
    assert not Delivery.objects.filter(kind=Kind.PEER_RESPONDED).exists()


@pytest.mark.django_db
def test_the_writer_gets_one_email_naming_who_responded_with_a_button_to_the_responses(world, smtp):
    writer, reader, piece_id = world
    respond(piece_id, reader, NOW + datetime.timedelta(minutes=5))
    plan_peer_responded(NOW + datetime.timedelta(minutes=10))
    (row,) = Delivery.objects.filter(kind=Kind.PEER_RESPONDED)
    later = NOW + datetime.timedelta(hours=1, minutes=1)
    with time_machine.travel(later, tick=False):
        assert send_batch([row.pk], now=later) == {"sent": 1}
    (message,) = smtp.received
    assert message["To"] == writer.user.email
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert f"{reader.user.get_short_name()} responded to" in text
    assert f"/circle/piece/{piece_id}/#responses-heading" in text
