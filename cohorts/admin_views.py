"""The consultant's cohort pages in the Wagtail admin.

Who may do what:

* The permission policy (`CohortPermissionPolicy`) answers "may this user add / change / delete
  cohorts at all": the Django permissions of their groups, and adding or deleting only for staff.
* `access.facilitated_cohorts(user)` answers "which cohorts": every view that lists cohorts or
  takes a cohort's pk looks it up there, so any other cohort is a 404.

Views stay thin: the rules live in `circles.py`, `csv_import.py` and `invitations.py`.
"""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from django_filters import ChoiceFilter
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import ButtonsColumnMixin, Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy

from course.identity import clean_email

from . import access, csv_import
from .admin_forms import (
    CircleForm,
    ConfirmImportForm,
    CsvUploadForm,
    InviteForm,
    MoveMemberForm,
    ResendInvitationForm,
)
from .circles import split_cohort
from .invitations import InviteNotAllowed, invite
from .models import Cohort, CohortState, Membership, Role
from .schedule import Schedule

# --- who may do what -------------------------------------------------------------------------


class CohortPermissionPolicy(ModelPermissionPolicy):
    """Django permissions, plus: only staff create or delete cohorts, and a facilitator acts
    only on the cohorts they facilitate."""

    staff_only_actions = frozenset({"add", "delete"})

    def user_has_permission(self, user, action):
        if action in self.staff_only_actions and not access.is_staff(user):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and access.can_manage(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Cohort.objects.none()
        return access.facilitated_cohorts(user)


class ScopedSingleObjectMixin:
    """Edit and delete (Django's SingleObjectMixin) find only the user's cohorts: 404 otherwise."""

    def get_queryset(self):
        return access.facilitated_cohorts(self.request.user)


class ScopedBaseObjectMixin:
    """History, usage and our own pages (Wagtail's BaseObjectMixin) likewise."""

    def get_base_object_queryset(self):
        return access.facilitated_cohorts(self.request.user).select_related("course")


# --- the listing -----------------------------------------------------------------------------


class CohortFilterSet(WagtailFilterSet):
    state = ChoiceFilter(label=_("State"), choices=CohortState.choices, method="filter_state", empty_label=_("All"))

    class Meta:
        model = Cohort
        fields = ["course"]

    def filter_state(self, queryset, name, value):
        return queryset.state(value) if value else queryset


class CohortTitleColumn(ButtonsColumnMixin, TitleColumn):
    """The cohort's name, linking to its overview, with the row's action menu."""

    def __init__(self, name, *, get_buttons, **kwargs):
        super().__init__(name, **kwargs)
        self._get_buttons = get_buttons

    def get_buttons(self, instance, parent_context):
        return self._get_buttons(instance)


def member_count_subquery():
    # A subquery, not Count() over a join: facilitated_cohorts() already joins memberships for a
    # facilitator, and a Count over that join would count only the facilitator.
    return Coalesce(
        Subquery(
            Membership.objects.filter(cohort=OuterRef("pk"), role=Role.MEMBER)
            .order_by()
            .values("cohort")
            .annotate(count=Count("pk"))
            .values("count"),
            output_field=IntegerField(),
        ),
        0,
    )


class CohortIndexView(generic.IndexView):
    overview_url_name = None
    dashboard_url_name = None
    filterset_class = CohortFilterSet
    search_fields = ["name", "organisation"]
    search_backend_name = None

    def get_base_queryset(self):
        return (
            access.facilitated_cohorts(self.request.user)
            .select_related("course")
            .annotate(member_count=member_count_subquery())
        )

    def get_overview_url(self, instance):
        return reverse(self.overview_url_name, args=[instance.pk])

    @cached_property
    def columns(self):
        return [
            CohortTitleColumn(
                "name",
                label=_("Name"),
                sort_key="name",
                get_url=self.get_overview_url,
                get_buttons=self.get_list_buttons,
            ),
            Column("organisation", label=_("Organisation"), sort_key="organisation"),
            Column("course", label=_("Course"), sort_key="course__title"),
            Column("state", label=_("State"), accessor="get_state_display"),
            # Plain dates: DateColumn would show "2 weeks ago", which suits timestamps, not days.
            Column("start_date", label=_("Start date"), sort_key="start_date"),
            Column("end_date", label=_("End date"), sort_key="end_date"),
            Column("member_count", label=_("Members"), sort_key="member_count"),
        ]

    def get_list_more_buttons(self, instance):
        return [
            MenuItem(_("Overview"), url=self.get_overview_url(instance), icon_name="view", priority=5),
            MenuItem(
                _("Dashboard"), url=reverse(self.dashboard_url_name, args=[instance.pk]), icon_name="table", priority=6
            ),
            *super().get_list_more_buttons(instance),
        ]


# --- create, edit, delete, history, usage ------------------------------------------------------


class OverviewButtonMixin:
    overview_url_name = None

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                _("Overview"),
                url=reverse(self.overview_url_name, args=[self.object.pk]),
                icon_name="view",
            )
        ]


