"""Page changes show on the next request, in any process: pages are loaded per request (once per
request, however many parts of the page ask), and the only thing kept between requests is the
default locale's id, in Django's cache, forgotten whenever a locale changes."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Locale

from cohorts.models import Membership
from course.models import User
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


def test_the_member_home_loads_the_courses_lessons_once_per_request(client, member):
    user, cohort, _first, _current = member
    client.force_login(user)
    client.get(home_url(cohort))

    with CaptureQueriesContext(connection) as again:
        assert client.get(home_url(cohort)).status_code == 200

    assert len(lesson_list_queries(again.captured_queries)) == 1


def test_the_lesson_page_loads_the_courses_lessons_once_per_request(client, member):
    user, _cohort, first, _current = member
    client.force_login(user)
    client.get(first.url)

    with CaptureQueriesContext(connection) as again:
        assert client.get(first.url).status_code == 200

    assert len(lesson_list_queries(again.captured_queries)) == 1


def test_a_lesson_published_in_this_process_shows_on_the_next_request(client, member, course_page):
    user, cohort, _first, _current = member
    client.force_login(user)
    assert b"Listen more than you talk" not in client.get(home_url(cohort)).content

    make_lesson(course_page, "Listen more than you talk", offset=5)  # opened long ago: now the current one

    assert b"Listen more than you talk" in client.get(home_url(cohort)).content


def test_a_change_made_behind_djangos_back_shows_on_the_next_request(client, member):
    user, cohort, _first, current = member
    client.force_login(user)
    client.get(home_url(cohort))

    # As another process or a raw update would: no signal reaches this process.
    LessonPage.objects.filter(pk=current.pk).update(title="Know your voice")

    assert b"Know your voice" in client.get(home_url(cohort)).content


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
