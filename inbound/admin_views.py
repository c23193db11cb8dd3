"""The "Inbound mail" report in the Wagtail admin: received, turned into drafts, dropped (by
reason), bounces, complaints, and the latest messages. Staff see everything; a facilitator sees
the messages of their cohorts' members (messages nobody could be matched to are staff-only)."""

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cohorts import access

from .models import DropReason, InboundKind, InboundMessage, InboundState

ROWS_PER_PAGE = 50


def scoped_messages(user):
    rows = InboundMessage.objects.all()
    if access.is_staff(user):
        return rows
    return rows.filter(membership__cohort__in=access.facilitated_cohorts(user))


def counts(rows):
    """One query: the report's counters."""
    drops = {reason.value: Count("pk", filter=Q(state=InboundState.DROPPED, reason=reason)) for reason in DropReason}
    return rows.order_by().aggregate(
        received=Count("pk"),
        drafted=Count("pk", filter=Q(state=InboundState.DRAFTED)),
        dropped=Count("pk", filter=Q(state=InboundState.DROPPED)),
        waiting=Count("pk", filter=Q(state=InboundState.RECEIVED)),
        bounces=Count("pk", filter=Q(kind=InboundKind.BOUNCE, state=InboundState.APPLIED)),
        complaints=Count("pk", filter=Q(kind=InboundKind.COMPLAINT, state=InboundState.APPLIED)),
        **drops,
    )


class InboundReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "inbound/admin/report.html"
    page_title = _("Inbound mail")
    header_icon = "mail"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = scoped_messages(self.request.user)
        totals = counts(rows)
        reasons = [(reason.label, totals[reason.value]) for reason in DropReason if totals[reason.value]]
        listed = rows.select_related("membership__user", "membership__cohort").defer("raw")
        page = Paginator(listed.order_by("-received_at", "-pk"), ROWS_PER_PAGE).get_page(self.request.GET.get("p"))
        context.update({"counts": totals, "reasons": reasons, "page_obj": page, "messages_page": page.object_list})
        return context
