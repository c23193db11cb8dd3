"""The Deliveries report in the Wagtail admin: every email Klartext sent or will send.

* index: Delivery rows newest first, filtered by cohort, kind, state and "flagged", with counters by
  state at the top, in a constant number of queries however many rows there are; what each row is
  about in words from `delivery_words.py`;
* detail: one row and a preview of its email (`delivery_preview.py`: rendered from the database
  like a worker would, every link's token masked); the HTML alternative sits in a sandboxed
  <iframe srcdoc>, escaped; it is never part of the page;
* send now: this week's weekly nudge for one cohort, through `dispatch.queue_weekly_nudges_now`
  (the same rows and dedupe as the tick: a second click in the same week queues nothing);
* on the admin home, a warning when beat has not ticked for longer than three intervals
  (`dispatch.beat_is_late`): then nothing is planned and no nudge goes out.

Scope: the cohorts the user facilitates (`access.facilitated_cohorts`; staff see all). Invitation
emails belong to their invitation's cohort.
"""

import datetime

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cohorts import access

from .delivery_preview import render_preview
from .delivery_words import describe
from .dispatch import beat_is_late, queue_weekly_nudges_now
from .models import Delivery, DeliveryState, Kind
from .timing import departures

app_name = "cohort_deliveries"
ROWS_PER_PAGE = 50
FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


def scoped_deliveries(user):
    """Deliveries of the cohorts this user facilitates (all for staff), each with its cohort id."""
    rows = Delivery.objects.annotate(cohort_pk=Coalesce("membership__cohort_id", "invitation__cohort_id"))
    if access.is_staff(user):
        return rows
    return rows.filter(cohort_pk__in=access.facilitated_cohorts(user).values("pk"))


def state_counts(rows):
    """One query: how many rows are sent, pending (or being sent), failed, unknown or flagged,
    expired (past their deadline) or missed (planned too late)."""
    return rows.order_by().aggregate(
        sent=Count("pk", filter=Q(state=DeliveryState.SENT)),
        pending=Count("pk", filter=Q(state__in=[DeliveryState.PENDING, DeliveryState.SENDING])),
        failed=Count("pk", filter=Q(state=DeliveryState.FAILED)),
        unknown=Count("pk", filter=Q(state=DeliveryState.UNKNOWN) | Q(flagged=True)),
        expired=Count("pk", filter=Q(state=DeliveryState.EXPIRED)),
        missed=Count("pk", filter=Q(state=DeliveryState.MISSED)),
    )


def outbox_notice():
    """Where emails go when no SMTP server is configured (Django's file backend), else None."""
    if settings.EMAIL_BACKEND != FILE_BACKEND:
        return None
    return _("No SMTP server is configured: emails are written to %(path)s") % {
        "path": getattr(settings, "EMAIL_FILE_PATH", "")
    }


class DeliveryFilterForm(forms.Form):
    cohort = forms.ModelChoiceField(queryset=None, required=False, label=_("Cohort"), empty_label=_("All cohorts"))
    kind = forms.ChoiceField(choices=[("", _("All kinds")), *Kind.choices], required=False, label=_("Kind"))
    state = forms.ChoiceField(choices=[("", _("All states")), *DeliveryState.choices], required=False, label=_("State"))
    flagged = forms.BooleanField(required=False, label=_("Flagged only"))

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels above the fields of a filter bar
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = access.facilitated_cohorts(user).order_by("-start_date", "name")

    def value(self, name):
        """The field's cleaned value, or None when it was left empty or is invalid."""
        if not hasattr(self, "cleaned_data"):
            return None
        return self.cleaned_data.get(name) or None


class DeliveriesMixin(WagtailAdminTemplateMixin):
    header_icon = "mail"
    is_index = False

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items, {"url": reverse(f"{app_name}:index"), "label": _("Deliveries")}]
        if not self.is_index:
            items.append({"url": "", "label": self.get_page_title()})
        return items


class DeliveryIndexView(DeliveriesMixin, TemplateView):
    template_name = "mail/admin/deliveries/index.html"
    page_title = _("Deliveries")
    is_index = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = DeliveryFilterForm(self.request.GET or None, user=user)
        form.is_valid()  # invalid values are shown as errors and not applied
        rows = scoped_deliveries(user)
        cohort = form.value("cohort")
        if cohort:
            rows = rows.filter(cohort_pk=cohort.pk)
        if form.value("kind"):
            rows = rows.filter(kind=form.value("kind"))
        counts = state_counts(rows)  # by cohort and kind, whatever state is filtered
        if form.value("state"):
            rows = rows.filter(state=form.value("state"))
        if form.value("flagged"):
            rows = rows.filter(flagged=True)
        rows = rows.select_related("membership__user", "membership__cohort", "invitation__cohort").order_by(
            "-created_at", "-pk"
        )
        page = Paginator(rows, ROWS_PER_PAGE).get_page(self.request.GET.get("p"))
        page.object_list = describe(page.object_list)
        query = self.request.GET.copy()
        query.pop("p", None)
        context.update(
            {
                "filter_form": form,
                "page_obj": page,
                "deliveries": page.object_list,
                "counts": counts,
                "cohort": cohort,
                "filter_query": query.urlencode(),
                "outbox_notice": outbox_notice(),
                "send_now_url": reverse(f"{app_name}:send_now", args=[cohort.pk]) if cohort else "",
            }
        )
        return context


