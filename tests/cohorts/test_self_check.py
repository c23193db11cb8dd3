"""The yearly self-check: planned exactly once per member per year through the Delivery table,
rendered as an email, and answered on a page that shows earlier answers side by side."""

import datetime
import zoneinfo
from collections import Counter

import pytest
import time_machine
from django.urls import reverse

from cohorts.models import Membership
from course.models import User
from lessons.models import SelfCheck
from mail import activity_planners, dispatch, sending
from mail.models import Delivery, Kind, NudgeOptOut
from tests.factories import make_cohort

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def moment(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, tzinfo=BERLIN)


@pytest.fixture
def cohort(course_page):
    return make_cohort(course_page, start_date=datetime.date(2025, 3, 1), end_date=datetime.date(2025, 6, 30))


def person(cohort, email, joined_at, **extra):
    user = User.objects.create_user(email=email, password="pw-long-enough-42", full_name=email.split("@")[0])
    return Membership.objects.create(user=user, cohort=cohort, joined_at=joined_at, time_zone="Europe/Berlin", **extra)


def test_the_yearly_self_check_is_planned_exactly_once_per_member_per_year(cohort):
    silent = person(cohort, "silent@example.test", moment(2025, 3, 1))  # never answers
    answers = person(cohort, "answers@example.test", moment(2025, 3, 1))  # answers ten days after the nudge
    late = person(cohort, "late@example.test", moment(2026, 5, 1))  # joined later: first nudge in 2027
    opted_out = person(cohort, "out@example.test", moment(2025, 3, 1))
    NudgeOptOut.objects.create(membership=opted_out, kind=Kind.SELF_CHECK)
    person(cohort, "fay@example.test", moment(2025, 3, 1), role="facilitator")

    day = moment(2026, 1, 1)
    while day < moment(2028, 1, 1):
        with time_machine.travel(day, tick=False):
            activity_planners.plan_self_checks(day)
            if Delivery.objects.filter(membership=answers, kind=Kind.SELF_CHECK, created_at__gte=day).exists():
                with time_machine.travel(day + datetime.timedelta(days=10), tick=False):
                    SelfCheck.objects.create(membership=answers, year=day.year, answer="Me.")
        day += datetime.timedelta(days=1)

    rows = list(Delivery.objects.filter(kind=Kind.SELF_CHECK).order_by("created_at"))
    per_year = Counter((row.membership_id, row.period_key) for row in rows)
    assert set(per_year.values()) == {1}
    assert {(m, key) for m, key in per_year} == {
        (silent.pk, "self-check:2026"),
        (silent.pk, "self-check:2027"),
        (answers.pk, "self-check:2026"),
        (answers.pk, "self-check:2027"),
        (late.pk, "self-check:2027"),
    }
    dates = {(row.membership_id, row.period_key): row.created_at.astimezone(BERLIN).date() for row in rows}
    assert dates[(silent.pk, "self-check:2026")] == datetime.date(2026, 3, 1)
    assert dates[(silent.pk, "self-check:2027")] == datetime.date(2027, 3, 1)  # twelve months later, not 1 January
    assert dates[(answers.pk, "self-check:2027")] == datetime.date(2027, 3, 11)  # a year after the answer
    assert dates[(late.pk, "self-check:2027")] == datetime.date(2027, 5, 1)


def test_the_tick_plans_and_sends_the_self_check_email(cohort, mailoutbox):
    member = person(cohort, "silent@example.test", moment(2025, 3, 1))
    now = moment(2026, 3, 2, 11)  # a Monday, inside the member's allowed hours
    with time_machine.travel(now, tick=False):
        result = dispatch.tick(now)
        assert result.planned["self_checks"] == 1
        ids = list(Delivery.objects.filter(kind=Kind.SELF_CHECK).values_list("pk", flat=True))
        sending.send_batch(ids, now=now)
    [message] = mailoutbox
    assert message.to == [member.user.email]
    assert "Who am I, what do I say, to whom?" in message.body
    assert f"/practice/self-check/?cohort={cohort.pk}" in message.body
    assert "Who am I" in message.alternatives[0][0]
    assert Delivery.objects.get(pk=ids[0]).state == "sent"


def test_previous_answers_are_shown_side_by_side_with_the_new_one(client, cohort):
    member = person(cohort, "anna@example.test", moment(2025, 3, 1))
    SelfCheck.objects.create(membership=member, year=2025, answer="A *consultant* who writes for peers.")
    SelfCheck.objects.create(membership=member, year=2026, answer="A leader who listens first.")
    with time_machine.travel(moment(2027, 3, 3), tick=False):
        client.force_login(member.user)
        url = reverse("progress:self_check")
        html = client.get(url).content.decode()
        assert "Who am I, what do I say, to whom?" in html
        assert html.count("previous-answer") == 2
        assert "<em>consultant</em>" in html and "A leader who listens first." in html
        assert html.index("2027") < html.index("A leader who listens first.")

        response = client.post(url, {"answer": "Someone who *shows* the work.", "cohort": cohort.pk})
        assert response.status_code == 302
        client.post(url, {"answer": "Someone who shows the work, weekly.", "cohort": cohort.pk})
    assert SelfCheck.objects.get(membership=member, year=2027).answer == "Someone who shows the work, weekly."
    assert SelfCheck.objects.filter(membership=member).count() == 3


def test_the_self_check_page_is_scoped_to_the_members_cohorts(client, cohort, course_page):
    member = person(cohort, "anna@example.test", moment(2025, 3, 1))
    other = make_cohort(course_page, name="Other")
    client.force_login(member.user)
    assert client.get(reverse("progress:self_check"), {"cohort": other.pk}).status_code == 404
    assert client.post(reverse("progress:self_check"), {"answer": "x", "cohort": other.pk}).status_code == 404
    assert not SelfCheck.objects.exists()


def test_an_answer_longer_than_a_piece_may_be_is_refused_with_its_text_kept(client, cohort):
    member = person(cohort, "anna@example.test", moment(2025, 3, 1))
    answer = "Someone who shows the work. " * 2000  # 56,000 characters
    with time_machine.travel(moment(2027, 3, 3), tick=False):
        client.force_login(member.user)
        response = client.post(reverse("progress:self_check"), {"answer": answer, "cohort": cohort.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "at most 50000 characters" in html
    assert answer.strip() in html
    assert not SelfCheck.objects.exists()
