"""What each kind of email says: its template, its context and the one place its button leads to,
built from a batch's data (mail.batch_data); Skip when there is nothing to say any more.

Whether the member still wants it is not asked here: that is the claim's question
(mail.audience.consent_rules, in the statement that takes the row).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from course.timezones import week_start
from lessons.platforms import platform_label
from lessons.rendering import plain_excerpt

from . import meetups
from .models import Kind
from .notes import reply_to
from .replies import read_draft_saved_variant

FEEDBACK_QUOTE_CHARS = 300


class Skip(Exception):
    """The delivery is not to be sent (any more): the reason is recorded on its row."""


def absolute(path):
    """Every link in an email is absolute and starts with SITE_URL (make run derives it from PORT)."""
    return settings.SITE_URL + path


@dataclass
class Content:
    """One delivery's part of a message: its template and context, the variant recorded with the
    outcome, and what it adds to the message it leads (a Reply-To, a calendar invitation)."""

    template: str
    context: dict
    variant: str | None = None
    headers: dict = field(default_factory=dict)
    attachments: list = field(default_factory=list)


def _local_week(data, membership):
    monday = week_start(data.now.astimezone(membership.zone).date())
    return monday, monday + datetime.timedelta(days=6)


def _start_url(membership, assignment):
    """The member's piece for an assignment, started if need be, in the editor."""
    return absolute(reverse("lessons:start", args=[membership.cohort_id, assignment.lesson.pk, assignment.block_id]))


def weekly_nudge(data, delivery, membership):
    schedule = data.shown_schedule(membership)
    current = schedule.current(data.now)
    assignment = current.assignments[0] if current and current.assignments else None
    prompt = assignment.value["prompt"] if assignment else None
    monday, sunday = _local_week(data, membership)
    posted = any(monday <= day <= sunday for day in data.posted.get(membership.pk, ()))
    if posted:
        action_url = absolute(reverse("circle:feed", args=[membership.cohort_id]))
        action_label = _("Read your circle")
    elif assignment:
        action_url, action_label = _start_url(membership, assignment), _("Start writing")
    else:
        action_url, action_label = absolute(reverse("lessons:posts")), _("Write and record a post")
    context = {
        "posted_this_week": posted,
        "lesson": current.lesson if current else None,
        "lesson_url": data.lesson_url(current.lesson) if current else None,
        "prompt": prompt,
        "action_url": action_url,
        "action_label": action_label,
    }
    return Content("weekly_nudge", context, variant="posted" if posted else "standard")


def alumni_nudge(data, delivery, membership):
    context = {
        "action_url": absolute(reverse("circle:feed", args=[membership.cohort_id])),
        "action_label": _("Open your circle"),
    }
    return Content("alumni_nudge", context)


def lesson_released(data, delivery, membership):
    lesson = data.lessons.get(delivery.subject_id)
    if lesson is None:
        raise Skip("The lesson no longer exists.")
    lesson = data.shown(membership.cohort, membership.language)(lesson)
    context = {
        "lesson": lesson,
        "lesson_url": data.lesson_url(lesson),
        "action_url": data.lesson_url(lesson),
        "action_label": _("Read the lesson"),
    }
    return Content("lesson_released", context)


def assignment_due(data, delivery, membership):
    lesson = data.lessons.get(delivery.subject_id)
    block_id = delivery.period_key.removeprefix("due:")
    slot = data.shown_schedule(membership).slot(lesson) if lesson else None
    assignment = next((a for a in slot.assignments if a.block_id == block_id), None) if slot else None
    if assignment is None:
        raise Skip("The assignment no longer exists.")
    lesson = slot.lesson
    context = {
        "lesson": lesson,
        "assignment": assignment,
        "due_at": assignment.due_at,
        "lesson_url": data.lesson_url(lesson),
        "action_url": _start_url(membership, assignment),
        "action_label": _("Open your draft"),
    }
    return Content("assignment_due", context)


def feedback_ready(data, delivery, membership):
    submission = data.submissions.get(delivery.subject_id)
    if submission is None:
        raise Skip("The piece no longer exists.")
    feedback = max(submission.feedback.all(), key=lambda f: f.created_at, default=None)
    context = {
        "submission": submission,
        "feedback": feedback,
        "quote": plain_excerpt(feedback.body, FEEDBACK_QUOTE_CHARS) if feedback else "",
        "action_url": absolute(reverse("lessons:editor", args=[submission.pk]) + "#feedback-heading"),
        "action_label": _("Read the feedback"),
    }
    return Content("feedback_ready", context)


def peer_review(data, delivery, membership):
    submission = data.submissions.get(delivery.subject_id)
    if submission is None:
        raise Skip("The piece no longer exists.")
    if any(response.author_id == membership.pk for response in submission.responses.all()):
        raise Skip("The reader has responded meanwhile.")
    author = submission.membership.user
    context = {
        "submission": submission,
        "author": author,
        "author_name": author.get_short_name() or author.full_name,
        "action_url": absolute(reverse("circle:piece", args=[submission.pk]) + "#response-form"),
        "action_label": _("Read and respond"),
    }
    return Content("peer_review", context)


