"""Whose email bounces: members whose latest finished email failed permanently (a 5xx answer).

The facilitator's "Who is stuck" page and digest ask this. When the pipeline records bounce
reports of its own, this is the one place to read them.
"""

from django.db.models import Max, Q

from .models import Delivery, DeliveryState


def bouncing_memberships(membership_ids):
    """The ids among `membership_ids` whose latest failure is newer than their latest sent email:
    one grouped query."""
    rows = (
        Delivery.objects.filter(membership_id__in=membership_ids, state__in=[DeliveryState.SENT, DeliveryState.FAILED])
        .order_by()
        .values("membership")
        .annotate(
            sent=Max("sent_at", filter=Q(state=DeliveryState.SENT)),
            failed=Max("claimed_at", filter=Q(state=DeliveryState.FAILED)),
        )
        .values_list("membership", "sent", "failed")
    )
    return {pk for pk, sent, failed in rows if failed is not None and (sent is None or failed > sent)}
