"""The course as the consultant plans it in the admin: its lessons in course order (the page
tree's), each with its release step, the other lessons that open on the same day, whether it
opens before a lesson that comes earlier in the course, and which languages it is translated
into. The lesson edit panel, the messages after saving a lesson and the cohort pages ask here."""

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings

from cohorts.models import Cohort, CohortState
from course.translations import default_language, default_locale_id


@dataclass
class PlannedLesson:
    lesson: object
    number: int
    offset: int
    # Other lessons opening on the same day by default: [(number, lesson)], in course order.
    same_day: list = field(default_factory=list)
    # The last lesson before this one in the course that opens later than it, if any.
    opens_before: tuple | None = None
    # {language code: True/False} for every content language but the source's.
    translated: dict = field(default_factory=dict)

    @property
    def needs_attention(self):
        return bool(self.same_day or self.opens_before)


def other_languages():
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES if code != default_language()]


def course_plan(course, *, editing=None):
    """[PlannedLesson] for the course's lessons (source course, live lessons, course order).
    `editing`: a lesson as the edit form holds it (a draft offset, or a lesson not live or not
    saved yet), planned in its place. Two queries."""
    # By name: the lesson page's edit panel (lessons.panels, imported by the model) asks here.
    lesson_page = apps.get_model("lessons", "LessonPage")
    course = course.canonical
    if editing is not None and editing.pk is not None and editing.locale_id != default_locale_id():
        editing = None  # a translation opens with its source: plan the source lessons as they are
    lessons = list(lesson_page.objects.child_of(course).order_by("path"))
    lessons = [lesson for lesson in lessons if lesson.live or (editing is not None and lesson.pk == editing.pk)]
    if editing is not None:
        lessons = [editing if lesson.pk == editing.pk else lesson for lesson in lessons]
        if not any(lesson.pk == editing.pk for lesson in lessons) or editing.pk is None:
            lessons.append(editing)  # a new lesson goes to the end of the course
    languages = other_languages()
    translated = set()
    if languages:
        translated = set(
            lesson_page.objects.live()
            .filter(
                translation_key__in=[lesson.translation_key for lesson in lessons], locale__language_code__in=languages
            )
            .values_list("translation_key", "locale__language_code")
        )
    plan = [
        PlannedLesson(
            lesson=lesson,
            number=number,
            offset=lesson.release_offset,
            translated={code: (lesson.translation_key, code) in translated for code in languages},
        )
        for number, lesson in enumerate(lessons, start=1)
    ]
    for planned in plan:
        planned.same_day = [
            (other.number, other.lesson) for other in plan if other is not planned and other.offset == planned.offset
        ]
        later_before = [other for other in plan if other.number < planned.number and other.offset > planned.offset]
        if later_before:
            planned.opens_before = (later_before[-1].number, later_before[-1].lesson)
    return plan


def planned(course, lesson, plan=None):
    """The PlannedLesson for `lesson` (as the edit form holds it, or a translation of one) in
    `plan` (by default its course's plan)."""
    plan = plan if plan is not None else course_plan(course, editing=lesson)
    return next(
        (item for item in plan if item.lesson is lesson or item.lesson.translation_key == lesson.translation_key),
        None,
    )


@dataclass
class LessonInUse:
    cohorts: int  # cohorts of its course that are running or about to start
    pieces: int  # pieces of writing that answer it

    def __bool__(self):
        return bool(self.cohorts or self.pieces)


def in_use(lesson):
    """What taking a lesson away (deleting or unpublishing it) touches. Two queries."""
    submission = apps.get_model("lessons", "Submission")
    source = lesson.canonical
    of_course = Cohort.objects.filter(course_id=source.get_parent().pk)
    return LessonInUse(
        cohorts=of_course.exclude(pk__in=of_course.state(CohortState.ALUMNI).values("pk")).count(),
        pieces=submission.objects.filter(lesson=source).count(),
    )
