"""The consultant's cohort management in the Wagtail admin: a "Cohorts" menu item with list,
create, edit and delete, plus each cohort's overview, invitations and CSV import.

Packages above cohorts add views of one cohort (the progress dashboard) with the hook
`register_cohort_admin_views`: a function returning {name: (route, view class)}, mounted under
`cohort_admin:<name>` like the views here."""

from urllib.parse import urlsplit

from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import ObjectList
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from course import security

from . import admin_forms, admin_views, event_admin, import_views, overview_views
from .models import Cohort

# Registered before anything asks for Cohort's policy (Wagtail would create a default one).
register_permission_policy(Cohort, admin_views.CohortPermissionPolicy(Cohort))


class CohortViewSet(ModelViewSet):
    model = Cohort
    icon = "group"
    menu_label = _("Cohorts")
    menu_order = 150
    add_to_admin_menu = True
    # The public cohort pages own the "cohorts" namespace (cohorts:accept_invitation).
    url_namespace = "cohort_admin"
    copy_view_enabled = False
    list_per_page = 50
    edit_handler = ObjectList(Cohort.panels, base_form_class=admin_forms.CohortForm)

    index_view_class = admin_views.CohortIndexView
    add_view_class = admin_views.CohortCreateView
    edit_view_class = admin_views.CohortEditView
    delete_view_class = admin_views.CohortDeleteView
    history_view_class = admin_views.CohortHistoryView
    usage_view_class = admin_views.CohortUsageView

    extra_views = {
        "overview": ("<int:pk>/overview/", overview_views.CohortOverviewView),
        "invite": ("<int:pk>/invite/", overview_views.CohortInviteView),
        "import": ("<int:pk>/import/", import_views.CohortImportView),
        "confirm_import": ("<int:pk>/import/confirm/", import_views.CohortConfirmImportView),
        "event_attendance": ("<int:pk>/events/<int:event_id>/", event_admin.EventAttendanceView),
        "remove_member": ("<int:pk>/members/<int:membership_id>/remove/", overview_views.RemoveMemberView),
    }

    @cached_property
    def all_extra_views(self):
        views = dict(self.extra_views)
        for registered in hooks.get_hooks("register_cohort_admin_views"):
            views.update(registered())
        return views

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{f"{name}_url_name": self.get_url_name(name) for name in self.all_extra_views},
            **kwargs,
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path(route, self.construct_view(view_class, header_icon=self.UNDEFINED), name=name)
            for name, (route, view_class) in self.all_extra_views.items()
        ]


@hooks.register("register_admin_viewset")
def register_cohort_viewset():
    return CohortViewSet("cohorts")


# --- Wagtail's site-wide reports: staff only (course/security.py) --------------------------------


@hooks.register("construct_reports_menu")
def hide_site_reports_from_facilitators(request, menu_items):
    if not security.may_see_site_reports(request.user):
        menu_items[:] = [item for item in menu_items if not security.is_site_report(urlsplit(item.url).path)]
