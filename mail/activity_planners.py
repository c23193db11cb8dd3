"""The kinds that follow what people do: feedback given, a piece waiting for its reader, responses
to a piece, and the yearly self-check twelve months after the last one."""

import datetime

from django.conf import settings
from django.db.models import CharField, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Value

from cohorts.models import Membership, Role
from lessons.models import Feedback, PeerReview, Response, SelfCheck

from .audience import not_paused, reachable
from .models import Delivery, DeliveryState, Kind, NudgeOptOut
from .planned_rows import insert_select, moment, prefixed_id, reason_for, row_defaults
from .spans import (
    FEEDBACK_READY_WITHIN,
    PEER_REVIEW_EVERY,
    PEER_REVIEW_REMINDERS,
    RESPONDED_DEADLINE,
    RESPONSE_SLOT,
    SELF_CHECK_WITHIN,
    Counts,
    span_and_context,
)
from .timing import year_before


def plan_feedback_ready(now, span=None, context=None):
    """One email per piece of feedback given within the span; pointless after a week."""
    span, _context = span_and_context(Kind.FEEDBACK_READY, now, span, context)
    given = Feedback.objects.filter(created_at__gt=span.since, created_at__lte=span.now)
    if not given.exists():  # the usual answer, from a far cheaper statement than the INSERT's
        return Counts()
    opted_out = NudgeOptOut.objects.filter(membership=OuterRef("submission__membership"), kind=Kind.FEEDBACK_READY)
    feedback = Feedback.objects.filter(
        submission__membership__unsubscribed_at__isnull=True,
        submission__membership__user__is_active=True,
    ).exclude(Exists(opted_out))
    fresh_after = span.now - FEEDBACK_READY_WITHIN
    parts = [(DeliveryState.PENDING, max(span.since, fresh_after), span.now)]
    missed_after = max(span.since, span.planned_through or span.since)
    if missed_after < fresh_after:  # only when catching up on more than a week
        parts.append((DeliveryState.MISSED, missed_after, fresh_after))
    counts = Counts()
    for state, after, until in parts:
        counts.add(
            state,
            insert_select(
                feedback.filter(created_at__gt=after, created_at__lte=until),
                membership=F("submission__membership_id"),
                period_key=prefixed_id("feedback:", "pk"),
                subject_id=F("submission_id"),
                due_at=F("created_at"),
                send_by=ExpressionWrapper(F("created_at") + Value(FEEDBACK_READY_WITHIN), output_field=DateTimeField()),
                **row_defaults(Kind.FEEDBACK_READY, span.now, state),
            ),
        )
    return counts


def plan_peer_review_reminders(now, span=None, context=None):
    """A reader assigned a piece who has not responded: a reminder 48, 96 and 144 h after it was
    assigned, each pointless once the next one is due."""
    span, _context = span_and_context(Kind.PEER_REVIEW, now, span, context)
    reviews = PeerReview.objects.filter(
        responded_at__isnull=True,
        assigned_at__lte=span.now - PEER_REVIEW_EVERY,
        assigned_at__gt=span.since - PEER_REVIEW_EVERY * PEER_REVIEW_REMINDERS,
        reviewer__unsubscribed_at__isnull=True,
    ).exclude(Exists(NudgeOptOut.objects.filter(membership=OuterRef("reviewer"), kind=Kind.PEER_REVIEW)))
    rows = []
    for review_id, reviewer_id, submission_id, assigned_at in reviews.values_list(
        "pk", "reviewer_id", "submission_id", "assigned_at"
    ):
        for number in range(1, PEER_REVIEW_REMINDERS + 1):
            due_at = assigned_at + PEER_REVIEW_EVERY * number
            send_by = due_at + PEER_REVIEW_EVERY
            if span.covers(due_at) and (state := span.state(due_at, send_by)):
                rows.append(
                    Delivery(
                        membership_id=reviewer_id,
                        kind=Kind.PEER_REVIEW,
                        period_key=f"review:{review_id}:{number}",
                        subject_id=submission_id,
                        due_at=due_at,
                        send_by=send_by,
                        state=state,
                        reason=reason_for(state),
                    )
                )
    counts = Counts()
    for row in Delivery.objects.bulk_create(rows, ignore_conflicts=True) if rows else []:
        counts.add(row.state, 1)
    return counts


