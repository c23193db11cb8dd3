"""The course outline each process keeps between requests (course/outline.py): kept while no page
changes, reloaded as soon as one does, in this process or (through the database token) another."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Membership
from course import outline
from course.models import OutlineVersion, User
from lessons.models import LessonPage
from tests.factories import make_cohort, make_lesson, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(course_page):
    first = make_lesson(course_page, "Know yourself")
    current = make_lesson(course_page, "Write regularly", offset=1)
    cohort = make_cohort(course_page, start_date=datetime.date(2020, 1, 6), end_date=datetime.date(2099, 1, 1))
    user = User.objects.create_user(email="mo@example.com", password="pw", full_name="Mo Member")
    Membership.objects.create(user=user, cohort=cohort)
    return user, cohort, first, current


def lesson_queries(queries):
    """The queries that load lesson pages (the outline's own work)."""
    return [q["sql"] for q in queries if 'FROM "lessons_lessonpage"' in q["sql"]]


def test_a_second_request_reuses_the_outline_and_reads_only_the_token(client, member):
    user, cohort, _first, _current = member
    client.force_login(user)
    url = reverse("progress:cohort_home", args=[cohort.pk])
    client.get(url)

    with CaptureQueriesContext(connection) as again:
        assert client.get(url).status_code == 200

    assert lesson_queries(again.captured_queries) == []
    assert sum('"course_outlineversion"' in q["sql"] for q in again.captured_queries) == 1


def test_a_lesson_published_in_this_process_shows_on_the_next_request(client, member, course_page):
    user, cohort, _first, _current = member
    client.force_login(user)
    url = reverse("progress:cohort_home", args=[cohort.pk])
    assert b"Listen more than you talk" not in client.get(url).content

    make_lesson(course_page, "Listen more than you talk", offset=5)  # opened long ago: now the current one

    assert b"Listen more than you talk" in client.get(url).content


def test_a_change_committed_by_another_process_is_seen_through_the_token(client, member):
    user, cohort, _first, current = member
    client.force_login(user)
    url = reverse("progress:cohort_home", args=[cohort.pk])
    client.get(url)
    # Another process: the rows and the token change in the database, no signal reaches us.
    LessonPage.objects.filter(pk=current.pk).update(title="Know your voice")
    assert b"Know your voice" not in client.get(url).content  # the token did not change: kept

    OutlineVersion.objects.filter(pk=OutlineVersion.SINGLETON).update(token="from-another-process")

    assert b"Know your voice" in client.get(url).content


def test_a_rolled_back_page_change_leaves_the_token_as_it_was(member):
    _user, _cohort, first, _current = member
    before = outline.current_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        first.title = "Never saved"
        first.save()
        assert outline.current_version() != before
        raise RuntimeError("the editor's request failed")

    assert outline.current_version() == before
    assert outline.course_lessons(first.get_parent())[0].title == "Know yourself"


def test_outside_a_request_the_token_is_read_on_every_use(member, django_assert_num_queries):
    _user, cohort, _first, _current = member
    course = cohort.course
    outline.end()  # the fixture's page changes count as committed (a test's transaction never is)
    outline.course_lessons(course)

    with django_assert_num_queries(1):  # the token; the lessons are kept
        outline.course_lessons(course)
    with django_assert_num_queries(1):
        outline.course_lessons(course)


def test_a_draft_lesson_is_not_routed_to_and_a_served_lesson_is_a_copy(client, member, course_page):
    user, _cohort, first, _current = member
    draft = make_lesson(course_page, "Still a draft")
    draft.unpublish()
    client.force_login(user)

    assert client.get(draft.url or "/presence/still-a-draft/").status_code == 404
    assert client.get("/presence/no-such-lesson/").status_code == 404
    response = client.get(first.url)
    assert response.status_code == 200

    served = response.context["page"]
    kept = outline.live_child(course_page, first.slug)
    assert served.pk == kept.pk and served is not kept


def test_without_a_token_row_nothing_is_kept(member, django_assert_num_queries):
    _user, cohort, _first, _current = member
    OutlineVersion.objects.all().delete()
    course = cohort.course

    with django_assert_num_queries(2):  # the missing token, then the lessons themselves
        lessons = outline.course_lessons(course)

    assert [lesson.title for lesson in lessons] == ["Know yourself", "Write regularly"]
    publish(lessons[0])  # a page change writes a token again
    assert OutlineVersion.objects.filter(pk=OutlineVersion.SINGLETON).exists()


def test_changing_an_image_renews_the_outline(member):
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    before = outline.current_version()
    image = get_image_model().objects.create(title="Cover", file=get_test_image_file())
    created = outline.current_version()
    image.title = "Cover, cropped"
    image.save()

    assert len({before, created, outline.current_version()}) == 3


def test_saving_a_draft_or_locking_keeps_the_token_and_publishing_renews_it(member):
    _user, _cohort, first, _current = member
    before = outline.current_version()

    first.title = "A better title, not published yet"
    first.save_revision()  # what the editor's "Save draft" and autosave do
    first.locked = True
    first.save(update_fields=["locked", "locked_at", "locked_by"])
    assert outline.current_version() == before

    publish(first)
    assert outline.current_version() != before


def test_nothing_is_kept_while_this_threads_page_change_is_uncommitted(member, django_assert_num_queries):
    _user, cohort, first, _current = member
    course = cohort.course
    with transaction.atomic():
        first.title = "Changed, not committed"
        first.save()
        with django_assert_num_queries(2):  # the token and the lessons: not kept
            outline.course_lessons(course)
        with django_assert_num_queries(2):
            outline.course_lessons(course)


def test_an_unsaved_pages_parent_is_its_own_not_a_kept_one(member, course_page, home_page):
    other = publish(home_page.add_child(instance=type(course_page)(title="Other", slug="other", intro="<p>x</p>")))
    # As Wagtail previews a page not created yet: no id, a path under the parent.
    new_here = LessonPage(title="New", path=course_page.path + "ZZZZ", depth=course_page.depth + 1)
    new_there = LessonPage(title="New too", path=other.path + "ZZZZ", depth=other.depth + 1)

    assert outline.parent_page(new_here).pk == course_page.pk
    assert outline.parent_page(new_there).pk == other.pk


def test_renew_outline_and_migrate_replace_the_token(member):
    from django.core.management import call_command

    before = outline.current_version()
    call_command("renew_outline", stdout=open("/dev/null", "w"))  # noqa: SIM115
    after_command = outline.current_version()
    outline.migrated()

    assert len({before, after_command, outline.current_version()}) == 3
