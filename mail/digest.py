"""The facilitator's weekly digest: who is stuck, who wrote, who published, who has gone quiet,
and the feedback queue. The rules are lessons' (feedback, activity, stuck); this gathers them."""

import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse

from cohorts.models import Membership, Role
from lessons.activity import is_quiet, last_activity_in
from lessons.feedback import waiting_for_feedback
from lessons.models import Feedback, Submission

from .notes import who_is_stuck

DIGEST_STUCK_ROWS = 15


def cohort_digest(cohort, now):
    """Who wrote, who published, who has gone quiet (2+ weeks), and the feedback queue."""
    week_ago = now - datetime.timedelta(days=7)
    members = list(
        Membership.objects.filter(cohort=cohort, role=Role.MEMBER)
        .select_related("user")
        .annotate(
            wrote=Count("submissions", filter=Q(submissions__updated_at__gte=week_ago), distinct=True),
            published=Count("posts", filter=Q(posts__created_at__gte=week_ago), distinct=True),
        )
    )
    last_activity = last_activity_in(cohort)
    queue = waiting_for_feedback(Submission.objects.filter(membership__cohort=cohort)).order_by("shared_at")
    oldest = queue.first()
    return {
        # First: who is stuck and on what (lessons.stuck), the page's rows.
        "stuck": who_is_stuck(cohort, now)[:DIGEST_STUCK_ROWS],
        "stuck_url": settings.SITE_URL + reverse("cohort_admin:stuck", args=[cohort.pk]),
        "wrote": [m.user.full_name for m in members if m.wrote],
        "published": [m.user.full_name for m in members if m.published],
        "quiet": [m.user.full_name for m in members if is_quiet(m, last_activity.get(m.pk), now)],
        "queue_count": queue.count(),
        "oldest_waiting_since": oldest.shared_at if oldest else None,
        "feedback_given": Feedback.objects.filter(
            submission__membership__cohort=cohort, created_at__gte=week_ago
        ).count(),
    }
