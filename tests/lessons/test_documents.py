"""A document a lesson links (a worksheet) is fetched by the lesson's readers once it has opened,
and by the editors; to anyone else it is not there."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import ReferenceIndex

from cohorts.models import Cohort, Membership, Role
from course.models import CoursePage, User
from lessons.models import LessonPage
from tests.factories import facilitators_group, make_course, make_lesson, publish

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
START = datetime.date(2026, 3, 2)  # a Monday: the first lesson opens at 08:00, the second a week later
BEFORE_SECOND = datetime.datetime(2026, 3, 9, 7, 59, tzinfo=BERLIN)
AFTER_SECOND = datetime.datetime(2026, 3, 9, 8, 1, tzinfo=BERLIN)
PDF = b"%PDF-1.4\n% a worksheet\n"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def document(title="Worksheet"):
    return get_document_model().objects.create(title=title, file=ContentFile(PDF, name="worksheet.pdf"))


def linked_from(lesson, doc):
    """The lesson's text links the document, indexed as the admin's save would."""
    lesson.body = [("text", f'<p>Print <a linktype="document" id="{doc.pk}">the worksheet</a>.</p>')]
    publish(lesson)
    ReferenceIndex.create_or_update_for_object(lesson)
    return lesson


@pytest.fixture
def course(home_page):
    return make_course(home_page)


@pytest.fixture
def worksheet(course):
    make_lesson(course, "Who am I", offset=0)
    doc = document()
    linked_from(make_lesson(course, "Finding your voice", offset=1), doc)
    return doc


@pytest.fixture
def cohort(course):
    return Cohort.objects.create(
        course=course, name="Acme", start_date=START, end_date=datetime.date(2026, 5, 1), time_zone="Europe/Berlin"
    )


def person(email, **extra):
    return User.objects.create_user(email=email, password="pw-long-enough-42", full_name=email.split("@")[0], **extra)


@pytest.fixture
def jonas(cohort):
    user = person("jonas@example.com", time_zone="America/New_York")
    Membership.objects.create(user=user, cohort=cohort)
    return user


def fetch(client, doc, user=None):
    if user is not None:
        client.force_login(user)
    return client.get(doc.url)


def test_the_lesson_links_the_worksheet_and_its_reader_fetches_it_once_the_lesson_opened(client, worksheet, jonas):
    client.force_login(jonas)
    with time_machine.travel(BEFORE_SECOND, tick=False):
        assert fetch(client, worksheet).status_code == 404
    with time_machine.travel(AFTER_SECOND, tick=False):
        lesson_page = client.get("/presence/finding-your-voice/").content.decode()
        assert f'href="{worksheet.url}"' in lesson_page
        response = fetch(client, worksheet)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF


@time_machine.travel(AFTER_SECOND, tick=False)
def test_a_visitor_is_asked_to_sign_in_and_sent_back(client, worksheet):
    response = fetch(client, worksheet)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={worksheet.url}"


@time_machine.travel(AFTER_SECOND, tick=False)
def test_a_member_of_another_course_does_not_find_it(client, worksheet, home_page):
    other = CoursePage(title="Speaking", slug="speaking", intro="<p>Talk.</p>")
    home_page.add_child(instance=other)
    cohort = Cohort.objects.create(
        course=publish(other), name="Other", start_date=START, end_date=datetime.date(2026, 5, 1)
    )
    otto = person("otto@example.com")
    Membership.objects.create(user=otto, cohort=cohort)
    assert fetch(client, worksheet, otto).status_code == 404


@time_machine.travel(AFTER_SECOND, tick=False)
def test_a_document_no_lesson_links_is_there_only_for_editors(client, worksheet, jonas):
    loose = document("Notes for the facilitator")
    assert fetch(client, loose, jonas).status_code == 404
    consultant = User.objects.create_superuser(email="consultant@example.com", password="pw-long-enough-42")
    assert fetch(client, loose, consultant).status_code == 200


@time_machine.travel(AFTER_SECOND, tick=False)
def test_an_unpublished_lesson_no_longer_opens_its_worksheet(client, worksheet, jonas):
    LessonPage.objects.get(slug="finding-your-voice").unpublish()
    assert fetch(client, worksheet, jonas).status_code == 404


@time_machine.travel(BEFORE_SECOND, tick=False)
def test_facilitators_fetch_it_before_it_opens(client, worksheet, cohort):
    fiona = person("fiona@example.com")
    fiona.groups.add(facilitators_group())
    Membership.objects.create(user=fiona, cohort=cohort, role=Role.FACILITATOR)
    assert fetch(client, worksheet, fiona).status_code == 200
