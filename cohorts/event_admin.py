"""The facilitator's side of a cohort event in the Wagtail admin: who said they are going, and who
came (she ticks it after the event). The event itself is edited with the cohort."""

from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages

from .admin_views import CohortPageMixin
from .models import CohortEvent, EventAnswer, Role


def attendance(event):
    """(membership, answer or None) for every member of the event's cohort, by name: two queries."""
    answers = {answer.membership_id: answer for answer in EventAnswer.objects.filter(event=event)}
    members = event.cohort.memberships.filter(role=Role.MEMBER).select_related("user").order_by("user__full_name")
    return [(member, answers.get(member.pk)) for member in members]


def record_attendance(event, came_ids):
    """Who came: `came_ids` (membership ids of the cohort's members) did, every other member did not."""
    members = set(event.cohort.memberships.filter(role=Role.MEMBER).values_list("pk", flat=True))
    came = members & set(came_ids)
    with transaction.atomic():
        for pk in members:
            EventAnswer.objects.update_or_create(event=event, membership_id=pk, defaults={"attended": pk in came})
    return len(came)


class EventAttendanceView(CohortPageMixin, TemplateView):
    template_name = "cohorts/admin/event_attendance.html"
    page_title = _("Who came")
    header_icon = "date"
    event_attendance_url_name = None

    @cached_property
    def event(self):
        return get_object_or_404(CohortEvent, pk=self.kwargs["event_id"], cohort=self.object)

    def post(self, request, *args, **kwargs):
        ids = [int(value) for value in request.POST.getlist("came") if value.isdigit()]
        count = record_attendance(self.event, ids)
        messages.success(request, _("Saved: %(count)s came to %(event)s.") % {"count": count, "event": self.event.name})
        return redirect(request.path)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"event": self.event, "rows": attendance(self.event)})
        return context
