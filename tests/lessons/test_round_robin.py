"""Peer review is round-robin inside a circle: every shared piece gets two readers, fairly spread."""

import datetime
import itertools
from collections import Counter

import pytest
from django.utils import timezone

from cohorts.models import Circle, Cohort, Membership
from course.models import User
from lessons import writing
from lessons.models import PeerReview, Submission

START = timezone.make_aware(datetime.datetime(2025, 3, 3, 9, 0))


@pytest.fixture
def cohort(course_page):
    return Cohort.objects.create(
        course=course_page,
        name="Leadership 2025",
        start_date=datetime.date(2025, 3, 1),
        end_date=datetime.date(2025, 6, 30),
        time_zone="Europe/Berlin",
    )


def circle_of(cohort, size, name="A"):
    circle = Circle.objects.create(cohort=cohort, name=name)
    return [
        Membership.objects.create(
            user=User.objects.create_user(
                email=f"{name.lower()}{index}@example.com", password="pw", full_name=f"Member {name}{index}"
            ),
            cohort=cohort,
            role="member",
            circle=circle,
        )
        for index in range(size)
    ]


def share_piece(membership, assignment, *, visibility=None, minutes=0):
    submission = Submission.objects.create(
        membership=membership, assignment_id=assignment, assignment_title=f"Assignment {assignment}"
    )
    writing.save_draft(submission.pk, title="", body=f"{membership.pk} on {assignment}", base_version=0)
    submission.refresh_from_db()
    return writing.share(submission, visibility=visibility, now=START + datetime.timedelta(minutes=minutes))


def reviewers_of(submission):
    return set(PeerReview.objects.filter(submission=submission).values_list("reviewer_id", flat=True))


def round_of(members, assignment, order=None, week=0):
    """Everyone shares a piece for `assignment` in `week`; returns {author pk: set of reviewer pks}."""
    result = {}
    for minutes, author in enumerate(order or members):
        piece = share_piece(author, assignment, minutes=week * 7 * 24 * 60 + minutes)
        result[author.pk] = reviewers_of(piece)
    return result


def answer_everything(members):
    for review in PeerReview.objects.filter(responded_at__isnull=True).select_related("submission"):
        writing.respond(review.submission, review.reviewer, "Read it.")


def check_round(members, assigned):
    loads = Counter(itertools.chain.from_iterable(assigned.values()))
    for author, reviewers in assigned.items():
        assert len(reviewers) == 2, f"piece of {author} has {len(reviewers)} reviewers"
        assert author not in reviewers
        assert reviewers <= {m.pk for m in members}
    assert max(loads.values()) <= 3
    return loads


def test_in_a_circle_of_five_each_piece_gets_exactly_two_reviewers_never_the_author(cohort):
    members = circle_of(cohort, 5)

    assigned = round_of(members, "lesson-1")

    loads = check_round(members, assigned)
    assert sum(loads.values()) == 10
    assert all(loads[m.pk] <= 3 for m in members)


ORDERS = {
    "same": (0, 1, 2, 3, 4),
    "reversed": (4, 3, 2, 1, 0),
    "shuffled": (2, 0, 4, 1, 3),
    "shuffled-again": (3, 1, 4, 0, 2),
}


@pytest.mark.parametrize("answered_between", [False, True], ids=["unanswered", "answered"])
@pytest.mark.parametrize(
    "second_order",
    [
        "same",
        "reversed",
        "shuffled",
        "shuffled-again",
    ],
)
def test_no_reader_reads_the_same_author_twice_in_a_row_across_two_assignments(cohort, answered_between, second_order):
    members = circle_of(cohort, 5)
    first = round_of(members, "lesson-1")
    if answered_between:
        answer_everything(members)

    second = round_of(members, "lesson-2", order=[members[i] for i in ORDERS[second_order]], week=1)

    check_round(members, first)
    check_round(members, second)
    repeated = {author: first[author] & second[author] for author in first if first[author] & second[author]}
    assert repeated == {}


def test_a_reader_who_already_has_three_pieces_is_not_given_a_fourth(cohort):
    members = circle_of(cohort, 5)

    assigned = round_of(members, "lesson-1", order=[members[0], members[1], members[2], members[3], members[4]])

    loads = check_round(members, assigned)
    assert sorted(loads.values()) == [2, 2, 2, 2, 2]


def test_in_a_circle_of_three_repeats_are_unavoidable_but_every_piece_still_gets_two(cohort):
    members = circle_of(cohort, 3)

    first = round_of(members, "lesson-1")
    second = round_of(members, "lesson-2", week=1)

    for author in first:
        assert first[author] == second[author] == {m.pk for m in members} - {author}


def test_sharing_with_the_cohort_also_asks_two_readers_of_the_circle(cohort):
    members = circle_of(cohort, 5)
    others = circle_of(cohort, 4, name="B")

    piece = share_piece(members[0], "lesson-1", visibility="cohort")

    assert len(reviewers_of(piece)) == 2
    assert reviewers_of(piece) <= {m.pk for m in members[1:]}
    assert not reviewers_of(piece) & {m.pk for m in others}


def test_a_piece_for_the_facilitator_only_asks_no_peer(cohort):
    members = circle_of(cohort, 5)

    piece = share_piece(members[0], "lesson-1", visibility="facilitator")

    assert reviewers_of(piece) == set()


def test_facilitators_in_the_cohort_are_never_asked_as_peers(cohort):
    members = circle_of(cohort, 3)
    facilitator = Membership.objects.create(
        user=User.objects.create_user(email="f@example.com", password="pw", full_name="F"),
        cohort=cohort,
        role="facilitator",
        circle=members[0].circle,
    )

    assigned = round_of(members, "lesson-1")

    assert all(facilitator.pk not in reviewers for reviewers in assigned.values())


def test_sharing_again_does_not_add_more_reviewers(cohort):
    members = circle_of(cohort, 5)
    piece = share_piece(members[0], "lesson-1")

    writing.share(piece)

    assert len(reviewers_of(piece)) == 2