class DeliveryDetailView(DeliveriesMixin, TemplateView):
    template_name = "mail/admin/deliveries/detail.html"
    page_title = _("Delivery")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        delivery = get_object_or_404(
            scoped_deliveries(self.request.user).select_related(
                "membership__user",
                "membership__cohort__course",
                "invitation__cohort__course",
                "invitation__invited_by",
            ),
            pk=self.kwargs["pk"],
        )
        describe([delivery])
        context.update(
            {
                "delivery": delivery,
                "cohort": delivery.membership.cohort if delivery.membership_id else delivery.invitation.cohort,
                "preview": render_preview(delivery, timezone.now()),
                "outbox_notice": outbox_notice(),
            }
        )
        return context

    def get_page_title(self):
        return _("Delivery %(pk)s") % {"pk": self.kwargs["pk"]}


def departure_text(cohort, now):
    """When this week's nudges of the cohort that wait to go out actually leave: at once, or at
    the next moment their recipients' quiet hours and weekends allow (mail.timing)."""
    rows = list(
        Delivery.objects.filter(
            membership__cohort=cohort, kind=Kind.WEEKLY_NUDGE, state=DeliveryState.PENDING
        ).select_related("membership")
    )
    leaving = departures(rows, now)
    if not leaving.later:
        return str(_("They leave now."))
    if len(leaving.local) == 1:
        ((weekday, time),) = leaving.local
        local = datetime.datetime.combine(datetime.date(2024, 1, 1 + weekday), time)  # a Monday + weekday
        said = _("%(count)s leave on %(day)s at %(time)s in each member's own time zone (quiet hours or weekend).")
        text = said % {
            "count": leaving.later,
            "day": date_format(local, "l"),
            "time": date_format(local, "TIME_FORMAT"),
        }
    else:
        said = _(
            "%(count)s wait for the end of their quiet hours or weekend and leave at 07:00 in their own time "
            "zone, the last on %(when)s (your time)."
        )
        when = timezone.localtime(leaving.last)
        text = said % {"count": leaving.later, "when": date_format(when, "DATETIME_FORMAT")}
    if leaving.now:
        now_text = ngettext("%(count)s leaves now;", "%(count)s leave now;", leaving.now) % {"count": leaving.now}
        return f"{now_text} {text}"
    return str(text)


class SendNowView(DeliveriesMixin, TemplateView):
    """POST only: this week's nudge for one cohort the user facilitates (404 for any other)."""

    http_method_names = ["post"]

    def post(self, request, cohort_id):
        cohort = access.get_facilitated_cohort_or_404(request.user, cohort_id)
        result = queue_weekly_nudges_now(cohort, timezone.now())
        queued, already = result["queued"], result["already"]
        if queued or already:
            parts = [
                ngettext("%(count)s weekly nudge queued,", "%(count)s weekly nudges queued,", queued)
                % {"count": queued},
                ngettext(
                    "%(count)s member already had this week's nudge.",
                    "%(count)s members already had this week's nudge.",
                    already,
                )
                % {"count": already},
            ]
            if queued:
                parts.append(departure_text(cohort, timezone.now()))
            messages.success(request, " ".join(parts))
        else:
            messages.warning(
                request,
                _(
                    "Nobody in %(cohort)s gets the weekly nudge now: the cohort is not running, or its members "
                    "unsubscribed, paused or switched the nudge off."
                )
                % {"cohort": cohort},
            )
        return redirect(f"{reverse(f'{app_name}:index')}?cohort={cohort.pk}")


class BeatWarningPanel(Component):
    """A warning on the admin home page, for whoever runs a cohort, when beat has stopped."""

    name = "beat_warning"
    template_name = "mail/admin/beat_warning.html"
    order = 10

    def render_html(self, parent_context=None):
        self.since = beat_is_late(timezone.now())
        if self.since is None or not access.facilitated_cohorts(parent_context["request"].user).exists():
            return ""
        return super().render_html(parent_context)

    def get_context_data(self, parent_context):
        return {"since": self.since, "deliveries_url": reverse(f"{app_name}:index")}


urlpatterns = [
    path("", DeliveryIndexView.as_view(), name="index"),
    path("<int:pk>/", DeliveryDetailView.as_view(), name="detail"),
    path("send-now/<int:cohort_id>/", SendNowView.as_view(), name="send_now"),
]
