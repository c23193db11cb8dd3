"""After a pause: the member's home says what happened meanwhile, instead of the held emails."""

import datetime
import zoneinfo

import pytest
import time_machine

from cohorts.models import CohortEvent, Membership
from lessons import writing
from lessons.models import PeerReview
from mail.preferences import record_pause
from tests.factories import (
    CircleFactory,
    FeedbackFactory,
    MembershipFactory,
    SubmissionFactory,
    UserFactory,
    make_cohort,
    make_lesson,
)

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# The pause: Saturday 14 to Sunday 22 November 2026. Lesson 3 opens on Monday 16 November.
PAUSE_STARTS, PAUSE_ENDS = datetime.date(2026, 11, 14), datetime.date(2026, 11, 22)


def at(day, hour=12):
    return datetime.datetime(2026, 11, day, hour, 0, tzinfo=BERLIN)


@pytest.fixture
def member(course_page):
    for number in range(4):
        make_lesson(course_page, f"Lesson {number + 1}", offset=number)
    cohort = make_cohort(course_page, start_date=datetime.date(2026, 11, 2), end_date=datetime.date(2027, 1, 31))
    circle = CircleFactory(cohort=cohort)
    member = MembershipFactory(circle=circle, user=UserFactory(email="pia@example.test"), time_zone="Europe/Berlin")
    author = MembershipFactory(circle=circle)
    with time_machine.travel(at(14), tick=False):
        record_pause(member, PAUSE_ENDS, PAUSE_STARTS)
        Membership.objects.filter(pk=member.pk).update(paused_until=PAUSE_ENDS)
    with time_machine.travel(at(17), tick=False):
        FeedbackFactory(submission=SubmissionFactory(membership=member))
        piece = SubmissionFactory(membership=author)
        writing.save_draft(piece.pk, title="", body="What I stand for.", base_version=0)
        piece.refresh_from_db()
        writing.share(piece)
        assert PeerReview.objects.filter(submission=piece, reviewer=member).exists()
    CohortEvent.objects.create(cohort=cohort, name="Town hall", date=datetime.date(2026, 11, 18), hashtag="TownHall")
    return member


def home(client, member, moment):
    client.force_login(member.user)
    with time_machine.travel(moment, tick=False):
        return client.get("/")


@pytest.mark.django_db
def test_after_a_pause_the_home_says_what_happened_while_the_member_was_away(client, member):
    response = home(client, member, at(23, 9))
    note = response.context["while_away"]
    assert [slot.number for slot in note.lessons] == [3]  # lesson 4 opens on the 23rd, after the pause
    assert (note.feedback, note.waiting, [e.name for e in note.events]) == (1, 1, ["Town hall"])
    content = response.content.decode()
    assert "While you were away (14 November – 22 November)" in content
    assert "Lesson 3 opened:" in content
    assert "1 piece of feedback came for you" in content
    assert "1 piece is waiting for your response" in content
    assert "Town hall took place on" in content


@pytest.mark.django_db
def test_there_is_no_note_during_the_pause_nor_a_week_after_it(client, member):
    assert home(client, member, at(20)).context["while_away"] is None
    assert home(client, member, at(30)).context["while_away"] is None
    assert "While you were away" not in home(client, member, at(30)).content.decode()
