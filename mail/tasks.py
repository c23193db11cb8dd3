"""Celery tasks: thin wrappers that take ids and call into mail.nudges."""

import logging
import smtplib

from celery import shared_task

logger = logging.getLogger(__name__)

TRANSIENT_SMTP_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)


def is_transient(error):
    """4xx SMTP replies and lost connections are worth retrying; 5xx are final."""
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in error.recipients.values())
    return isinstance(error, TRANSIENT_SMTP_ERRORS)


@shared_task(name="mail.tasks.tick", ignore_result=True)
def tick():
    """Beat's one periodic task: reconcile, plan every kind that is due, dispatch."""
    from . import nudges

    result = nudges.tick()
    logger.info("tick planned %s, dispatched %s, reconciled %s", result.planned, result.dispatched, result.reconciled)
    return {"planned": result.planned, "dispatched": result.dispatched, "reconciled": result.reconciled}


@shared_task(name="mail.tasks.send_batch", ignore_result=True, acks_late=True)
def send_batch(delivery_ids):
    """Send a batch of deliveries. Idempotent: rows are claimed one by one before sending, so a
    redelivered task sends nothing twice."""
    from . import nudges

    return nudges.send_batch([int(pk) for pk in delivery_ids])
