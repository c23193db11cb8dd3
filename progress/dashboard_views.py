"""The cohort dashboard in the Wagtail admin and its CSV exports. Thin: the rules live in
`progress/dashboard.py`; the cohort is looked up through facilitated_cohorts (404 otherwise)."""

import csv

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component
from wagtail.admin.widgets.button import HeaderButton

from cohorts.admin_views import CohortPageMixin
from cohorts.schedule import Schedule

from .dashboard import (
    CACHE_SECONDS,
    SUMMARY_COLUMNS,
    Status,
    build_dashboard,
    cached_dashboard,
    dashboard_cache_key,
    home_panel_rows,
    summary_values,
)

# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Every exported cell, header cells included, goes through here."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_filename(cohort, what, day):
    stem = slugify(cohort.name) or f"cohort-{cohort.pk}"  # slugify keeps ASCII letters, digits, "-"
    return f"{stem}-{what}-{day.isoformat()}.csv"


def csv_response(filename, header, rows):
    """UTF-8 with a byte-order mark, so Excel shows umlauts; always a download."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([safe_cell(str(cell)) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return response


def matrix_rows(rows):
    """(row, its cells) for the progress matrix template: each cell a dict of the status's CSS
    slug and translated label, made once per status, since a cohort of 200 members and 24 lessons
    draws 4,800 cells and a dict is what the template engine looks up fastest."""
    cells = {status: {"slug": status.slug, "label": str(status.label)} for status in Status}
    return [(row, [cells[status] for status in row.cells]) for row in rows]


class DashboardMixin(CohortPageMixin):
    dashboard_url_name = None
    dashboard_progress_csv_url_name = None
    dashboard_summary_csv_url_name = None
    stuck_url_name = None

    @cached_property
    def dashboard(self):
        """The CSV exports: every member of the cohort."""
        return build_dashboard(self.object, timezone.now())


class CohortDashboardView(DashboardMixin, TemplateView):
    template_name = "progress/admin/dashboard.html"
    page_title = _("Dashboard")
    header_icon = "table"

    @cached_property
    def circles(self):
        return list(self.object.circles.all())

    @cached_property
    def circle(self):
        value = self.request.GET.get("circle", "")
        return next((circle for circle in self.circles if str(circle.pk) == value), None)

    @cached_property
    def now(self):
        return timezone.now()

    @cached_property
    def page_number(self):
        page = self.request.GET.get("page", "")
        return int(page) if page.isdigit() and len(page) < 7 else 1

    @cached_property
    def schedule(self):
        return Schedule.for_cohort(self.object)

    @cached_property
    def dashboard(self):
        """One page of members (of one circle, when chosen); a bad page number shows the last."""
        return cached_dashboard(
            self.object, self.now, circle=self.circle, page=self.page_number, schedule=self.schedule
        )

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(_("Who is stuck"), url=self.url("stuck_url_name"), icon_name="warning", priority=5),
            HeaderButton(
                _("Progress (CSV)"), url=self.url("dashboard_progress_csv_url_name"), icon_name="download", priority=10
            ),
            HeaderButton(
                _("Summary (CSV)"), url=self.url("dashboard_summary_csv_url_name"), icon_name="download", priority=20
            ),
            HeaderButton(_("Overview"), url=self.overview_url, icon_name="view", priority=30),
        ]

    def get_context_data(self, **kwargs):
        """The panels are one template fragment kept in the cache under the dashboard's key: a
        kept page builds no context (each value below is computed only when rendered)."""
        context = super().get_context_data(**kwargs)
        zone = self.object.zone

        def dashboard():
            return self.dashboard

        context.update(
            {
                "dashboard": SimpleLazyObject(dashboard),
                "fragment_key": dashboard_cache_key(
                    self.object, self.schedule, self.now, circle=self.circle, page=self.page_number
                ),
                "fragment_seconds": CACHE_SECONDS,
                "summary_columns": SUMMARY_COLUMNS,
                "summary_rows": lambda: [(row, summary_values(row, zone)) for row in self.dashboard.rows],
                "matrix_rows": lambda: matrix_rows(self.dashboard.rows),
                "statuses": list(Status),
                "circles": self.circles,
                "circle": self.circle,
                "page": lambda: self.dashboard.page,
                "totals": lambda: list(zip(self.dashboard.slots, self.dashboard.status_totals(), strict=True)),
                "opened": lambda: sum(1 for slot in self.dashboard.slots if slot.is_open(self.dashboard.at)),
                "feedback_queue_url": reverse("lessons_feedback:queue"),
                "progress_csv_url": self.url("dashboard_progress_csv_url_name"),
                "summary_csv_url": self.url("dashboard_summary_csv_url_name"),
            }
        )
        return context


class CohortProgressCsvView(DashboardMixin, TemplateView):
    """The progress matrix: one row per member, one column per lesson with the status label."""

    def get(self, request, *args, **kwargs):
        dashboard = self.dashboard
        header = [_("Name"), _("Email"), *(f"{slot.number}. {slot.lesson.title}" for slot in dashboard.slots)]
        rows = ([row.name, row.email, *(str(cell.label) for cell in row.cells)] for row in dashboard.rows)
        day = self.object.local_today(dashboard.at)
        return csv_response(export_filename(self.object, "progress", day), header, rows)


class CohortSummaryCsvView(DashboardMixin, TemplateView):
    """Per member: name, email, pieces shared, published, responses given and received, last
    activity and quiet yes/no, exactly as the dashboard's summary table shows them."""

    def get(self, request, *args, **kwargs):
        dashboard = self.dashboard
        zone = self.object.zone
        rows = (summary_values(row, zone) for row in dashboard.rows)
        day = self.object.local_today(dashboard.at)
        return csv_response(export_filename(self.object, "summary", day), SUMMARY_COLUMNS, rows)


class CohortsHomePanel(Component):
    """On the admin home page: her cohorts with this week's writing and listening and the piece
    that has waited longest for feedback. Shows nothing to someone who facilitates no cohort."""

    name = "cohorts"
    template_name = "progress/admin/home_panel.html"
    order = 50

    def get_context_data(self, parent_context):
        return {"rows": self.rows, "cohorts_url": reverse("cohort_admin:index")}

    def render_html(self, parent_context=None):
        self.rows = home_panel_rows(parent_context["request"].user, timezone.now())
        return super().render_html(parent_context) if self.rows else ""
