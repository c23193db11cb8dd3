"""The consultant's cohorts in the Wagtail admin: who may do what, the listing, create, edit,
delete, history and usage, and `CohortPageMixin`, the base of every page about one cohort (its
overview and invite page in `overview_views.py`, the CSV import in `import_views.py`, an event's
attendance in `event_admin.py`, the dashboard in `progress`).

Who may do what:

* The permission policy (`CohortPermissionPolicy`) answers "may this user add / change / delete
  cohorts at all": the Django permissions of their groups, and adding or deleting only for staff.
* `access.facilitated_cohorts(user)` answers "which cohorts": every view that lists cohorts or
  takes a cohort's pk looks it up there, so any other cohort is a 404.

Views stay thin: the rules live in `access.py`, `schedule.py` and the models.
"""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
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

from . import access
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
    @property
    def confirmation_message(self):
        """What goes with the cohort, counted: its people's writing is deleted with it."""
        counts = self.object.memberships.aggregate(
            people=Count("pk", distinct=True), pieces=Count("submissions", distinct=True)
        )
        if not counts["pieces"]:
            return _("Delete the cohort “%(name)s” and its %(people)s memberships? This cannot be undone.") % {
                "name": self.object.name,
                "people": counts["people"],
            }
        return _(
            "Delete the cohort “%(name)s”? Its %(people)s memberships go with it, and with them %(pieces)s "
            "pieces of writing, with every version, response and piece of feedback. This cannot be undone; "
            "a cohort that has ended can simply stay."
        ) % {"name": self.object.name, "people": counts["people"], "pieces": counts["pieces"]}


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
