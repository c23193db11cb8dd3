"""The weekly habit strip, the streak with pauses and grace weeks,
listening, platforms, and the practice page: constant queries, and no reach metrics anywhere."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Circle, Membership
from course.models import User
from lessons.models import Contribution, Pause, PostLog, Relationship, Response, Submission, SubmissionVersion
from progress.habit import Week, apply_streak, habit_for
from tests.factories import make_cohort, make_members

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
WEEK_1 = datetime.date(2027, 4, 5)  # a Monday (ISO 2027-W14); weeks 1–7 all lie in the second quarter
REACH = re.compile(r"\b(followers?|likes|views)\b", re.IGNORECASE)


def monday(week):
    return WEEK_1 + datetime.timedelta(weeks=week - 1)


def at(week, weekday=2, hour=12):
    return datetime.datetime.combine(monday(week) + datetime.timedelta(days=weekday), datetime.time(hour), BERLIN)


@pytest.fixture
def cohort(course_page):
    return make_cohort(course_page, start_date=datetime.date(2027, 3, 1), end_date=datetime.date(2027, 9, 30))


def person(cohort, email, **extra):
    user = User.objects.create_user(email=email, password="pw-long-enough-42", full_name=email.split("@")[0])
    return Membership.objects.create(user=user, cohort=cohort, time_zone="Europe/Berlin", **extra)


@pytest.fixture
def circle(cohort):
    return Circle.objects.create(cohort=cohort, name="Blue")


@pytest.fixture
def anna(cohort, circle):
    return person(cohort, "anna@example.test", circle=circle)


@pytest.fixture
def ben(cohort, circle):
    return person(cohort, "ben@example.test", circle=circle)


class Writer:
    """Records activity at given moments (auto_now_add fields take the frozen time)."""

    def __init__(self, membership, assignment_id="a"):
        self.membership = membership
        self.piece = Submission.objects.create(membership=membership, assignment_id=assignment_id)
        self.number = 0

    def write(self, moment):
        self.number += 1
        with time_machine.travel(moment, tick=False):
            SubmissionVersion.objects.create(submission=self.piece, number=self.number, body="text")

    def publish(self, day, platform="linkedin"):
        PostLog.objects.create(
            membership=self.membership, url="https://example.com/p", platform=platform, posted_on=day
        )

    def respond(self, moment, to_piece):
        with time_machine.travel(moment, tick=False):
            Response.objects.create(submission=to_piece, author=self.membership, body="I heard you.")


def test_a_paused_week_neither_breaks_nor_counts_the_streak(anna):
    writer = Writer(anna)
    for week in (1, 2, 3, 5):
        writer.write(at(week))
    Pause.objects.create(membership=anna, starts_on=monday(4), ends_on=monday(4) + datetime.timedelta(days=6))

    habit = habit_for(anna, at(5, weekday=4))

    assert habit.streak == 4
    paused = habit.weeks[-2]
    assert paused.monday == monday(4) and paused.paused and not paused.grace and not paused.in_streak
    assert habit.grace_left == 2  # the pause used no grace week


def test_without_the_pause_the_same_gap_uses_a_grace_week(anna):
    writer = Writer(anna)
    for week in (1, 2, 3, 5):
        writer.write(at(week))

    habit = habit_for(anna, at(5, weekday=4))

    assert habit.streak == 4
    assert habit.weeks[-2].grace and habit.grace_left == 1


def test_the_current_pause_covers_this_week(anna):
    Writer(anna).write(at(1))
    anna.paused_until = monday(4)
    habit = habit_for(anna, at(2, weekday=1))
    assert habit.weeks[-1].paused and habit.streak == 1


def test_a_gap_beyond_the_grace_weeks_resets_the_streak(anna):
    writer = Writer(anna)
    for week in (1, 2, 3, 7):
        writer.write(at(week))  # weeks 4, 5 and 6 are empty: one more than the two grace weeks

    habit = habit_for(anna, at(7, weekday=4))

    assert habit.streak == 1
    assert not any(week.grace for week in habit.weeks)


def test_grace_weeks_bridge_at_most_two_gaps_per_quarter(anna):
    writer = Writer(anna)
    for week in (1, 3, 5, 7):
        writer.write(at(week))  # three one-week gaps, all in the second quarter

    habit = habit_for(anna, at(7, weekday=4))

    assert habit.streak == 3  # weeks 7, 5 and 3; the gap in week 2 is the third
    assert [week.monday for week in habit.weeks if week.grace] == [monday(4), monday(6)]
    assert habit.grace_left == 0


def test_each_quarter_has_its_own_grace_weeks():
    def week(day, active):
        return Week(monday=day, wrote=int(active))

    # Active, gap, gap (March: Q1), active (29 March), gap, gap (April: Q2), active.
    start = datetime.date(2027, 3, 8)
    pattern = [True, False, False, True, False, False, True]
    weeks = [week(start + datetime.timedelta(weeks=i), active) for i, active in enumerate(pattern)]
    weeks.append(Week(monday=start + datetime.timedelta(weeks=7), current=True))

    streak, _capped = apply_streak(weeks)

    assert streak == 3 and sum(w.grace for w in weeks) == 4


def test_the_current_week_does_not_break_the_streak_while_it_lasts(anna):
    writer = Writer(anna)
    for week in (1, 2, 3):
        writer.write(at(week))
    assert habit_for(anna, at(4, weekday=0, hour=9)).streak == 3


def test_it_counts_listening_and_platforms_in_the_members_week(anna, ben):
    writer, other = Writer(anna), Writer(ben)
    Submission.objects.filter(pk=writer.piece.pk).update(state="shared", shared_at=at(1))
    # Sunday 23:30 in Berlin is still week 1 there (but Monday in Tokyo, the test's TIME_ZONE).
    writer.respond(
        datetime.datetime.combine(monday(1) + datetime.timedelta(days=6), datetime.time(23, 30), BERLIN), other.piece
    )
    writer.respond(at(2), other.piece)
    writer.respond(at(2), other.piece)
    writer.publish(monday(2), "linkedin")
    writer.publish(monday(3), "linkedin")
    writer.publish(monday(3), "mastodon")

    habit = habit_for(anna, at(3, weekday=4))

    assert habit.listening_ratio == 3.0 and habit.pieces_shared == 1
    assert [w.responded for w in habit.weeks[-3:]] == [1, 2, 0]
    assert habit.by_platform == [("LinkedIn", 2), ("Mastodon", 1)]


def add_weeks_of_data(membership, other_piece, weeks):
    writer = Writer(membership, assignment_id=f"a{weeks}")
    person = Relationship.objects.create(membership=membership, name="Dana")
    for week in range(1, weeks + 1):
        moment = at(7, weekday=0) - datetime.timedelta(weeks=week)
        writer.write(moment)
        writer.respond(moment, other_piece)
        writer.publish(moment.date(), ["linkedin", "blog", "bluesky"][week % 3])
        Contribution.objects.create(relationship=person, kind="comment", made_on=moment.date())
    Pause.objects.create(membership=membership, starts_on=monday(-5), ends_on=monday(-4))


def practice_queries(client):
    client.get(reverse("progress:practice"))  # warm caches (site, session)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("progress:practice"))
    assert response.status_code == 200
    return len(queries), response


def test_the_practice_page_renders_with_a_constant_number_of_queries(client, anna, ben, course_page):
    other = Writer(ben)
    with time_machine.travel(at(7, weekday=2), tick=False):
        client.force_login(anna.user)
        add_weeks_of_data(anna, other.piece, 5)
        few, response = practice_queries(client)
        assert "+1" in response.content.decode()
        Membership.objects.filter(pk=anna.pk).update(joined_at=at(-60))
        add_weeks_of_data(anna, other.piece, 50)
        many, response = practice_queries(client)
    assert few == many
    assert few <= 16


def test_the_practice_page_shows_the_strip_streak_listening_and_next_nudge(client, anna, ben):
    writer = Writer(anna)
    for week in (1, 2, 3, 5):
        writer.write(at(week))
    writer.publish(monday(5), "mastodon")
    with time_machine.travel(at(5, weekday=4), tick=False):
        client.force_login(anna.user)
        html = client.get(reverse("progress:practice")).content.decode()
    assert 'role="img"' in html and "aria-label=" in html
    assert html.count("<title>Week ") == 26
    assert "url(#pat-published)" in html and ">P<" in html and ">W<" in html
    assert "grace" in html
    assert "4 weeks" in html
    assert "two or three" in html
    assert "Mastodon: 1 piece" in html
    # Anna's weekly nudge: Monday 09:00 Berlin, the first after "now" (Friday of week 5).
    assert "Monday, 10 May 2027, 09:00" in html


def test_the_practice_page_is_scoped_to_the_members_own_cohorts(client, anna, course_page):
    other_cohort = make_cohort(course_page, name="Others")
    client.force_login(anna.user)
    assert client.get(reverse("progress:practice"), {"cohort": other_cohort.pk}).status_code == 404
    assert client.get(reverse("progress:practice"), {"cohort": "x"}).status_code == 404
    assert client.get(reverse("progress:practice"), {"cohort": anna.cohort_id}).status_code == 200
    client.logout()
    assert client.get(reverse("progress:practice")).status_code == 302


def test_no_page_shows_followers_likes_or_views(client, anna, ben):
    writer = Writer(anna)
    writer.write(at(1))
    Submission.objects.filter(pk=writer.piece.pk).update(state="shared", shared_at=at(1), visibility="circle")
    writer.publish(monday(1))
    pages = [
        reverse("progress:practice"),
        reverse("progress:self_check"),
        reverse("progress:relationships"),
        "/",
        reverse("circle:feed", args=[anna.cohort_id]),
        reverse("mail:preferences"),
        reverse("publishing:piece", args=[writer.piece.pk]),
        reverse("lessons:editor", args=[writer.piece.pk]),
    ]
    with time_machine.travel(at(2), tick=False):
        client.force_login(anna.user)
        for url in pages:
            response = client.get(url, follow=True)
            assert response.status_code == 200, url
            text = response.content.decode()
            assert not REACH.search(text), f"{url}: {REACH.search(text).group(0)}"


def test_the_navbar_links_signed_in_people_to_their_practice(client, anna):
    client.force_login(anna.user)
    assert f'href="{reverse("progress:practice")}"' in client.get(reverse("mail:preferences")).content.decode()


@pytest.mark.django_db
def test_setting_a_pause_on_the_preferences_page_records_it_for_the_streak(course_page):
    import datetime as dt

    from lessons.models import Pause
    from mail.preferences import record_pause

    (member,) = make_members(make_cohort(course_page, name="Pauses"), 1)
    today = dt.date(2026, 11, 23)
    record_pause(member, dt.date(2026, 12, 7), today)
    record_pause(member, dt.date(2026, 12, 14), today + dt.timedelta(days=2))  # moved: same pause
    assert list(Pause.objects.values_list("starts_on", "ends_on")) == [(today, dt.date(2026, 12, 14))]
    record_pause(member, None, today + dt.timedelta(days=5))  # ended early
    assert list(Pause.objects.values_list("ends_on", flat=True)) == [today + dt.timedelta(days=5)]
