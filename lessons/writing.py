"""The rules of writing: saving without ever losing text, sharing, peer review, feedback, publishing.

Views call these functions; they hold no request logic.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cohorts.models import Membership, Role
from course.validators import has_visible_text

from .models import (
    Feedback,
    LessonPage,
    PeerReview,
    PostLog,
    Response,
    Submission,
    SubmissionState,
    SubmissionVersion,
    Visibility,
)
from .platforms import post_url_problem
from .rendering import plain_excerpt

# A sane cap: the longest format (a blog article) is far below it. Bigger input is refused with a
# message and the text stays in the editor.
MAX_BODY_CHARS = 50_000
MAX_TITLE_CHARS = 200
REVIEWERS_PER_PIECE = 2


class WritingError(Exception):
    def __init__(self, message, code):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class SaveResult:
    ok: bool
    submission: Submission
    version: int
    conflict: SubmissionVersion | None = None  # the version saved elsewhere meanwhile


def get_or_start(membership, lesson, assignment_id):
    """The member's submission for an assignment, created on first use."""
    value = lesson.assignment(assignment_id)
    if value is None:
        raise WritingError(_("This writing assignment no longer exists."), "no_assignment")
    try:
        submission, _created = Submission.objects.get_or_create(
            membership=membership,
            assignment_id=assignment_id,
            defaults={
                "lesson": lesson,
                "assignment_title": value["title"][:150],
                "visibility": value["default_audience"],
            },
        )
    except IntegrityError:
        submission = Submission.objects.get(membership=membership, assignment_id=assignment_id)
    return submission


def validate_text(title, body):
    if len(body) > MAX_BODY_CHARS:
        raise WritingError(
            _("This text is longer than %(limit)s characters and was not saved. It is still in the editor.")
            % {"limit": f"{MAX_BODY_CHARS:,}"},
            "too_long",
        )
    if len(title) > MAX_TITLE_CHARS:
        raise WritingError(
            _("The title is longer than %(limit)s characters.") % {"limit": MAX_TITLE_CHARS}, "title_too_long"
        )


def save_draft(submission_id, *, title, body, base_version, kind=SubmissionVersion.Kind.SAVE):
    """Save text that was based on `base_version`.

    The conditional update is the claim: it succeeds only when nobody saved since the editor
    loaded `base_version`. Otherwise nothing is overwritten and the caller gets the other version
    to show next to the member's text. Saving the same text again is a no-op.
    """
    validate_text(title, body)
    with transaction.atomic():
        current = Submission.objects.get(pk=submission_id)
        if current.version == base_version and current.body == body and current.title == title:
            return SaveResult(True, current, current.version)
        new_version = base_version + 1
        updated = Submission.objects.filter(pk=submission_id, version=base_version).update(
            title=title, body=body, excerpt=plain_excerpt(body), version=new_version, updated_at=timezone.now()
        )
        if updated != 1:
            latest = SubmissionVersion.objects.filter(submission_id=submission_id).order_by("-number").first()
            return SaveResult(False, current, latest.number if latest else current.version, conflict=latest)
        SubmissionVersion.objects.create(
            submission_id=submission_id, number=new_version, title=title, body=body, kind=kind
        )
    current.refresh_from_db()
    return SaveResult(True, current, new_version)


def restore_version(submission_id, number, *, base_version):
    version = SubmissionVersion.objects.get(submission_id=submission_id, number=number)
    return save_draft(
        submission_id,
        title=version.title,
        body=version.body,
        base_version=base_version,
        kind=SubmissionVersion.Kind.RESTORE,
    )


def share(submission, *, visibility=None, now=None):
    """Share a piece with its audience (the assignment's default, or wider). Sharing with the
    circle assigns peer reviewers."""
    now = now or timezone.now()
    if not has_visible_text(submission.body):
        raise WritingError(_("Write something before you share it."), "empty")
    visibility = visibility or submission.visibility
    if visibility not in Visibility.values:
        raise WritingError(_("Choose who should see this piece."), "bad_visibility")
    with transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(
            visibility=visibility,
            state=SubmissionState.SHARED if submission.state == SubmissionState.DRAFT else submission.state,
            shared_at=submission.shared_at or now,
        )
        submission.refresh_from_db()
        if visibility in (Visibility.CIRCLE, Visibility.COHORT):
            assign_peer_reviewers(submission)
    return submission


def assign_peer_reviewers(submission, count=REVIEWERS_PER_PIECE):
    """Round-robin inside the author's circle: never the author, the least-loaded readers first,
    and not the reader who reviewed the author's previous piece where that can be avoided."""

    author = submission.membership
    if author.circle_id is None:
        return []
    already = set(submission.peer_reviews.values_list("reviewer_id", flat=True))
    needed = count - len(already)
    if needed <= 0:
        return []
    candidates = list(
        Membership.objects.filter(circle_id=author.circle_id, role=Role.MEMBER)
        .exclude(pk=author.pk)
        .exclude(pk__in=already)
        .annotate(
            load=Count(
                "peer_reviews",
                filter=Q(peer_reviews__submission__assignment_id=submission.assignment_id),
            ),
            pending=Count("peer_reviews", filter=Q(peer_reviews__responded_at__isnull=True)),
        )
    )
    # The readers of the author's previous shared piece: not again "where avoidable", i.e. unless
    # avoiding them would push someone past three readings in this round.
    previous = (
        Submission.objects.filter(membership=author, shared_at__isnull=False)
        .exclude(pk=submission.pk)
        .order_by("-shared_at", "-pk")
        .first()
    )
    previous_reviewers = set(previous.peer_reviews.values_list("reviewer_id", flat=True)) if previous else set()
    candidates.sort(
        key=lambda m: (m.load >= 3, m.pk in previous_reviewers, m.load, m.pending, (m.pk - author.pk) % 997)
    )
    chosen = candidates[:needed]
    PeerReview.objects.bulk_create(
        [PeerReview(submission=submission, reviewer=m) for m in chosen], ignore_conflicts=True
    )
    return chosen


