"""Who gets which email.

The weekly nudge's audience is written once, here: the planner (at each member's slot), "send
now" (this week, any slot) and the preferences page (when is my next one?) all ask
`weekly_nudge_audience`, so the page never promises a nudge the tick would not send, and "send
now" reaches exactly the members the tick would.
"""

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from cohorts.models import Frequency, Membership, Role

from .models import Kind, NudgeOptOut


def reachable(memberships, kind):
    """Members who still want this kind and can get it: active account, address not bouncing,
    not unsubscribed, not opted out."""
    opted_out = NudgeOptOut.objects.filter(membership=OuterRef("pk"), kind=kind)
    return memberships.filter(
        user__is_active=True, user__email_bouncing_since__isnull=True, unsubscribed_at__isnull=True
    ).exclude(Exists(opted_out))


def not_paused(local_date):
    return Q(paused_until__isnull=True) | Q(paused_until__lt=local_date)


def running_on(local_date):
    return Q(cohort__start_date__lte=local_date, cohort__end_date__gte=local_date)


def alumni_on(local_date):
    return Q(cohort__end_date__lt=local_date)


def weekly_nudge_audience(local_date):
    """Memberships (a Q) that get the weekly nudge when its slot falls on `local_date`, their own
    local date: members of a running cohort, and alumni who chose weekly nudges, not paused that
    day. Together with `reachable(…, Kind.WEEKLY_NUDGE)`; one nudge per ISO week is the Delivery
    table's unique period key."""
    chose_weekly = alumni_on(local_date) & Q(nudge_frequency=Frequency.WEEKLY)
    return Q(role=Role.MEMBER) & not_paused(local_date) & (running_on(local_date) | chose_weekly)


def alumni_nudge_audience(local_date):
    """Alumni who chose monthly nudges, not paused on `local_date`."""
    return Q(role=Role.MEMBER) & not_paused(local_date) & alumni_on(local_date) & Q(nudge_frequency=Frequency.MONTHLY)


def facilitator_digest_audience(local_date):
    """Facilitators of a cohort running on `local_date`, not paused."""
    return Q(role=Role.FACILITATOR) & not_paused(local_date) & running_on(local_date)


def weekly_nudge_days(membership, days):
    """Those of `days` (the member's local dates) on which the weekly nudge would go to this
    membership, in one query whatever the number of days."""
    if not days:
        return []
    flags = {
        f"day_{index}": ExpressionWrapper(weekly_nudge_audience(day), output_field=BooleanField())
        for index, day in enumerate(days)
    }
    row = reachable(Membership.objects.filter(pk=membership.pk), Kind.WEEKLY_NUDGE).values(**flags).first()
    if row is None:
        return []
    return [day for index, day in enumerate(days) if row[f"day_{index}"]]
