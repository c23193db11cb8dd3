"""A member's private calendar: one event per lesson release (lasting the lesson's reading time),
per assignment due date (all day where the deadline ends the member's own day, else the deadline
itself) and per cohort event (with its start, end and place); and the invitation a member gets by
email for a cohort event.

UIDs are stable per cohort and lesson (or assignment block, or event), so a calendar app that polls
the feed again updates moved events instead of adding duplicates; the invitation email and the feed
share an event's UID and SEQUENCE. Times are written in UTC; calendar apps show them in the
viewer's own zone.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vDuration, vText

from course.translations import Translations
from course.validators import single_line

from .schedule import DUE_TIME, Schedule

PRODID = "-//Klartext//Cohort calendar//EN"
REFRESH = datetime.timedelta(hours=6)
END_OF_DAY = DUE_TIME  # a deadline at this local time or later ends the day
DUE_MOMENT = datetime.timedelta(minutes=15)


def uid_domain():
    return urlsplit(settings.SITE_URL).hostname or "klartext"


def release_uid(cohort, lesson):
    return f"cohort-{cohort.pk}-lesson-{lesson.pk}-opens@{uid_domain()}"


def due_uid(cohort, block_id):
    return f"cohort-{cohort.pk}-assignment-{block_id}-due@{uid_domain()}"


def event_uid(event):
    return f"cohort-{event.cohort_id}-event-{event.pk}@{uid_domain()}"


def due_start(due_at, zone):
    """All day on the date when the deadline ends the member's own day (the site says "Wednesday,
    23:59"); elsewhere the moment itself: from Tokyo or New York a Berlin deadline falls at
    07:59 or 17:59, and an all-day date would promise a day that is not there."""
    local = due_at.astimezone(zone)
    return local.date() if local.time() >= END_OF_DAY else due_at


def absolute_lesson_url(request, lesson):
    parts = lesson.get_url_parts(request)
    if parts is None:
        return None
    return request.build_absolute_uri(parts[2])


def build_calendar(membership, *, lesson_url, event_url=None, now=None):
    """The feed for one membership. `lesson_url(lesson)` gives a lesson's absolute URL (or None),
    `event_url(event)` an event page's."""
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
                    duration=datetime.timedelta(minutes=source.lesson.estimated_minutes or 20),
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
                        start=due_start(assignment.due_at, membership.zone),
                        duration=DUE_MOMENT,
                        summary=_("Due: %(title)s (lesson %(number)s)")
                        % {"title": assignment.title, "number": slot.number},
                        url=f"{url}#assignment-{assignment.block_id}" if url else None,
                        stamp=stamp,
                    )
                )
        for event in cohort.events.all():
            calendar.add_component(event_component(event, url=event_url(event) if event_url else None, stamp=stamp))
    return calendar


def event_component(event, *, url, stamp):
    """A cohort event as a VEVENT: the same UID and SEQUENCE in the feed and in the invitation
    email; it blocks the time (OPAQUE) and carries place, video link, agenda and hashtag."""
    component = Event()
    component.add("uid", event_uid(event))
    component.add("dtstamp", stamp)
    component.add("sequence", event.sequence)
    if event.all_day:
        component.add("dtstart", event.date)
        component.add("dtend", event.date + datetime.timedelta(days=1))
    else:
        component.add("dtstart", event.starts_at.astimezone(datetime.UTC))
        component.add("dtend", event.ends_at.astimezone(datetime.UTC))
    component.add("summary", single_line(event.name))
    location = ", ".join(part for part in (single_line(event.place), single_line(event.video_url)) if part)
    if location:
        component.add("location", location)
    description = [event.agenda.strip()] if event.agenda.strip() else []
    if event.hashtag:
        description.append(f"#{single_line(event.hashtag)}")
    if url:
        component.add("url", single_line(url))
        description.append(single_line(url))
    if description:
        component.add("description", vText("\n\n".join(description)))
    component.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    component.add("transp", "OPAQUE")
    return component


def invitation(event, *, method, attendee, organizer, url, now=None):
    """The iCalendar an invitation email carries: METHOD:REQUEST (or CANCEL) with the event's
    stable UID and current SEQUENCE, so a calendar app adds, moves or removes one entry."""
    stamp = (now or timezone.now()).astimezone(datetime.UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    component = event_component(event, url=url, stamp=stamp)
    organizer_address = vCalAddress(f"mailto:{organizer}")
    component.add("organizer", organizer_address)
    attendee_address = vCalAddress(f"mailto:{attendee}")
    attendee_address.params["ROLE"] = vText("REQ-PARTICIPANT")
    attendee_address.params["PARTSTAT"] = vText("NEEDS-ACTION")
    # Going or not is answered on the event page; calendar replies would go nowhere.
    attendee_address.params["RSVP"] = vText("FALSE")
    component.add("attendee", attendee_address)
    calendar.add_component(component)
    return calendar


def _event(*, uid, start, summary, url, stamp, duration=None):
    """A reminder, not a meeting: transparent, so it never blocks anyone's free/busy time. A
    moment lasts `duration`; a date (`start` a date) is all day. Every text is put on one line: a
    line break in a name must not break the whole feed."""
    summary, url = single_line(summary), single_line(url) if url else url
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    if isinstance(start, datetime.datetime):
        event.add("dtstart", start.astimezone(datetime.UTC))
        if duration:
            event.add("duration", duration)
    else:
        event.add("dtstart", start)
        event.add("dtend", start + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")
    if url:
        event.add("url", url)
        event.add("description", url)
    return event
