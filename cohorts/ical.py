"""A member's private calendar: one event per lesson release and per assignment due date.

UIDs are stable per cohort and lesson (or assignment block), so a calendar app that polls the
feed again updates moved events instead of adding duplicates. Times are written in UTC; calendar
apps show them in the viewer's own zone.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from course.translations import Translations
from course.validators import single_line

from .schedule import Schedule

PRODID = "-//Klartext//Cohort calendar//EN"
REFRESH = datetime.timedelta(hours=6)


def uid_domain():
    return urlsplit(settings.SITE_URL).hostname or "klartext"


def release_uid(cohort, lesson):
    return f"cohort-{cohort.pk}-lesson-{lesson.pk}-opens@{uid_domain()}"


def due_uid(cohort, block_id):
    return f"cohort-{cohort.pk}-assignment-{block_id}-due@{uid_domain()}"


def absolute_lesson_url(request, lesson):
    parts = lesson.get_url_parts(request)
    if parts is None:
        return None
    return request.build_absolute_uri(parts[2])


def build_calendar(membership, *, lesson_url, now=None):
    """The feed for one membership. `lesson_url(lesson)` gives a lesson's absolute URL (or None)."""
    cohort = membership.cohort
    schedule = Schedule.for_cohort(cohort)
    # Titles and links in the member's language; UIDs stay those of the source lessons.
    shown = Translations([cohort.course, *(slot.lesson for slot in schedule.slots)], membership.language)
    stamp = (now or timezone.now()).astimezone(datetime.UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    with translation.override(membership.language):
        calendar.add("x-wr-calname", single_line(f"Klartext · {cohort.name}"))
        calendar.add(
            "x-wr-caldesc",
            single_line(_("Lesson releases and due dates of %(course)s") % {"course": shown(cohort.course).title}),
        )
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH))
        for source, slot in zip(schedule.slots, schedule.shown_with(shown).slots, strict=True):
            url = lesson_url(slot.lesson)
            calendar.add_component(
                _event(
                    uid=release_uid(cohort, source.lesson),
                    start=slot.opens_at,
                    summary=_("Lesson %(number)s opens: %(title)s")
                    % {"number": slot.number, "title": slot.lesson.title},
                    url=url,
                    stamp=stamp,
                )
            )
            for assignment in slot.assignments:
                calendar.add_component(
                    _event(
                        uid=due_uid(cohort, assignment.block_id),
                        start=assignment.due_at,
                        summary=_("Due: %(title)s (lesson %(number)s)")
                        % {"title": assignment.title, "number": slot.number},
                        url=f"{url}#assignment-{assignment.block_id}" if url else None,
                        stamp=stamp,
                    )
                )
    return calendar


def _event(*, uid, start, summary, url, stamp):
    """A moment, not a meeting: no end (RFC 5545: it ends when it starts) and transparent, so
    it never blocks anyone's free/busy time. Every text is put on one line: a line break in a
    name must not break the whole feed."""
    summary, url = single_line(summary), single_line(url) if url else url
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start.astimezone(datetime.UTC))
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")
    if url:
        event.add("url", url)
        event.add("description", url)
    return event
