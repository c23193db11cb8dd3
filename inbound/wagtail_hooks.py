"""The "Inbound mail" report in the Wagtail admin's menu."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cohorts import access

from .admin_views import InboundReportView


class InboundMenuItem(MenuItem):
    def is_shown(self, request):
        return access.facilitated_cohorts(request.user).exists()


@hooks.register("register_admin_urls")
def register_inbound_urls():
    return [path("inbound-mail/", InboundReportView.as_view(), name="inbound_report")]


@hooks.register("register_admin_menu_item")
def register_inbound_menu_item():
    return InboundMenuItem(
        _("Inbound mail"), reverse("inbound_report"), name="inbound-mail", icon_name="mail", order=262
    )