def respond(submission, author_membership, body):
    body = (body or "").strip()
    if not has_visible_text(body):
        raise WritingError(_("Write a response first."), "empty")
    if len(body) > MAX_BODY_CHARS:
        raise WritingError(_("This response is too long."), "too_long")
    with transaction.atomic():
        response = Response.objects.create(submission=submission, author=author_membership, body=body)
        PeerReview.objects.filter(submission=submission, reviewer=author_membership, responded_at__isnull=True).update(
            responded_at=response.created_at
        )
    return response


def give_feedback(submission, author, body, verdict):
    body = (body or "").strip()
    if not has_visible_text(body):
        raise WritingError(_("Write your feedback first."), "empty")
    if verdict not in Feedback.Verdict.values:
        raise WritingError(_("Choose 'revise' or 'ready to publish'."), "bad_verdict")
    with transaction.atomic():
        feedback = Feedback.objects.create(
            submission=submission, author=author, body=body, verdict=verdict, version=submission.version
        )
        fields = {"ready_to_publish": verdict == Feedback.Verdict.READY}
        if verdict == Feedback.Verdict.REVISE:
            fields["revision_count"] = F("revision_count") + 1
        Submission.objects.filter(pk=submission.pk).update(**fields)
    return feedback


def waits_for_ready(submission):
    """Whether publishing this piece waits for the facilitator's "ready to publish": the
    assignment's setting (off unless the consultant turned it on)."""
    lesson = submission.lesson
    assignment = lesson.assignment(submission.assignment_id) if isinstance(lesson, LessonPage) else None
    return bool(assignment and assignment.get("wait_for_ready"))


def may_publish(submission):
    return (
        submission.ready_to_publish or submission.state == SubmissionState.PUBLISHED or not waits_for_ready(submission)
    )


def _check_post(membership, *, url, platform, posted_on, exclude=None):
    problem = post_url_problem(url, platform)
    if problem:
        raise WritingError(problem, "bad_url")
    member_today = membership.local_today()
    if posted_on > member_today:
        raise WritingError(_("The date of a post cannot be in the future."), "future")
    if posted_on < membership.cohort.start_date:
        raise WritingError(
            _("The date of a post cannot be before the cohort started (%(start)s).")
            % {"start": date_format(membership.cohort.start_date)},
            "before_cohort",
        )
    same = PostLog.objects.filter(membership=membership, url=url.strip())
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise WritingError(_("This post is already recorded."), "duplicate")


def record_post(membership, *, url, platform, posted_on=None, submission=None):
    """Record a public post. A post recorded for a submission publishes (completes) it."""
    posted_on = posted_on or membership.local_today()
    if submission is not None and submission.membership_id != membership.pk:
        raise WritingError(_("This piece belongs to someone else."), "not_owner")
    if submission is not None and not may_publish(submission):
        raise WritingError(_("This piece waits for your facilitator's “ready to publish”."), "not_ready")
    _check_post(membership, url=url, platform=platform, posted_on=posted_on)
    with transaction.atomic():
        post = PostLog.objects.create(
            membership=membership, submission=submission, url=url.strip(), platform=platform, posted_on=posted_on
        )
        if submission is not None:
            # The first recorded post publishes the piece; later ones keep that moment.
            Submission.objects.filter(pk=submission.pk, published_at__isnull=True).update(published_at=timezone.now())
            Submission.objects.filter(pk=submission.pk).update(state=SubmissionState.PUBLISHED)
    return post


def correct_post(post, *, url, platform, posted_on):
    """Correct a recorded post's address, platform or date (the same rules as recording it)."""
    _check_post(post.membership, url=url, platform=platform, posted_on=posted_on, exclude=post)
    post.url, post.platform, post.posted_on = url.strip(), platform, posted_on
    post.save(update_fields=["url", "platform", "posted_on"])
    return post


def remove_post(post):
    """Remove a recorded post. A piece whose last post goes is no longer published: it returns
    to shared (or draft, if it never was)."""
    with transaction.atomic():
        submission_id = post.submission_id
        post.delete()
        if submission_id is not None and not PostLog.objects.filter(submission_id=submission_id).exists():
            piece = Submission.objects.select_for_update().get(pk=submission_id)
            piece.state = SubmissionState.SHARED if piece.shared_at else SubmissionState.DRAFT
            piece.published_at = None
            piece.save(update_fields=["state", "published_at"])
