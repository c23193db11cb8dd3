"""The facilitator's feedback queue in the Wagtail admin, and warnings after a lesson is saved."""

from django.template.loader import render_to_string
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from cohorts.access import facilitated_cohorts

from . import admin_views, course_plan, documents
from .models import LessonPage


class FeedbackMenuItem(MenuItem):
    def is_shown(self, request):
        return facilitated_cohorts(request.user).exists()


@hooks.register("before_serve_document")
def only_to_readers_of_a_linking_page(document, request):
    return documents.serve_document(request, document)


@hooks.register("register_admin_urls")
def register_feedback_urls():
    return [path("feedback/", include((admin_views.urlpatterns, admin_views.app_name), namespace=admin_views.app_name))]


@hooks.register("register_admin_menu_item")
def register_feedback_menu_item():
    return FeedbackMenuItem(
        _("Feedback"), reverse("lessons_feedback:queue"), name="feedback", icon_name="comment", order=250
    )


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def warn_about_lesson_dates(request, page):
    """Two lessons on one day, or a lesson opening before an earlier one, are said after every
    save (the edit form's course plan panel says it too)."""
    page = page.specific
    if not isinstance(page, LessonPage):
        return
    this = course_plan.planned(page.get_parent().specific, page)
    if this is None:
        return
    if this.same_day:
        messages.warning(request, render_to_string("lessons/admin/_plan_same_day.html", {"this": this}))
    if this.opens_before:
        messages.warning(request, render_to_string("lessons/admin/_plan_opens_before.html", {"this": this}))


@hooks.register("before_delete_page")
def warn_before_deleting_a_lesson_in_use(request, page):
    """On the delete confirmation: which cohorts and how much writing the lesson is part of. The
    writing stays (its lesson link is cleared); members lose the lesson and its assignment.
    (Wagtail asks `before_unpublish_page` only once the unpublishing is confirmed.)"""
    page = page.specific
    if request.method != "GET" or not isinstance(page, LessonPage):
        return
    used = course_plan.in_use(page)
    if used:
        messages.warning(request, render_to_string("lessons/admin/_lesson_in_use.html", {"used": used, "lesson": page}))
