"""Calendar invitations for the cohort's events (Work Out Loud meetups, conferences).

plan_event_invitations(now), one of the tick's planners: for each event not yet over, a row
  per member and SEQUENCE (`event-invite:<event>:<sequence>`): a new event, and every change
  to its time or place (which raises the sequence), reaches each member once; a member who
  joins later gets the current version. A cancelled event sends METHOD:CANCEL to those who
  were invited.
The email carries the iCalendar (cohorts.ical.invitation): METHOD:REQUEST with the event's
stable UID, or METHOD:CANCEL. A row for an older sequence is skipped, never sent late.
"""

import datetime
from email.mime.text import MIMEText

from django.conf import settings
from django.db.models import CharField, Exists, F, IntegerField, OuterRef, Value
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from cohorts import ical
from cohorts.models import CohortEvent, Membership, Role

from .audience import not_paused, reachable
from .models import Delivery, DeliveryState, Kind
from .planned_rows import insert_select, moment, row_defaults

REQUEST, CANCEL = "REQUEST", "CANCEL"


def period_key(event):
    return f"event-invite:{event.pk}:{event.sequence}"


def plan_event_invitations(now):
    """One query for the events, then one statement per event that is not over: INSERT … SELECT
    of the members who have no row for the event's current sequence yet (so a second tick, or
    any tick after everyone was invited, adds nothing)."""
    events = CohortEvent.objects.filter(date__gte=(now - datetime.timedelta(days=1)).date()).select_related("cohort")
    inserted = 0
    for event in events:
        if event.is_over(now):
            continue
        members = Membership.objects.filter(cohort_id=event.cohort_id, role=Role.MEMBER)
        if event.cancelled:
            invited = Delivery.objects.filter(
                membership=OuterRef("pk"),
                kind=Kind.EVENT_INVITATION,
                subject_id=event.pk,
                state=DeliveryState.SENT,
                variant=REQUEST,
            )
            members = members.filter(Exists(invited))
        planned = Delivery.objects.filter(
            membership=OuterRef("pk"), kind=Kind.EVENT_INVITATION, period_key=period_key(event)
        )
        members = reachable(members, Kind.EVENT_INVITATION).filter(not_paused(event.cohort.local_today(now)))
        inserted += insert_select(
            members.exclude(Exists(planned)),
            membership=F("pk"),
            period_key=Value(period_key(event), output_field=CharField()),
            subject_id=Value(event.pk, output_field=IntegerField()),
            due_at=moment(now),
            send_by=moment(event.ends_at),
            **row_defaults(Kind.EVENT_INVITATION, now, variant=CANCEL if event.cancelled else REQUEST),
        )
    return inserted


def event_url(event):
    return settings.SITE_URL + reverse("progress:event", args=[event.pk])


def in_member_zone(event, membership):
    """The event's start and end in the member's zone when their clock differs from the cohort's
    then (a London member of a Berlin cohort, an online meetup), else None: the event is told in
    the cohort's zone, where it takes place, and this is the member's own time beside it."""
    if event.all_day:
        return None
    zone = membership.zone
    start = timezone.localtime(event.starts_at, zone)
    if start.utcoffset() == timezone.localtime(event.starts_at, event.cohort.zone).utcoffset():
        return None
    return {"start": start, "end": timezone.localtime(event.ends_at, zone), "zone": membership.time_zone}


def when(event, language, membership=None):
    """The event's day and time in the cohort's zone, in the member's language; with the
    member's own time beside it where their clock differs."""
    with translation.override(language):
        local_start = timezone.localtime(event.starts_at, event.cohort.zone)
        day = formats.date_format(local_start.date(), "DATE_FORMAT")
        if event.all_day:
            return day
        end = timezone.localtime(event.ends_at, event.cohort.zone)
        text = _("%(day)s, %(start)s–%(end)s (%(zone)s)") % {
            "day": day,
            "start": local_start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"),
            "zone": event.cohort.time_zone,
        }
        own = in_member_zone(event, membership) if membership is not None else None
        if own is None:
            return text
        return text + _("; for you %(day)s, %(start)s–%(end)s (%(zone)s)") % {
            "day": formats.date_format(own["start"].date(), "DATE_FORMAT"),
            "start": own["start"].strftime("%H:%M"),
            "end": own["end"].strftime("%H:%M"),
            "zone": own["zone"],
        }


def invitation_context(delivery, membership, event):
    """The template context; the Skip decisions are the caller's (mail.contents)."""
    return {
        "event": event,
        "method": delivery.variant or REQUEST,
        "when": when(event, membership.language, membership),
        "event_url": event_url(event),
    }


def is_superseded(delivery, event):
    return delivery.period_key != period_key(event)


def calendar_part(delivery, membership, event, organizer):
    """The iCalendar as a text/calendar part with its method, as calendar apps expect it."""
    method = delivery.variant or REQUEST
    calendar = ical.invitation(
        event, method=method, attendee=membership.user.email, organizer=organizer, url=event_url(event)
    )
    part = MIMEText(calendar.to_ical().decode(), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part
