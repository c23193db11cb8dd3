"""Posting a publication exactly once: schedule, claim, post each part, record the outcome.

    schedule(piece, account, parts, due_at) → a pending Publication row (one live row per piece
      and network); due now → the post task is queued on commit, else beat's tick queues it
    tick(now): posting rows whose worker died → 'unknown' and flagged (never re-posted);
      due pending rows → marked enqueued, one post task each on commit
    post(id): claim pending → posting (a conditional UPDATE committed before anything leaves);
      each part not yet posted: the network's client; after each part its id is written at once,
      so a retry continues after it; then posted: the URL is recorded as the piece's post
      (lessons.writing.record_post, as if typed by hand) and the piece is Published

Outcomes: 429 → pending again, due after Retry-After; 401 → 'reconnect', the account marked and
the member emailed; no connection → pending again with backoff (bounded); the connection broke
after a request left → 'unknown' and flagged; any other refusal → 'failed'.
"""

import datetime
import logging
import random

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lessons import writing
from mail.dispatch import enqueue as enqueue_emails
from mail.models import Delivery, DeliveryState, Kind

from . import bluesky, linkedin, mastodon
from .errors import NotSent, OutcomeUnknown, RateLimited, Rejected, TokenRefused
from .models import AccountState, ConnectedAccount, Network, Publication, PublicationState

logger = logging.getLogger(__name__)

CLIENTS = {Network.BLUESKY: bluesky, Network.MASTODON: mastodon, Network.LINKEDIN: linkedin}
POST_TASK = "publishing.tasks.post"
MAX_ATTEMPTS = 6
# Longer than the task's hard time limit: a row still 'posting' after this lost its worker.
POSTING_TIMEOUT = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
REDISPATCH_AFTER = datetime.timedelta(minutes=20)


class PublishingError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _queue(ids, countdown=None):
    """One post task per id once the transaction commits (sent by name: publishing.tasks imports
    this module)."""
    options = {"countdown": countdown} if countdown else {}
    for pk in ids:
        transaction.on_commit(lambda pk=pk: current_app.send_task(POST_TASK, args=(pk,), **options))


def schedule(submission, account, parts, due_at, now=None):
    """A pending publication of `parts` (a thread) on the account's network at `due_at`."""
    now = now or timezone.now()
    if not writing.may_publish(submission):
        raise PublishingError(_("This piece waits for your facilitator's “ready to publish”."))
    parts = [part.strip() for part in parts if part.strip()]
    if not parts:
        raise PublishingError(_("There is nothing to post."))
    if account.state != AccountState.ACTIVE:
        raise PublishingError(
            _("Reconnect your %(network)s account first.") % {"network": account.get_network_display()}
        )
    try:
        with transaction.atomic():
            publication = Publication.objects.create(
                submission=submission,
                account=account,
                network=account.network,
                parts=parts,
                due_at=max(due_at, now),
                enqueued_at=now if due_at <= now else None,
            )
            if due_at <= now:
                _queue([publication.pk])
    except IntegrityError:
        raise PublishingError(
            _("This piece is already posted or scheduled on %(network)s.") % {"network": account.get_network_display()}
        ) from None
    return publication


def cancel(publication):
    return Publication.objects.filter(pk=publication.pk, state=PublicationState.PENDING).update(
        state=PublicationState.CANCELLED
    )


def reconcile(now):
    return Publication.objects.filter(state=PublicationState.POSTING, claimed_at__lt=now - POSTING_TIMEOUT).update(
        state=PublicationState.UNKNOWN,
        flagged=True,
        last_error="The worker stopped while posting; not posted again to avoid a double post.",
    )


def tick(now=None):
    """Reconcile, then queue every due publication (scheduled ones, retries whose task was lost)."""
    now = now or timezone.now()
    with transaction.atomic():
        reconciled = reconcile(now)
        due = Publication.objects.filter(state=PublicationState.PENDING, due_at__lte=now).filter(
            enqueued_at__isnull=True
        ) | Publication.objects.filter(
            state=PublicationState.PENDING, due_at__lte=now, enqueued_at__lt=now - REDISPATCH_AFTER
        )
        ids = sorted(due.values_list("pk", flat=True)[:1000])
        Publication.objects.filter(pk__in=ids).update(enqueued_at=now)
        _queue(ids)
    return {"reconciled": reconciled, "queued": len(ids)}


