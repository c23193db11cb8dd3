"""The worker's claim and outcome in one process (any database): consent re-checked at the claim,
the reason on a skipped row, an answer lost after DATA, a batch that runs out of time."""

import datetime
import zoneinfo

import pytest
import time_machine

from cohorts.models import CohortEvent, Frequency, Membership
from course.models import User
from mail import claiming, meetups, sending
from mail.messages import message_id
from mail.models import Delivery, DeliveryState, Kind, NudgeOptOut, SkipReason
from mail.notes import send_note
from tests.factories import DeliveryFactory, InvitationFactory, MembershipFactory, make_cohort, make_members

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# Monday 23 November 2026, 10:00 in Berlin: nobody's quiet hours.
NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cohort(course_page):
    return make_cohort(course_page, start_date=datetime.date(2026, 11, 2), end_date=datetime.date(2027, 1, 31))


def nudge(member, kind=Kind.WEEKLY_NUDGE):
    return DeliveryFactory(membership=member, kind=kind, period_key="2026-W48", due_at=NOW)


@pytest.mark.django_db
def test_the_claim_skips_a_row_whose_member_changed_their_mind_and_says_why(cohort, course_page):
    keen, opted_out, unsubscribed, inactive, paused = make_members(cohort, 5)
    NudgeOptOut.objects.create(membership=opted_out, kind=Kind.WEEKLY_NUDGE)
    Membership.objects.filter(pk=unsubscribed.pk).update(unsubscribed_at=NOW)
    User.objects.filter(pk=inactive.user_id).update(is_active=False)
    Membership.objects.filter(pk=paused.pk).update(paused_until=datetime.date(2026, 11, 30))
    ended = make_cohort(
        course_page, "Ended", start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2026, 11, 20)
    )
    (alumna,) = make_members(ended, 1, prefix="alumna")
    rows = {member.pk: nudge(member) for member in (keen, opted_out, unsubscribed, inactive, paused, alumna)}

    assert {pk: claiming.claim(row, NOW) for pk, row in rows.items()} == {
        keen.pk: "claimed",
        opted_out.pk: "skipped",
        unsubscribed.pk: "skipped",
        inactive.pk: "skipped",
        paused.pk: "skipped",
        alumna.pk: "skipped",
    }
    reasons = dict(Delivery.objects.filter(state=DeliveryState.SKIPPED).values_list("membership_id", "reason"))
    assert reasons == {
        opted_out.pk: SkipReason.OPTED_OUT,
        unsubscribed.pk: SkipReason.UNSUBSCRIBED,
        inactive.pk: SkipReason.ACCOUNT_INACTIVE,
        paused.pk: SkipReason.PAUSED,
        alumna.pk: SkipReason.COHORT_ENDED,
    }
    assert claiming.claim(rows[keen.pk], NOW) == "taken"  # a second claim never gets it


@pytest.mark.django_db
def test_after_the_cohort_ends_the_kinds_that_still_make_sense_are_claimed(course_page):
    ended = make_cohort(
        course_page, "Ended", start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2026, 11, 20)
    )
    monthly, weekly = make_members(ended, 2)
    Membership.objects.filter(pk=weekly.pk).update(nudge_frequency=Frequency.WEEKLY)
    weekly.refresh_from_db()
    assert claiming.claim(nudge(monthly, Kind.ALUMNI_NUDGE), NOW) == "claimed"
    assert claiming.claim(nudge(monthly, Kind.FEEDBACK_READY), NOW) == "claimed"
    assert claiming.claim(nudge(weekly), NOW) == "claimed"  # alumni who chose weekly nudges
    assert claiming.claim(nudge(monthly, Kind.LESSON_RELEASED), NOW) == "skipped"


@pytest.mark.django_db
def test_a_pause_holds_every_nudge_but_not_account_mail(cohort, mailoutbox):
    (member,) = make_members(cohort, 1)
    Membership.objects.filter(pk=member.pk).update(paused_until=datetime.date(2026, 11, 30))
    held = [nudge(member, kind) for kind in (Kind.WEEKLY_NUDGE, Kind.LESSON_RELEASED, Kind.EVENT_KIT, Kind.PEER_REVIEW)]
    invitation = Delivery.objects.create(
        invitation=InvitationFactory(cohort=cohort, email=member.user.email),
        kind=Kind.INVITATION,
        period_key="link:1",
        due_at=NOW,
    )
    result = sending.send_batch([row.pk for row in [*held, invitation]], now=NOW)
    assert result == {"skipped": 4, "sent": 1}
    assert [message.to for message in mailoutbox] == [[member.user.email]]
    assert set(Delivery.objects.filter(membership=member).values_list("reason", flat=True)) == {SkipReason.PAUSED}


