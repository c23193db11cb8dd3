"""A cohort's overview in the Wagtail admin (state, schedule, members by circle, circles and
invitations, with the small forms that change them) and its page for inviting one person.

Views stay thin: the rules live in `circles.py` and `invitations.py`; the cohort is loaded by
`admin_views.CohortPageMixin` (404 for a cohort the user does not facilitate).
"""

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.widgets.button import HeaderButton

from course.identity import clean_email

from .admin_forms import CircleForm, InviteForm, MoveMemberForm, PendingInvitationForm
from .admin_views import CohortPageMixin
from .circles import split_cohort
from .invitations import InviteNotAllowed, invite, may_invite, withdraw
from .leaving import remove, what_goes
from .models import Membership, Role
from .schedule import Schedule


def invitation_status(invitation, now):
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.expires_at <= now:
        return "expired"
    return "pending"


INVITATION_STATUS_LABELS = {
    "pending": _("Pending"),
    "accepted": _("Accepted"),
    "expired": _("Expired"),
}


def error_message(request, summary, form):
    """One message with every error of a small form whose fields are hidden or inline."""
    details = [str(error) for errors in form.errors.values() for error in errors]
    messages.error(request, " ".join([str(summary), *details]))


def add_invite_message(request, result, email):
    if result.status == "created":
        messages.success(request, _("%(email)s is invited; the email is on its way.") % {"email": email})
    elif result.status == "refreshed":
        messages.success(
            request,
            _("%(email)s was already invited: they get a fresh link, and the old one no longer works.")
            % {"email": email},
        )
    else:
        messages.warning(request, _("%(email)s is already in this cohort; nobody was invited.") % {"email": email})


