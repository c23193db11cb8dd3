"""The circle: reading each other's shared pieces, responding, and downloading one's own portfolio.

Views are thin: who may read what is `lessons.visibility`, what a response does is
`lessons.writing.respond`, what a portfolio holds is `lessons.portfolio`.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DateTimeField, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from cohorts.access import get_facilitated_cohort_or_404, membership_in, memberships_for, requested_membership
from cohorts.models import Role
from course.translations import Translations, translated_title

from . import portfolio
from .models import LessonPage, ReadMarker, Response, Submission
from .pieces import mark_read
from .titles import with_assignment_titles
from .visibility import unanswered_in_circle, visible_in_cohort, visible_submissions, waiting_for
from .writing import MAX_BODY_CHARS, WritingError, respond

PIECES_PER_PAGE = 20


class ResponseForm(forms.Form):
    body = forms.CharField(
        label=_("Your response"),
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Listen first: what did you hear? What would you like to read more of?"),
    )


def _viewer_zone(user, viewer):
    """A member reads the circle in their membership's zone; a facilitator in their own."""
    return viewer.zone if viewer is not None else user.zone


def _get_visible_piece_or_404(user, pk):
    try:
        return visible_submissions(user).select_related("membership__user", "membership__cohort", "lesson").get(pk=pk)
    except Submission.DoesNotExist:
        raise Http404("No such piece.") from None


# What a feed item shows (lessons/circle/_feed_item.html, _is_unread), and no more: the other
# columns of the piece (its whole text above all), its author's membership and user were a
# quarter of the feed query's time.
FEED_FIELDS = (
    "membership",
    "lesson_id",
    "title",
    "assignment_title",
    "excerpt",
    "shared_version",
    "shared_title",
    "shared_excerpt",
    "visibility",
    "shared_at",
    "membership__user__full_name",
)


def feed_queryset(user, cohort, viewer=None):
    """Shared pieces `user` may read in `cohort`, newest first, with what a feed item shows
    annotated (a constant number of queries however many pieces there are). `viewer` is the
    user's membership in the cohort, if any."""
    responses = Response.objects.filter(submission=OuterRef("pk")).order_by()
    response_count = responses.values("submission").annotate(n=Count("pk")).values("n")
    visible = visible_in_cohort(viewer) if viewer is not None else visible_submissions(user, cohort)
    queryset = (
        visible.select_related("membership__user")
        .only(*FEED_FIELDS)
        .annotate(
            lesson_title=translated_title("lesson", LessonPage),
            response_count=Coalesce(Subquery(response_count, output_field=IntegerField()), 0),
            last_response_at=Subquery(responses.order_by("-created_at").values("created_at")[:1]),
        )
        .order_by("-shared_at", "-pk")
    )
    if viewer is not None:
        queryset = queryset.annotate(
            read_at=Subquery(
                ReadMarker.objects.filter(membership=viewer, submission=OuterRef("pk")).values("read_at")[:1]
            )
        )
    else:
        queryset = queryset.annotate(read_at=Value(None, output_field=DateTimeField()))
    return queryset


