"""The facilitator's feedback queue in the Wagtail admin."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cohorts.access import facilitated_cohorts

from . import admin_views


class FeedbackMenuItem(MenuItem):
    def is_shown(self, request):
        return facilitated_cohorts(request.user).exists()


@hooks.register("register_admin_urls")
def register_feedback_urls():
    return [path("feedback/", include((admin_views.urlpatterns, admin_views.app_name), namespace=admin_views.app_name))]


@hooks.register("register_admin_menu_item")
def register_feedback_menu_item():
    return FeedbackMenuItem(
        _("Feedback"), reverse("lessons_feedback:queue"), name="feedback", icon_name="comment", order=250
    )
