"""The private calendar feed: one event per release and due date, stable UIDs, revocable URL."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from cohorts.models import Cohort, LessonDate, Membership
from course.models import User
from tests.factories import make_lesson

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.fixture
def lessons(course_page):
    return [make_lesson(course_page, title, offset=n) for n, title in enumerate(["Who am I", "Voice"])]


@pytest.fixture
def cohort(course_page, lessons):
    return Cohort.objects.create(
        course=course_page,
        name="Acme leadership",
        start_date=datetime.date(2026, 3, 23),  # Berlin changes to summer time on 29 March
        end_date=datetime.date(2026, 5, 1),
        time_zone="Europe/Berlin",
        release_hour=8,
    )


@pytest.fixture
def other_cohort(course_page, lessons):
    return Cohort.objects.create(
        course=course_page,
        name="Beta",
        start_date=datetime.date(2026, 3, 23),
        end_date=datetime.date(2026, 5, 1),
    )


def member(email, name, cohort):
    user = User.objects.create_user(email=email, password="pw-long-enough-42", full_name=name)
    return Membership.objects.create(user=user, cohort=cohort)


@pytest.fixture
def jonas(cohort):
    return member("jonas@example.com", "Jonas Weber", cohort)


@pytest.fixture
def mira(cohort):
    return member("mira@example.com", "Mira Schulz", cohort)


@pytest.fixture
def otto(other_cohort):
    return member("otto@example.com", "Otto Other", other_cohort)


def feed(client, membership):
    response = client.get(reverse("cohorts:calendar", args=[membership.calendar_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return response, Calendar.from_ical(response.content)


def events(calendar):
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.mark.django_db
def test_the_feed_has_one_event_per_release_and_per_due_date_without_a_login(client, jonas, lessons):
    _response, calendar = feed(client, jonas)
    by_summary = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    assert set(by_summary) == {
        "Lesson 1 opens: Who am I",
        "Lesson 2 opens: Voice",
        "Due: Write about Who am I (lesson 1)",
        "Due: Write about Voice (lesson 2)",
    }
    # 08:00 in Berlin: 07:00 UTC in winter, 06:00 UTC after the change to summer time.
    first = by_summary["Lesson 1 opens: Who am I"]["DTSTART"].dt
    second = by_summary["Lesson 2 opens: Voice"]["DTSTART"].dt
    assert first == datetime.datetime(2026, 3, 23, 7, 0, tzinfo=datetime.UTC)
    assert second == datetime.datetime(2026, 3, 30, 6, 0, tzinfo=datetime.UTC)
    assert second.astimezone(BERLIN).hour == 8
    # Due at the end of the local day: all day on that date (a date, not a moment).
    due = by_summary["Due: Write about Who am I (lesson 1)"]
    assert due["DTSTART"].dt == datetime.date(2026, 3, 26)
    assert due["DTEND"].dt == datetime.date(2026, 3, 27)
    assert by_summary["Lesson 1 opens: Who am I"]["DURATION"].dt == datetime.timedelta(minutes=20)
    assert str(by_summary["Lesson 2 opens: Voice"]["URL"]) == f"http://testserver{lessons[1].url}"
    assert str(by_summary["Due: Write about Voice (lesson 2)"]["URL"]).startswith(
        f"http://testserver{lessons[1].url}#assignment-"
    )


@pytest.mark.django_db
def test_uids_are_stable_per_cohort_so_moved_lessons_update_instead_of_duplicating(
    client, cohort, jonas, mira, otto, lessons
):
    _response, before = feed(client, jonas)
    LessonDate.objects.create(cohort=cohort, lesson=lessons[1], opens_on=datetime.date(2026, 4, 1))
    _response, after = feed(client, jonas)

    assert set(events(before)) == set(events(after))
    assert len(events(after)) == 4
    moved = [uid for uid in events(after) if events(after)[uid]["DTSTART"].dt != events(before)[uid]["DTSTART"].dt]
    assert len(moved) == 2  # the release of lesson 2 and its due date
    # Cohort-mates share the UIDs of their cohort's events; another cohort has its own.
    assert set(events(feed(client, mira)[1])) == set(events(after))
    assert not set(events(feed(client, otto)[1])) & set(events(after))


@pytest.mark.django_db
def test_an_unknown_or_malformed_token_is_a_404(client, jonas):
    assert client.get("/calendar/not-a-real-token-at-all.ics").status_code == 404
    assert client.get("/calendar/short.ics").status_code == 404
    assert client.get("/calendar/%00%27;drop.ics").status_code == 404


@pytest.mark.django_db
def test_resetting_the_calendar_link_revokes_the_old_one(client, jonas):
    old_url = reverse("cohorts:calendar", args=[jonas.calendar_token])
    client.force_login(jonas.user)
    response = client.post(reverse("cohorts:reset_calendar", args=[jonas.cohort_id]))
    assert response.status_code == 302
    jonas.refresh_from_db()
    assert client.get(old_url).status_code == 404
    feed(client, jonas)
    assert reverse("cohorts:calendar", args=[jonas.calendar_token]) in client.get("/").content.decode()


@pytest.mark.django_db
def test_no_one_resets_another_members_calendar_link_or_with_a_get(client, jonas, otto):
    token = otto.calendar_token
    client.force_login(jonas.user)
    assert client.post(reverse("cohorts:reset_calendar", args=[otto.cohort_id])).status_code == 404
    assert client.get(reverse("cohorts:reset_calendar", args=[jonas.cohort_id])).status_code == 405
    otto.refresh_from_db()
    assert otto.calendar_token == token


# --- hardening: one bad value never breaks the feed ------------------------------------


@pytest.mark.django_db
def test_line_breaks_and_control_characters_in_any_name_never_break_the_feed(client, jonas, cohort, lessons):
    from cohorts.models import Cohort
    from course.models import CoursePage
    from lessons.models import LessonPage

    # Saved before names were checked (or by a path around the forms).
    Cohort.objects.filter(pk=cohort.pk).update(name="Lead\r\nteam\x0b 2026\u2028")
    CoursePage.objects.filter(pk=cohort.course_id).update(title="Course\nfor\x1b leaders")
    LessonPage.objects.filter(pk=lessons[0].pk).update(title="Who\nam\r I")

    response, calendar = feed(client, jonas)

    assert str(calendar["X-WR-CALNAME"]) == "Klartext · Lead team 2026"
    assert str(calendar["X-WR-CALDESC"]) == "Lesson releases and due dates of Course for leaders"
    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert "Lesson 1 opens: Who am I" in summaries
    for line in response.content.decode().split("\r\n"):
        assert "\n" not in line and "\r" not in line


def test_every_text_written_into_an_event_is_one_line():
    import datetime as dt

    from cohorts import ical

    event = ical._event(
        uid="u@x",
        start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        summary="Due: Write\nabout\tit\x07 (lesson 1)",
        url="https://example.test/lesson/\n#assignment-1",
        stamp=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )

    assert str(event["SUMMARY"]) == "Due: Write about it (lesson 1)"
    assert str(event["URL"]) == "https://example.test/lesson/ #assignment-1"
    assert b"\n " not in event.to_ical().replace(b"\r\n ", b"")  # no folded-in raw line break


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Berlin", datetime.date(2026, 3, 26)),  # the cohort's zone: the whole day
        ("Europe/Vienna", datetime.date(2026, 3, 26)),  # another zone on the same clock
        # 23:59 in Berlin is 07:59 the next morning in Tokyo and 18:59 the same day in New York:
        ("Asia/Tokyo", datetime.datetime(2026, 3, 26, 22, 59, tzinfo=datetime.UTC)),
        ("America/New_York", datetime.datetime(2026, 3, 26, 22, 59, tzinfo=datetime.UTC)),
    ],
)
def test_a_due_date_in_the_calendar_is_the_deadline_the_site_shows_in_the_members_own_zone(
    client, jonas, lessons, zone, expected
):
    jonas.time_zone = zone
    jonas.save()
    _response, calendar = feed(client, jonas)
    due = next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Due: Write about Who am I (lesson 1)")
    assert due["DTSTART"].dt == expected
    if isinstance(expected, datetime.datetime):
        assert due["DURATION"].dt == datetime.timedelta(minutes=15)
