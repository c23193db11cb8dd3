"""A piece's standing follows the facilitator's newest feedback (kept on the piece when feedback is
given, handed back when it is deleted), and "new responses" counts what others wrote since the
member last looked."""

import datetime
import zoneinfo

import pytest
import time_machine

from lessons import pieces, writing
from lessons.models import Feedback, ReadMarker, Response, Submission, renew_latest_feedback
from lessons.pieces import Standing
from tests.factories import FeedbackFactory, MembershipFactory, SubmissionFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=BERLIN)


@pytest.fixture
def piece():
    return SubmissionFactory(state="shared", body="What I learned.", version=2)


def standing(piece):
    return pieces.standing_of(pieces.own_pieces([piece.membership]).get(pk=piece.pk))


def test_the_newest_feedback_decides_the_standing(piece):
    coach = UserFactory()
    writing.give_feedback(piece, coach, "Shorten it.", Feedback.Verdict.REVISE)
    assert standing(piece) == Standing.REVISE
    writing.give_feedback(piece, coach, "Good to go.", Feedback.Verdict.READY)
    assert standing(piece) == Standing.READY
    writing.give_feedback(piece, coach, "One more pass, please.", Feedback.Verdict.REVISE)
    assert standing(piece) == Standing.REVISE
    assert Submission.objects.get(pk=piece.pk).latest_feedback.body == "One more pass, please."


def test_a_piece_without_feedback_stands_where_its_state_puts_it(piece):
    assert standing(piece) == Standing.SHARED
    draft = SubmissionFactory(membership=piece.membership)
    assert pieces.standing_of(pieces.own_pieces([draft.membership]).get(pk=draft.pk)) == Standing.DRAFT


def test_deleting_the_newest_feedback_hands_the_standing_back_to_the_one_before(piece):
    with time_machine.travel(NOW, tick=False):
        FeedbackFactory(submission=piece, verdict=Feedback.Verdict.REVISE, body="Shorten it.")
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        newest = FeedbackFactory(submission=piece, verdict=Feedback.Verdict.READY)
    assert standing(piece) == Standing.READY

    newest.delete()
    assert standing(piece) == Standing.REVISE
    Feedback.objects.filter(submission=piece).delete()
    assert standing(piece) == Standing.SHARED


def test_feedback_written_in_bulk_is_found_once_the_pieces_are_renewed(piece):
    other = SubmissionFactory(membership=piece.membership, state="shared")
    Feedback.objects.bulk_create(
        [
            Feedback(submission=piece, body="Older", verdict=Feedback.Verdict.READY, version=1, created_at=NOW),
            Feedback(
                submission=piece,
                body="Newer",
                verdict=Feedback.Verdict.REVISE,
                version=2,
                created_at=NOW + datetime.timedelta(days=1),
            ),
        ]
    )
    Feedback.objects.filter(body="Older").update(created_at=NOW)
    Feedback.objects.filter(body="Newer").update(created_at=NOW + datetime.timedelta(days=1))
    renew_latest_feedback([piece.pk, other.pk])
    assert standing(piece) == Standing.REVISE
    assert standing(other) == Standing.SHARED


def test_deleting_a_piece_with_feedback_deletes_it_cleanly(piece):
    FeedbackFactory(submission=piece)
    piece.delete()
    assert not Feedback.objects.exists()


def test_new_responses_count_others_words_since_the_member_last_looked(piece):
    me = piece.membership
    peer = MembershipFactory(cohort=me.cohort)
    former = MembershipFactory(cohort=me.cohort)
    with time_machine.travel(NOW, tick=False):
        Response.objects.create(submission=piece, author=peer, body="Seen before I looked")
        Response.objects.create(submission=piece, author=me, body="My own answer")
    ReadMarker.objects.create(membership=me, submission=piece, read_at=NOW + datetime.timedelta(minutes=5))
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        Response.objects.create(submission=piece, author=peer, body="New")
        Response.objects.create(submission=piece, author=former, body="From someone who left")
    former.delete()  # the response stays, from "a former member"
    unread = SubmissionFactory(membership=me, state="shared")
    Response.objects.create(submission=unread, author=peer, body="Never looked at")
    quiet = SubmissionFactory(membership=me, state="shared")

    counts = {p.pk: p.new_responses for p in pieces.member_pieces(me, [])}
    assert counts == {piece.pk: 2, unread.pk: 1, quiet.pk: 0}

    # Someone else's marker says nothing about what I have seen.
    ReadMarker.objects.create(membership=peer, submission=unread, read_at=NOW + datetime.timedelta(days=9))
    assert {p.pk: p.new_responses for p in pieces.member_pieces(me, [])}[unread.pk] == 1

    pieces.mark_read(me, piece)
    assert {p.pk: p.new_responses for p in pieces.member_pieces(me, [])}[piece.pk] == 0
