"""Celery tasks: thin wrappers that load by id and call into plain modules."""

import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="cohorts.tasks.tick", ignore_result=True)
def tick():
    """Beat's one periodic task. It plans the emails that are due (nudges issue)."""
    now = timezone.now()
    logger.info("tick at %s", now.isoformat())
    return now.isoformat()
