"""The member's writing loop: open an assignment, write with autosave, resolve conflicts, restore
versions, share with the circle, publish and log public posts.

Views are thin: every rule is in lessons.writing / lessons.platforms / lessons.formats, every
membership comes through cohorts.access, and every refusal is a message while the member's text
stays where it is (never a 500, never a lost word).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts.access import get_membership_or_404, memberships_for
from cohorts.schedule import Schedule
from course.translations import Translations

from . import network_text, pieces, platforms, writing
from .formats import WritingFormat
from .forms import (
    EditorForm,
    MastodonInstanceForm,
    PostLogForm,
    RecordPostForm,
    ResolveForm,
    RestoreForm,
    ShareForm,
    normalise_newlines,
)
from .models import LessonPage, PostLog, Response, Submission, SubmissionVersion
from .titles import with_assignment_titles

VERSIONS_PER_PAGE = 50
RECENT_VERSIONS = 5
POSTS_SHOWN = 100
# The member's Mastodon server (and its character limit), asked once and kept for the session.
MASTODON_SESSION_KEY = "klartext_mastodon_instance"
MASTODON_LIMIT_SESSION_KEY = "klartext_mastodon_limit"


# --- lookups: everything goes through cohorts.access ------------------------------------------


def get_piece_or_404(user, pk):
    """The user's own piece; anyone else's id is a 404 (it reveals nothing)."""
    try:
        return Submission.objects.select_related("membership__cohort__course", "lesson", "latest_feedback").get(
            pk=pk, membership__in=memberships_for(user)
        )
    except (Submission.DoesNotExist, ValueError, TypeError):
        raise Http404("No such piece of writing.") from None


def lesson_slot(membership, lesson):
    if lesson is None:
        return None
    return Schedule.for_cohort(membership.cohort).slot(lesson)


def not_open_response(request, membership, lesson, slot):
    return render(
        request,
        "lessons/writing/not_open.html",
        {"lesson": shown_lesson(lesson), "slot": slot, "cohort": membership.cohort, "zone": membership.zone},
        status=403,
    )


def shown_lesson(lesson):
    """A (source) lesson in the reader's language, where it is translated."""
    return Translations([lesson])(lesson)


def circle_feed_url(cohort_id):
    """The circle feed if it exists yet (it is built in parallel), else None."""
    for how in ({"args": [cohort_id]}, {"kwargs": {"cohort_id": cohort_id}}):
        try:
            return reverse("circle:feed", **how)
        except NoReverseMatch:
            continue
    return None


# --- opening an assignment --------------------------------------------------------------------


@login_required
def write_for_lesson(request, lesson_id, assignment_id):
    """From a lesson page, which does not know the cohort: the member's cohort for that course
    (a chooser when they are in several). The page may be a translation: pieces belong to the
    source lesson, whose assignments have the same block ids."""
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id).canonical
    if lesson.assignment(assignment_id) is None:
        raise Http404("No such writing assignment.")
    course_id = lesson.get_parent().pk
    memberships = [m for m in memberships_for(request.user) if m.cohort.course_id == course_id]
    if not memberships:
        raise Http404("Not in a cohort of this course.")
    if len(memberships) == 1:
        return redirect("lessons:start", memberships[0].cohort_id, lesson.pk, assignment_id)
    return render(
        request,
        "lessons/writing/choose_cohort.html",
        {
            "lesson": lesson,
            "shown_lesson": shown_lesson(lesson),
            "assignment_id": assignment_id,
            "memberships": memberships,
        },
    )


@login_required
def start(request, cohort_id, lesson_id, assignment_id):
    """The member's piece for an assignment, started on first use (idempotent), then the editor."""
    membership = get_membership_or_404(request.user, cohort_id)
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id).canonical
    slot = lesson_slot(membership, lesson)
    if slot is None or lesson.assignment(assignment_id) is None:
        raise Http404("No such writing assignment in this cohort.")
    if not slot.is_open(timezone.now()):
        return not_open_response(request, membership, lesson, slot)
    try:
        piece = writing.get_or_start(membership, lesson, assignment_id)
    except writing.WritingError as error:
        raise Http404(error.message) from None
    return redirect("lessons:editor", piece.pk)