class CohortOverviewView(CohortPageMixin, TemplateView):
    """State, schedule, members by circle, circles and invitations, with the small forms that
    change them. Each POST names its `action`; a bad form re-renders the page with its errors."""

    template_name = "cohorts/admin/overview.html"
    page_title = _("Overview")
    remove_member_url_name = None
    actions = {
        "move": "move_member",
        "split": "split_circles",
        "circle": "save_circle",
        "resend": "resend_invitation",
        "withdraw": "withdraw_invitation",
    }

    def get_breadcrumbs_items(self):
        # The overview is the cohort's home: its breadcrumb is the cohort itself.
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Cohorts")},
            {"url": "", "label": str(self.object), "sublabel": self.get_page_title()},
        ]

    def get_header_title(self):
        return str(self.object)

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(_("Dashboard"), url=self.url("dashboard_url_name"), icon_name="table", priority=5),
            HeaderButton(_("Invite someone"), url=self.url("invite_url_name"), icon_name="user", priority=10),
            HeaderButton(_("Import a CSV file"), url=self.url("import_url_name"), icon_name="upload", priority=20),
            HeaderButton(_("Edit"), url=self.url("edit_url_name"), icon_name="edit", priority=30),
        ]

    def post(self, request, *args, **kwargs):
        handler = getattr(self, self.actions.get(request.POST.get("action"), ""), None)
        if handler is None:
            messages.error(request, _("Unknown action; nothing was changed."))
            return redirect(self.overview_url)
        return handler()

    def after_change(self, panel):
        return redirect(f"{self.overview_url}#{panel}-section")

    def move_member(self):
        form = MoveMemberForm(self.request.POST, cohort=self.object)
        if form.is_valid() and form.save():
            membership = form.cleaned_data["membership"]
            circle = form.cleaned_data["circle"]
            if circle:
                messages.success(
                    self.request,
                    _("%(name)s is now in %(circle)s.") % {"name": membership.user, "circle": circle},
                )
            else:
                messages.success(self.request, _("%(name)s is in no circle now.") % {"name": membership.user})
            return self.after_change("members")
        error_message(self.request, _("Nobody was moved."), form)
        return self.render_to_response(self.get_context_data())

    def split_circles(self):
        if self.object.circles.exists() and not self.request.POST.get("replace"):
            messages.error(
                self.request,
                _("Tick “Replace the current circles” to split again; nothing was changed."),
            )
            return self.render_to_response(self.get_context_data())
        circles = split_cohort(self.object)
        if circles:
            messages.success(
                self.request,
                ngettext(
                    "The members are now in %(count)s circle.",
                    "The members are now in %(count)s circles.",
                    len(circles),
                )
                % {"count": len(circles)},
            )
        else:
            messages.warning(self.request, _("This cohort has no members to place in circles yet."))
        return self.after_change("circles")

    def save_circle(self):
        form = CircleForm(self.request.POST, cohort=self.object)
        if form.is_valid() and (circle := form.save()):
            messages.success(self.request, _("Circle “%(name)s” saved.") % {"name": circle.name})
            return self.after_change("circles")
        error_message(self.request, _("The circle could not be saved."), form)
        return self.render_to_response(self.get_context_data(circle_form=form))

    def resend_invitation(self):
        form = PendingInvitationForm(self.request.POST, cohort=self.object)
        if not form.is_valid():
            error_message(self.request, _("Nothing was sent."), form)
            return self.render_to_response(self.get_context_data())
        invitation = form.cleaned_data["invitation"]
        try:
            result = invite(
                self.object,
                email=invitation.email,
                full_name=invitation.full_name,
                language=invitation.language,
                time_zone=invitation.time_zone,
                role=invitation.role,
                invited_by=self.request.user,
            )
        except InviteNotAllowed:
            messages.error(self.request, _("Only staff can invite facilitators. Nothing was sent."))
            return self.render_to_response(self.get_context_data())
        add_invite_message(self.request, result, invitation.email)
        return self.after_change("invitations")

    def withdraw_invitation(self):
        form = PendingInvitationForm(self.request.POST, cohort=self.object)
        if not form.is_valid():
            error_message(self.request, _("Nothing was withdrawn."), form)
            return self.render_to_response(self.get_context_data())
        invitation = form.cleaned_data["invitation"]
        try:
            withdrawn = withdraw(invitation, withdrawn_by=self.request.user)
        except InviteNotAllowed:
            messages.error(self.request, _("Only staff can withdraw a facilitator's invitation. Nothing was changed."))
            return self.render_to_response(self.get_context_data())
        if withdrawn:
            messages.success(
                self.request,
                _("The invitation to %(email)s is withdrawn: its link no longer works.") % {"email": invitation.email},
            )
        return self.after_change("invitations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cohort = self.object
        now = timezone.now()
        memberships = list(
            cohort.memberships.select_related("user", "circle").order_by("user__full_name", "user__email")
        )
        circles = list(cohort.circles.all())
        members = [m for m in memberships if m.role == Role.MEMBER]
        groups = [(circle, [m for m in members if m.circle_id == circle.pk]) for circle in circles]
        unplaced = [m for m in members if m.circle_id is None]
        invitations = list(cohort.invitations.all())
        for invitation in invitations:
            invitation.status = invitation_status(invitation, now)
            invitation.status_label = INVITATION_STATUS_LABELS[invitation.status]
        schedule = Schedule.for_cohort(cohort)
        context.update(
            {
                "state": cohort.state_at(now),
                "state_label": cohort.get_state_display(),
                "slots": schedule.slots,
                "clashes": schedule.clashes(),
                "opened": len(schedule.open_lessons(now)),
                "circles": circles,
                "groups": groups,
                "unplaced": unplaced,
                "members": members,
                "facilitators": [m for m in memberships if m.role == Role.FACILITATOR],
                "invitations": invitations,
                "events": list(cohort.events.all()),
                "circle_form": kwargs.get("circle_form") or CircleForm(cohort=cohort),
                "remove_member_url_name": self.remove_member_url_name,
            }
        )
        return context


class CohortInviteView(CohortPageMixin, TemplateView):
    template_name = "cohorts/admin/invite.html"
    page_title = _("Invite someone")
    header_icon = "user"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=InviteForm(cohort=self.object, user=request.user)))

    def post(self, request, *args, **kwargs):
        form = InviteForm(request.POST, cohort=self.object, user=request.user)
        if not form.is_valid():
            messages.validation_error(request, _("The invitation could not be sent due to errors."), form)
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        result = invite(
            self.object,
            email=data["email"],
            full_name=data["full_name"],
            language=data["language"],
            time_zone=data["time_zone"],
            role=data["role"],
            invited_by=request.user,
        )
        add_invite_message(request, result, clean_email(data["email"]))
        return redirect(f"{self.overview_url}#invitations-section")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "action_url": self.url("invite_url_name"),
                "submit_button_label": _("Send the invitation"),
                "submit_button_active_label": _("Sending…"),
                "has_unsaved_changes": kwargs["form"].is_bound,
                "media": kwargs["form"].media,  # the time-zone search
            }
        )
        return context


class RemoveMemberView(CohortPageMixin, TemplateView):
    """Remove one person from the cohort (cohorts.leaving): a page that says what goes with them,
    then the removal on POST."""

    template_name = "cohorts/admin/remove_member.html"
    page_title = _("Remove from the cohort")
    header_icon = "user"
    remove_member_url_name = None

    @cached_property
    def membership(self):
        return get_object_or_404(
            Membership.objects.select_related("user"), pk=self.kwargs["membership_id"], cohort=self.object
        )

    def post(self, request, *args, **kwargs):
        membership = self.membership
        try:
            remove(membership, removed_by=request.user)
        except InviteNotAllowed:
            messages.error(request, _("Only staff can remove a facilitator. Nothing was changed."))
            return redirect(f"{self.overview_url}#members-section")
        messages.success(
            request, _("%(name)s is no longer in %(cohort)s.") % {"name": membership.user, "cohort": self.object}
        )
        return redirect(f"{self.overview_url}#members-section")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "membership": self.membership,
                "leaving": what_goes(self.membership),
                "allowed": may_invite(self.request.user, self.membership.role),
                "overview_url": self.overview_url,
            }
        )
        return context
