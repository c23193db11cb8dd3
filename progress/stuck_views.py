"""The facilitator's "Who is stuck" page and what she does from it: reassign a peer reader, open a
piece for feedback, send a personal note (a suggestion per reason in the member's language, which
she edits), or a message to a circle or the whole cohort. Thin: the rules are lessons.stuck,
lessons.writing and mail.notes."""

from django import forms
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.widgets.button import HeaderButton

from cohorts.admin_views import CohortPageMixin
from cohorts.models import Membership, Role
from lessons import writing
from lessons.models import Submission
from lessons.stuck import REASONS, pending_reader_pieces
from mail.notes import MAX_BODY, MAX_SUBJECT, NoteError, greeting, send_note, suggested_note, who_is_stuck


class StuckMixin(CohortPageMixin):
    stuck_url_name = None
    stuck_note_url_name = None
    stuck_message_url_name = None
    dashboard_url_name = None

    @cached_property
    def circles(self):
        return list(self.object.circles.all())

    @cached_property
    def circle(self):
        value = self.request.GET.get("circle", "")
        return next((circle for circle in self.circles if str(circle.pk) == value), None)


class CohortStuckView(StuckMixin, TemplateView):
    template_name = "progress/admin/stuck.html"
    page_title = _("Who is stuck")
    header_icon = "warning"

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(_("Message a circle or everyone"), url=self.url("stuck_message_url_name"), icon_name="mail"),
            HeaderButton(_("Dashboard"), url=self.url("dashboard_url_name"), icon_name="table", priority=20),
        ]

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") != "reassign":
            messages.error(request, _("Unknown action; nothing was changed."))
            return redirect(self.url("stuck_url_name"))
        piece = (
            Submission.objects.filter(pk=request.POST.get("piece") or 0, membership__cohort=self.object)
            .select_related("membership")
            .first()
            if (request.POST.get("piece") or "").isdigit()
            else None
        )
        if piece is None:
            raise Http404
        try:
            old, new = writing.reassign_peer_reader(piece)
        except writing.WritingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(new)s reads “%(piece)s” now, instead of %(old)s.")
                % {"new": new.user, "old": old.user, "piece": piece.title or piece.assignment_title},
            )
        return redirect(self.url("stuck_url_name"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        rows = who_is_stuck(self.object, now, self.circle)
        reassignable = pending_reader_pieces([row.piece.pk for row in rows if row.reason == "readers"])
        context.update(
            {
                "rows": rows,
                "groups": [
                    (reason, label, [r for r in rows if r.reason == reason]) for reason, label in REASONS.items()
                ],
                "reassignable": reassignable,
                "circles": self.circles,
                "circle": self.circle,
                "note_url": self.url("stuck_note_url_name"),
                "stuck_url": self.url("stuck_url_name"),
            }
        )
        return context


class NoteForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 10}), max_length=MAX_BODY)


class MessageForm(NoteForm):
    circle = forms.ChoiceField(label=_("To"), required=False)

    def __init__(self, *args, circles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].choices = [("", _("Everyone in the cohort"))] + [(str(c.pk), c.name) for c in circles]
        self.order_fields(["circle", "subject", "body"])


class CohortNoteView(StuckMixin, TemplateView):
    """A personal note to one member: `?member=<membership id>&reason=<reason>&piece=<id>`."""

    template_name = "progress/admin/note.html"
    page_title = _("A personal note")
    header_icon = "mail"

    @cached_property
    def member(self):
        value = self.request.GET.get("member") or self.request.POST.get("member") or ""
        member = (
            Membership.objects.filter(cohort=self.object, role=Role.MEMBER, pk=value).select_related("user").first()
            if value.isdigit()
            else None
        )
        if member is None:
            raise Http404
        return member

    @cached_property
    def reason(self):
        value = self.request.GET.get("reason") or self.request.POST.get("reason") or ""
        return value if value in REASONS else ""

    def get(self, request, *args, **kwargs):
        piece_id = request.GET.get("piece", "")
        piece = Submission.objects.filter(pk=piece_id, membership=self.member).first() if piece_id.isdigit() else None
        subject, body = suggested_note(
            self.member,
            self.reason,
            piece_title=(piece.title or piece.assignment_title) if piece else "",
            facilitator=request.user,
        )
        return self.render_to_response(self.get_context_data(form=NoteForm(initial={"subject": subject, "body": body})))

    def post(self, request, *args, **kwargs):
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                _note, queued = send_note(
                    self.object,
                    request.user,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    membership=self.member,
                    reason=self.reason,
                )
            except NoteError as error:
                form.add_error(None, error.message)
            else:
                if queued:
                    messages.success(request, _("Your note to %(name)s is on its way.") % {"name": self.member.user})
                else:
                    messages.warning(
                        request,
                        _("%(name)s gets no email from us now (unsubscribed or paused); the note was not sent.")
                        % {"name": self.member.user},
                    )
                return redirect(self.url("stuck_url_name"))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "member": self.member,
                "greeting": greeting(self.member),
                "reason": self.reason,
                "reason_label": REASONS.get(self.reason, ""),
                "action_url": self.url("stuck_note_url_name"),
                "stuck_url": self.url("stuck_url_name"),
            }
        )
        return context


class CohortMessageView(StuckMixin, TemplateView):
    template_name = "progress/admin/note.html"
    page_title = _("A message to a circle or the cohort")
    header_icon = "mail"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=MessageForm(circles=self.circles)))

    def post(self, request, *args, **kwargs):
        form = MessageForm(request.POST, circles=self.circles)
        if form.is_valid():
            circle = next((c for c in self.circles if str(c.pk) == form.cleaned_data["circle"]), None)
            try:
                _note, queued = send_note(
                    self.object,
                    request.user,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    circle=circle,
                )
            except NoteError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your message is on its way to %(count)s members.") % {"count": queued})
                return redirect(self.url("stuck_url_name"))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"action_url": self.url("stuck_message_url_name"), "stuck_url": self.url("stuck_url_name")})
        return context
