"""What happened while a member paused their nudges.

A pause holds back every nudge (mail.audience.consent_rules); nothing is sent in a flood when it
ends. Instead, for a week after the pause's last day, the member's home shows a short note of what
happened meanwhile: the lessons that opened, the feedback they received, the pieces waiting for
their response, the events that took place. The pause's history is `lessons.models.Pause`.
"""

import datetime
from dataclasses import dataclass, field

from cohorts.models import CohortEvent
from cohorts.schedule import local_moment
from lessons.models import Feedback, Pause

SHOWN_FOR_DAYS = 7


@dataclass
class WhileAway:
    starts_on: datetime.date
    ends_on: datetime.date
    lessons: list = field(default_factory=list)  # schedule slots that opened during the pause
    feedback: int = 0
    waiting: int = 0
    events: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.lessons or self.feedback or self.waiting or self.events)


def while_away(membership, schedule, waiting, at):
    """The note for a pause that ended in the last SHOWN_FOR_DAYS days (member's local dates), or
    None: still paused, no recent pause, or nothing happened. `schedule` is the home's (shown in
    the reader's language), `waiting` the pieces waiting for their response now. One query, and
    two more only in the week after a pause."""
    today = membership.local_today(at)
    if membership.paused_until is not None and membership.paused_until >= today:
        return None
    pause = (
        Pause.objects.filter(
            membership=membership,
            ends_on__lte=today,
            ends_on__gte=today - datetime.timedelta(days=SHOWN_FOR_DAYS),
        )
        .order_by("-ends_on")
        .first()
    )
    if pause is None:
        return None
    zone = membership.zone
    start = local_moment(pause.starts_on, datetime.time(0), zone)
    end = min(at, local_moment(pause.ends_on + datetime.timedelta(days=1), datetime.time(0), zone))
    note = WhileAway(
        starts_on=pause.starts_on,
        ends_on=pause.ends_on,
        lessons=[slot for slot in schedule.slots if start <= slot.opens_at < end],
        feedback=Feedback.objects.filter(
            submission__membership=membership, created_at__gte=start, created_at__lt=end
        ).count(),
        waiting=len(waiting),
        events=list(
            CohortEvent.objects.filter(cohort_id=membership.cohort_id, date__range=(pause.starts_on, pause.ends_on))
        ),
    )
    return note or None
