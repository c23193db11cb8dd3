"""Course edits are safe: the admin lists lessons in course order, warns when two lessons open on
one day and says which are translated; a lesson added late with an early offset neither becomes
"this week's lesson" nor leads the pager to a lesson not open yet; an untranslated lesson tells a
German member so."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from cohorts.models import LessonDate
from cohorts.schedule import Schedule
from tests.factories import (
    MembershipFactory,
    edit_form_with_order,
    make_cohort,
    make_lesson,
    publish,
    translate_page,
)

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# The factory cohort starts on Monday 2 November 2026; lesson 3 (offset 2) opens on 16 November.
WEEK_THREE = datetime.datetime(2026, 11, 17, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def course(course_page):
    for number in range(1, 9):
        make_lesson(course_page, f"Lesson number {number}", offset=number - 1)
    return course_page


@pytest.fixture
def late_lesson(course):
    """Added at the end of the course with release offset 2: the day lesson 3 opens."""
    return make_lesson(course, "Added later", offset=2)


@pytest.fixture
def cohort(course):
    return make_cohort(course)


@pytest.fixture
def member(cohort):
    return MembershipFactory(cohort=cohort, user__language="en").user


def lessons_of(course):
    return {lesson.title: lesson for lesson in course.lessons}


# --- the admin ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_lists_a_courses_lessons_in_course_order_not_the_last_edited_first(admin_client, course):
    first = lessons_of(course)["Lesson number 1"]
    first.summary = "Edited last."
    publish(first)
    html = admin_client.get(reverse("wagtailadmin_explore", args=[course.pk])).content.decode()
    positions = [html.index(f"Lesson number {number}") for number in range(1, 9)]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_the_lesson_form_warns_that_two_lessons_open_on_the_same_day(admin_client, course, late_lesson):
    html = admin_client.get(reverse("wagtailadmin_pages:edit", args=[late_lesson.pk])).content.decode()
    assert "Lesson 9 opens on the same day as another lesson" in html
    assert "lesson 3 “Lesson number 3”" in html
    # …and that it opens before lessons that come earlier in the course.
    assert "Lesson 9 opens before lesson 8 “Lesson number 8”" in html


@pytest.mark.django_db
def test_a_lesson_on_its_own_day_gets_no_warning(admin_client, course):
    lesson = lessons_of(course)["Lesson number 4"]
    html = admin_client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk])).content.decode()
    assert "opens on the same day" not in html
    assert "opens before lesson" not in html


@pytest.mark.django_db
def test_saving_a_lesson_onto_another_lessons_day_warns_after_the_save(admin_client, course):
    lesson = lessons_of(course)["Lesson number 5"]
    order = list(range(len(lesson.body.raw_data)))
    response = admin_client.post(
        reverse("wagtailadmin_pages:edit", args=[lesson.pk]),
        edit_form_with_order(lesson, order, release_offset="1", **{"action-publish": "1"}),
        follow=True,
    )
    html = response.content.decode()
    assert "Lesson 5 opens on the same day as another lesson" in html
    assert "lesson 2 “Lesson number 2”" in html


@pytest.mark.django_db
def test_the_lesson_form_shows_which_lessons_are_translated(admin_client, home_page, course):
    translate_page(home_page, "de")
    translate_page(course, "de")
    translate_page(lessons_of(course)["Lesson number 1"], "de", title="Lektion eins")
    lesson = lessons_of(course)["Lesson number 2"]
    html = admin_client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk])).content.decode()
    table = html[html.index("Lessons of this course in course order") :]
    assert table.count(">translated<") == 1
    assert table.count(">not translated<") == 7


@pytest.mark.django_db
def test_a_cohorts_lesson_date_on_another_lessons_day_is_warned_on_the_overview(admin_client, course, cohort):
    lesson = lessons_of(course)["Lesson number 4"]
    LessonDate.objects.create(cohort=cohort, lesson=lesson, opens_on=datetime.date(2026, 11, 9))
    html = admin_client.get(reverse("cohort_admin:overview", args=[cohort.pk])).content.decode()
    assert "These lessons open on the same day" in html
    assert "lesson 2 “Lesson number 2”, lesson 4 “Lesson number 4”" in html


# --- members --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_lesson_added_late_with_an_early_offset_does_not_become_this_weeks_lesson(cohort, late_lesson):
    schedule = Schedule.for_cohort(cohort)
    current = schedule.current(WEEK_THREE)
    assert (current.number, current.lesson.title) == (3, "Lesson number 3")
    # Its number follows course order: it comes last.
    assert schedule.slot(late_lesson).number == 9
    assert late_lesson.number == 9


@pytest.mark.django_db
def test_the_pager_never_links_to_a_lesson_not_open_yet(client, member, course, late_lesson):
    lessons = lessons_of(course)
    client.force_login(member)
    with time_machine.travel(WEEK_THREE, tick=False):
        late = client.get(late_lesson.url).content.decode()
        third = client.get(lessons["Lesson number 3"].url).content.decode()
    assert lessons["Lesson number 8"].url not in late
    assert f'href="{lessons["Lesson number 3"].url}" rel="prev"' in late
    assert lessons["Lesson number 4"].url not in third
    assert f'href="{late_lesson.url}" rel="next"' in third


@pytest.mark.django_db
def test_an_untranslated_lesson_tells_a_german_member_it_is_shown_in_english(client, home_page, course, cohort):
    translate_page(home_page, "de")
    translate_page(course, "de")
    lessons = lessons_of(course)
    translate_page(lessons["Lesson number 1"], "de", title="Lektion eins")
    greta = MembershipFactory(cohort=cohort, user__language="de", language="de").user
    client.force_login(greta)
    with time_machine.travel(WEEK_THREE, tick=False):
        untranslated = client.get(lessons["Lesson number 2"].url).content.decode()
        translated = client.get(lessons["Lesson number 1"].url).content.decode()
    assert "Diese Lektion ist noch nicht übersetzt" in untranslated
    assert "Lektion eins" in translated
    assert "noch nicht übersetzt" not in translated


@pytest.mark.django_db
def test_an_english_member_sees_no_translation_note(client, member, course):
    client.force_login(member)
    with time_machine.travel(WEEK_THREE, tick=False):
        html = client.get(lessons_of(course)["Lesson number 2"].url).content.decode()
    assert "not translated yet" not in html


@pytest.mark.django_db
def test_the_new_lesson_form_shows_the_course_plan_with_the_new_lesson_last(admin_client, course):
    response = admin_client.get(reverse("wagtailadmin_pages:add", args=["lessons", "lessonpage", course.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    table = html[html.index("Lessons of this course in course order") :]
    assert table.index("Lesson number 8") < table.index("This lesson")
    # Its default offset (0) is lesson 1's day: said before it is saved.
    assert "Lesson 9 opens on the same day as another lesson" in html