def warn_about_clashes(request, cohort):
    """A warning for each day on which two lessons open for the cohort (overrides included)."""
    for slots in Schedule.for_cohort(cohort).clashes():
        messages.warning(request, render_to_string("cohorts/admin/_clash.html", {"slots": slots, "cohort": cohort}))


class ClashWarningMixin:
    def form_valid(self, form):
        response = super().form_valid(form)
        warn_about_clashes(self.request, self.object)
        return response


class CohortCreateView(ClashWarningMixin, generic.CreateView):
    overview_url_name = None

    def get_success_url(self):
        # The next step after creating a cohort is inviting its people.
        return reverse(self.overview_url_name, args=[self.object.pk])


class CohortEditView(ScopedSingleObjectMixin, OverviewButtonMixin, ClashWarningMixin, generic.EditView):
    pass


class CohortDeleteView(ScopedSingleObjectMixin, generic.DeleteView):
    pass


class CohortHistoryView(ScopedBaseObjectMixin, HistoryView):
    pass


class CohortUsageView(ScopedBaseObjectMixin, UsageView):
    pass


# --- the cohort's own pages -----------------------------------------------------------------------


class CohortPageMixin(ScopedBaseObjectMixin, PermissionCheckedMixin, BaseObjectMixin, WagtailAdminTemplateMixin):
    """A page about one cohort: loaded through facilitated_cohorts (404 for any other cohort),
    and only for users who may change cohorts."""

    model = Cohort
    permission_required = "change"
    header_icon = "group"
    index_url_name = None
    edit_url_name = None
    overview_url_name = None
    invite_url_name = None
    import_url_name = None
    confirm_import_url_name = None
    dashboard_url_name = None
    page_title = ""

    def url(self, name_attr):
        return reverse(getattr(self, name_attr), args=[self.object.pk])

    @property
    def overview_url(self):
        return self.url("overview_url_name")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Cohorts")},
            {"url": self.overview_url, "label": str(self.object)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_header_title(self):
        return f"{self.get_page_title()}: {self.object}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cohort"] = self.object
        context["overview_url"] = self.overview_url
        return context


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
    actions = {
        "move": "move_member",
        "split": "split_circles",
        "circle": "save_circle",
        "resend": "resend_invitation",
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
        form = ResendInvitationForm(self.request.POST, cohort=self.object)
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


# --- CSV import: upload → preview → confirm ---------------------------------------------------

PENDING_IMPORTS_KEY = "cohort_csv_imports"
PENDING_IMPORTS_KEPT = 3
PENDING_IMPORT_LIFETIME = datetime.timedelta(hours=1)


def stash_rows(session, cohort, rows, filename):
    """Keep the parsed valid rows in the session under a random token until they are confirmed.
    The browser only ever holds the token, so what is imported is exactly what was previewed."""
    pending = session.get(PENDING_IMPORTS_KEY, {})
    # Keep only the newest few when someone keeps uploading without confirming.
    oldest_first = sorted(pending, key=lambda token: pending[token]["created"])
    for token in oldest_first[: max(0, len(oldest_first) - PENDING_IMPORTS_KEPT + 1)]:
        del pending[token]
    token = secrets.token_urlsafe(24)
    pending[token] = {
        "cohort": cohort.pk,
        "filename": filename,
        "created": timezone.now().isoformat(),
        "rows": [row.as_dict() for row in rows],
    }
    session[PENDING_IMPORTS_KEY] = pending
    return token


def take_rows(session, cohort, token):
    """The stashed rows for this cohort and token, removed from the session (so a second click
    imports nothing); None when unknown, for another cohort, or older than an hour."""
    pending = session.get(PENDING_IMPORTS_KEY, {})
    entry = pending.pop(token, None)
    session[PENDING_IMPORTS_KEY] = pending
    if not entry or entry.get("cohort") != cohort.pk:
        return None
    created = datetime.datetime.fromisoformat(entry["created"])
    if timezone.now() - created > PENDING_IMPORT_LIFETIME:
        return None
    session[PENDING_IMPORTS_KEY + "_taken"] = {token: entry}
    return csv_import.rows_from_dicts(entry["rows"])


def put_back_rows(session, token):
    """An import that failed invited nobody: its rows go back, so it can be confirmed again."""
    taken = session.pop(PENDING_IMPORTS_KEY + "_taken", {})
    if token in taken:
        pending = session.get(PENDING_IMPORTS_KEY, {})
        pending[token] = taken[token]
        session[PENDING_IMPORTS_KEY] = pending


class CohortImportView(CohortPageMixin, TemplateView):
    """Step 1: upload a file; the response is the preview (valid rows and errors by line)."""

    template_name = "cohorts/admin/import_upload.html"
    preview_template_name = "cohorts/admin/import_preview.html"
    page_title = _("Import people from a CSV file")
    header_icon = "upload"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=CsvUploadForm()))

    def post(self, request, *args, **kwargs):
        form = CsvUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        uploaded = form.cleaned_data["file"]
        try:
            text, encoding = csv_import.read_upload(uploaded)
            preview = csv_import.parse(text, encoding=encoding)
        except csv_import.CsvFileError as error:
            form.add_error("file", error.message)
            return self.render_to_response(self.get_context_data(form=form))
        csv_import.note_existing(self.object, preview.rows)
        token = stash_rows(request.session, self.object, preview.rows, uploaded.name) if preview.rows else ""
        self.template_name = self.preview_template_name
        return self.render_to_response(
            self.get_context_data(
                form=CsvUploadForm(),
                preview=preview,
                filename=uploaded.name,
                confirm_form=ConfirmImportForm(initial={"token": token}),
                confirm_url=self.url("confirm_import_url_name"),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "action_url": self.url("import_url_name"),
                "submit_button_label": _("Check the file"),
                "submit_button_active_label": _("Checking…"),
                "form_is_multipart": True,
                "max_rows": f"{csv_import.MAX_ROWS:,}",
            }
        )
        return context


