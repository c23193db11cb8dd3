"""What is due: one planner per kind of email, each writing Delivery rows in a few statements.

`plan` is the tick's plan step: every kind over the span since its watermark (mail.spans, which
also holds the table of when each kind falls due and its deadline), in a few INSERT … SELECT … ON
CONFLICT DO NOTHING statements per kind (mail.planned_rows), so a second or concurrent tick
inserts nothing and the number of statements does not grow with the number of members.
`plan_weekly_nudges_for` is "send now"'s plan.

The planners, by what a kind follows:

    mail.slot_planners      each person's weekday and local hour: weekly nudge, alumni nudge,
                            facilitator digest
    mail.calendar_planners  a cohort's calendar: lesson released, assignment due, event kit
    mail.activity_planners  what people do: feedback ready, peer response reminder, someone
                            responded, yearly self-check
    mail.meetups            event invitations
"""

from django.db.models import CharField, F, Q

from cohorts.models import Membership
from course.timezones import iso_week_key, zone_named

from .activity_planners import plan_feedback_ready, plan_peer_responded, plan_peer_review_reminders, plan_self_checks
from .audience import reachable, weekly_nudge_audience, without_weekly_nudge_since
from .calendar_planners import plan_assignments_due, plan_event_kits, plan_lesson_released
from .meetups import plan_event_invitations
from .models import Kind, PlanWatermark
from .planned_rows import by_condition, insert_select, moment, row_defaults
from .slot_planners import plan_alumni_nudges, plan_facilitator_digests, plan_weekly_nudges
from .spans import Counts, PlanContext, Span
from .timing import local_dates, week_began, week_ends, zones_in_use


def _counted(planner):
    """A planner that plans what is due now whatever the span (it answers from the state of
    things, not from a moment in time) and returns a count."""

    def plan_now(now, span=None, context=None):
        return Counts(planned=planner(now))

    plan_now.__name__ = planner.__name__
    return plan_now


PLANNERS = {
    Kind.WEEKLY_NUDGE: plan_weekly_nudges,
    Kind.ALUMNI_NUDGE: plan_alumni_nudges,
    Kind.FACILITATOR_DIGEST: plan_facilitator_digests,
    Kind.LESSON_RELEASED: plan_lesson_released,
    Kind.ASSIGNMENT_DUE: plan_assignments_due,
    Kind.FEEDBACK_READY: plan_feedback_ready,
    Kind.PEER_REVIEW: plan_peer_review_reminders,
    Kind.PEER_RESPONDED: plan_peer_responded,
    Kind.EVENT_KIT: plan_event_kits,
    Kind.EVENT_INVITATION: _counted(plan_event_invitations),
    Kind.SELF_CHECK: plan_self_checks,
}


def plan(now):
    """The tick's plan step: every kind, over the span since its watermark, which then moves to
    `now` (in the tick's transaction: a tick that fails moves nothing). Returns {planner name:
    Counts}."""
    marks = dict(PlanWatermark.objects.values_list("kind", "planned_through"))
    spans = {kind: Span.for_kind(kind, now, marks.get(kind)) for kind in PLANNERS}
    context = PlanContext(now, min(span.since for span in spans.values()))
    counts = {
        planner.__name__.removeprefix("plan_"): planner(now, spans[kind], context) for kind, planner in PLANNERS.items()
    }
    PlanWatermark.objects.bulk_create(
        [PlanWatermark(kind=kind, planned_through=max(now, marks.get(kind, now))) for kind in PLANNERS],
        update_conflicts=True,
        unique_fields=["kind"],
        update_fields=["planned_through"],
    )
    return counts


def last_planned():
    """When a tick last planned (None before the first one)."""
    return max(PlanWatermark.objects.values_list("planned_through", flat=True), default=None)


def plan_weekly_nudges_for(cohort, now):
    """This week's weekly nudge for the cohort's members, whatever their slot ("send now").

    The audience is the planner's without the weekday and hour; the period key is each member's
    current local ISO week, and a member who already had a nudge this local week (from the tick
    or an earlier click) gets no new row. The deadline is the end of that week. Returns
    {"queued": rows inserted, "already": members in the audience who had this week's nudge}."""
    dates = local_dates(now, zones_in_use(cohort.memberships.all()))
    if not dates:
        return {"queued": 0, "already": 0}
    condition = Q(pk__in=[])
    period_keys, deadlines, began = [], [], {}
    for day, names in dates.items():
        condition |= Q(time_zone__in=names) & weekly_nudge_audience(day)
        period_keys.append((Q(time_zone__in=names), iso_week_key(day)))
        for name in names:
            zone = zone_named(name)
            deadlines.append((Q(time_zone=name), week_ends(day, zone)))
            began[name] = week_began(day, zone)
    members = reachable(Membership.objects.filter(cohort=cohort).filter(condition), Kind.WEEKLY_NUDGE)
    eligible = members.count()
    queued = insert_select(
        without_weekly_nudge_since(members, by_condition([(Q(time_zone=name), at) for name, at in began.items()])),
        membership=F("pk"),
        period_key=by_condition(period_keys, output_field=CharField()),
        due_at=moment(now),
        send_by=by_condition(deadlines),
        **row_defaults(Kind.WEEKLY_NUDGE, now),
    )
    return {"queued": queued, "already": eligible - queued}
