"""The member home at / and /cohorts/<id>/: this week's lesson, what is due, progress, circle."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Circle, Cohort, Membership, Role
from course.models import User
from tests.factories import make_lesson

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# Tuesday of the second week: lessons 1 and 2 are open, lesson 3 opens next Monday.
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def lessons(course_page):
    return [
        make_lesson(course_page, title, offset=offset) for offset, title in enumerate(["Who am I", "Voice", "Formats"])
    ]


@pytest.fixture
def cohort(course_page, lessons):
    return Cohort.objects.create(
        course=course_page,
        name="Acme leadership",
        organisation="Acme",
        start_date=datetime.date(2026, 3, 2),
        end_date=datetime.date(2026, 4, 30),
        time_zone="Europe/Berlin",
        release_hour=8,
    )


def person(email, name, **extra):
    return User.objects.create_user(email=email, password="pw-long-enough-42", full_name=name, **extra)


def join(user, cohort, role=Role.MEMBER, **extra):
    return Membership.objects.create(user=user, cohort=cohort, role=role, **extra)


@pytest.fixture
def circle(cohort):
    return Circle.objects.create(cohort=cohort, name="Blue")


@pytest.fixture
def facilitator(cohort):
    user = person("fiona@klartext.test", "Fiona Facilitator")
    join(user, cohort, role=Role.FACILITATOR)
    return user


@pytest.fixture
def jonas(cohort, circle):
    user = person("jonas@example.com", "Jonas Weber", time_zone="America/New_York")
    join(user, cohort, circle=circle)
    return user


@pytest.fixture
def mira(cohort, circle):
    user = person("mira@example.com", "Mira Schulz")
    join(user, cohort, circle=circle)
    return user


@pytest.fixture
def other_cohort(course_page, lessons):
    return Cohort.objects.create(
        course=course_page,
        name="Beta board",
        start_date=datetime.date(2026, 2, 2),
        end_date=datetime.date(2026, 4, 30),
        time_zone="Europe/Berlin",
    )


@pytest.fixture
def otto(other_cohort):
    user = person("otto@example.com", "Otto Other")
    join(user, other_cohort)
    return user


def home(client, user, path="/"):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_the_home_shows_this_weeks_lesson_what_is_due_and_the_next_release(client, jonas, mira, facilitator):
    response = home(client, jonas)
    assert response.templates[0].name == "progress/member_home.html"
    html = response.content.decode()
    context = response.context
    assert context["current"].lesson.title == "Voice"
    assert [a.title for a in context["due_soon"]] == ["Write about Voice"]
    assert context["next_opening"].lesson.title == "Formats"
    assert "Acme leadership" in html
    assert "Running" in html
    # Due Thursday 12 March 23:59 in Berlin is 18:59 in New York (already on daylight time).
    assert "Thursday, 12 March 2026, 18:59" in html
    # Lesson 3 opens Monday 16 March 08:00 in Berlin: 03:00 in New York.
    assert "Monday, 16 March 2026, 03:00" in html
    assert "America/New_York" in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_progress_bar_is_accessible(client, jonas):
    html = home(client, jonas).content.decode()
    assert 'role="progressbar"' in html
    assert 'aria-valuenow="2"' in html
    assert 'aria-valuemin="0"' in html
    assert 'aria-valuemax="3"' in html
    assert "2 of 3 lessons open" in html


@pytest.mark.django_db
def test_the_circle_shows_names_only_and_not_other_circles(client, cohort, jonas, mira, facilitator):
    outsider = person("olga@example.com", "Olga Outside")
    join(outsider, cohort, circle=Circle.objects.create(cohort=cohort, name="Red"))
    response = home(client, jonas)
    names = [p["name"] for p in response.context["circle"]]
    assert names == ["Jonas Weber", "Mira Schulz"]
    assert [p["name"] for p in response.context["facilitators"]] == ["Fiona Facilitator"]
    html = response.content.decode()
    assert "Olga Outside" not in html
    assert "mira@example.com" not in html


@pytest.mark.django_db
def test_the_home_offers_the_private_calendar_link(client, jonas):
    response = home(client, jonas)
    token = Membership.objects.get(user=jonas).calendar_token
    html = response.content.decode()
    assert f"http://testserver/calendar/{token}.ics" in html
    assert f"webcal://testserver/calendar/{token}.ics" in html
    assert "readonly" in html


@pytest.mark.django_db
def test_a_member_of_several_cohorts_sees_the_most_recently_started_running_one_and_a_switcher(
    client, cohort, other_cohort, jonas
):
    join(jonas, other_cohort)
    response = home(client, jonas)
    assert response.context["cohort"] == cohort
    html = response.content.decode()
    assert reverse("progress:cohort_home", args=[cohort.pk]) in html
    assert reverse("progress:cohort_home", args=[other_cohort.pk]) in html
    assert 'aria-current="page"' in html

    response = home(client, jonas, reverse("progress:cohort_home", args=[other_cohort.pk]))
    assert response.context["cohort"] == other_cohort


@pytest.mark.django_db
def test_an_upcoming_cohort_is_not_preferred_over_a_running_one(client, course_page, cohort, jonas):
    upcoming = Cohort.objects.create(
        course=course_page,
        name="Next spring",
        start_date=datetime.date(2026, 5, 4),
        end_date=datetime.date(2026, 6, 30),
    )
    join(jonas, upcoming)
    assert home(client, jonas).context["cohort"] == cohort


@pytest.mark.django_db
def test_before_the_start_the_home_says_when_the_first_lesson_opens(client, course_page, lessons):
    upcoming = Cohort.objects.create(
        course=course_page,
        name="Next spring",
        start_date=datetime.date(2026, 5, 4),
        end_date=datetime.date(2026, 6, 30),
        time_zone="Europe/Berlin",
    )
    lena = person("lena@example.de", "Lena Vogel", time_zone="Europe/Berlin")
    join(lena, upcoming)
    response = home(client, lena)
    assert response.context["current"] is None
    html = response.content.decode()
    assert "Upcoming" in html
    assert "Your first lesson opens on" in html
    assert "Monday, 4 May 2026, 08:00" in html
    assert 'aria-valuenow="0"' in html


@pytest.mark.django_db
def test_one_member_cannot_open_another_cohorts_home(client, jonas, other_cohort, otto):
    client.force_login(jonas)
    assert client.get(reverse("progress:cohort_home", args=[other_cohort.pk])).status_code == 404
    assert client.get("/cohorts/99999999/").status_code == 404
    assert client.get("/cohorts/123456789012345678901234567890/").status_code == 404


@pytest.mark.django_db
def test_a_cohort_home_needs_a_login(client, cohort):
    response = client.get(reverse("progress:cohort_home", args=[cohort.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_visitors_and_people_without_a_cohort_see_the_landing_page(client, cohort):
    response = client.get("/")
    assert response.templates[0].name == "course/home_page.html"
    client.force_login(person("nobody@example.com", "No Body"))
    assert client.get("/").templates[0].name == "course/home_page.html"


@pytest.mark.django_db
def test_staff_without_a_cohort_see_the_landing_page_with_a_link_to_the_admin(client, consultant, cohort):
    client.force_login(consultant)
    response = client.get("/")
    assert response.templates[0].name == "course/landing_staff.html"
    assert reverse("wagtailadmin_home") in response.content.decode()


@pytest.mark.django_db
def test_the_home_needs_the_same_number_of_queries_for_5_and_200_members(
    client, cohort, jonas, django_assert_num_queries
):
    def add_members(count, start):
        users = User.objects.bulk_create(
            User(email=f"m{n}@example.com", full_name=f"Member {n:03d}", password="!")
            for n in range(start, start + count)
        )
        Membership.objects.bulk_create(
            Membership(user=user, cohort=cohort, language="en", time_zone="Europe/Berlin") for user in users
        )

    client.force_login(jonas)
    Membership.objects.filter(user=jonas).update(circle=None)  # the whole cohort is listed
    add_members(4, 0)
    client.get("/")  # warm-up: site root paths and other caches
    with CaptureQueriesContext(connection) as small:
        response = client.get("/")
    assert len(response.context["circle"]) == 5
    queries = len(small)  # now: the log is cleared by later requests
    assert queries <= 15, [q["sql"] for q in small.captured_queries]

    add_members(195, 100)
    client.get("/")
    with django_assert_num_queries(queries):
        response = client.get("/")
    assert len(response.context["circle"]) == 200
