"""Planning and sending nudges: one row per (member, kind, period), claims, retries, quiet hours."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Membership
from lessons.models import PostLog
from mail import calendar_planners, dispatch, sending, slot_planners, timing, tokens
from mail.models import Delivery, DeliveryState, Kind, NudgeOptOut
from tests.factories import make_cohort, make_members

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# Monday 23 November 2026, 09:02 in Berlin (08:02 UTC).
MONDAY_9_BERLIN = datetime.datetime(2026, 11, 23, 9, 2, tzinfo=BERLIN)


def weekly(membership=None):
    rows = Delivery.objects.filter(kind=Kind.WEEKLY_NUDGE)
    return rows.filter(membership=membership) if membership else rows


@pytest.fixture
def cohort(course_page):
    return make_cohort(course_page)


@pytest.mark.django_db
def test_it_plans_the_weekly_nudge_at_each_members_own_weekday_and_local_hour(cohort):
    berlin, new_york, kathmandu = make_members(cohort, 3, zones=("Europe/Berlin", "America/New_York", "Asia/Kathmandu"))
    slot_planners.plan_weekly_nudges(MONDAY_9_BERLIN)
    assert list(weekly().values_list("membership", flat=True)) == [berlin.pk]
    assert weekly(berlin).get().period_key == "2026-W48"

    # 09:00 Monday in New York is 15:00 in Berlin.
    slot_planners.plan_weekly_nudges(
        datetime.datetime(2026, 11, 23, 9, 30, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    )
    assert weekly(new_york).count() == 1
    # Kathmandu is +05:45: 09:00 there is 03:15 UTC.
    slot_planners.plan_weekly_nudges(datetime.datetime(2026, 11, 23, 3, 20, tzinfo=datetime.UTC))
    assert weekly(kathmandu).count() == 1
    assert weekly().count() == 3


@pytest.mark.django_db
def test_a_second_tick_in_the_same_hour_plans_nothing_new(cohort):
    make_members(cohort, 5)
    first = dispatch.tick(MONDAY_9_BERLIN)
    second = dispatch.tick(MONDAY_9_BERLIN + datetime.timedelta(minutes=5))
    assert first.planned["weekly_nudges"] == 5
    assert second.planned["weekly_nudges"] == 0
    assert weekly().count() == 5


@pytest.mark.django_db
def test_the_ticks_query_count_is_the_same_for_100_and_2000_due_members(course_page):
    counts = []
    for size, hour in ((100, 9), (2000, 10)):
        Delivery.objects.update(state=DeliveryState.SENT)  # the previous round went out
        cohort = make_cohort(course_page, name=f"Cohort {size}")
        make_members(cohort, size, prefix=f"q{size}-", nudge_hour=hour)
        moment = MONDAY_9_BERLIN.replace(hour=hour)
        cache.clear()  # both ticks load the course's lessons
        with CaptureQueriesContext(connection) as queries:
            result = dispatch.tick(moment)
        assert result.planned["weekly_nudges"] == size
        assert result.dispatched == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_paused_unsubscribed_opted_out_and_inactive_members_get_no_nudge(cohort):
    active, paused, unsubscribed, opted_out, inactive = make_members(cohort, 5)
    Membership.objects.filter(pk=paused.pk).update(paused_until=datetime.date(2026, 11, 30))
    Membership.objects.filter(pk=unsubscribed.pk).update(unsubscribed_at=MONDAY_9_BERLIN)
    NudgeOptOut.objects.create(membership=opted_out, kind=Kind.WEEKLY_NUDGE)
    inactive.user.is_active = False
    inactive.user.save()

    slot_planners.plan_weekly_nudges(MONDAY_9_BERLIN)
    assert list(weekly().values_list("membership", flat=True)) == [active.pk]


@pytest.mark.django_db
def test_alumni_get_a_monthly_nudge_in_the_first_week_of_the_month_unless_they_chose_weekly(course_page):
    alumni = make_cohort(
        course_page, name="Alumni", start_date=datetime.date(2026, 1, 5), end_date=datetime.date(2026, 3, 1)
    )
    monthly, weekly_choice, off = make_members(alumni, 3)
    Membership.objects.filter(pk=weekly_choice.pk).update(nudge_frequency="weekly")
    Membership.objects.filter(pk=off.pk).update(nudge_frequency="off")
    first_monday = datetime.datetime(2026, 12, 7, 9, 5, tzinfo=BERLIN)
    dispatch.tick(first_monday)
    dispatch.tick(first_monday + datetime.timedelta(days=7))
    assert list(Delivery.objects.filter(kind=Kind.ALUMNI_NUDGE).values_list("membership", "period_key")) == [
        (monthly.pk, "2026-12")
    ]
    assert set(weekly().values_list("membership", flat=True)) == {weekly_choice.pk}
    assert not Delivery.objects.filter(membership=off).exists()


@pytest.mark.django_db
def test_sending_a_batch_sends_each_email_once_with_one_click_unsubscribe(cohort, mailoutbox):
    make_members(cohort, 3)
    with time_machine.travel(MONDAY_9_BERLIN, tick=False):
        ids = dispatch.tick().dispatched and list(Delivery.objects.values_list("pk", flat=True))
        result = sending.send_batch(ids)
        again = sending.send_batch(ids)
    assert result == {"sent": 3}
    assert again == {}
    assert len(mailoutbox) == 3
    message = mailoutbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://localhost:8000/email/unsubscribe/")
    assert message.alternatives[0][1] == "text/html"
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


@pytest.mark.django_db
def test_a_batch_goes_out_over_one_smtp_connection_and_every_row_is_recorded_sent(cohort, smtp):
    make_members(cohort, 12)
    with time_machine.travel(MONDAY_9_BERLIN, tick=True):
        dispatch.tick()
        assert sending.send_batch(list(Delivery.objects.values_list("pk", flat=True))) == {"sent": 12}
    assert len(smtp.received) == 12
    # A connect, EHLO and QUIT per message made the pipeline slower than one plain process.
    assert len(smtp.peers) == 1
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


@pytest.mark.django_db
def test_the_weekly_nudge_is_lighter_when_the_member_already_posted_this_week(cohort, mailoutbox):
    posted, quiet = make_members(cohort, 2)
    PostLog.objects.create(
        membership=posted,
        url="https://www.linkedin.com/posts/p-1",
        platform="linkedin",
        posted_on=datetime.date(2026, 11, 23),
    )
    with time_machine.travel(MONDAY_9_BERLIN, tick=False):
        dispatch.tick()
        sending.send_batch(list(Delivery.objects.values_list("pk", flat=True)))
    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert "Now answer two or three people" in by_recipient[posted.user.email].body
    assert "weekly reminder to write one post" in by_recipient[quiet.user.email].body
    assert weekly(posted).get().variant == "posted"
    assert weekly(quiet).get().variant == "standard"


@pytest.mark.django_db
def test_nothing_is_sent_in_quiet_hours_it_waits_for_seven_in_the_morning(cohort, mailoutbox):
    (member,) = make_members(cohort, 1)
    late = datetime.datetime(2026, 11, 24, 21, 30, tzinfo=BERLIN)
    delivery = Delivery.objects.create(
        membership=member, kind=Kind.LESSON_RELEASED, period_key="lesson:1", subject_id=1, due_at=late
    )
    assert sending.send_batch([delivery.pk], now=late) == {"deferred": 1}
    delivery.refresh_from_db()
    assert delivery.due_at == datetime.datetime(2026, 11, 25, 7, 0, tzinfo=BERLIN)
    assert mailoutbox == []


def test_weekends_are_skipped_unless_the_member_chose_a_weekend_day():
    saturday_noon = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=BERLIN)
    assert timing.next_allowed_moment(saturday_noon, BERLIN, allow_weekends=True) == saturday_noon
    assert timing.next_allowed_moment(saturday_noon, BERLIN, allow_weekends=False) == datetime.datetime(
        2026, 11, 30, 7, 0, tzinfo=BERLIN
    )


@pytest.mark.django_db
def test_temporary_smtp_errors_are_retried_and_permanent_ones_fail_once(cohort, smtp_sink_factory, settings):
    sink = smtp_sink_factory(temp_fail_rate=0.5, perm_fail_rate=0.2, seed=3)
    make_members(cohort, 20)
    with time_machine.travel(MONDAY_9_BERLIN, tick=True):
        dispatch.tick()
        ids = list(Delivery.objects.values_list("pk", flat=True))
        first = sending.send_batch(ids)
    assert first.get("retry", 0) > 0 and first.get("failed", 0) > 0
    retried = Delivery.objects.filter(state=DeliveryState.PENDING)
    assert all(d.attempts == 1 and d.last_error.startswith("SMTP") for d in retried)
    # Later: the retries go through (the sink fails each message only on its first attempt).
    with time_machine.travel(MONDAY_9_BERLIN + datetime.timedelta(minutes=30), tick=True):
        second = sending.send_batch(list(retried.values_list("pk", flat=True)))
    assert second == {"sent": first["retry"]}
    failed = Delivery.objects.filter(state=DeliveryState.FAILED)
    assert failed.count() == first["failed"] == len(sink.perm_failed)
    assert all(d.attempts == 1 for d in failed)  # a 5xx is never retried
    assert sorted(sink.count_by_message_id().values()) == [1] * (20 - first["failed"])


@pytest.mark.django_db
def test_a_row_left_in_sending_by_a_dead_worker_is_flagged_not_resent(cohort, mailoutbox):
    (member,) = make_members(cohort, 1)
    claimed = MONDAY_9_BERLIN - datetime.timedelta(hours=1)
    delivery = Delivery.objects.create(
        membership=member,
        kind=Kind.WEEKLY_NUDGE,
        period_key="2026-W48",
        due_at=claimed,
        state=DeliveryState.SENDING,
        claimed_at=claimed,
    )
    result = dispatch.tick(MONDAY_9_BERLIN)
    delivery.refresh_from_db()
    assert result.reconciled == 1
    assert (delivery.state, delivery.flagged) == (DeliveryState.UNKNOWN, True)
    assert result.planned["weekly_nudges"] == 0  # the week's row exists: nothing new
    assert mailoutbox == []


@pytest.mark.django_db
def test_unsubscribe_get_confirms_post_unsubscribes_and_no_nudge_is_planned_afterwards(cohort, client):
    (member,) = make_members(cohort, 1)
    token = tokens.unsubscribe_token(member.pk, Kind.WEEKLY_NUDGE)
    url = reverse("mail:unsubscribe", args=[token])

    response = client.get(url)
    assert response.status_code == 200
    assert not NudgeOptOut.objects.exists()

    from django.test import Client

    cookieless = Client(enforce_csrf_checks=True)
    response = cookieless.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NudgeOptOut.objects.filter(membership=member, kind=Kind.WEEKLY_NUDGE).exists()

    slot_planners.plan_weekly_nudges(MONDAY_9_BERLIN)
    assert not weekly().exists()


@pytest.mark.django_db
def test_a_tampered_unsubscribe_token_is_refused(cohort, client):
    (member,) = make_members(cohort, 1)
    token = tokens.unsubscribe_token(member.pk, Kind.WEEKLY_NUDGE)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.post(reverse("mail:unsubscribe", args=[tampered]))
    assert response.status_code == 400
    assert not NudgeOptOut.objects.exists()


@pytest.mark.django_db
def test_an_event_gets_a_nudge_three_days_before_on_the_day_and_two_days_after(cohort):
    from cohorts.models import CohortEvent

    make_members(cohort, 1)
    event = CohortEvent.objects.create(
        cohort=cohort, name="Energy Summit", date=datetime.date(2026, 12, 10), hashtag="ES26"
    )
    for day in range(1, 20):
        calendar_planners.plan_event_kits(datetime.datetime(2026, 12, day, 10, 0, tzinfo=BERLIN))
    rows = Delivery.objects.filter(kind=Kind.EVENT_KIT).order_by("period_key")
    assert sorted(rows.values_list("period_key", flat=True)) == [
        f"event:{event.pk}:after",
        f"event:{event.pk}:before",
        f"event:{event.pk}:day",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [Kind.DRAFT_SAVED, Kind.RECONNECT_NEEDED])
def test_an_unsubscribe_link_for_mail_about_ones_own_account_changes_nothing_and_says_so(cohort, client, kind):
    """Such mail carries no unsubscribe link now; a link from before must not pretend to work
    (the opt-out was stored, never honoured and not shown on the preferences page)."""
    (member,) = make_members(cohort, 1)
    url = reverse("mail:unsubscribe", args=[tokens.unsubscribe_token(member.pk, kind)])
    for response in (client.get(url), client.post(url, {"List-Unsubscribe": "One-Click"})):
        assert response.status_code == 200
        assert "cannot be switched off on its own" in response.content.decode()
        assert f"/preferences/?cohort={cohort.pk}" in response.content.decode()
    assert not NudgeOptOut.objects.exists()
