"""Who gets which email.

The weekly nudge's audience is written once, here: the planner (at each member's slot), "send
now" (this week, any slot) and the preferences page (when is my next one?) all ask
`weekly_nudge_audience`, so the page never promises a nudge the tick would not send, and "send
now" reaches exactly the members the tick would.
"""

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from cohorts.models import Frequency, Membership, Role
from course.timezones import iso_week_key

from .models import Delivery, DeliveryState, Kind, NudgeOptOut

# A weekly nudge in these states went out or may still go out: it fills its member's week.
ARRIVING = [DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.SENT, DeliveryState.UNKNOWN]


def reachable(memberships, kind):
    """Members who still want this kind: active account, not unsubscribed, not opted out."""
    opted_out = NudgeOptOut.objects.filter(membership=OuterRef("pk"), kind=kind)
    return memberships.filter(user__is_active=True, unsubscribed_at__isnull=True).exclude(Exists(opted_out))


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


def without_weekly_nudge_since(memberships, week_began):
    """Those memberships that have had no weekly nudge (sent, or still to go) since their local
    week began. `week_began`: an expression over the membership, the instant its week began in
    its zone. Together with the period key (the ISO week of the slot's local date), this keeps one
    nudge per member per local week even when they change their zone, weekday and hour in the
    middle of it: the week is the one in the zone they have now. `weekly_nudge_weeks_taken` is
    the same rule for one member in Python."""
    memberships = memberships.annotate(weekly_week_began=week_began)
    earlier = Delivery.objects.filter(
        membership=OuterRef("pk"),
        kind=Kind.WEEKLY_NUDGE,
        state__in=ARRIVING,
        due_at__gte=OuterRef("weekly_week_began"),
    )
    return memberships.exclude(Exists(earlier))


def weekly_nudge_weeks_taken(rows, zone):
    """The local ISO weeks (keys) in which a member gets no further weekly nudge: those of their
    rows' period keys (one row per key), and those in which a row that went or may still go was
    due, seen from the member's zone now. `rows`: (period key, state, due at) of their weekly
    nudges."""
    taken = set()
    for period_key, state, due_at in rows:
        taken.add(period_key)
        if state in ARRIVING:
            taken.add(iso_week_key(due_at.astimezone(zone).date()))
    return taken


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
