"""The release schedule: when each lesson opens for a cohort and when its assignments are due.

Lesson N opens on start_date + release_offset × cadence (or the cohort's override for that lesson)
at the cohort's release hour, in the cohort's time zone; so it opens at the same local hour every
week, across DST changes. An assignment is due at the end of the day (23:59 local) that lies
due_offset_days after its lesson opens. One function answers "what is open for this membership
now": `Schedule.for_cohort(cohort).open_lessons(at)`.
"""

import datetime
from dataclasses import dataclass, field, replace

from django.utils import timezone
from django.utils.functional import cached_property

from .models import LessonDate

DUE_TIME = datetime.time(23, 59)


@dataclass(frozen=True)
class AssignmentSlot:
    block_id: str
    title: str
    lesson: object
    due_at: datetime.datetime
    # The lesson whose words `value` holds, when not `lesson` (a translation without this assignment).
    worded_in: object = field(default=None, compare=False, repr=False)

    @cached_property
    def value(self):
        """The assignment block's value (prompt, guidance, format, …), converted when first asked:
        most pages that build a schedule need only titles and due moments."""
        return (self.worded_in or self.lesson).assignment(self.block_id)

    def shown_in(self, lesson):
        """This assignment as `lesson` (a translation of its lesson, same block ids) words it."""
        value = lesson.assignment(self.block_id)
        if value is None:
            return replace(self, lesson=lesson, worded_in=self.worded_in or self.lesson)
        return replace(self, lesson=lesson, title=value["title"], worded_in=None)


@dataclass(frozen=True)
class LessonSlot:
    lesson: object
    number: int
    opens_at: datetime.datetime
    assignments: tuple = ()

    def is_open(self, at):
        return self.opens_at <= at

    def shown_in(self, lesson):
        if lesson is self.lesson:
            return self
        return replace(self, lesson=lesson, assignments=tuple(a.shown_in(lesson) for a in self.assignments))


def local_moment(day, time, zone):
    """An aware datetime for a wall-clock time on a local day (zoneinfo resolves DST gaps/folds)."""
    return datetime.datetime.combine(day, time, tzinfo=zone)


class Schedule:
    """A cohort's lessons in course order with their opening and due moments."""

    def __init__(self, cohort, lessons, overrides):
        self.cohort = cohort
        zone = cohort.zone
        release_time = datetime.time(cohort.release_hour)
        slots = []
        for number, lesson in enumerate(lessons, start=1):
            day = overrides.get(lesson.pk) or cohort.start_date + datetime.timedelta(
                days=lesson.release_offset * cohort.cadence_days
            )
            opens_at = local_moment(day, release_time, zone)
            assignments = tuple(
                AssignmentSlot(
                    block_id=block_id,
                    title=title,
                    lesson=lesson,
                    due_at=local_moment(day + datetime.timedelta(days=due_offset_days or 0), DUE_TIME, zone),
                )
                for block_id, title, due_offset_days in lesson.assignment_dates
            )
            slots.append(LessonSlot(lesson, number, opens_at, assignments))
        self.slots = slots
        self._by_lesson = {slot.lesson.pk: slot for slot in slots}

    @classmethod
    def for_cohort(cls, cohort):
        """Two queries: the course's lessons and the cohort's overrides."""
        lessons = cohort.course.lessons
        overrides = dict(LessonDate.objects.filter(cohort=cohort).values_list("lesson_id", "opens_on"))
        return cls(cohort, lessons, overrides)

    @classmethod
    def for_cohorts(cls, cohorts):
        """Schedules for several cohorts with one query for lessons per course and one for overrides."""
        cohorts = list(cohorts)
        overrides = {}
        for cohort_id, lesson_id, opens_on in LessonDate.objects.filter(cohort__in=[c.pk for c in cohorts]).values_list(
            "cohort_id", "lesson_id", "opens_on"
        ):
            overrides.setdefault(cohort_id, {})[lesson_id] = opens_on
        lessons_by_course = {}
        schedules = {}
        for cohort in cohorts:
            if cohort.course_id not in lessons_by_course:
                lessons_by_course[cohort.course_id] = cohort.course.lessons
            schedules[cohort.pk] = cls(cohort, lessons_by_course[cohort.course_id], overrides.get(cohort.pk, {}))
        return schedules

    def shown_with(self, translations):
        """The same schedule for a reader: each lesson (and its assignments' titles and prompts)
        as `translations` (a course.translations.Translations) shows it. Moments, ids and
        `slot(source lesson)` stay those of the source; no query beyond the translations'."""
        shown = object.__new__(Schedule)
        shown.cohort = self.cohort
        shown.slots = [slot.shown_in(translations(slot.lesson)) for slot in self.slots]
        shown._by_lesson = {source.lesson.pk: slot for source, slot in zip(self.slots, shown.slots, strict=True)}
        return shown

    def slot(self, lesson):
        return self._by_lesson.get(getattr(lesson, "pk", lesson))

    def open_lessons(self, at=None):
        at = at or timezone.now()
        return [slot for slot in self.slots if slot.is_open(at)]

    def is_open(self, lesson, at=None):
        slot = self.slot(lesson)
        return slot is not None and slot.is_open(at or timezone.now())

    def current(self, at=None):
        """This week's lesson: the one that opened last; of lessons that opened together, the
        first in course order (a lesson added at the end with an early offset does not push the
        lesson the cohort is on aside)."""
        opened = self.open_lessons(at)
        return max(opened, key=lambda slot: (slot.opens_at, -slot.number)) if opened else None

    def clashes(self):
        """Lessons that open on the same local day, as lists of slots in course order (one list
        per day), earliest day first. An override that moves a lesson onto another's day shows."""
        by_day = {}
        for slot in self.slots:
            by_day.setdefault(timezone.localtime(slot.opens_at, self.cohort.zone).date(), []).append(slot)
        return [slots for _day, slots in sorted(by_day.items()) if len(slots) > 1]

    def next_opening(self, at=None):
        at = at or timezone.now()
        upcoming = [slot for slot in self.slots if not slot.is_open(at)]
        return min(upcoming, key=lambda slot: (slot.opens_at, slot.number)) if upcoming else None

    def assignments(self, at=None, *, open_only=True):
        at = at or timezone.now()
        return [
            assignment for slot in self.slots if not open_only or slot.is_open(at) for assignment in slot.assignments
        ]

    def due_soon(self, at=None, *, days=14):
        """Assignments of open lessons whose due moment lies ahead (within `days`), soonest first."""
        at = at or timezone.now()
        horizon = at + datetime.timedelta(days=days)
        return sorted((a for a in self.assignments(at) if at <= a.due_at <= horizon), key=lambda a: a.due_at)

    def progress(self, at=None):
        """(opened, total) lessons."""
        return len(self.open_lessons(at)), len(self.slots)
