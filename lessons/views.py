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

from . import platforms, writing
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
from .models import LessonPage, PostLog, Submission, SubmissionVersion

VERSIONS_PER_PAGE = 50
RECENT_VERSIONS = 5
POSTS_SHOWN = 100
# The member's Mastodon server, asked once and kept for the browser session.
MASTODON_SESSION_KEY = "klartext_mastodon_instance"


# --- lookups: everything goes through cohorts.access ------------------------------------------


def get_piece_or_404(user, pk):
    """The user's own piece; anyone else's id is a 404 (it reveals nothing)."""
    try:
        return Submission.objects.select_related("membership__cohort__course", "lesson").get(
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
    platform_key = platform.key if platform else None
    text = normalise_newlines(form["body"].value()) if form is not None else piece.body or ""
    if form is None:
        form = EditorForm(initial={"title": piece.title, "body": piece.body, "base_version": piece.version})
    return {
        "piece": piece,
        "membership": membership,
        "cohort": membership.cohort,
        "lesson": lesson,
        "slot": slot,
        "assignment": assignment,
        "assignment_title": assignment_title,
        "format_label": WritingFormat(fmt).label if fmt in WritingFormat.values else "",
        "platform": platform_key or "",
        "platform_label": platform.label if platform else "",
        "limit": platform.limit if platform else None,
        "platforms": platforms.as_json(),
        "server_count": platforms.count_characters(text, platform_key),
        "server_words": len(text.split()),
        "max_body": writing.MAX_BODY_CHARS,
        "form": form,
        "share_form": ShareForm(initial={"visibility": piece.visibility}),
        "recent_versions": piece.versions.all()[:RECENT_VERSIONS],
        "feedback": piece.feedback.all(),
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
    return render(request, "lessons/writing/editor.html", context)


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


def publish_targets(text, instance):
    targets = []
    for platform in platforms.PLATFORMS:
        used, limit, ok = platforms.fits(platform.key, text)
        try:
            url = platforms.share_url(platform.key, text, instance=instance)
        except platforms.ShareError:
            url = None  # Mastodon before the member has named their server
        targets.append(
            {
                "key": platform.key,
                "label": platform.label,
                "used": used,
                "limit": limit,
                "fits": ok,
                "over": used - limit,
                "url": url,
            }
        )
    return targets


@login_required
def publish(request, pk):
    piece = get_piece_or_404(request.user, pk)
    if not piece.ready_to_publish:
        messages.info(
            request,
            _("The publish page opens once your facilitator marks this piece as ready to publish."),
        )
        return redirect("lessons:editor", piece.pk)
    membership = piece.membership
    instance = request.session.get(MASTODON_SESSION_KEY)
    record_form = RecordPostForm(today=membership.local_today())
    instance_form = MastodonInstanceForm(initial={"instance": instance})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "mastodon":
            instance_form = MastodonInstanceForm(request.POST)
            if instance_form.is_valid():
                request.session[MASTODON_SESSION_KEY] = instance_form.cleaned_data["instance"]
                messages.success(request, _("Mastodon server saved for this session."))
                return redirect("lessons:publish", piece.pk)
        elif action == "forget_mastodon":
            request.session.pop(MASTODON_SESSION_KEY, None)
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
                    record_form.add_error("posted_on", error.message)
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
            "targets": publish_targets(piece.body, instance),
            "instance": instance,
            "instance_form": instance_form,
            "record_form": record_form,
            "posts": piece.posts.all(),
            "zone": membership.zone,
        },
        status=status,
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
                form.add_error("posted_on", error.message)
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
