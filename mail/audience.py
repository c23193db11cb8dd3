"""Who gets which email.

The weekly nudge's audience is written once, here: the planner (at each member's slot), "send
now" (this week, any slot) and the preferences page (when is my next one?) all ask
`weekly_nudge_audience`, so the page never promises a nudge the tick would not send, and "send
now" reaches exactly the members the tick would.
"""

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.expressions import RawSQL

from cohorts.models import Frequency, Membership, Role
from course.timezones import iso_week_key

from .models import Delivery, DeliveryState, Kind, NudgeOptOut, SkipReason

# A weekly nudge in these states went out or may still go out: it fills its member's week.
ARRIVING = [DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.SENT, DeliveryState.UNKNOWN]

# Mail the person asked for themselves (an invitation, the confirmation of a draft they sent by
# replying) or must act on (a network account to reconnect before a scheduled post): sent during
# a pause too. (The password reset is not a Delivery: course.tasks sends it
# at once.)
ACCOUNT_KINDS = frozenset({Kind.INVITATION, Kind.DRAFT_SAVED, Kind.RECONNECT_NEEDED})
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


def consenting_members(kind, local_date):
    """The ids of the memberships that meet `consent_rules(kind, local_date)`, as SQL for
    `membership_id__in`. Compiled here once, so a batch that claims hundreds of rows of one kind
    on one local date does not build and compile the same subqueries for every row."""
    rules = [rule for _reason, rule in consent_rules(kind, local_date)]
    sql, params = Membership.objects.filter(*rules).order_by().values("pk").query.sql_with_params()
    return RawSQL(sql, params)  # noqa: S611 (the ORM's own SQL; its parameters stay parameters)


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