class CohortConfirmImportView(CohortPageMixin, TemplateView):
    """Step 2: invite the rows that were previewed (POST only)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ConfirmImportForm(request.POST)
        rows = take_rows(request.session, self.object, form.data.get("token", "")) if form.is_valid() else None
        if rows is None:
            messages.error(
                request,
                _("This import was already done or has expired; nothing was imported. Upload the file again."),
            )
            return redirect(self.url("import_url_name"))
        try:
            counts = csv_import.invite_rows(self.object, rows, invited_by=request.user)
        except (ValidationError, DatabaseError) as error:
            put_back_rows(request.session, form.data.get("token", ""))
            messages.error(
                request,
                _("Nobody was invited: %(problem)s Correct the file and upload it again, or try again.")
                % {
                    "problem": " ".join(error.messages)
                    if isinstance(error, ValidationError)
                    else _("a row could not be saved.")
                },
            )
            return redirect(self.url("import_url_name"))
        request.session.pop(PENDING_IMPORTS_KEY + "_taken", None)
        add_import_messages(request, counts)
        return redirect(f"{self.overview_url}#invitations-section")


def add_import_messages(request, counts):
    parts = []
    if counts["created"]:
        parts.append(
            ngettext("%(count)s person invited.", "%(count)s people invited.", counts["created"])
            % {"count": counts["created"]}
        )
    if counts["refreshed"]:
        parts.append(
            ngettext(
                "%(count)s invitation was already pending and was sent again with a fresh link.",
                "%(count)s invitations were already pending and were sent again with a fresh link.",
                counts["refreshed"],
            )
            % {"count": counts["refreshed"]}
        )
    if counts["already_member"]:
        parts.append(
            ngettext(
                "%(count)s person is already in the cohort and was not invited again.",
                "%(count)s people are already in the cohort and were not invited again.",
                counts["already_member"],
            )
            % {"count": counts["already_member"]}
        )
    messages.success(request, " ".join(parts) or _("Nobody was imported."))