@pytest.mark.django_db
def test_a_note_a_cohort_message_and_an_event_invitation_queued_before_a_pause_are_skipped_by_the_claim(
    cohort, mailoutbox
):
    (member,) = make_members(cohort, 1)
    facilitator = MembershipFactory(cohort=cohort, facilitator=True).user
    send_note(cohort, facilitator, subject="A word", body="How is it going?", membership=member)
    send_note(cohort, facilitator, subject="Everyone", body="Meet on Friday!")
    CohortEvent.objects.create(cohort=cohort, name="Meetup", date=datetime.date(2026, 12, 3))
    meetups.plan_event_invitations(NOW)
    rows = list(Delivery.objects.filter(membership=member))
    assert sorted(row.kind for row in rows) == sorted([Kind.PERSONAL_NOTE, Kind.GROUP_MESSAGE, Kind.EVENT_INVITATION])
    Membership.objects.filter(pk=member.pk).update(paused_until=datetime.date(2026, 11, 30))

    sending.send_batch([row.pk for row in rows], now=NOW)
    assert mailoutbox == []
    assert set(Delivery.objects.filter(membership=member).values_list("state", "reason")) == {
        (DeliveryState.SKIPPED, SkipReason.PAUSED)
    }


@pytest.mark.django_db
def test_a_batch_whose_row_went_with_a_deleted_account_sends_the_others_and_does_not_crash(cohort, mailoutbox):
    gone, stays = make_members(cohort, 2)
    rows = [nudge(gone), nudge(stays)]
    User.objects.filter(pk=gone.user_id).delete()  # its membership and rows go with it (CASCADE)
    assert sending.send_batch([row.pk for row in rows], now=NOW) == {"sent": 1}
    assert [message.to for message in mailoutbox] == [[stays.user.email]]


@pytest.mark.django_db
def test_an_answer_lost_after_data_is_unknown_and_a_later_message_gets_a_new_connection(cohort, smtp_sink_factory):
    sink = smtp_sink_factory(drop_every=2)
    members = make_members(cohort, 4)
    rows = [nudge(member) for member in members]
    assert sending.send_batch([row.pk for row in rows], now=NOW) == {"sent": 2, "unknown": 2}
    unknown = Delivery.objects.filter(state=DeliveryState.UNKNOWN)
    assert {message_id(row) for row in unknown} == sink.dropped
    assert all(row.flagged and row.attempts == 1 for row in unknown)
    assert sorted(sink.count_by_message_id().values()) == [1, 1, 1, 1]  # all four arrived, once


@pytest.mark.django_db
def test_a_batch_out_of_time_stops_claiming_and_queues_the_rest(cohort, smtp, settings):
    settings.KLARTEXT_SEND_RATE = 1
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 6  # claims for 3 seconds: about 3 messages at 1/s
    members = make_members(cohort, 8)
    rows = [nudge(member) for member in members]
    with time_machine.travel(NOW, tick=True):
        result = sending.send_batch([row.pk for row in rows], now=NOW)
    assert 1 <= result["sent"] <= 4 and result["sent"] + result["requeued"] == 8
    assert Delivery.objects.filter(state=DeliveryState.PENDING).count() == result["requeued"]
    assert not Delivery.objects.filter(state__in=[DeliveryState.SENDING, DeliveryState.UNKNOWN]).exists()


@pytest.mark.django_db
def test_a_row_whose_deadline_passed_while_its_batch_ran_expires_at_the_claim_and_is_not_sent(cohort, mailoutbox):
    """The batch started two minutes ago, when the row was still in time; its deadline passed a
    second ago, before a worker reached it: the claim expires it."""
    in_time, too_late = make_members(cohort, 2)
    fresh = DeliveryFactory(
        membership=in_time,
        kind=Kind.WEEKLY_NUDGE,
        period_key="2026-W48",
        due_at=NOW,
        send_by=NOW + datetime.timedelta(hours=1),
    )
    stale = DeliveryFactory(
        membership=too_late,
        kind=Kind.WEEKLY_NUDGE,
        period_key="2026-W48",
        due_at=NOW,
        send_by=NOW - datetime.timedelta(seconds=1),
    )
    batch_started = NOW - datetime.timedelta(minutes=2)

    assert claiming.claim(stale, batch_started) == "expired"
    assert claiming.claim(fresh, batch_started) == "claimed"
    stale.refresh_from_db()
    assert (stale.state, stale.reason) == (DeliveryState.EXPIRED, SkipReason.DEADLINE_PASSED)
    assert mailoutbox == []
