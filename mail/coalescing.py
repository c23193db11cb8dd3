"""One email, not five: deliveries due for one person in one slot leave as one message.

Every email stays its own Delivery row, claimed and recorded exactly once. The row a batch
claims first for a person leads the message; the person's other rows that are due and allowed
now (in this batch or in any other) are its companions:

    gather(rows, now)        each row's candidate companions (one query for those outside the
                             batch)
    claim(candidates, now)   after the lead's own claim: pending → sending for the candidates the
                             person still wants, one conditional UPDATE; a row another worker
                             claimed first is simply not among them (it goes out with its own lead)
    mail.messages.BatchContext.build(lead, …, companions)
                             one message: the most pressing email leads, the others are listed,
                             the same event twice is listed once
    message_ids              the rows the message carries: they share its outcome (sent, retry,
                             failed, unknown); record_left_out: rows claimed but left out of it
                             (Skip while building) end skipped with their reason
"""

import functools
import operator
from collections import defaultdict

from django.db.models import F, Q
from django.utils import timezone

from .audience import consenting_members
from .models import Delivery, DeliveryState, Kind
from .timing import allowed_moment

# Sent on their own: the invitation has no membership; a note, a message and an event invitation
# carry their own Reply-To (and a calendar part); a saved draft answers the member's own reply; a
# lost network connection is urgent on its own.
ALONE = {
    Kind.INVITATION,
    Kind.PERSONAL_NOTE,
    Kind.GROUP_MESSAGE,
    Kind.EVENT_INVITATION,
    Kind.DRAFT_SAVED,
    Kind.RECONNECT_NEEDED,
}


def _sendable_now(delivery, now):
    return (
        delivery.membership_id is not None
        and delivery.kind not in ALONE
        and delivery.due_at <= now
        and allowed_moment(delivery, now) <= now
    )


def gather(rows, now, related=()):
    """({row pk: [candidate companions]}, extra): for each row due and allowed now, the person's
    other rows due and allowed now, in the batch or outside it; and those outside it, so that
    the batch's context loads their data too. One query, for the persons with such a row.

    Every row keeps its own turn: one that went out with an earlier row finds itself taken; one
    whose earlier row another worker took goes out itself, with what is left."""
    by_person = defaultdict(list)
    for delivery in rows:
        if _sendable_now(delivery, now):
            by_person[delivery.membership_id].append(delivery)
    if not by_person:
        return {}, []
    extra = [
        delivery
        for delivery in Delivery.objects.filter(
            membership_id__in=list(by_person), state=DeliveryState.PENDING, due_at__lte=now
        )
        .exclude(pk__in=[delivery.pk for delivery in rows])
        .exclude(kind__in=ALONE)
        .select_related(*related)
        .order_by("pk")
        if _sendable_now(delivery, now)
    ]
    for delivery in extra:
        by_person[delivery.membership_id].append(delivery)
    candidates = {}
    for person_rows in by_person.values():
        for delivery in person_rows:
            others = [other for other in person_rows if other.pk != delivery.pk]
            if others:
                candidates[delivery.pk] = others
    return candidates, extra


def _wanted(kinds, local_date):
    """The rows whose member still wants their kind on their local date: the claim's consent
    rules (mail.audience.consent_rules), per kind."""
    return functools.reduce(
        operator.or_, [Q(kind=kind, membership_id__in=consenting_members(kind, local_date)) for kind in kinds]
    )


def claim(candidates, now):
    """pending → sending for the candidates still pending and wanted, in one conditional UPDATE;
    returns the rows this call claimed (a second query reads back which, by the claim's stamp)."""
    if not candidates:
        return []
    ids = [delivery.pk for delivery in candidates]
    stamp = timezone.now()
    local_date = now.astimezone(candidates[0].membership.zone).date()  # one person's rows
    claimed = (
        Delivery.objects.filter(pk__in=ids, state=DeliveryState.PENDING)
        .filter(_wanted({delivery.kind for delivery in candidates}, local_date))
        .update(state=DeliveryState.SENDING, claimed_at=stamp, attempts=F("attempts") + 1)
    )
    if not claimed:
        return []
    mine = set(
        Delivery.objects.filter(pk__in=ids, state=DeliveryState.SENDING, claimed_at=stamp).values_list("pk", flat=True)
    )
    return [delivery for delivery in candidates if delivery.pk in mine]


def carried_earlier(delivery, context):
    """The row went with an earlier message of this batch (sent, or back to pending for that
    message's retry): it is not sent again on its own now."""
    return any(delivery.pk in carried for carried in context.carried.values())


def message_ids(delivery, context):
    """Every row the lead's message went out for: they share its outcome."""
    lead = [] if delivery.pk in context.skipped else [delivery.pk]
    return [*lead, *context.carried.get(delivery.pk, ())]


def record_left_out(delivery, context):
    """Rows claimed for the lead's message but left out of it (Skip while building): skipped,
    each with its reason."""
    for pk in [delivery.pk, *context.left_out.get(delivery.pk, ())]:
        if pk in context.skipped:
            Delivery.objects.filter(pk=pk).update(state=DeliveryState.SKIPPED, reason=context.skipped[pk][:200])
