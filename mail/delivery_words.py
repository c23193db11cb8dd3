"""What a delivery is about, in the reader's words: the lesson, the piece, the event, the week;
never a period key such as "link:241aff…". The Deliveries report shows it beside every row."""

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cohorts.models import CohortEvent
from course.translations import Translations
from lessons.models import LessonPage, Submission
from lessons.platforms import platform_label
from lessons.titles import assignment_titles

from .meetups import CANCEL
from .models import FacilitatorNote, Kind
from .replies import read_draft_saved_variant

WEEKLY_VARIANTS = {"posted": _("after a post this week"), "standard": _("no post yet this week")}
EVENT_PHASES = {"before": _("three days before"), "day": _("on the day"), "after": _("two days after")}


def _number(text):
    return int(text) if text.isdigit() else None


def _week_words(key):
    """ "2026-W48" → "week of 23 November 2026" (the ISO week's Monday)."""
    try:
        year, week = key.split("-W")
        monday = datetime.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        return key
    return _("week of %(day)s") % {"day": date_format(monday, "DATE_FORMAT")}


def _month_words(key):
    try:
        return date_format(datetime.datetime.strptime(key, "%Y-%m").date(), "YEAR_MONTH_FORMAT")
    except ValueError:
        return key


def describe(deliveries):
    """Set `about` on each delivery: what it is about, in the reader's words (the lesson, the
    piece, the event, the week). Three queries at most, however many rows."""
    deliveries = list(deliveries)
    lesson_ids, piece_ids, event_ids, note_ids = set(), set(), set(), set()
    for delivery in deliveries:
        if delivery.kind in (Kind.LESSON_RELEASED, Kind.ASSIGNMENT_DUE) and delivery.subject_id:
            lesson_ids.add(delivery.subject_id)
        elif delivery.kind in PIECE_KINDS and delivery.subject_id:
            piece_ids.add(delivery.subject_id)
        elif delivery.kind == Kind.EVENT_KIT:
            event_ids.add(_number(delivery.period_key.split(":")[1]) if ":" in delivery.period_key else None)
        elif delivery.kind == Kind.EVENT_INVITATION:
            event_ids.add(delivery.subject_id)
        elif delivery.kind in (Kind.PERSONAL_NOTE, Kind.GROUP_MESSAGE) and delivery.subject_id:
            note_ids.add(delivery.subject_id)
    lessons = {lesson.pk: lesson for lesson in LessonPage.objects.filter(pk__in=lesson_ids)} if lesson_ids else {}
    shown = Translations(lessons.values())
    pieces = (
        {
            piece.pk: piece
            for piece in Submission.objects.filter(pk__in=piece_ids).only(
                "title", "lesson_id", "assignment_id", "assignment_title"
            )
        }
        if piece_ids
        else {}
    )
    piece_titles = assignment_titles(pieces.values())
    event_ids.discard(None)
    events = {event.pk: event for event in CohortEvent.objects.filter(pk__in=event_ids)} if event_ids else {}
    notes = dict(FacilitatorNote.objects.filter(pk__in=note_ids).values_list("pk", "subject")) if note_ids else {}
    for delivery in deliveries:
        delivery.about = _about(delivery, lessons, shown, pieces, piece_titles, events, notes)
        delivery.variant_words = WEEKLY_VARIANTS.get(delivery.variant, "") if delivery.kind == Kind.WEEKLY_NUDGE else ""
    return deliveries


PIECE_KINDS = (Kind.FEEDBACK_READY, Kind.PEER_REVIEW, Kind.PEER_RESPONDED, Kind.DRAFT_SAVED)


def _about(delivery, lessons, shown, pieces, piece_titles, events, notes):
    key, kind = delivery.period_key, delivery.kind
    if kind in (Kind.PERSONAL_NOTE, Kind.GROUP_MESSAGE):
        subject = notes.get(delivery.subject_id)
        return _("note “%(subject)s”") % {"subject": subject} if subject else _("a note that no longer exists")
    if kind == Kind.EVENT_INVITATION:
        event = events.get(delivery.subject_id)
        if event is None:
            return _("an event that no longer exists")
        if delivery.variant == CANCEL:
            return _("cancellation of %(event)s") % {"event": event.name}
        return _("invitation to %(event)s") % {"event": event.name}
    if kind == Kind.RECONNECT_NEEDED:
        return platform_label(delivery.variant.partition(":")[0])
    if kind in (Kind.WEEKLY_NUDGE, Kind.FACILITATOR_DIGEST):
        return _week_words(key)
    if kind == Kind.ALUMNI_NUDGE:
        return _month_words(key)
    if kind == Kind.INVITATION:
        invitation = delivery.invitation
        if invitation is not None and key != f"link:{invitation.nonce}":
            return _("an earlier invitation link (replaced since)")
        return _("the invitation link")
    if kind in (Kind.LESSON_RELEASED, Kind.ASSIGNMENT_DUE):
        lesson = lessons.get(delivery.subject_id)
        if lesson is None:
            return _("a lesson that no longer exists")
        lesson = shown(lesson)
        if kind == Kind.LESSON_RELEASED:
            return _("lesson “%(title)s”") % {"title": lesson.title}
        assignment = lesson.assignment(key.removeprefix("due:")) or lessons[delivery.subject_id].assignment(
            key.removeprefix("due:")
        )
        title = assignment["title"] if assignment else lesson.title
        return _("“%(title)s”, due the next day") % {"title": title}
    if kind in PIECE_KINDS:
        piece = pieces.get(delivery.subject_id)
        if piece is None:
            return _("a piece that no longer exists")
        title = piece.title or piece_titles[piece.pk]
        if kind == Kind.DRAFT_SAVED:
            compare, _dropped = read_draft_saved_variant(delivery.variant)
            saved = _("an emailed reply, saved to “%(title)s”") % {"title": title}
            return saved + (_(", beside version %(number)s") % {"number": compare} if compare else "")
        if kind == Kind.FEEDBACK_READY:
            return _("feedback on “%(title)s”") % {"title": title}
        if kind == Kind.PEER_RESPONDED:
            return _("responses to “%(title)s”") % {"title": title}
        reminder = key.rsplit(":", 1)[-1]
        return _("“%(title)s”, reminder %(number)s of 3") % {"title": title, "number": reminder}
    if kind == Kind.EVENT_KIT:
        parts = key.split(":")
        event = events.get(_number(parts[1])) if len(parts) == 3 else None
        if event is None:
            return _("an event that no longer exists")
        return _("%(event)s, %(phase)s") % {"event": event.name, "phase": EVENT_PHASES.get(parts[2], parts[2])}
    if kind == Kind.SELF_CHECK:
        return _("the yearly self-check %(year)s") % {"year": key.removeprefix("self-check:")}
    return key
