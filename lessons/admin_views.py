"""The facilitator's feedback queue in the Wagtail admin.

The queue lists shared pieces that have no feedback on their current version, oldest shared
first, across every cohort the user facilitates (staff: all). A piece page shows the text, what
changed since the last feedback, earlier feedback and the circle's responses, and takes new
feedback through `writing.give_feedback`.
"""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cohorts.access import facilitated_cohorts
from cohorts.models import Role

from .diff import diff_html
from .feedback import waiting_for_feedback
from .models import Feedback, Submission, SubmissionVersion
from .visibility import visible_submissions
from .writing import MAX_BODY_CHARS, WritingError, give_feedback

PIECES_PER_PAGE = 50

app_name = "lessons_feedback"


def facilitated_pieces(user):
    """Shared pieces in cohorts the user facilitates (never a cohort they are only a member of)."""
    return visible_submissions(user).filter(
        membership__cohort__in=facilitated_cohorts(user), membership__role=Role.MEMBER
    )


def queue(user):
    """Pieces waiting for feedback on their current version (lessons.feedback), oldest shared
    first, with how much feedback each had before."""
    feedback = Feedback.objects.filter(submission=OuterRef("pk")).order_by()
    feedback_count = feedback.values("submission").annotate(n=Count("pk")).values("n")
    return (
        waiting_for_feedback(facilitated_pieces(user))
        .select_related("membership__user", "membership__cohort")
        .defer("body")
        .annotate(
            lesson_title=F("lesson__title"),
            feedback_count=Coalesce(Subquery(feedback_count, output_field=IntegerField()), 0),
        )
        .order_by("shared_at", "pk")
    )


class FeedbackForm(forms.Form):
    body = forms.CharField(
        label=_("Comments"),
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The member sees this with the verdict. Markdown works."),
    )
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Feedback.Verdict.choices, widget=forms.RadioSelect)
    version = forms.IntegerField(widget=forms.HiddenInput)


class FeedbackQueueView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "lessons/admin/feedback_queue.html"
    page_title = _("Feedback")
    header_icon = "comment"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("Feedback")}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(queue(self.request.user), PIECES_PER_PAGE).get_page(self.request.GET.get("p"))
        context.update(page_obj=page, pieces=page.object_list, now=timezone.now())
        return context


class FeedbackPieceView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "lessons/admin/feedback_piece.html"
    header_icon = "comment"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        try:
            self.piece = (
                facilitated_pieces(request.user)
                .select_related("membership__user", "membership__cohort", "lesson")
                .get(pk=kwargs["pk"])
            )
        except Submission.DoesNotExist:
            raise Http404("No such piece.") from None

    def get_page_title(self):
        return _("Feedback")

    def get_page_subtitle(self):
        return str(self.piece)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("lessons_feedback:queue"), "label": _("Feedback")},
            {"url": "", "label": str(self.piece)},
        ]

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        piece = self.piece
        feedback = list(piece.feedback.select_related("author").order_by("created_at", "pk"))
        last = feedback[-1] if feedback else None
        diff = None
        revised = last is not None and last.version < piece.version
        if revised:
            before = SubmissionVersion.objects.filter(submission=piece, number=last.version).first()
            if before is not None:
                diff = diff_html(before.body, piece.body)
                context["diff_title_changed"] = before.title != piece.title
                context["diff_before_title"] = before.title
        context.update(
            piece=piece,
            feedback=feedback,
            last_feedback=last,
            revised=revised,
            diff=diff,
            responses=list(piece.responses.select_related("author__user").order_by("created_at", "pk")),
            form=form or FeedbackForm(initial={"version": piece.version}),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = FeedbackForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        if form.cleaned_data["version"] != self.piece.version:
            # The member saved a new version while the facilitator was writing: feedback must be
            # about the text they read, so show the new text and keep the comments.
            data = request.POST.copy()
            data["version"] = str(self.piece.version)
            messages.warning(
                request,
                _(
                    "The member saved a new version while you were writing. Your comments are kept below; "
                    "look at the changes, then send again."
                ),
            )
            return self.render_to_response(self.get_context_data(form=FeedbackForm(data)))
        try:
            give_feedback(self.piece, request.user, form.cleaned_data["body"], form.cleaned_data["verdict"])
        except WritingError as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("Feedback sent to %(name)s.") % {"name": self.piece.membership.user.full_name})
        return redirect("lessons_feedback:queue")


urlpatterns = [
    path("", FeedbackQueueView.as_view(), name="queue"),
    path("<int:pk>/", FeedbackPieceView.as_view(), name="piece"),
]
