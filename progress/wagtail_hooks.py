"""The member home at `/`, the progress dashboard of one cohort (mounted in the cohort admin) and
the cohorts panel on the admin home page."""

from wagtail import hooks

from course.models import HomePage

from . import dashboard_views, home, stuck_views


@hooks.register("register_cohort_admin_views")
def register_dashboard_views():
    return {
        "dashboard": ("<int:pk>/dashboard/", dashboard_views.CohortDashboardView),
        "dashboard_progress_csv": ("<int:pk>/dashboard/progress.csv", dashboard_views.CohortProgressCsvView),
        "dashboard_summary_csv": ("<int:pk>/dashboard/summary.csv", dashboard_views.CohortSummaryCsvView),
        "stuck": ("<int:pk>/stuck/", stuck_views.CohortStuckView),
        "stuck_note": ("<int:pk>/stuck/note/", stuck_views.CohortNoteView),
        "stuck_message": ("<int:pk>/stuck/message/", stuck_views.CohortMessageView),
    }


@hooks.register("construct_homepage_panels")
def add_cohorts_home_panel(request, panels):
    panels.append(dashboard_views.CohortsHomePanel())


@hooks.register("before_serve_page")
def serve_member_home(page, request, serve_args, serve_kwargs):
    """`/` is the member's home once they are in a cohort; None lets the landing page answer."""
    if isinstance(page, HomePage) and request.user.is_authenticated:
        return home.member_home_response(request, page=page)
    return None
