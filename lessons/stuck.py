"""Who is stuck this week, and on what: the one rule behind the facilitator's "Who is stuck" page
and the top of her weekly digest.

Each member appears once per reason that applies, with the age of the oldest case (in days):

    draft       a draft started (first saved version) 7+ days ago and not shared
    readers     a piece shared 3+ days ago that no peer has responded to
    feedback    a piece waiting for the facilitator's feedback (lessons.feedback) for 3+ days
    revise      told to revise 7+ days ago, no new version since
    no_url      a piece marked published without a recorded post (its post was removed)
    listening   no response given to anyone in 14 days (not shown when the member is quiet)
    quiet       no activity for 14+ days (lessons.activity)
    bouncing    email to the member bounces (the caller says who: the pipeline knows)

A fixed number of queries however many members: one per reason over the whole cohort (or circle).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, F, Max, Min, OuterRef
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from cohorts.models import Membership, Role

from .activity import is_quiet, last_activity_in
from .feedback import waiting_for_feedback
from .formats import Visibility
from .models import Feedback, PeerReview, PostLog, Response, Submission, SubmissionState

DRAFT_AFTER = datetime.timedelta(days=7)
READERS_AFTER = datetime.timedelta(days=3)
FEEDBACK_AFTER = datetime.timedelta(days=3)
REVISE_AFTER = datetime.timedelta(days=7)
LISTENING_AFTER = datetime.timedelta(days=14)

REASONS = {
    "draft": _("Draft not shared"),
    "readers": _("Waiting for peer readers"),
    "feedback": _("Waiting for your feedback"),
    "revise": _("Asked to revise, no new version"),
    "no_url": _("Published without a recorded URL"),
    "listening": _("No response given to anyone"),
    "quiet": _("Gone quiet"),
    "bouncing": _("Email bouncing"),
}
# What would help, per reason: the page offers this action first.
ACTIONS = {
    "draft": "note",
    "readers": "reassign",
    "feedback": "feedback",
    "revise": "note",
    "no_url": "note",
    "listening": "note",
    "quiet": "note",
    "bouncing": "none",
}


@dataclass
class StuckPiece:
    pk: int
    title: str


@dataclass
class StuckRow:
    membership: Membership
    reason: str
    since: datetime.datetime | None
    age_days: int
    piece: StuckPiece | None = None
    count: int = 1
    notes: list = field(default_factory=list)  # what was sent to the member (filled by callers)

    @property
    def label(self):
        return REASONS[self.reason]

    @property
    def action(self):
        return ACTIONS[self.reason]

    @property
    def name(self):
        return self.membership.user.full_name or self.membership.user.email


def _oldest(found, membership_id, since, piece):
    """Keep the oldest case per member (and count them)."""
    current = found.get(membership_id)
    if current is None:
        found[membership_id] = [since, piece, 1]
    else:
        current[2] += 1
        if since < current[0]:
            current[0], current[1] = since, piece


def _pieces(rows):
    found = {}
    for membership_id, pk, title, assignment_title, since in rows:
        _oldest(found, membership_id, since, StuckPiece(pk, title or assignment_title))
    return found


def stuck_in(cohort, at, *, circle=None, bouncing=frozenset()):
    """The cohort's stuck members at `at` as StuckRows, grouped by reason (in REASONS' order),
    oldest first. `circle`: only that circle's members; `bouncing`: membership ids whose email
    bounces (mail knows)."""
    members = Membership.objects.filter(cohort=cohort, role=Role.MEMBER)
    if circle is not None:
        members = members.filter(circle=circle)
    members = list(members.select_related("user").order_by("user__full_name", "user__email", "pk"))
    ids = [member.pk for member in members]
    pieces = Submission.objects.filter(membership_id__in=ids).order_by()
    fields = ("membership_id", "pk", "title", "assignment_title", "since")

    found = {}
    found["draft"] = _pieces(
        pieces.filter(state=SubmissionState.DRAFT, version__gt=0)
        .annotate(since=Min("versions__created_at"))
        .filter(since__lte=at - DRAFT_AFTER)
        .values_list(*fields)
    )
    peer_responded = Response.objects.filter(submission=OuterRef("pk")).exclude(author=OuterRef("membership"))
    found["readers"] = _pieces(
        pieces.filter(
            state=SubmissionState.SHARED,
            visibility__in=[Visibility.CIRCLE, Visibility.COHORT],
            shared_at__lte=at - READERS_AFTER,
        )
        .exclude(Exists(peer_responded))
        .annotate(since=F("shared_at"))
        .values_list(*fields)
    )
    # Waiting since it was shared, or since the version the feedback would be about was saved.
    found["feedback"] = _pieces(
        waiting_for_feedback(pieces)
        .annotate(since=Greatest("shared_at", "updated_at"))
        .filter(since__lte=at - FEEDBACK_AFTER)
        .values_list(*fields)
    )
    later = Feedback.objects.filter(submission=OuterRef("submission"), created_at__gt=OuterRef("created_at"))
    revise = (
        Feedback.objects.filter(
            submission__membership_id__in=ids,
            verdict=Feedback.Verdict.REVISE,
            version=F("submission__version"),
            created_at__lte=at - REVISE_AFTER,
        )
        .exclude(Exists(later))
        .exclude(submission__state=SubmissionState.PUBLISHED)
        .order_by()
        .values_list(
            "submission__membership_id",
            "submission_id",
            "submission__title",
            "submission__assignment_title",
            "created_at",
        )
    )
    found["revise"] = _pieces(revise)
    found["no_url"] = _pieces(
        pieces.filter(state=SubmissionState.PUBLISHED)
        .exclude(Exists(PostLog.objects.filter(submission=OuterRef("pk"))))
        .annotate(since=Coalesce("published_at", "created_at"))
        .values_list(*fields)
    )

    last_given = dict(
        Response.objects.filter(author_id__in=ids)
        .order_by()
        .values("author")
        .annotate(m=Max("created_at"))
        .values_list("author", "m")
    )
    last_activity = last_activity_in(cohort)
    rows = []
    for member in members:
        for reason in ("draft", "readers", "feedback", "revise", "no_url"):
            case = found[reason].get(member.pk)
            if case:
                since, piece, count = case
                rows.append(StuckRow(member, reason, since, (at - since).days, piece, count))
        active = last_activity.get(member.pk)
        quiet = is_quiet(member, active, at)
        if quiet:
            since = active or member.joined_at
            rows.append(StuckRow(member, "quiet", since, (at - since).days))
        else:
            since = last_given.get(member.pk) or member.joined_at
            if since <= at - LISTENING_AFTER:
                rows.append(StuckRow(member, "listening", since, (at - since).days))
        if member.pk in bouncing:
            rows.append(StuckRow(member, "bouncing", None, 0))
    order = {reason: index for index, reason in enumerate(REASONS)}
    rows.sort(key=lambda row: (order[row.reason], -row.age_days, row.name))
    return rows


def pending_reader_pieces(piece_ids):
    """Of these pieces, those with a reader who has not responded (a reader can be reassigned)."""
    return set(
        PeerReview.objects.filter(submission_id__in=piece_ids, responded_at__isnull=True).values_list(
            "submission_id", flat=True
        )
    )
