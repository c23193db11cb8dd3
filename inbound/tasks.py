"""Celery tasks: they take ids and call inbound.processing."""

import datetime

from celery import shared_task
from django.dispatch import receiver
from django.utils import timezone

from mail.tasks import ticked

from . import processing
from .models import InboundMessage, InboundState

# A message still 'received' this long after it arrived lost its task (a dead worker, a purged
# queue): the sweep queues it again. Processing twice is harmless.
REQUEUE_AFTER = datetime.timedelta(minutes=10)
# What a processed message said lives on in the draft it made; its raw text (a third party's,
# when it was dropped) is kept only for looking into a problem, and the row for the report.
RAW_KEPT = datetime.timedelta(days=14)
ROW_KEPT = datetime.timedelta(days=90)


@shared_task(name="inbound.tasks.process_message", ignore_result=True, acks_late=True)
def process_message(inbound_id):
    return processing.process(int(inbound_id))


@shared_task(name="inbound.tasks.process_messages", ignore_result=True, acks_late=True)
def process_messages(inbound_ids):
    processing.process_batch([int(pk) for pk in inbound_ids])


@shared_task(name="inbound.tasks.sweep", ignore_result=True)
def sweep(now=None):
    """The safety net, after every tick: queue the messages whose task was lost, one a task (a
    message that keeps failing holds up no other); forget what is kept no longer."""
    now = timezone.now() if now is None else datetime.datetime.fromisoformat(now)
    ids = list(
        InboundMessage.objects.filter(state=InboundState.RECEIVED, received_at__lt=now - REQUEUE_AFTER).values_list(
            "pk", flat=True
        )[:5000]
    )
    for pk in ids:
        process_message.delay(pk)
    forget(now)
    return len(ids)


def forget(now):
    """Empty the raw text of messages processed RAW_KEPT ago; delete rows processed ROW_KEPT ago."""
    processed = InboundMessage.objects.filter(processed_at__isnull=False)
    processed.filter(processed_at__lt=now - ROW_KEPT).delete()
    processed.filter(processed_at__lt=now - RAW_KEPT).exclude(raw=b"").update(raw=b"")


@receiver(ticked, dispatch_uid="klartext.inbound.sweep")
def sweep_after_tick(sender, **kwargs):
    sweep.delay()
