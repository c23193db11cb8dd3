"""Page changes show on the next request, in any process. Two things are kept between requests in
Django's cache (shared by all processes): a course's live lessons, until any page changes
(course/page_cache.py), and the default locale's id, until a locale changes."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Locale

from cohorts.models import Membership
from course.models import CoursePage, User
from course.page_cache import KEEP_SECONDS, pages_version
from course.translations import default_locale_id
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


def lesson_list_queries(queries):
    """The queries that load the course's lessons (lesson pages in page-tree order)."""
    return [
        q["sql"]
        for q in queries
        if 'FROM "lessons_lessonpage"' in q["sql"] and 'ORDER BY "wagtailcore_page"."path"' in q["sql"]
    ]


def home_url(cohort):
    return reverse("progress:cohort_home", args=[cohort.pk])


def test_the_member_home_loads_the_courses_lessons_once_and_then_takes_them_from_the_cache(client, member):
    user, cohort, _first, _current = member
    client.force_login(user)
    with CaptureQueriesContext(connection) as first:
        assert client.get(home_url(cohort)).status_code == 200

    with CaptureQueriesContext(connection) as again:
        assert client.get(home_url(cohort)).status_code == 200

    assert len(lesson_list_queries(first.captured_queries)) == 1
    assert lesson_list_queries(again.captured_queries) == []


def test_the_lesson_page_loads_the_courses_lessons_once_and_then_takes_them_from_the_cache(client, member):
    user, _cohort, first, _current = member
    client.force_login(user)
    with CaptureQueriesContext(connection) as first_time:
        assert client.get(first.url).status_code == 200

    with CaptureQueriesContext(connection) as again:
        response = client.get(first.url)

    assert response.status_code == 200
    assert b"Lesson text." in response.content  # the kept page still has its body
    assert len(lesson_list_queries(first_time.captured_queries)) == 1
    assert lesson_list_queries(again.captured_queries) == []


def test_each_request_gets_its_own_copy_of_the_kept_lessons(member, course_page):
    one = CoursePage.objects.get(pk=course_page.pk).lessons
    one[0].title = "Changed in one request only"

    other = CoursePage.objects.get(pk=course_page.pk).lessons

    assert other[0].title == "Know yourself"
    assert other[0] is not one[0]


def test_a_lesson_published_in_this_process_shows_on_the_next_request(client, member, course_page):
    user, cohort, _first, _current = member
    client.force_login(user)
    assert b"Listen more than you talk" not in client.get(home_url(cohort)).content

    make_lesson(course_page, "Listen more than you talk", offset=5)  # opened long ago: now the current one

    assert b"Listen more than you talk" in client.get(home_url(cohort)).content


def test_a_new_revision_published_shows_on_the_next_request(client, member):
    user, cohort, _first, current = member
    client.force_login(user)
    assert b"Write regularly" in client.get(home_url(cohort)).content

    current.title = "Write every week"
    current.save_revision().publish()

    assert b"Write every week" in client.get(home_url(cohort)).content


def test_a_draft_saved_in_the_admin_does_not_show_but_forgets_the_kept_lessons(client, member):
    user, cohort, _first, current = member
    client.force_login(user)
    client.get(home_url(cohort))
    version = pages_version()

    current.title = "Only a draft title"
    current.save_revision()

    assert pages_version() != version
    assert b"Only a draft title" not in client.get(home_url(cohort)).content
    assert b"Write regularly" in client.get(home_url(cohort)).content


def test_a_deleted_lesson_leaves_the_course_on_the_next_request(client, member):
    user, _cohort, first, current = member
    client.force_login(user)
    assert client.get(first.url).context["pager"]["next"].pk == current.pk

    current.delete()

    assert client.get(first.url).context["pager"] is None


