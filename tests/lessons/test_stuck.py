"""Who is stuck: each reason for exactly the member it applies to (and not for the one a day
short of it), the fair reassignment of a reader, and a query count that does not grow."""

import datetime
import zoneinfo
from contextlib import contextmanager

import pytest
import time_machine

from lessons import writing
from lessons.models import PeerReview, Submission, SubmissionState
from lessons.stuck import stuck_in
from mail.bounces import bouncing_memberships
from mail.digest import cohort_digest
from mail.models import DeliveryState, Kind
from tests.factories import (
    CircleFactory,
    DeliveryFactory,
    FeedbackFactory,
    MembershipFactory,
    SubmissionFactory,
    UserFactory,
    make_cohort,
    make_members,
)

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NOW = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=BERLIN)
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


@contextmanager
def at(moment):
    with time_machine.travel(moment, tick=False):
        yield


def draft(member, started, text="Text"):
    with at(started):
        piece = SubmissionFactory(membership=member)
        writing.save_draft(piece.pk, title=f"Piece of {member.user.full_name}", body=text, base_version=0)
    piece.refresh_from_db()
    return piece


def shared(member, when):
    piece = draft(member, when - HOUR)
    with at(when):
        writing.share(piece)
    piece.refresh_from_db()
    return piece


def respond(piece, reader, when):
    with at(when):
        writing.respond(piece, reader, "I read it.")


def feedback(piece, verdict, when):
    with at(when):
        FeedbackFactory(submission=piece, verdict=verdict)


@pytest.fixture
def cohort(course_page):
    with at(NOW - 40 * DAY):
        return make_cohort(course_page, "Stuck team", start_date=datetime.date(2026, 11, 2))


@pytest.fixture
def people(cohort):
    """One member per reason, one a day (or an hour) short of each, and a hub everyone answers."""
    circle = CircleFactory(cohort=cohort, name="Blue")
    names = [
        "hub", "draft7", "draft6", "readers3", "readers2", "feedback3", "feedback2", "revise7", "revise6",
        "nourl", "listener", "listener13", "quiet", "bouncer",
    ]  # fmt: skip
    with at(NOW - 30 * DAY):
        members = {
            name: MembershipFactory(
                cohort=cohort, circle=circle, user=UserFactory(full_name=name, email=f"{name}@example.test")
            )
            for name in names
        }
    m = members
    hub_piece = shared(m["hub"], NOW - DAY)
    for name in names:
        if name not in ("hub", "listener", "listener13", "quiet"):
            respond(hub_piece, m[name], NOW - DAY)

    draft(m["draft7"], NOW - 7 * DAY)
    draft(m["draft6"], NOW - 7 * DAY + HOUR)

    readers3 = shared(m["readers3"], NOW - 3 * DAY)
    feedback(readers3, "revise", NOW - DAY)  # feedback on the current version: not waiting for it
    readers2 = shared(m["readers2"], NOW - 3 * DAY + HOUR)
    feedback(readers2, "revise", NOW - DAY)

    feedback3 = shared(m["feedback3"], NOW - 3 * DAY)
    respond(feedback3, m["hub"], NOW - 2 * DAY)
    feedback2 = shared(m["feedback2"], NOW - 3 * DAY + HOUR)
    respond(feedback2, m["hub"], NOW - 2 * DAY)

    for name, age in (("revise7", 7 * DAY), ("revise6", 7 * DAY - HOUR)):
        piece = shared(m[name], NOW - 10 * DAY)
        respond(piece, m["hub"], NOW - 9 * DAY)
        feedback(piece, "revise", NOW - age)

    published = shared(m["nourl"], NOW - 10 * DAY)
    respond(published, m["hub"], NOW - 9 * DAY)
    feedback(published, "ready", NOW - 8 * DAY)
    Submission.objects.filter(pk=published.pk).update(state=SubmissionState.PUBLISHED, published_at=NOW - 5 * DAY)

    respond(hub_piece, m["listener"], NOW - 14 * DAY)
    draft(m["listener"], NOW - DAY)  # active, but has not answered anyone for 14 days
    respond(hub_piece, m["listener13"], NOW - 14 * DAY + HOUR)
    return members


def found(rows):
    return {(row.membership.user.full_name, row.reason, row.age_days) for row in rows}


def test_each_reason_lists_exactly_its_member_with_the_age_and_not_the_one_just_short_of_it(cohort, people):
    with at(NOW):
        rows = stuck_in(cohort, NOW, bouncing={people["bouncer"].pk})

    assert found(rows) == {
        ("draft7", "draft", 7),
        ("readers3", "readers", 3),
        ("feedback3", "feedback", 3),
        ("revise7", "revise", 7),
        ("nourl", "no_url", 5),
        ("listener", "listening", 14),
        ("quiet", "quiet", 30),
        ("bouncer", "bouncing", 0),
    }
    # Grouped by reason, in the page's order.
    assert [row.reason for row in rows] == [
        "draft", "readers", "feedback", "revise", "no_url", "listening", "quiet", "bouncing",
    ]  # fmt: skip


