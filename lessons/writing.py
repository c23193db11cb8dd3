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

from .changes import writing_changed
from .models import (
    FREE_PIECE_PREFIX,
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
from .platforms import post_address, post_url_problem, same_post_addresses
from .rendering import plain_excerpt

# A sane cap: the longest format (a blog article) is far below it. Bigger input is refused with a
# message and the text stays in the editor.
MAX_BODY_CHARS = 50_000
MAX_TITLE_CHARS = 200
REVIEWERS_PER_PIECE = 2
# No reader is given more than this many pieces of one assignment (round-robin fairness).
MAX_READINGS = 3
SAVE_ATTEMPTS = 5


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


def start_free_piece(membership, key, *, body, kind=SubmissionVersion.Kind.SAVE):
    """A new piece tied to no assignment (a free post) holding `body` as its first version, named
    by the caller's stable `key` (at most 59 characters, used once). A new piece has no earlier
    version to conflict with: two inserts."""
    validate_text("", body)
    submission = Submission.objects.create(
        membership=membership, assignment_id=f"{FREE_PIECE_PREFIX}{key}", lesson=None, body=body, version=1
    )
    SubmissionVersion.objects.create(submission=submission, number=1, body=body, kind=kind)
    return submission


def recent_drafts(membership, since, limit=5, *, among=None):
    """The member's drafts with text, changed since `since`, newest first: home lists them, so a
    draft started by an email reply is one click away. One query, or none when `among` holds all
    the member's pieces already loaded."""
    if among is not None:
        drafts = [
            piece
            for piece in among
            if piece.state == SubmissionState.DRAFT and piece.updated_at >= since and piece.body != ""
        ]
        return sorted(drafts, key=lambda piece: (piece.updated_at, piece.pk), reverse=True)[:limit]
    return list(
        Submission.objects.filter(membership=membership, state=SubmissionState.DRAFT, updated_at__gte=since)
        .exclude(body="")
        .only("pk", "title", "assignment_title", "excerpt", "updated_at", "lesson_id")
        .order_by("-updated_at", "-pk")[:limit]
    )


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
    to show next to the member's text. Saving the text the piece already has is a no-op, also from
    an older base: a save whose answer was lost on the way and is sent again is not a conflict.
    """
    validate_text(title, body)
    with transaction.atomic():
        current = Submission.objects.get(pk=submission_id)
        if current.body == body and current.title == title:
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


def save_reply(submission_id, *, body, sent_at):
    """Text that arrived by email becomes the piece's newest version through the same conditional
    save as the editor: nothing is overwritten, every earlier text stays a version. Returns the
    SaveResult and the number of the member's own latest version saved after `sent_at` (the email
    went out), if they changed the piece meanwhile, so both can be shown."""
    for _attempt in range(SAVE_ATTEMPTS):
        current = Submission.objects.get(pk=submission_id)
        result = save_draft(
            submission_id,
            title=current.title,
            body=body,
            base_version=current.version,
            kind=SubmissionVersion.Kind.REPLY,
        )
        if result.ok:
            break
    else:
        raise WritingError(_("The piece kept changing while the reply was saved."), "busy")
    changed = (
        SubmissionVersion.objects.filter(submission_id=submission_id, created_at__gt=sent_at, number__lt=result.version)
        .exclude(kind=SubmissionVersion.Kind.REPLY)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return result, changed


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
    """Share a piece with its audience (the assignment's default, or wider): readers see its latest
    saved version, and what the author writes afterwards only once they share again. Sharing
    with the circle assigns peer reviewers."""
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
            # The latest saved version, as stored now (an autosave may have come in meanwhile).
            shared_version=F("version"),
            shared_title=F("title"),
            shared_excerpt=F("excerpt"),
        )
        submission.refresh_from_db()
        if visibility in (Visibility.CIRCLE, Visibility.COHORT):
            assign_peer_reviewers(submission)
        writing_changed()
    return submission


def assign_peer_reviewers(submission, count=REVIEWERS_PER_PIECE, *, exclude=(), max_load=None):
    """Round-robin inside the author's circle: never the author, the least-loaded readers first,
    and not the reader who reviewed the author's previous piece where that can be avoided.
    `exclude`: readers not to choose; `max_load`: leave out readers who already have that many
    pieces of this assignment."""

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
        .exclude(pk__in=already | set(exclude))
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
    if max_load is not None:
        candidates = [m for m in candidates if m.load < max_load]
    candidates.sort(
        key=lambda m: (m.load >= 3, m.pk in previous_reviewers, m.load, m.pending, (m.pk - author.pk) % 997)
    )
    chosen = candidates[:needed]
    PeerReview.objects.bulk_create(
        [PeerReview(submission=submission, reviewer=m) for m in chosen], ignore_conflicts=True
    )
    return chosen


def reassign_peer_reader(submission):
    """A facilitator's "reassign a reader": the reader who has waited longest without responding
    makes way for the next one in the circle's round-robin, so the piece keeps as many readers as
    before and nobody gets more than MAX_READINGS pieces of the assignment. Returns (removed
    reader, new reader); nothing changes when no one else can read it."""
    with transaction.atomic():
        reviews = list(submission.peer_reviews.select_for_update().order_by("assigned_at", "pk"))
        stale = next((review for review in reviews if review.responded_at is None), None)
        if stale is None:
            raise WritingError(_("Every reader of this piece has responded."), "nobody_waiting")
        stale.delete()
        chosen = assign_peer_reviewers(
            submission,
            count=max(len(reviews), REVIEWERS_PER_PIECE),
            exclude={stale.reviewer_id},
            max_load=MAX_READINGS,
        )
        if not chosen:
            raise WritingError(_("Nobody else in the circle can read this piece now."), "no_reader")
    return stale.reviewer, chosen[0]


def replace_lost_readers(submission_ids):
    """Pieces whose reader left the cohort get another reader from the circle (the round-robin,
    at most MAX_READINGS pieces of an assignment each)."""
    for submission in Submission.objects.filter(pk__in=submission_ids, shared_at__isnull=False):
        assign_peer_reviewers(submission, max_load=MAX_READINGS)


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
    same = PostLog.objects.filter(membership=membership, url__in=same_post_addresses(url))
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
            membership=membership, submission=submission, url=post_address(url), platform=platform, posted_on=posted_on
        )
        if submission is not None:
            # The first recorded post publishes the piece; later ones keep that moment.
            Submission.objects.filter(pk=submission.pk, published_at__isnull=True).update(published_at=timezone.now())
            Submission.objects.filter(pk=submission.pk).update(state=SubmissionState.PUBLISHED)
            writing_changed()
    return post


def correct_post(post, *, url, platform, posted_on):
    """Correct a recorded post's address, platform or date (the same rules as recording it)."""
    _check_post(post.membership, url=url, platform=platform, posted_on=posted_on, exclude=post)
    post.url, post.platform, post.posted_on = post_address(url), platform, posted_on
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
