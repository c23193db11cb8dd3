"""Celery tasks: they take ids and call the pipeline's stages (mail.dispatch, mail.sending)."""

import logging

from celery import shared_task
from django.dispatch import Signal

from . import dispatch, sending

# Sent after every tick: packages above mail hang their own periodic safety nets on it (the inbound
# sweep), so beat keeps one static entry.
ticked = Signal()

logger = logging.getLogger(__name__)


@shared_task(name="mail.tasks.tick", ignore_result=True)
def tick():
    """Beat's one periodic task: reconcile, plan every kind that is due, dispatch."""
    result = dispatch.tick()
    logger.info("tick planned %s, dispatched %s, reconciled %s", result.planned, result.dispatched, result.reconciled)
    ticked.send(sender=tick)
    return {"planned": result.planned, "dispatched": result.dispatched, "reconciled": result.reconciled}


@shared_task(name="mail.tasks.send_batch", ignore_result=True, acks_late=True)
def send_batch(delivery_ids):
    """Send a batch of deliveries. Idempotent: rows are claimed one by one before sending, so a
    redelivered task sends nothing twice."""
    return sending.send_batch([int(pk) for pk in delivery_ids])