# --- the editor -------------------------------------------------------------------------------


def preview_context(text, platform, *, limits=None):
    """The counter and the per-network previews of `text` (Markdown), all from
    lessons.network_text: what is counted is what would be posted."""
    # A refused save brings back text over the limit: its start is what could ever be posted.
    previews = network_text.previews(text[: writing.MAX_BODY_CHARS], limits=limits)
    own = next((p for p in previews if platform is not None and p.key == platform.key), None)
    if own is not None:  # the assignment's network first, open
        previews = [own, *(p for p in previews if p is not own)]
    return {
        "previews": previews,
        "own_preview": own,
        "server_count": own.used if own else len(network_text.plain_text(text)),
        "server_words": len(text.split()),
    }


def editor_context(piece, *, form=None, conflict=None, mine=None, slot=None):
    membership = piece.membership
    # The piece belongs to the source lesson; the member reads the assignment in their language.
    lesson = shown_lesson(piece.lesson) if piece.lesson else None
    assignment = piece.lesson.assignment(piece.assignment_id) if piece.lesson else None
    assignment_title = piece.assignment_title
    if lesson is not piece.lesson and lesson.assignment(piece.assignment_id) is not None:
        assignment = lesson.assignment(piece.assignment_id)
        assignment_title = assignment["title"]
    fmt = assignment["format"] if assignment else None
    platform = platforms.for_format(fmt)
    text = normalise_newlines(form["body"].value()) if form is not None else piece.body or ""
    if form is None:
        form = EditorForm(initial={"title": piece.title, "body": piece.body, "base_version": piece.version})
    feedback = list(piece.feedback.all())
    return {
        "piece": piece,
        "membership": membership,
        "cohort": membership.cohort,
        "lesson": lesson,
        "slot": slot,
        "assignment": assignment,
        "assignment_title": assignment_title,
        "format_label": WritingFormat(fmt).label if fmt in WritingFormat.values else "",
        "platform": platform.key if platform else "",
        "platform_label": platform.label if platform else "",
        "limit": platform.limit if platform else None,
        **preview_context(text, platform),
        "max_body": writing.MAX_BODY_CHARS,
        "step": pieces.next_step(piece),
        "may_publish": writing.may_publish(piece),
        "responses": Response.objects.filter(submission=piece)
        .select_related("author__user")
        .order_by("created_at", "pk"),
        "form": form,
        "share_form": ShareForm(initial={"visibility": piece.visibility}),
        "recent_versions": piece.versions.all()[:RECENT_VERSIONS],
        "feedback": feedback,
        "zone": membership.zone,
        "conflict": conflict,
        "mine": mine,
        "conflict_form": None,
    }


@login_required
def editor(request, pk):
    piece = get_piece_or_404(request.user, pk)
    slot = lesson_slot(piece.membership, piece.lesson)
    # A piece whose lesson was deleted or moved stays editable: writing is never orphaned.
    if slot is not None and not slot.is_open(timezone.now()):
        return not_open_response(request, piece.membership, piece.lesson, slot)
    context = editor_context(piece, slot=slot)
    # An earlier version to show beside the text (an email reply saved on top of a change).
    number = request.GET.get("compare", "")
    context["compare"] = piece.versions.filter(number=int(number)).first() if number.isdigit() else None
    response = render(request, "lessons/writing/editor.html", context)
    pieces.mark_read(piece.membership, piece)  # its responses are beside the text: seen
    return response


@login_required
@require_POST
def preview(request, pk):
    """The counter and the networks' previews for the text in the editor (asked as one types;
    nothing is saved)."""
    piece = get_piece_or_404(request.user, pk)
    text = normalise_newlines(request.POST.get("body", ""))[: writing.MAX_BODY_CHARS]
    assignment = piece.lesson.assignment(piece.assignment_id) if piece.lesson else None
    platform = platforms.for_format(assignment["format"] if assignment else None)
    context = {
        "platform": platform.key if platform else "",
        "platform_label": platform.label if platform else "",
        "limit": platform.limit if platform else None,
        "max_body": writing.MAX_BODY_CHARS,
        **preview_context(text, platform),
        "oob": True,
    }
    return render(request, "lessons/writing/_preview_response.html", context)


