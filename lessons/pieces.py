"""Where each of a member's pieces stands, as they see it, and the one thing to do next.

One rule for the member home, "My writing" and the editor: a piece is not started, a draft,
shared, back with the facilitator's "revise" or "ready to publish", or published. The latest
feedback counts; publishing ends the story. (Assignment titles in the reader's language:
lessons.titles.)
"""

from dataclasses import dataclass

from django.db.models import Count, F, FilteredRelation, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Feedback, ReadMarker, Submission, SubmissionState
from .writing import may_publish


class Standing:
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SHARED = "shared"
    REVISE = "revise"
    READY = "ready"
    PUBLISHED = "published"

    LABELS = {
        NOT_STARTED: _("Not started"),
        DRAFT: _("Draft"),
        SHARED: _("Shared"),
        REVISE: _("Feedback: revise"),
        READY: _("Feedback: ready to publish"),
        PUBLISHED: _("Published"),
    }


@dataclass
class NextStep:
    standing: str
    action: str  # the button's words
    url: str

    @property
    def label(self):
        return Standing.LABELS[self.standing]

    @property
    def done(self):
        return is_done(self.standing)


def is_done(standing):
    """Publishing ends the story: nothing is left to do."""
    return standing == Standing.PUBLISHED


def standing_of(piece):
    """The piece's standing: `piece` a Submission with its latest feedback loaded (or None)."""
    if piece is None:
        return Standing.NOT_STARTED
    if piece.state == SubmissionState.PUBLISHED:
        return Standing.PUBLISHED
    verdict = piece.latest_feedback.verdict if piece.latest_feedback_id else None
    if verdict == Feedback.Verdict.REVISE:
        return Standing.REVISE
    if verdict == Feedback.Verdict.READY:
        return Standing.READY
    if piece.state == SubmissionState.SHARED:
        return Standing.SHARED
    return Standing.DRAFT


def next_step(piece, *, start_url=None):
    """The one next action for a piece (None: not started, then `start_url` starts it)."""
    standing = standing_of(piece)
    if piece is None:
        return NextStep(standing, str(_("Start writing")), start_url or "")
    editor = reverse("lessons:editor", args=[piece.pk])
    if standing == Standing.DRAFT:
        return NextStep(standing, str(_("Continue writing")), editor)
    if standing == Standing.REVISE:
        return NextStep(standing, str(_("Revise it")), editor + "#feedback-heading")
    if standing in (Standing.READY, Standing.SHARED) and may_publish(piece):
        return NextStep(standing, str(_("Publish it")), reverse("lessons:publish", args=[piece.pk]))
    if standing == Standing.SHARED:
        return NextStep(standing, str(_("Read the responses")), editor + "#responses-heading")
    return NextStep(standing, str(_("Open it")), editor)


def with_standing(queryset):
    """Submissions with what their standing needs: the latest feedback, and how many responses
    they have (no extra query per piece)."""
    return _standing(queryset).select_related("lesson").annotate(response_count=Count("responses", distinct=True))


def _standing(queryset):
    """The latest feedback (its verdict, its words): all `standing_of` and `next_step` ask."""
    return queryset.select_related("latest_feedback")


def member_pieces(membership, lessons):
    """The member's pieces ready for `standing_of` and `next_step`, each with `new_responses`:
    how many responses from others came since the member last looked at it. One query.

    Each piece's lesson is taken from `lessons` (the course's, which the caller's schedule has
    loaded) instead of being joined: a lesson row carries its whole body, the bulk of the rows."""
    by_pk = {lesson.pk: lesson for lesson in lessons}
    found = list(_with_new_responses(_standing(Submission.objects.filter(membership=membership)), membership))
    for piece in found:
        if piece.lesson_id in by_pk:
            piece.lesson = by_pk[piece.lesson_id]
    return found


def own_pieces(memberships):
    """All pieces of these memberships, newest change first, ready for `standing_of`."""
    return with_standing(Submission.objects.filter(membership__in=memberships)).order_by("-updated_at", "-pk")


# --- listening: responses to one's own pieces -------------------------------------------------


def mark_read(membership, submission):
    """The member has seen `submission` and its responses as they are now."""
    if membership is None:
        return
    now = timezone.now()
    if not ReadMarker.objects.filter(membership=membership, submission=submission).update(read_at=now):
        ReadMarker.objects.get_or_create(membership=membership, submission=submission, defaults={"read_at": now})


def _with_new_responses(pieces, membership):
    """`pieces` (the member's own) each with `new_responses`: the responses from others that came
    after the member last looked at the piece (in the editor or the circle), ReadMarker.

    A join and a count rather than a subquery per piece: building the correlated form cost
    Django more than PostgreSQL took to run it. One marker per member and piece (unique)."""
    responses_from_others = ~Q(responses__author=membership)
    unseen = Q(seen__read_at__isnull=True) | Q(seen__read_at__lt=F("responses__created_at"))
    return pieces.annotate(
        seen=FilteredRelation("read_markers", condition=Q(read_markers__membership=membership)),
        new_responses=Count("responses", filter=responses_from_others & unseen),
    )
