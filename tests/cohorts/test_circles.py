"""Splitting a cohort into circles of four or five, and moving people between circles."""

import datetime

import pytest

from cohorts.circles import (
    CircleError,
    circle_letters,
    move_to_circle,
    save_circle,
    split_cohort,
    split_into_circles,
)
from cohorts.models import Circle, Cohort, Membership, Role
from course.models import User


@pytest.mark.parametrize(
    ("n", "sizes"),
    [
        (0, []),
        (1, [1]),
        (2, [2]),
        (3, [3]),
        (4, [4]),
        (5, [5]),
        (6, [6]),
        (7, [4, 3]),
        (8, [4, 4]),
        (9, [5, 4]),
        (10, [5, 5]),
        (11, [6, 5]),
        (12, [4, 4, 4]),
        (13, [5, 4, 4]),
        (14, [5, 5, 4]),
        (15, [5, 5, 5]),
        (16, [4, 4, 4, 4]),
        (21, [5, 4, 4, 4, 4]),
    ],
)
def test_it_splits_n_members_into_these_circle_sizes(n, sizes):
    assert split_into_circles(n) == sizes


def test_every_split_from_eight_up_uses_only_fours_and_fives_except_eleven():
    for n in range(8, 2001):
        sizes = split_into_circles(n)
        assert sum(sizes) == n
        assert sizes == sorted(sizes, reverse=True)
        if n != 11:
            assert set(sizes) <= {4, 5}, n


def test_a_negative_number_of_members_is_an_error():
    with pytest.raises(ValueError):
        split_into_circles(-1)


def test_circle_letters_continue_after_z_like_spreadsheet_columns():
    assert [circle_letters(i) for i in (0, 1, 25, 26, 27, 51, 52)] == ["A", "B", "Z", "AA", "AB", "AZ", "BA"]


@pytest.fixture
def cohort(course_page):
    return Cohort.objects.create(
        course=course_page,
        name="Leadership",
        start_date=datetime.date(2026, 1, 5),
        end_date=datetime.date(2026, 3, 1),
    )


def add_people(cohort, count, *, role=Role.MEMBER, prefix="m", language="en", time_zone="Europe/Berlin"):
    memberships = []
    for index in range(count):
        user = User.objects.create_user(
            email=f"{prefix}{index}@example.test", password="pw", full_name=f"{prefix.upper()} {index:02d}"
        )
        memberships.append(
            Membership.objects.create(user=user, cohort=cohort, role=role, language=language, time_zone=time_zone)
        )
    return memberships


def test_splitting_nine_members_gives_circles_of_five_and_four_and_places_everyone(cohort):
    add_people(cohort, 9)
    facilitator = add_people(cohort, 1, role=Role.FACILITATOR, prefix="f")[0]

    circles = split_cohort(cohort)

    assert [c.name for c in circles] == ["Circle A", "Circle B"]
    sizes = sorted((c.memberships.count() for c in circles), reverse=True)
    assert sizes == [5, 4]
    assert not Membership.objects.filter(cohort=cohort, role=Role.MEMBER, circle__isnull=True).exists()
    facilitator.refresh_from_db()
    assert facilitator.circle is None


def test_splitting_again_replaces_the_existing_circles(cohort):
    add_people(cohort, 8)
    first = split_cohort(cohort)
    save_circle(cohort, "Extra")

    second = split_cohort(cohort)

    assert not Circle.objects.filter(pk__in=[c.pk for c in first]).exists()
    assert list(Circle.objects.filter(cohort=cohort).values_list("name", flat=True)) == [
        "Circle A",
        "Circle B",
    ]
    assert {c.memberships.count() for c in second} == {4}


def test_splitting_keeps_people_of_one_language_together(cohort):
    add_people(cohort, 4, prefix="de", language="de")
    add_people(cohort, 4, prefix="en", language="en")

    split_cohort(cohort)

    for circle in Circle.objects.filter(cohort=cohort):
        assert len(set(circle.memberships.values_list("language", flat=True))) == 1


def test_splitting_a_cohort_without_members_creates_no_circles(cohort):
    assert split_cohort(cohort) == []
    assert not Circle.objects.filter(cohort=cohort).exists()


def test_splitting_one_cohort_leaves_other_cohorts_circles_alone(cohort, course_page):
    other = Cohort.objects.create(
        course=course_page,
        name="Other",
        start_date=datetime.date(2026, 1, 5),
        end_date=datetime.date(2026, 3, 1),
    )
    other_circle = save_circle(other, "Circle A")
    add_people(cohort, 5)

    split_cohort(cohort)

    assert Circle.objects.filter(pk=other_circle.pk).exists()


def test_moving_a_member_to_a_circle_of_another_cohort_is_refused(cohort, course_page):
    other = Cohort.objects.create(
        course=course_page,
        name="Other",
        start_date=datetime.date(2026, 1, 5),
        end_date=datetime.date(2026, 3, 1),
    )
    foreign = save_circle(other, "Circle A")
    member = add_people(cohort, 1)[0]

    with pytest.raises(CircleError):
        move_to_circle(member, foreign)

    member.refresh_from_db()
    assert member.circle is None


def test_a_member_moves_to_a_circle_of_their_cohort_and_out_again(cohort):
    member = add_people(cohort, 1)[0]
    circle = save_circle(cohort, "Circle A")

    move_to_circle(member, circle)
    member.refresh_from_db()
    assert member.circle == circle

    move_to_circle(member, None)
    member.refresh_from_db()
    assert member.circle is None


def test_a_circle_name_is_unique_within_its_cohort_regardless_of_case(cohort):
    save_circle(cohort, "Circle A")
    second = save_circle(cohort, "Circle B")

    with pytest.raises(CircleError):
        save_circle(cohort, "circle a")
    with pytest.raises(CircleError):
        save_circle(cohort, "Circle A", second)
    renamed = save_circle(cohort, "  Early birds ", second)
    assert renamed.name == "Early birds"
