"""The pipeline's answers to what the packages below it announce."""

from django.dispatch import receiver
from django.utils import timezone

from cohorts.signals import invitation_issued

from .models import Delivery, Kind
from .tasks import send_batch


def invitation_delivery(invitation):
    """The Delivery row for the invitation's current link (one per link: a re-issued link gets a
    new row, a second call for the same link finds the existing one)."""
    delivery, _created = Delivery.objects.get_or_create(
        invitation=invitation,
        kind=Kind.INVITATION,
        period_key=f"link:{invitation.nonce}",
        # A link that no longer works is not worth sending.
        defaults={"due_at": timezone.now(), "send_by": invitation.expires_at},
    )
    return delivery


@receiver(invitation_issued, dispatch_uid="mail.send_invitation")
def send_invitation(sender, invitation, **kwargs):
    send_batch.delay_on_commit([invitation_delivery(invitation).pk])