def claim(publication, now):
    return (
        Publication.objects.filter(pk=publication.pk, state=PublicationState.PENDING).update(
            state=PublicationState.POSTING, claimed_at=now, attempts=F("attempts") + 1
        )
        == 1
    )


def post(publication_id, now=None):
    """Post a publication's remaining parts. Safe to run twice: only the call that claims it posts."""
    now = now or timezone.now()
    publication = (
        Publication.objects.select_related("account__mastodon_app", "submission__membership__cohort")
        .filter(pk=publication_id, state=PublicationState.PENDING)
        .first()
    )
    if publication is None:
        return "taken"
    if publication.due_at > now:
        return "not_due"
    account = publication.account
    if account is None or account.state != AccountState.ACTIVE:
        Publication.objects.filter(pk=publication.pk, state=PublicationState.PENDING).update(
            state=PublicationState.RECONNECT, last_error="The account is disconnected or needs reconnecting."
        )
        return "reconnect"
    if not claim(publication, now):
        return "taken"
    client = CLIENTS[publication.network]
    try:
        for index in range(len(publication.posted), len(publication.parts)):
            parent = publication.posted[-1] if publication.posted else None
            result = client.post(account, publication, index, publication.parts[index], parent)
            publication.posted.append(result)
            Publication.objects.filter(pk=publication.pk).update(posted=publication.posted)
    except RateLimited as error:
        return _again(publication, error, error.retry_after, "rate_limited")
    except NotSent as error:
        if publication.attempts + 1 >= MAX_ATTEMPTS:
            return _final(publication, PublicationState.FAILED, error, "failed")
        delay = random.uniform(15, min(900, 30 * 2 ** (publication.attempts + 1)))
        return _again(publication, error, delay, "retry")
    except OutcomeUnknown as error:
        return _final(publication, PublicationState.UNKNOWN, error, "unknown", flagged=True)
    except TokenRefused as error:
        needs_reconnect(account, publication, now)
        return _final(publication, PublicationState.RECONNECT, error, "reconnect")
    except Rejected as error:
        return _final(publication, PublicationState.FAILED, error, "failed")
    _record_posted(publication)
    return "posted"


def _again(publication, error, delay, outcome):
    due = timezone.now() + datetime.timedelta(seconds=delay)
    Publication.objects.filter(pk=publication.pk).update(
        state=PublicationState.PENDING, due_at=due, enqueued_at=timezone.now(), last_error=error.detail
    )
    _queue([publication.pk], countdown=delay + 0.5)
    return outcome


def _final(publication, state, error, outcome, flagged=False):
    Publication.objects.filter(pk=publication.pk).update(state=state, last_error=error.detail, flagged=flagged)
    logger.warning("publication %s: %s (%s)", publication.pk, outcome, error.detail)
    return outcome


def _record_posted(publication):
    url = publication.posted[0]["url"]
    submission = publication.submission
    with transaction.atomic():
        Publication.objects.filter(pk=publication.pk).update(
            state=PublicationState.POSTED, url=url, posted_at=timezone.now(), last_error=""
        )
        try:
            writing.record_post(submission.membership, url=url, platform=publication.network, submission=submission)
        except writing.WritingError as error:
            # Posted all the same; the member sees why it is not in their log.
            Publication.objects.filter(pk=publication.pk).update(last_error=str(error.message))


def needs_reconnect(account, publication, now):
    """The network refused the token: mark the account and email the member once a day."""
    ConnectedAccount.objects.filter(pk=account.pk).update(state=AccountState.RECONNECT, reconnect_since=now)
    membership = publication.submission.membership
    delivery, created = Delivery.objects.get_or_create(
        membership=membership,
        kind=Kind.RECONNECT_NEEDED,
        period_key=f"reconnect:{account.network}:{timezone.localdate(now, membership.zone).isoformat()}",
        defaults={"due_at": now, "variant": account.network, "state": DeliveryState.PENDING, "enqueued_at": now},
    )
    if created:
        enqueue_emails([delivery.pk])