class FeedPage:
    """One page of the feed, without counting every piece the reader may see (a tenth of the
    feed's time): one row more than is shown says whether there is an older page.
    Offers what the template asks of Django's paginator pages."""

    def __init__(self, queryset, number, per_page):
        self.number = number
        rows = list(queryset[(number - 1) * per_page : number * per_page + 1])
        self.object_list = rows[:per_page]
        self._has_next = len(rows) > per_page

    @classmethod
    def get(cls, queryset, value, per_page):
        """The page numbered `value` (from the query string); the first for anything that is not
        a number, the last for a number past the end (as Paginator.get_page)."""
        try:
            number = max(1, min(int(value), 100_000))
        except (TypeError, ValueError):
            number = 1
        page = cls(queryset, number, per_page)
        if not page.object_list and number > 1:
            page = cls(queryset, max(1, -(-queryset.count() // per_page)), per_page)
        return page

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self):
        return self._has_next

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_next() or self.has_previous()

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1


def _is_unread(piece, viewer):
    """No marker yet, or a response newer than the marker. One's own piece is never "new" (home
    and the editor say when someone responded to it)."""
    if viewer is None or piece.membership_id == viewer.pk:
        return False
    newer_response = piece.last_response_at is not None and (
        piece.read_at is None or piece.last_response_at > piece.read_at
    )
    return piece.read_at is None or newer_response


@login_required
@require_safe
def index(request):
    """/circle/: the feed of the cohort the member means (?cohort=, else their current one)."""
    memberships = list(memberships_for(request.user))
    if not memberships:
        return render(request, "lessons/circle/no_cohort.html")
    membership = requested_membership(request, memberships)
    return redirect("circle:feed", cohort_id=membership.cohort_id)


@login_required
@require_safe
def feed(request, cohort_id):
    viewer = membership_in(request.user, cohort_id)
    cohort = viewer.cohort if viewer is not None else get_facilitated_cohort_or_404(request.user, cohort_id)
    is_member = viewer is not None and viewer.role == Role.MEMBER
    waiting = waiting_for(viewer) if is_member else []
    awaiting = {review.submission_id for review in waiting}
    page = FeedPage.get(feed_queryset(request.user, cohort, viewer), request.GET.get("page"), PIECES_PER_PAGE)
    with_assignment_titles(page.object_list)
    for piece in page:
        piece.is_unread = _is_unread(piece, viewer)
        piece.awaiting_me = piece.pk in awaiting

    shared_piece = None
    invitations = []
    shared_id = request.GET.get("shared", "")
    if is_member and shared_id.isdigit():
        shared_piece = viewer.submissions.filter(pk=shared_id, shared_at__isnull=False).first()
        if shared_piece is not None:
            invitations = unanswered_in_circle(viewer)
    return render(
        request,
        "lessons/circle/feed.html",
        {
            "cohort": cohort,
            "viewer": viewer,
            "page_obj": page,
            "pieces": page.object_list,
            "shared_piece": shared_piece,
            "invitations": invitations,
            "waiting": waiting,
            "time_zone": _viewer_zone(request.user, viewer),
        },
    )


def _piece_context(request, submission, viewer, form):
    with_assignment_titles([submission])
    is_author = submission.membership.user_id == request.user.pk
    readers_title, readers_body = submission.readers_text()
    return {
        "readers_title": readers_title,
        "readers_body": readers_body,
        "cohort": submission.membership.cohort,
        "piece": submission,
        "lesson": Translations([submission.lesson])(submission.lesson),
        "viewer": viewer,
        "is_author": is_author,
        "responses": list(submission.responses.select_related("author__user").order_by("created_at", "pk")),
        "feedback": list(submission.feedback.order_by("created_at", "pk")) if is_author else [],
        "can_respond": viewer is not None and viewer.role == Role.MEMBER,
        "form": form,
        "time_zone": _viewer_zone(request.user, viewer),
    }


@login_required
@require_safe
def piece(request, pk):
    submission = _get_visible_piece_or_404(request.user, pk)
    viewer = membership_in(request.user, submission.membership.cohort_id)
    mark_read(viewer, submission)
    return render(request, "lessons/circle/piece.html", _piece_context(request, submission, viewer, ResponseForm()))


@login_required
@require_POST
def respond_to_piece(request, pk):
    """Post a response. With htmx the new response is appended in place; without JavaScript the
    browser comes back to the piece page."""
    submission = _get_visible_piece_or_404(request.user, pk)
    viewer = membership_in(request.user, submission.membership.cohort_id)
    if viewer is None or viewer.role != Role.MEMBER:
        raise PermissionDenied(_("Only members of the cohort respond to pieces."))
    form = ResponseForm(request.POST)
    response = None
    if form.is_valid():
        try:
            response = respond(submission, viewer, form.cleaned_data["body"])
        except WritingError as error:
            form.add_error("body", error.message)
    if response is not None:
        mark_read(viewer, submission)
    if request.htmx:
        context = {
            "piece": submission,
            "response": response,
            "form": ResponseForm() if response is not None else form,
            "can_respond": True,
            "response_count": submission.responses.count(),
            "time_zone": _viewer_zone(request.user, viewer),
        }
        return render(request, "lessons/circle/_respond_result.html", context)
    if response is None:
        context = _piece_context(request, submission, viewer, form)
        return render(request, "lessons/circle/piece.html", context, status=400)
    messages.success(request, _("Thank you for listening. Your response is posted."))
    return redirect(reverse("circle:piece", args=[submission.pk]) + f"#response-{response.pk}")


@login_required
@require_safe
def portfolio_download(request, fmt, cohort_id=None):
    """All of the member's own writing, as a Markdown zip or as JSON."""
    if cohort_id is not None and membership_in(request.user, cohort_id) is None:
        raise Http404("No such cohort.")
    if fmt == "json":
        data = portfolio.as_json(request.user, cohort_id=cohort_id)
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    elif fmt == "zip":
        response = HttpResponse(portfolio.as_zip(request.user, cohort_id=cohort_id), content_type="application/zip")
    else:
        raise Http404("No such format.")
    response["Content-Disposition"] = f'attachment; filename="{portfolio.filename(cohort_id, fmt)}"'
    return response
