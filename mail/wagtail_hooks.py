"""The Deliveries report in the Wagtail admin: every email, its state, and "send now"; and the
admin home's warning when beat has stopped."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cohorts import access

from . import delivery_admin


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


@hooks.register("construct_homepage_panels")
def add_beat_warning_panel(request, panels):
    panels.append(delivery_admin.BeatWarningPanel())
