"""Calendar invitations for the cohort's events: METHOD:REQUEST with a stable UID, a change sent
again with a higher SEQUENCE, a cancellation as METHOD:CANCEL; and the member's feed shows the
event with its duration."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from cohorts.models import CohortEvent
from mail import dispatch, meetups, sending
from mail.models import Delivery, DeliveryState, Kind
from tests.factories import MembershipFactory, UserFactory, make_cohort, make_lesson

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN)  # a Tuesday


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cohort(course_page):
    make_lesson(course_page, "Who am I")
    return make_cohort(course_page, "Meetup team", hashtag="WOLBerlin")


@pytest.fixture
def members(cohort):
    MembershipFactory(cohort=cohort, facilitator=True, user=UserFactory(email="fay@coach.test"))
    return [
        MembershipFactory(
            cohort=cohort, user=UserFactory(email=f"{name}@example.test", language=language), language=language
        )
        for name, language in (("anna", "en"), ("bernd", "de"))
    ]


@pytest.fixture
def event(cohort):
    return CohortEvent.objects.create(
        cohort=cohort,
        name="Work Out Loud meetup",
        date=datetime.date(2026, 12, 3),
        start_time=datetime.time(18, 30),
        end_time=datetime.time(20, 0),
        place="Café Kollektiv, Berlin",
        hashtag="WOLBerlin",
        agenda="Introductions\nOne post each",
    )


def tick_and_send():
    dispatch.tick()
    ids = list(
        Delivery.objects.filter(kind=Kind.EVENT_INVITATION, state=DeliveryState.PENDING).values_list("pk", flat=True)
    )
    sending.send_batch(ids)


def calendars(smtp):
    """{recipient: [parsed iCalendar, …]} in the order received."""
    found = {}
    for message in smtp.received:
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                found.setdefault(message["To"], []).append(
                    (part.get_param("method"), Calendar.from_ical(part.get_payload(decode=True)))
                )
    return found


@pytest.mark.django_db
def test_an_invitation_parses_as_a_request_a_change_keeps_the_uid_with_a_higher_sequence_and_cancel_cancels(
    members, event, smtp
):
    tick_and_send()
    tick_and_send()  # a second tick sends nothing new
    first = calendars(smtp)
    assert set(first) == {"anna@example.test", "bernd@example.test"}
    method, calendar = first["anna@example.test"][0]
    assert method == "REQUEST" and str(calendar["METHOD"]) == "REQUEST"
    (vevent,) = calendar.walk("VEVENT")
    uid = str(vevent["UID"])
    assert int(vevent["SEQUENCE"]) == 0
    assert vevent["DTSTART"].dt == datetime.datetime(2026, 12, 3, 18, 30, tzinfo=BERLIN)
    assert vevent["DTEND"].dt - vevent["DTSTART"].dt == datetime.timedelta(minutes=90)
    assert "Café Kollektiv" in str(vevent["LOCATION"])
    assert str(vevent["ORGANIZER"]) == "mailto:fay@coach.test"
    assert [m["Reply-To"] for m in smtp.received] == ["fay@coach.test"] * 2

    event.refresh_from_db()
    event.start_time = datetime.time(19, 0)
    event.save()
    tick_and_send()
    method, moved = calendars(smtp)["anna@example.test"][1]
    (vevent,) = moved.walk("VEVENT")
    assert method == "REQUEST"
    assert str(vevent["UID"]) == uid and int(vevent["SEQUENCE"]) == 1
    assert vevent["DTSTART"].dt == datetime.datetime(2026, 12, 3, 19, 0, tzinfo=BERLIN)

    event.cancelled = True
    event.save()
    tick_and_send()
    method, cancelled = calendars(smtp)["bernd@example.test"][2]
    (vevent,) = cancelled.walk("VEVENT")
    assert method == "CANCEL" and str(cancelled["METHOD"]) == "CANCEL"
    assert str(vevent["UID"]) == uid and int(vevent["SEQUENCE"]) == 2
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert len(smtp.received) == 6
    german = [m for m in smtp.received if m["To"] == "bernd@example.test"]
    assert german[-1]["Subject"].startswith("Abgesagt")


@pytest.mark.django_db
def test_an_older_version_still_pending_is_skipped_not_sent_late(members, event, smtp):
    dispatch.tick()  # planned, not sent yet
    event.start_time = datetime.time(19, 0)
    event.save()
    tick_and_send()
    old = Delivery.objects.filter(period_key__endswith=":0")
    assert set(old.values_list("state", flat=True)) == {DeliveryState.SKIPPED}
    assert len(smtp.received) == 2


@pytest.mark.django_db
def test_the_member_feed_shows_the_event_with_its_duration_and_lessons_with_theirs(client, members, event):
    anna = members[0]
    response = client.get(reverse("cohorts:calendar", args=[anna.calendar_token]))
    calendar = Calendar.from_ical(response.content)
    by_summary = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    meetup = by_summary["Work Out Loud meetup"]
    assert meetup["DTEND"].dt - meetup["DTSTART"].dt == datetime.timedelta(minutes=90)
    assert str(meetup["URL"]).endswith(reverse("progress:event", args=[event.pk]))
    lesson = by_summary["Lesson 1 opens: Who am I"]
    assert lesson["DURATION"].dt == datetime.timedelta(minutes=20)
    due = by_summary["Due: Write about Who am I (lesson 1)"]
    assert due["DTEND"].dt - due["DTSTART"].dt == datetime.timedelta(days=1)


@pytest.mark.django_db
def test_head_on_the_feed_is_allowed(client, members):
    response = client.head(reverse("cohorts:calendar", args=[members[0].calendar_token]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_paused_or_unsubscribed_member_gets_no_invitation(members, event):
    anna, bernd = members
    anna.paused_until = datetime.date(2026, 12, 31)
    anna.save()
    bernd.unsubscribed_at = NOW
    bernd.save()
    dispatch.tick()
    assert not Delivery.objects.filter(kind=Kind.EVENT_INVITATION).exists()


@pytest.mark.django_db
def test_a_member_in_another_zone_reads_the_event_in_the_cohorts_zone_and_in_their_own(client, cohort, event):
    london = MembershipFactory(cohort=cohort, time_zone="Europe/London", user=UserFactory(email="lee@example.test"))
    berlin = MembershipFactory(cohort=cohort, time_zone="Europe/Berlin", user=UserFactory(email="ben@example.test"))

    assert meetups.when(event, "en", london) == (
        "3 December 2026, 18:30–20:00 (Europe/Berlin); for you 3 December 2026, 17:30–19:00 (Europe/London)"
    )
    assert meetups.when(event, "en", berlin) == "3 December 2026, 18:30–20:00 (Europe/Berlin)"

    client.force_login(london.user)
    page = client.get(reverse("progress:event", args=[event.pk])).content.decode()
    assert "18:30–20:00 (Europe/Berlin)" in page
    assert "For you: 3 December 2026, 17:30–19:00 (Europe/London)" in page
    client.force_login(berlin.user)
    assert "For you" not in client.get(reverse("progress:event", args=[event.pk])).content.decode()