def peer_responded(data, delivery, membership):
    submission = data.submissions.get(delivery.subject_id)
    if submission is None or submission.membership_id != membership.pk:
        raise Skip("The piece no longer exists.")
    responders = []
    for response in submission.responses.all():
        name = response.author.user.get_short_name() if response.author else ""
        if response.author_id != membership.pk and name and name not in responders:
            responders.append(name)
    context = {
        "submission": submission,
        "responders": responders,
        "response_count": sum(1 for r in submission.responses.all() if r.author_id != membership.pk),
        "action_url": absolute(reverse("circle:piece", args=[submission.pk]) + "#responses-heading"),
        "action_label": _("Read the responses"),
    }
    return Content("peer_responded", context)


def event_kit(data, delivery, membership):
    event = data.events.get(delivery.subject_id)
    if event is None:
        raise Skip("The event no longer exists.")
    context = {
        "event": event,
        "phase": delivery.variant,
        "action_url": meetups.event_url(event),
        "action_label": _("Open the event"),
    }
    return Content("event_kit", context)


def self_check(data, delivery, membership):
    url = absolute(f"{reverse('progress:self_check')}?cohort={membership.cohort_id}")
    context = {
        "self_check_url": url,
        "year": delivery.period_key.removeprefix("self-check:"),
        "action_url": url,
        "action_label": _("Start your self-check"),
    }
    return Content("self_check", context)


def note(data, delivery, membership):
    """A personal note or a circle or cohort message; replies go to the facilitator."""
    facilitator_note = data.notes.get(delivery.subject_id)
    if facilitator_note is None:
        raise Skip("The note no longer exists.")
    context = {
        "note": facilitator_note,
        "action_url": absolute(reverse("progress:cohort_home", args=[membership.cohort_id])),
        "action_label": _("Open your course home"),
    }
    return Content(delivery.kind, context, headers=reply_to(facilitator_note))


def event_invitation(data, delivery, membership):
    event = data.events.get(delivery.subject_id)
    if event is None:
        raise Skip("The event no longer exists.")
    if meetups.is_superseded(delivery, event):
        raise Skip("The event changed again; the newer invitation is sent instead.")
    organizer = data.organizer(event.cohort)
    context = meetups.invitation_context(delivery, membership, event)
    context.update({"action_url": context["event_url"], "action_label": _("Going? Tell us on the event page")})
    return Content(
        "event_invitation",
        context,
        headers={"Reply-To": organizer},
        attachments=[meetups.calendar_part(delivery, membership, event, organizer)],
    )


def draft_saved(data, delivery, membership):
    submission = data.submissions.get(delivery.subject_id)
    if submission is None:
        raise Skip("The piece no longer exists.")
    compare, attachments_dropped = read_draft_saved_variant(delivery.variant)
    editor_url = settings.SITE_URL + reverse("lessons:editor", args=[submission.pk])
    if compare:
        editor_url += f"?compare={compare}"
    context = {
        "submission": submission,
        "editor_url": editor_url,
        "changed_meanwhile": compare is not None,
        "attachments_dropped": attachments_dropped,
        "action_url": editor_url,
        "action_label": _("Continue writing"),
    }
    return Content("draft_saved", context)


def reconnect_needed(data, delivery, membership):
    # The network's name travels in `variant` (mail sits below publishing and never reads its rows).
    # "linkedin:2027-02-03": a reminder before the token ends on that (local) day.
    key, _sep, ends_on = delivery.variant.partition(":")
    context = {
        "network": platform_label(key),
        "ends_on": parse_date(ends_on) if ends_on else None,
        "action_url": absolute(f"{reverse('mail:preferences')}?cohort={membership.cohort_id}"),
        "action_label": _("Open your preferences"),
    }
    return Content("reconnect_needed", context)


def facilitator_digest(data, delivery, membership):
    context = {
        "digest": data.digest(membership.cohort),
        "action_url": absolute(reverse("lessons_feedback:queue")),
        "action_label": _("Open the feedback queue"),
    }
    return Content("facilitator_digest", context)


# The member's kinds; the invitation goes to someone who is no member yet (mail.messages).
CONTENTS = {
    Kind.WEEKLY_NUDGE: weekly_nudge,
    Kind.ALUMNI_NUDGE: alumni_nudge,
    Kind.LESSON_RELEASED: lesson_released,
    Kind.ASSIGNMENT_DUE: assignment_due,
    Kind.FEEDBACK_READY: feedback_ready,
    Kind.PEER_REVIEW: peer_review,
    Kind.PEER_RESPONDED: peer_responded,
    Kind.EVENT_KIT: event_kit,
    Kind.SELF_CHECK: self_check,
    Kind.PERSONAL_NOTE: note,
    Kind.GROUP_MESSAGE: note,
    Kind.EVENT_INVITATION: event_invitation,
    Kind.DRAFT_SAVED: draft_saved,
    Kind.RECONNECT_NEEDED: reconnect_needed,
    Kind.FACILITATOR_DIGEST: facilitator_digest,
}