def test_a_circle_filter_lists_only_that_circles_members(cohort, people):
    other = CircleFactory(cohort=cohort, name="Green")
    with at(NOW - 30 * DAY):
        MembershipFactory(cohort=cohort, circle=other, user=UserFactory(full_name="elsewhere"))
    with at(NOW):
        assert {row.membership.user.full_name for row in stuck_in(cohort, NOW, circle=other)} == {"elsewhere"}
        assert "elsewhere" in {row.membership.user.full_name for row in stuck_in(cohort, NOW)}


def test_a_member_whose_latest_email_failed_permanently_is_bouncing_until_one_is_delivered(cohort):
    anna, ben = MembershipFactory(cohort=cohort), MembershipFactory(cohort=cohort)
    DeliveryFactory(membership=anna, state=DeliveryState.SENT, sent_at=NOW - 3 * DAY)
    DeliveryFactory(membership=anna, state=DeliveryState.FAILED, claimed_at=NOW - DAY, kind=Kind.LESSON_RELEASED)
    DeliveryFactory(membership=ben, state=DeliveryState.FAILED, claimed_at=NOW - 3 * DAY)
    DeliveryFactory(membership=ben, state=DeliveryState.SENT, sent_at=NOW - DAY, kind=Kind.LESSON_RELEASED)

    assert bouncing_memberships([anna.pk, ben.pk]) == {anna.pk}


# --- reassigning a reader -------------------------------------------------------------------------


@pytest.fixture
def circle_of_five(cohort):
    circle = CircleFactory(cohort=cohort, name="Five")
    with at(NOW - 30 * DAY):
        return [
            MembershipFactory(cohort=cohort, circle=circle, user=UserFactory(full_name=f"Reader {n}")) for n in range(5)
        ]


def test_reassigning_a_reader_keeps_two_readers_per_piece_and_nobody_above_three(cohort, circle_of_five):
    members = circle_of_five
    pieces = []
    for member in members:
        piece = SubmissionFactory(membership=member, assignment_id="week-1")
        writing.save_draft(piece.pk, title="T", body="Text", base_version=0)
        piece.refresh_from_db()
        pieces.append(writing.share(piece))

    for piece in pieces:
        for _round in range(3):
            try:
                old, new = writing.reassign_peer_reader(piece)
            except writing.WritingError:
                break
            assert old != new and new.pk != piece.membership_id

    for piece in pieces:
        readers = list(PeerReview.objects.filter(submission=piece).values_list("reviewer_id", flat=True))
        assert len(readers) >= 2 and piece.membership_id not in readers
    loads = [PeerReview.objects.filter(reviewer=m).count() for m in members]
    assert max(loads) <= 3


def test_reassigning_takes_the_reader_who_waited_longest_and_never_one_who_responded(cohort, circle_of_five):
    author, *_others = circle_of_five
    piece = shared(author, NOW - 4 * DAY)
    first, second = PeerReview.objects.filter(submission=piece).order_by("pk")
    respond(piece, first.reviewer, NOW - 3 * DAY)

    old, new = writing.reassign_peer_reader(piece)

    assert old == second.reviewer
    readers = set(PeerReview.objects.filter(submission=piece).values_list("reviewer_id", flat=True))
    assert readers == {first.reviewer_id, new.pk}
    respond(piece, new, NOW)
    with pytest.raises(writing.WritingError):
        writing.reassign_peer_reader(piece)


# --- speed ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [10, 200])
def test_the_stuck_list_takes_the_same_queries_for_10_and_200_members(course_page, size, django_assert_num_queries):
    with at(NOW - 30 * DAY):
        cohort = make_cohort(course_page, f"Size {size}", start_date=datetime.date(2026, 11, 2))
        members = make_members(cohort, size)
    for member in members[::3]:
        draft(member, NOW - 8 * DAY)
    with at(NOW), django_assert_num_queries(8):
        rows = stuck_in(cohort, NOW)
    assert len({row.membership.pk for row in rows}) == size


def test_the_facilitators_digest_opens_with_the_same_stuck_rows(cohort, people):
    with at(NOW):
        digest = cohort_digest(cohort, NOW)
        rows = stuck_in(cohort, NOW)
    assert [(r.membership.pk, r.reason) for r in digest["stuck"]] == [(r.membership.pk, r.reason) for r in rows]
    assert digest["stuck_url"].endswith(f"/admin/cohorts/{cohort.pk}/stuck/")
