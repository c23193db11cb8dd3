"""Who gets which email.

The weekly nudge's audience is written once, here: the planner (at each member's slot), "send
now" (this week, any slot) and the preferences page (when is my next one?) all ask
`weekly_nudge_audience`, so the page never promises a nudge the tick would not send, and "send
now" reaches exactly the members the tick would.
"""

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from cohorts.models import Frequency, Membership, Role

from .models import Kind, NudgeOptOut, SkipReason

# Mail the person asked for themselves (an invitation, the confirmation of a draft they sent by
# replying): sent during a pause too. (The password reset is not a Delivery: course.tasks sends it
# at once.)
ACCOUNT_KINDS = frozenset({Kind.INVITATION, Kind.DRAFT_SAVED})
# Kinds that still make sense once the cohort has ended (alumni who chose weekly nudges keep
# their weekly nudge too, see `consent_rules`).
AFTER_END_KINDS = frozenset({Kind.ALUMNI_NUDGE, Kind.SELF_CHECK, Kind.FEEDBACK_READY, Kind.DRAFT_SAVED})


def _reachable_rules(kind):
    return [
        (SkipReason.ACCOUNT_INACTIVE, Q(user__is_active=True)),
        (SkipReason.BOUNCING, Q(user__email_bouncing_since__isnull=True)),
        (SkipReason.UNSUBSCRIBED, Q(unsubscribed_at__isnull=True)),
        (SkipReason.OPTED_OUT, ~Exists(NudgeOptOut.objects.filter(membership=OuterRef("pk"), kind=kind))),
    ]


def reachable(memberships, kind):
    """Members who still want this kind and can get it: active account, address not bouncing,
    not unsubscribed, not opted out."""
    return memberships.filter(*[condition for _reason, condition in _reachable_rules(kind)])


def consent_rules(kind, local_date):
    """What a membership must still meet, on its own local date, to be sent `kind`: a list of
    (reason, condition), in the order the reason is told. Everything a member or the consultant
    can change: the account, unsubscribing, opting out of the kind, a pause (all but account
    mail), the cohort's end (all but the kinds that still make sense for alumni). The worker's
    claim checks all of them in the statement that takes the row."""
    rules = _reachable_rules(kind)
    if kind not in ACCOUNT_KINDS:
        rules.append((SkipReason.PAUSED, not_paused(local_date)))
    if kind not in AFTER_END_KINDS:
        still_sensible = ~alumni_on(local_date)
        if kind == Kind.WEEKLY_NUDGE:
            still_sensible |= Q(nudge_frequency=Frequency.WEEKLY)
        rules.append((SkipReason.COHORT_ENDED, still_sensible))
    return rules


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