def saved_response(request, piece, message=None):
    if request.htmx:
        return render(
            request,
            "lessons/writing/_save_ok.html",
            {"piece": piece, "zone": piece.membership.zone, "message": message},
        )
    messages.success(request, message or _("Saved."))
    return redirect("lessons:editor", piece.pk)


def problem_response(request, piece, form, message, status=422):
    """A save that was refused: a message, and the text stays in the editor untouched."""
    if request.htmx:
        return render(request, "lessons/writing/_save_problem.html", {"message": message}, status=status)
    messages.error(request, message)
    context = editor_context(piece, form=form, slot=lesson_slot(piece.membership, piece.lesson))
    return render(request, "lessons/writing/editor.html", context, status=status)


def conflict_response(request, piece, form, conflict):
    """Someone saved elsewhere since this editor's base version: both texts, the member chooses."""
    mine = {"title": form.cleaned_data["title"], "body": form.cleaned_data["body"]}
    context = {"piece": piece, "conflict": conflict, "mine": mine, "zone": piece.membership.zone}
    if request.htmx:
        return render(request, "lessons/writing/_save_conflict.html", context, status=409)
    context = editor_context(
        piece, form=form, conflict=conflict, mine=mine, slot=lesson_slot(piece.membership, piece.lesson)
    )
    return render(request, "lessons/writing/editor.html", context, status=409)


def unreadable_save(request, piece, form):
    return problem_response(
        request,
        piece,
        form,
        _("This save could not be read. Your text is still in the editor: reload the page to continue."),
        status=422,
    )


@login_required
@require_POST
def save(request, pk):
    piece = get_piece_or_404(request.user, pk)
    form = EditorForm(request.POST)
    if not form.is_valid():
        too_long = [*form.errors.get("body", []), *form.errors.get("title", [])]
        if too_long:
            return problem_response(request, piece, form, " ".join(too_long))
        return unreadable_save(request, piece, form)
    data = form.cleaned_data
    try:
        result = writing.save_draft(
            piece.pk, title=data["title"], body=data["body"], base_version=data["base_version"], kind=data["kind"]
        )
    except writing.WritingError as error:
        return problem_response(request, piece, form, error.message)
    if not result.ok:
        return conflict_response(request, result.submission, form, result.conflict)
    return saved_response(request, result.submission)