def plan_peer_responded(now, span=None, context=None):
    """The "someone responded to your piece" email: one row per piece and hour, due at the end of
    that hour, so the responses of one hour make one email (and mail.coalescing joins it with
    whatever else is due for the writer then); pointless a day later. Own replies under one's
    piece do not count."""
    span, _context = span_and_context(Kind.PEER_RESPONDED, now, span, context)
    opted_out = NudgeOptOut.objects.filter(membership=OuterRef("submission__membership"), kind=Kind.PEER_RESPONDED)
    responses = (
        Response.objects.filter(created_at__gt=span.since - RESPONSE_SLOT, created_at__lte=span.now)
        .exclude(author=F("submission__membership"))
        .filter(submission__membership__unsubscribed_at__isnull=True, submission__membership__user__is_active=True)
        .exclude(Exists(opted_out))
    )
    rows = {}
    for submission_id, writer_id, created_at in responses.values_list(
        "submission_id", "submission__membership_id", "created_at"
    ):
        slot = created_at.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0) + RESPONSE_SLOT
        send_by = slot + RESPONDED_DEADLINE
        state = span.state(slot, send_by)
        if state is None or (slot > span.now and state != DeliveryState.PENDING):
            continue
        rows[(writer_id, submission_id, slot)] = Delivery(
            membership_id=writer_id,
            kind=Kind.PEER_RESPONDED,
            period_key=f"responses:{submission_id}:{slot:%Y%m%d%H}",
            subject_id=submission_id,
            due_at=slot,
            send_by=send_by,
            state=state,
            reason=reason_for(state),
        )
    counts = Counts()
    for row in Delivery.objects.bulk_create(list(rows.values()), ignore_conflicts=True) if rows else []:
        counts.add(row.state, 1)
    return counts


def _full_hour(instant):
    return instant.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)


def plan_self_checks(now, span=None, context=None):
    """The yearly self-check: one per member per year, once twelve months have passed since
    their last self-check (or since they joined, if they never answered) and since the last time
    we asked. One query; the period key `self-check:<year>` makes a second one that year impossible.
    Twelve months need no precision finer than an hour: the tick asks in the first tick interval
    of each hour, and in any tick whose span crosses the full hour (ticks late or at another
    cadence than configured)."""
    first_interval = now.minute * 60 + now.second < settings.KLARTEXT_TICK_SECONDS
    if span is not None and not first_interval and _full_hour(span.since) == _full_hour(now):
        return Counts()
    cutoff = year_before(now)
    answered = SelfCheck.objects.filter(membership=OuterRef("pk"), created_at__gt=cutoff)
    # A member who does not answer is asked again twelve months later, not on 1 January.
    asked = Delivery.objects.filter(membership=OuterRef("pk"), kind=Kind.SELF_CHECK, created_at__gt=cutoff)
    memberships = (
        reachable(
            Membership.objects.filter(role=Role.MEMBER, joined_at__lte=cutoff).filter(not_paused(now.date())),
            Kind.SELF_CHECK,
        )
        .exclude(Exists(answered))
        .exclude(Exists(asked))
    )
    year = now.astimezone(datetime.UTC).year
    inserted = insert_select(
        memberships,
        membership=F("pk"),
        period_key=Value(f"self-check:{year}", output_field=CharField()),
        due_at=moment(now),
        send_by=moment(now + SELF_CHECK_WITHIN),
        **row_defaults(Kind.SELF_CHECK, now),
    )
    return Counts(planned=inserted)
