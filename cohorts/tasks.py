"""Celery tasks: thin wrappers that load by id and call into plain modules."""

import logging
import random
import smtplib

from celery import shared_task
from django.utils import timezone

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


def backoff(retries, base=30, cap=900):
    """Exponential backoff with full jitter, capped well below the broker's visibility timeout."""
    return random.uniform(0, min(cap, base * 2**retries))


@shared_task(name="cohorts.tasks.tick", ignore_result=True)
def tick():
    """Beat's one periodic task. It plans the emails that are due (nudges issue)."""
    now = timezone.now()
    logger.info("tick at %s", now.isoformat())
    return now.isoformat()


@shared_task(bind=True, name="cohorts.tasks.send_invitation", ignore_result=True, max_retries=5)
def send_invitation(self, invitation_id):
    from .invitations import send_invitation_email

    try:
        send_invitation_email(invitation_id)
    except (smtplib.SMTPException, OSError) as error:
        if is_transient(error) and self.request.retries < self.max_retries:
            raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
        logger.error("invitation %s could not be sent: %s", invitation_id, error)
