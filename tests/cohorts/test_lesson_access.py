"""Who may read a lesson page, and when."""

import datetime
import zoneinfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse

from cohorts.models import Cohort, LessonDate, Membership, Role
from course.models import CoursePage, User
from tests.factories import make_lesson, publish

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
START = datetime.date(2026, 3, 2)  # a Monday; lessons open at 08:00 Berlin time
SECOND_LESSON_OPENS = datetime.datetime(2026, 3, 9, 8, 0, tzinfo=BERLIN)


def person(email, name, **extra):
    return User.objects.create_user(email=email, password="pw-long-enough-42", full_name=name, **extra)


@pytest.fixture
def first_lesson(course_page):
    return make_lesson(course_page, "Who am I", offset=0)


@pytest.fixture
def second_lesson(course_page, first_lesson):
    return make_lesson(
        course_page,
        "Finding your voice",
        offset=1,
        body=[("text", "<p>The secret of the second lesson.</p>")],
    )


@pytest.fixture
def cohort(course_page):
    return Cohort.objects.create(
        course=course_page,
        name="Acme leadership",
        start_date=START,
        end_date=datetime.date(2026, 5, 1),
        time_zone="Europe/Berlin",
        release_hour=8,
    )


@pytest.fixture
def jonas(cohort):
    user = person("jonas@example.com", "Jonas Weber", time_zone="America/New_York")
    Membership.objects.create(user=user, cohort=cohort)
    return user


@pytest.fixture
def facilitator(cohort):
    user = person("fiona@klartext.test", "Fiona Facilitator")
    Membership.objects.create(user=user, cohort=cohort, role=Role.FACILITATOR)
    return user


@pytest.fixture
def otto(home_page):
    """A member of a cohort of another course."""
    other_course = CoursePage(title="Speaking", slug="speaking", intro="<p>Talk.</p>")
    home_page.add_child(instance=other_course)
    publish(other_course)
    cohort = Cohort.objects.create(
        course=other_course, name="Other", start_date=START, end_date=datetime.date(2026, 5, 1)
    )
    user = person("otto@example.com", "Otto Other")
    Membership.objects.create(user=user, cohort=cohort)
    return user


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in_and_back(client, second_lesson):
    response = client.get(second_lesson.url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={second_lesson.url}"


@pytest.mark.django_db
def test_a_member_sees_when_a_lesson_opens_and_none_of_its_content_before(client, jonas, second_lesson):
    client.force_login(jonas)
    with time_machine.travel(SECOND_LESSON_OPENS - datetime.timedelta(minutes=1), tick=False):
        response = client.get(second_lesson.url)
    assert response.status_code == 200
    assert response.templates[0].name == "lessons/lesson_not_open.html"
    html = response.content.decode()
    # 08:00 in Berlin is 03:00 in New York, Jonas's time zone.
    assert "Monday, 9 March 2026, 03:00" in html
    assert "The secret of the second lesson" not in html
    assert second_lesson.summary not in html


@pytest.mark.django_db
def test_a_member_reads_the_lesson_once_it_has_opened(client, jonas, second_lesson):
    client.force_login(jonas)
    with time_machine.travel(SECOND_LESSON_OPENS, tick=False):
        response = client.get(second_lesson.url)
    assert response.status_code == 200
    assert "The secret of the second lesson" in response.content.decode()
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_cohorts_own_date_for_a_lesson_decides_when_it_opens(client, cohort, jonas, second_lesson):
    LessonDate.objects.create(cohort=cohort, lesson=second_lesson, opens_on=datetime.date(2026, 3, 5))
    client.force_login(jonas)
    with time_machine.travel(datetime.datetime(2026, 3, 5, 8, 1, tzinfo=BERLIN), tick=False):
        assert "The secret of the second lesson" in client.get(second_lesson.url).content.decode()


@pytest.mark.django_db
def test_a_member_of_another_course_gets_a_404(client, otto, second_lesson):
    client.force_login(otto)
    with time_machine.travel(SECOND_LESSON_OPENS + datetime.timedelta(days=1), tick=False):
        assert client.get(second_lesson.url).status_code == 404


@pytest.mark.django_db
def test_a_facilitator_reads_every_lesson_before_it_opens(client, facilitator, second_lesson):
    client.force_login(facilitator)
    with time_machine.travel(datetime.datetime(2026, 2, 1, 12, 0, tzinfo=BERLIN), tick=False):
        response = client.get(second_lesson.url)
    assert response.status_code == 200
    assert "The secret of the second lesson" in response.content.decode()


@pytest.mark.django_db
def test_editors_read_every_lesson_and_preview_still_works(admin_client, second_lesson):
    with time_machine.travel(datetime.datetime(2026, 2, 1, 12, 0, tzinfo=BERLIN), tick=False):
        assert "The secret of the second lesson" in admin_client.get(second_lesson.url).content.decode()
        preview = admin_client.get(reverse("wagtailadmin_pages:view_draft", args=[second_lesson.pk]))
    assert preview.status_code == 200
    assert "The secret of the second lesson" in preview.content.decode()


def test_a_lesson_links_the_previous_and_the_next_lesson_with_their_numbers(
    client, facilitator, course_page, first_lesson, second_lesson
):
    third = make_lesson(course_page, "Listening first", offset=2)
    client.force_login(facilitator)

    def pager(lesson):
        soup = BeautifulSoup(client.get(lesson.url).content, "html.parser")
        nav = soup.select_one("nav.lesson-pager")
        return {
            link["rel"][0]: (link["href"], " ".join(link.get_text(" ", strip=True).split()))
            for link in (nav.select("a") if nav else [])
        }

    assert pager(first_lesson) == {"next": (second_lesson.url, "Lesson 2 → Finding your voice")}
    assert pager(second_lesson) == {
        "prev": (first_lesson.url, "← Lesson 1 Who am I"),
        "next": (third.url, "Lesson 3 → Listening first"),
    }
    assert pager(third) == {"prev": (second_lesson.url, "← Lesson 2 Finding your voice")}


def test_a_course_of_one_lesson_has_no_pager(client, facilitator, first_lesson):
    client.force_login(facilitator)
    assert b"lesson-pager" not in client.get(first_lesson.url).content
