"""When a member last did something, and who has gone quiet: the one rule behind the cohort
dashboard and the facilitator digest.

Activity is writing (a saved piece), listening (a response given) or publishing (a recorded
post). A member who did none of these for QUIET_AFTER has gone quiet; someone who never did
anything counts from the day they joined.
"""

import datetime

from django.db.models import Max

from .models import PostLog, Response, Submission

QUIET_AFTER = datetime.timedelta(days=14)


def last_activity_in(cohort):
    """{membership id: the moment of its latest saved writing, response or recorded post} for the
    cohort's memberships, in one query (the latest moment per member from each table, united).
    Members who never did anything are missing."""
    written = Submission.objects.filter(membership__cohort=cohort).values_list("membership").annotate(Max("updated_at"))
    responded = Response.objects.filter(author__cohort=cohort).values_list("author").annotate(Max("created_at"))
    posted = PostLog.objects.filter(membership__cohort=cohort).values_list("membership").annotate(Max("created_at"))
    latest = {}
    for membership_id, moment in written.order_by().union(responded.order_by(), posted.order_by(), all=True):
        if moment is not None and (membership_id not in latest or moment > latest[membership_id]):
            latest[membership_id] = moment
    return latest


def is_quiet(membership, last_activity, at):
    """Whether `membership`, last active at `last_activity` (None: never), has gone quiet at `at`."""
    return (last_activity or membership.joined_at) < at - QUIET_AFTER
