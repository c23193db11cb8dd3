"""Who may read a lesson page, and what everyone else gets: sign in first; the lesson once it
is open for one of the person's cohorts; a "not open yet" page before that; 404 outside the
course. LessonPage.serve asks here. Previews in the admin do not come through here.

A document a lesson links follows the lesson: lessons/documents.py."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control

from cohorts import access


def serve_lesson(request, lesson, serve):
    """`serve()` renders the lesson itself, once the person may read it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    reading = access.lesson_reading(request.user, lesson)
    if reading.level == "none":
        raise Http404("Not in a cohort of this course.")
    # The pager links only to lessons the reader may open (LessonPage.pager).
    lesson.may_open = reading.may_open
    response = lesson_not_open(request, lesson, reading.slot) if reading.level == "not_yet" else serve()
    patch_cache_control(response, private=True)
    return response


def lesson_not_open(request, lesson, slot):
    """When the lesson opens, in the member's own time zone, and none of its content."""
    request.is_preview = False
    course = lesson.course
    # Cohorts know the source course; `course` is the one in the reader's language.
    source_course_id = lesson.canonical.course.pk
    membership = access.memberships_for(request.user).filter(cohort__course_id=source_course_id).first()
    context = {
        "lesson": lesson,
        "course": course,
        "opens_at": slot.opens_at,
        "number": slot.number,
        "time_zone": membership.time_zone if membership else request.user.time_zone,
        "home_url": reverse("progress:cohort_home", args=[membership.cohort_id]) if membership else "/",
    }
    return render(request, "lessons/lesson_not_open.html", context)
