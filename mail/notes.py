"""A word in time: a facilitator's personal note to one member, or message to a circle or the whole
cohort, through the email pipeline.

    send_note(...) → a FacilitatorNote, then one Delivery per recipient (unique per note, so each
    gets it exactly once), queued after commit. Only members who still want email get a row: not
    unsubscribed, not opted out of the kind, not paused today. The email's Reply-To is the
    facilitator's address, so the member's answer goes to her, not to the platform.

The suggestion a facilitator starts from (per stuck reason, in the member's language) is rendered
from templates/mail/note_suggestion*.txt.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cohorts.models import Membership, Role
from course.validators import has_visible_text, single_line
from lessons.stuck import stuck_in

from .audience import not_paused, reachable
from .bounces import bouncing_memberships
from .dispatch import enqueue
from .emails import render_text
from .models import Delivery, DeliveryState, FacilitatorNote, Kind

MAX_SUBJECT = 150
MAX_BODY = 5000


class NoteError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def suggested_note(membership, reason, *, piece_title="", facilitator=None):
    """(subject, text) a facilitator can edit, for a member stuck for `reason`, in the member's
    language."""
    context = {
        "reason": reason,
        "member": membership.user,
        "piece_title": piece_title,
        "facilitator": facilitator,
    }
    with translation.override(membership.language):
        subject = render_text("mail/note_suggestion_subject.txt", context)
        body = render_text("mail/note_suggestion.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


def greeting(membership):
    """The line every email to this member begins with ("Hello Anna,"), in their language: the
    note form shows it, so the facilitator does not greet twice."""
    with translation.override(membership.language):
        return render_text("emails/_greeting.txt", {"greeting_name": membership.user.get_short_name()}).strip()


def recipients(cohort, *, membership=None, circle=None, kind, today=None):
    """The members a note or message reaches: reachable for `kind` and not paused today."""
    today = today or cohort.local_today()
    members = Membership.objects.filter(cohort=cohort, role=Role.MEMBER)
    if membership is not None:
        members = members.filter(pk=membership.pk)
    elif circle is not None:
        members = members.filter(circle=circle)
    return reachable(members, kind).filter(not_paused(today))


def send_note(cohort, author, *, subject, body, membership=None, circle=None, reason="", now=None):
    """Write and queue a note (to `membership`) or a message (to `circle`, or the whole cohort).
    Returns (note, number of emails queued). Raises NoteError with a message for bad input."""
    now = now or timezone.now()
    subject = single_line(subject or "").strip()
    body = (body or "").strip()
    if not has_visible_text(subject) or not has_visible_text(body):
        raise NoteError(_("Write a subject and a message first."))
    if len(subject) > MAX_SUBJECT or len(body) > MAX_BODY:
        raise NoteError(
            _("Keep the subject under %(subject)s and the message under %(body)s characters.")
            % {"subject": MAX_SUBJECT, "body": f"{MAX_BODY:,}"}
        )
    kind = Kind.PERSONAL_NOTE if membership is not None else Kind.GROUP_MESSAGE
    with transaction.atomic():
        note = FacilitatorNote.objects.create(
            cohort=cohort,
            membership=membership,
            circle=circle,
            author=author,
            reason=reason,
            subject=subject,
            body=body,
        )
        period_key = f"note:{note.pk}"
        ids = list(
            recipients(cohort, membership=membership, circle=circle, kind=kind, today=cohort.local_today(now))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Delivery.objects.bulk_create(
            [
                Delivery(
                    membership_id=pk,
                    kind=kind,
                    period_key=period_key,
                    subject_id=note.pk,
                    due_at=now,
                    enqueued_at=now,
                )
                for pk in ids
            ],
            ignore_conflicts=True,
        )
        queued = list(Delivery.objects.filter(kind=kind, period_key=period_key).values_list("pk", flat=True))
        enqueue(queued)
    return note, len(queued)


@dataclass
class SentNote:
    kind: str
    subject: str
    created_at: datetime.datetime
    state: str

    @property
    def state_label(self):
        return DeliveryState(self.state).label

    @property
    def is_personal(self):
        return self.kind == Kind.PERSONAL_NOTE


def sent_notes(membership_ids, limit=3):
    """{membership id: its latest notes and messages, newest first}: two queries."""
    rows = list(
        Delivery.objects.filter(membership_id__in=membership_ids, kind__in=[Kind.PERSONAL_NOTE, Kind.GROUP_MESSAGE])
        .order_by("-created_at", "-pk")
        .values_list("membership_id", "kind", "subject_id", "created_at", "state")
    )
    subjects = dict(
        FacilitatorNote.objects.filter(pk__in={row[2] for row in rows}).values_list("pk", "subject") if rows else ()
    )
    notes = defaultdict(list)
    for membership_id, kind, note_id, created_at, state in rows:
        if len(notes[membership_id]) < limit:
            notes[membership_id].append(SentNote(kind, subjects.get(note_id, ""), created_at, state))
    return notes


def load_notes(ids):
    """Notes by id with their author, for a batch of emails (one query)."""
    return (
        {note.pk: note for note in FacilitatorNote.objects.filter(pk__in=ids).select_related("author")} if ids else {}
    )


def reply_to(note):
    return {"Reply-To": note.author.email} if note.author and note.author.email else {}


def who_is_stuck(cohort, at, circle=None):
    """The stuck rows with the pipeline's bounce state and the notes already sent to each member:
    the page's and the digest's one entry point."""
    members = Membership.objects.filter(cohort=cohort, role=Role.MEMBER)
    if circle is not None:
        members = members.filter(circle=circle)
    ids = list(members.values_list("pk", flat=True))
    rows = stuck_in(cohort, at, circle=circle, bouncing=bouncing_memberships(ids))
    notes = sent_notes({row.membership.pk for row in rows})
    for row in rows:
        row.notes = notes.get(row.membership.pk, [])
    return rows