@login_required
@require_POST
def resolve(request, pk):
    """The member's choice in the conflict panel: keep mine (saved on top of the version shown),
    or take the other version into the editor. Nothing is overwritten silently: keeping mine
    adds a version; the other text stays a version either way."""
    piece = get_piece_or_404(request.user, pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return unreadable_save(request, piece, form)
    data = form.cleaned_data
    if data["choice"] == ResolveForm.TAKE_THEIRS:
        message = _("You are now editing version %(number)s, the one saved elsewhere.") % {"number": piece.version}
        if not request.htmx:
            messages.info(request, message)
            return redirect("lessons:editor", piece.pk)
        fields = EditorForm(initial={"title": piece.title, "body": piece.body, "base_version": piece.version})
        return render(
            request,
            "lessons/writing/_take_theirs.html",
            {"piece": piece, "form": fields, "message": message},
        )
    try:
        result = writing.save_draft(
            piece.pk,
            title=data["title"],
            body=data["body"],
            base_version=data["conflict_version"],
            kind=SubmissionVersion.Kind.CONFLICT,
        )
    except writing.WritingError as error:
        return problem_response(request, piece, form, error.message)
    if not result.ok:
        return conflict_response(request, result.submission, form, result.conflict)
    return saved_response(
        request,
        result.submission,
        _("Your text is saved as version %(number)s; the other one stays in the version list.")
        % {"number": result.version},
    )


# --- versions ---------------------------------------------------------------------------------


@login_required
def versions(request, pk):
    piece = get_piece_or_404(request.user, pk)
    page = Paginator(piece.versions.all(), VERSIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "lessons/writing/versions.html",
        {"piece": piece, "page": page, "zone": piece.membership.zone},
    )


@login_required
def version_detail(request, pk, number):
    piece = get_piece_or_404(request.user, pk)
    version = get_object_or_404(piece.versions, number=number)
    return render(
        request,
        "lessons/writing/version_detail.html",
        {
            "piece": piece,
            "version": version,
            "restore_form": RestoreForm(initial={"base_version": piece.version}),
            "zone": piece.membership.zone,
        },
    )


@login_required
@require_POST
def restore(request, pk, number):
    piece = get_piece_or_404(request.user, pk)
    get_object_or_404(piece.versions, number=number)
    form = RestoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That did not work: reload the page and try again."))
        return redirect("lessons:version", piece.pk, number)
    base = form.cleaned_data["base_version"]
    result = writing.restore_version(piece.pk, number, base_version=base)
    if not result.ok:
        messages.warning(
            request,
            _(
                "This piece was changed elsewhere in the meantime (it is now at version %(latest)s). "
                "Nothing was overwritten: look at the versions again and choose."
            )
            % {"latest": result.version},
        )
        return redirect("lessons:versions", piece.pk)
    if result.version == base:
        messages.info(request, _("Version %(number)s is already the current text.") % {"number": number})
    else:
        messages.success(
            request,
            _("Version %(number)s is back as the newest version (%(new)s). Nothing in between was lost.")
            % {"number": number, "new": result.version},
        )
    return redirect("lessons:editor", piece.pk)


# --- sharing ----------------------------------------------------------------------------------


@login_required
@require_POST
def share(request, pk):
    piece = get_piece_or_404(request.user, pk)
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose who should see this piece."))
        return redirect("lessons:editor", piece.pk)
    try:
        piece = writing.share(piece, visibility=form.cleaned_data["visibility"])
    except writing.WritingError as error:
        messages.error(request, error.message)
        return redirect("lessons:editor", piece.pk)
    # The label as it is: lower-casing it would break German nouns ("mein schreibkreis").
    messages.success(request, _("Shared with: %(audience)s.") % {"audience": piece.get_visibility_display()})
    feed = circle_feed_url(piece.membership.cohort_id)
    # ?shared= makes the feed invite the author to answer two or three unanswered pieces.
    return redirect(f"{feed}?shared={piece.pk}") if feed else redirect("lessons:editor", piece.pk)


# --- publishing -------------------------------------------------------------------------------


def post_error_field(error):
    """The form field a refusal of lessons.writing's post rules belongs to."""
    return "url" if error.code in ("bad_url", "duplicate") else "posted_on"


def mastodon_limits(session):
    limit = session.get(MASTODON_LIMIT_SESSION_KEY)
    return {"mastodon": limit} if limit else {}


def publish_targets(body, instance, limits=None):
    """Each network's preview of the piece, with its compose link carrying the plain text."""
    targets = network_text.previews(body, limits=limits)
    for target in targets:
        try:
            target.url = platforms.share_url(target.key, target.text, instance=instance)
        except platforms.ShareError:
            target.url = None  # Mastodon before the member has named their server
    return targets


@login_required
def publish(request, pk):
    piece = get_piece_or_404(request.user, pk)
    if not writing.may_publish(piece):
        messages.info(
            request,
            _("For this assignment, the publish page opens once your facilitator marks the piece ready to publish."),
        )
        return redirect("lessons:editor", piece.pk)
    membership = piece.membership
    instance = request.session.get(MASTODON_SESSION_KEY)
    record_form = RecordPostForm(today=membership.local_today())
    instance_form = MastodonInstanceForm(
        initial={"instance": instance, "limit": request.session.get(MASTODON_LIMIT_SESSION_KEY)}
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "mastodon":
            instance_form = MastodonInstanceForm(request.POST)
            if instance_form.is_valid():
                request.session[MASTODON_SESSION_KEY] = instance_form.cleaned_data["instance"]
                request.session[MASTODON_LIMIT_SESSION_KEY] = instance_form.cleaned_data["limit"]
                messages.success(request, _("Mastodon server saved for this session."))
                return redirect("lessons:publish", piece.pk)
        elif action == "forget_mastodon":
            request.session.pop(MASTODON_SESSION_KEY, None)
            request.session.pop(MASTODON_LIMIT_SESSION_KEY, None)
            return redirect("lessons:publish", piece.pk)
        else:
            record_form = RecordPostForm(request.POST, today=membership.local_today())
            if record_form.is_valid():
                data = record_form.cleaned_data
                try:
                    writing.record_post(
                        membership,
                        url=data["url"],
                        platform=data["platform"],
                        posted_on=data["posted_on"],
                        submission=piece,
                    )
                except writing.WritingError as error:
                    record_form.add_error(post_error_field(error), error.message)
                else:
                    messages.success(request, _("Published. Your post is recorded — well done."))
                    return redirect("lessons:publish", piece.pk)
        status = 422
    return render(
        request,
        "lessons/writing/publish.html",
        {
            "piece": piece,
            "membership": membership,
            "plain_text": network_text.plain_text(piece.body),
            "targets": publish_targets(piece.body, instance, mastodon_limits(request.session)),
            "instance": instance,
            "instance_form": instance_form,
            "record_form": record_form,
            "posts": piece.posts.all(),
            "zone": membership.zone,
        },
        status=status,
    )


def get_post_or_404(user, pk):
    try:
        return PostLog.objects.select_related("membership__cohort", "submission").get(
            pk=pk, membership__in=memberships_for(user)
        )
    except (PostLog.DoesNotExist, ValueError, TypeError):
        raise Http404("No such post.") from None


def after_post_change(post_submission_id):
    if post_submission_id is not None:
        return redirect("lessons:publish", post_submission_id)
    return redirect("lessons:posts")


@login_required
def post_edit(request, pk):
    """Correct a recorded post: its address, platform or date."""
    post = get_post_or_404(request.user, pk)
    today = post.membership.local_today()
    form = RecordPostForm(
        request.POST or None,
        today=today,
        initial={"url": post.url, "platform": post.platform, "posted_on": post.posted_on},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            writing.correct_post(post, url=data["url"], platform=data["platform"], posted_on=data["posted_on"])
        except writing.WritingError as error:
            form.add_error(post_error_field(error), error.message)
        else:
            messages.success(request, _("The post is corrected."))
            return after_post_change(post.submission_id)
    status = 422 if request.method == "POST" else 200
    return render(request, "lessons/writing/post_edit.html", {"post": post, "form": form}, status=status)


@login_required
@require_POST
def post_remove(request, pk):
    post = get_post_or_404(request.user, pk)
    submission_id = post.submission_id
    writing.remove_post(post)
    messages.success(request, _("The post is removed from your record."))
    return after_post_change(submission_id)


# --- my writing -------------------------------------------------------------------------------


@login_required
def mine(request):
    """/write/: every piece the member wrote, in every cohort, with where it stands."""
    memberships = memberships_for(request.user)
    own = with_assignment_titles(pieces.own_pieces(memberships).select_related("membership__cohort"))
    rows = [{"piece": piece, "step": pieces.next_step(piece)} for piece in own]
    return render(
        request,
        "lessons/writing/mine.html",
        {"rows": rows, "zone": request.user.zone, "has_memberships": memberships.exists()},
    )


@login_required
def posts(request):
    """Public posts made outside (and inside) assignments, for all of the member's cohorts."""
    memberships = memberships_for(request.user)
    has_memberships = memberships.exists()
    today = timezone.localdate(timezone=request.user.zone)
    form = PostLogForm(request.POST or None, user=request.user, today=today) if has_memberships else None
    status = 200
    if request.method == "POST" and form is not None:
        if form.is_valid():
            data = form.cleaned_data
            try:
                writing.record_post(
                    data["membership"], url=data["url"], platform=data["platform"], posted_on=data["posted_on"]
                )
            except writing.WritingError as error:
                form.add_error(post_error_field(error), error.message)
            else:
                messages.success(request, _("Your post is recorded."))
                return redirect("lessons:posts")
        status = 422
    logged = (
        PostLog.objects.filter(membership__in=memberships)
        .select_related("membership__cohort", "submission")
        .order_by("-posted_on", "-created_at")[:POSTS_SHOWN]
    )
    return render(
        request,
        "lessons/writing/posts.html",
        {"form": form, "posts": logged, "has_memberships": has_memberships},
        status=status,
    )