def test_a_change_made_behind_djangos_back_shows_once_the_kept_lessons_expire(client, member, settings, tmp_path):
    # The file cache of the embedded default: its expiry follows the clock, Redis's does not.
    file_cache = "django.core.cache.backends.filebased.FileBasedCache"
    settings.CACHES = {"default": {"BACKEND": file_cache, "LOCATION": str(tmp_path)}}
    user, cohort, _first, current = member
    client.force_login(user)
    with time_machine.travel(datetime.datetime(2026, 12, 6, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        client.get(home_url(cohort))

        # As a raw SQL update would: no signal.
        LessonPage.objects.filter(pk=current.pk).update(title="Know your voice")
        assert b"Know your voice" not in client.get(home_url(cohort)).content

        clock.shift(datetime.timedelta(seconds=KEEP_SECONDS + 1))
        assert b"Know your voice" in client.get(home_url(cohort)).content


def test_migrate_forgets_the_kept_lessons(client, member):
    # A data migration changes pages without the signals a save sends.
    user, cohort, _first, current = member
    client.force_login(user)
    client.get(home_url(cohort))
    LessonPage.objects.filter(pk=current.pk).update(title="Know your voice")

    call_command("migrate", verbosity=0)

    assert b"Know your voice" in client.get(home_url(cohort)).content


def test_a_page_change_forgets_the_kept_lessons_again_once_it_commits(member, django_capture_on_commit_callbacks):
    _user, cohort, first, _current = member
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first.save()
    # Meanwhile another process, not seeing the change yet, kept the lessons as they were.
    version = pages_version()
    assert CoursePage.objects.get(pk=cohort.course_id).lessons

    for callback in callbacks:  # the change commits
        callback()

    assert pages_version() != version
    assert cache.get(f"course:lessons:{cohort.course_id}:{pages_version()}") is None


def test_an_unpublished_lesson_leaves_the_course_on_the_next_request(client, member):
    user, _cohort, first, current = member
    client.force_login(user)
    assert client.get(current.url).status_code == 200
    assert client.get(first.url).context["pager"]["next"].pk == current.pk

    current.unpublish()

    assert client.get(current.url).status_code == 404
    assert client.get(first.url).context["pager"] is None


def test_a_moved_lesson_takes_its_new_place_on_the_next_request(client, member, course_page):
    user, _cohort, first, current = member
    client.force_login(user)
    assert client.get(first.url).context["page"].number == 1

    current.move(first, pos="left")

    assert client.get(first.url).context["page"].number == 2
    assert client.get(current.url).context["page"].number == 1


def test_a_rolled_back_page_change_is_not_seen(member):
    _user, cohort, first, _current = member
    with pytest.raises(RuntimeError), transaction.atomic():
        first.title = "Never saved"
        first.save()
        raise RuntimeError("the editor's request failed")

    course = type(cohort.course).objects.get(pk=cohort.course_id)
    assert course.lessons[0].title == "Know yourself"


def test_a_draft_lesson_is_not_routed_to(client, member, course_page):
    user, _cohort, _first, _current = member
    draft = make_lesson(course_page, "Still a draft")
    draft.unpublish()
    client.force_login(user)

    assert client.get("/presence/still-a-draft/").status_code == 404
    assert client.get("/presence/no-such-lesson/").status_code == 404


def test_a_served_lesson_knows_its_course_from_the_routing_without_a_query(client, member, course_page):
    user, _cohort, first, _current = member
    client.force_login(user)

    page = client.get(first.url).context["page"]

    with CaptureQueriesContext(connection) as asked:
        course = page.course
    assert course.pk == course_page.pk
    assert asked.captured_queries == []


def test_an_unsaved_pages_course_is_its_own_parent(member, course_page, home_page):
    other = publish(home_page.add_child(instance=type(course_page)(title="Other", slug="other", intro="<p>x</p>")))
    # As Wagtail previews a page not created yet: no id, a path under the parent.
    new_here = LessonPage(title="New", path=course_page.path + "ZZZZ", depth=course_page.depth + 1)
    new_there = LessonPage(title="New too", path=other.path + "ZZZZ", depth=other.depth + 1)

    assert new_here.course.pk == course_page.pk
    assert new_there.course.pk == other.pk


def test_the_default_locale_id_is_kept_in_the_cache(home_page, django_assert_num_queries):
    english = Locale.objects.get(language_code="en")
    assert default_locale_id() == english.pk

    with django_assert_num_queries(0):
        assert default_locale_id() == english.pk


def test_changing_a_locale_forgets_the_kept_default_locale_id(home_page):
    english = Locale.objects.get(language_code="en")
    assert default_locale_id() == english.pk
    german, _created = Locale.objects.get_or_create(language_code="de")
    Locale.objects.filter(pk=english.pk).update(language_code="xx")  # behind Django's back: no signal
    assert default_locale_id() == english.pk  # kept

    german.save()  # any locale saved

    assert default_locale_id() is None  # no English locale now
    Locale.objects.filter(pk=english.pk).update(language_code="en")
    german.delete()  # any locale deleted
    assert default_locale_id() == english.pk


def test_a_locale_change_rolled_back_leaves_the_committed_id(home_page):
    english = Locale.objects.get(language_code="en")
    assert default_locale_id() == english.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        english.language_code = "xx"
        english.save()
        raise RuntimeError("rolled back")

    assert default_locale_id() == english.pk


def test_a_locale_change_forgets_the_id_again_once_it_commits(home_page, django_capture_on_commit_callbacks):
    english = Locale.objects.get(language_code="en")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        english.save()
    # Meanwhile another process, not seeing the change yet, kept the id it read.
    default_locale_id()
    Locale.objects.filter(pk=english.pk).update(language_code="xx")
    assert default_locale_id() == english.pk

    for callback in callbacks:  # the change commits
        callback()

    assert default_locale_id() is None


def test_the_lesson_pages_query_count_does_not_grow_with_the_course(
    client, member, course_page, django_assert_num_queries
):
    user, _cohort, first, _current = member
    client.force_login(user)
    client.get(first.url)
    with CaptureQueriesContext(connection) as with_two:
        client.get(first.url)
    queries = len(with_two.captured_queries)  # now: the next request clears the log

    for number in range(10):
        make_lesson(course_page, f"Later lesson {number}", offset=number + 2)
    client.get(first.url)

    with django_assert_num_queries(queries):
        assert client.get(first.url).status_code == 200


def test_a_course_taken_offline_is_not_found_on_the_next_request(client, member, course_page):
    user, _cohort, _first, _current = member
    client.force_login(user)
    assert client.get("/presence/").status_code == 200

    course_page.unpublish()

    assert client.get("/presence/").status_code == 404


def test_a_path_below_a_lesson_is_not_found(client, member):
    user, _cohort, first, _current = member
    client.force_login(user)

    assert client.get(first.url + "more/").status_code == 404
