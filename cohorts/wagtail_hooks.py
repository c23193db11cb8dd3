"""The consultant's cohort management in the Wagtail admin: a "Cohorts" menu item with list,
create, edit and delete, plus each cohort's overview, invitations and CSV import."""

from urllib.parse import urlsplit

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from . import access, admin_views, dashboard_views, delivery_admin
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

    index_view_class = admin_views.CohortIndexView
    add_view_class = admin_views.CohortCreateView
    edit_view_class = admin_views.CohortEditView
    delete_view_class = admin_views.CohortDeleteView
    history_view_class = admin_views.CohortHistoryView
    usage_view_class = admin_views.CohortUsageView

    extra_views = {
        "overview": ("<int:pk>/overview/", admin_views.CohortOverviewView),
        "invite": ("<int:pk>/invite/", admin_views.CohortInviteView),
        "import": ("<int:pk>/import/", admin_views.CohortImportView),
        "confirm_import": ("<int:pk>/import/confirm/", admin_views.CohortConfirmImportView),
        "dashboard": ("<int:pk>/dashboard/", dashboard_views.CohortDashboardView),
        "dashboard_progress_csv": ("<int:pk>/dashboard/progress.csv", dashboard_views.CohortProgressCsvView),
        "dashboard_summary_csv": ("<int:pk>/dashboard/summary.csv", dashboard_views.CohortSummaryCsvView),
    }

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{f"{name}_url_name": self.get_url_name(name) for name in self.extra_views},
            **kwargs,
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path(route, self.construct_view(view_class, header_icon=self.UNDEFINED), name=name)
            for name, (route, view_class) in self.extra_views.items()
        ]


@hooks.register("register_admin_viewset")
def register_cohort_viewset():
    return CohortViewSet("cohorts")


# --- the Deliveries report ----------------------------------------------------------------------


class DeliveriesMenuItem(MenuItem):
    def is_shown(self, request):
        return access.facilitated_cohorts(request.user).exists()


@hooks.register("register_admin_urls")
def register_delivery_urls():
    return [
        path(
            "deliveries/",
            include((delivery_admin.urlpatterns, delivery_admin.app_name), namespace=delivery_admin.app_name),
        )
    ]


@hooks.register("register_admin_menu_item")
def register_deliveries_menu_item():
    return DeliveriesMenuItem(
        _("Deliveries"), reverse("cohort_deliveries:index"), name="deliveries", icon_name="mail", order=260
    )


# --- the consultant's panel on the admin home page -------------------------------------------------


@hooks.register("construct_homepage_panels")
def add_cohorts_home_panel(request, panels):
    panels.append(dashboard_views.CohortsHomePanel())


# --- Wagtail's site-wide reports: staff only (cohorts/access.py) --------------------------------


@hooks.register("construct_reports_menu")
def hide_site_reports_from_facilitators(request, menu_items):
    if not access.may_see_site_reports(request.user):
        menu_items[:] = [item for item in menu_items if not access.is_site_report(urlsplit(item.url).path)]
