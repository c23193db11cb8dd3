"""Celery tasks: they take ids and call publishing.posting / publishing.replies."""

import logging

from celery import shared_task

from . import accounts, posting, replies

logger = logging.getLogger(__name__)


@shared_task(name="publishing.tasks.tick", ignore_result=True)
def tick():
    """Beat: flag posts whose worker died, queue the scheduled ones that are due, ask members to
    reconnect tokens that are about to end."""
    return {**posting.tick(), **accounts.remind_expiring()}


@shared_task(name="publishing.tasks.post", ignore_result=True, acks_late=True)
def post(publication_id):
    """Post one publication. Idempotent: claimed before anything leaves, so a redelivered task
    posts nothing twice."""
    return posting.post(int(publication_id))


@shared_task(name="publishing.tasks.harvest_replies", ignore_result=True)
def harvest_replies():
    """Beat: read the replies to every post of the last 30 days."""
    return replies.harvest()
