"""Replies brought home: what people answered to a member's posts, and whether they answered back.

`harvest` reads the conversation under every post of the last 30 days (Mastodon: the status's
context; Bluesky: the post thread) and keeps one Reply row per reply. `conversations` counts what
the course counts as success: conversations started (posts someone answered) and replies answered
(answers the member replied to). Never likes, reposts, followers or views."""

import datetime
import logging

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from . import bluesky, mastodon
from .errors import NetworkError, TokenRefused
from .models import AccountState, Network, Publication, PublicationState, Reply

logger = logging.getLogger(__name__)

CLIENTS = {Network.BLUESKY: bluesky, Network.MASTODON: mastodon}
WINDOW = datetime.timedelta(days=30)


def harvest(now=None, publications=None):
    now = now or timezone.now()
    if publications is None:
        publications = Publication.objects.filter(
            state=PublicationState.POSTED,
            posted_at__gte=now - WINDOW,
            account__state=AccountState.ACTIVE,
            network__in=list(CLIENTS),  # not LinkedIn: its comments are for partners only
        )
    found = 0
    for publication in publications.select_related("account__mastodon_app"):
        try:
            found += harvest_one(publication, now)
        except TokenRefused:
            logger.info("replies of publication %s: the account needs reconnecting", publication.pk)
        except NetworkError as error:
            logger.info("replies of publication %s not read: %s", publication.pk, error.detail)
    return {"replies": found}


def harvest_one(publication, now=None):
    rows = CLIENTS[publication.network].replies(publication.account, publication)
    new = Reply.objects.bulk_create(
        [Reply(publication=publication, **row) for row in rows if row["written_at"]], ignore_conflicts=True
    )
    Publication.objects.filter(pk=publication.pk).update(replies_checked_at=now or timezone.now())
    return len(new)


def answered_back():
    """A reply someone else wrote that the member answered (a reply of theirs points to it)."""
    return Exists(
        Reply.objects.filter(publication=OuterRef("publication"), by_member=True, parent_id=OuterRef("remote_id"))
    )


def conversation(publication_ids):
    """The replies under the given publications, each marked with whether the member answered."""
    return (
        Reply.objects.filter(publication_id__in=publication_ids)
        .annotate(answered=answered_back())
        .order_by("publication_id", "written_at", "pk")
    )


def conversation_counts(submissions):
    """{"started": publications someone else answered, "answered": others' replies the member
    answered} for the pieces in `submissions` (a queryset), in two grouped queries."""
    started = (
        Publication.objects.filter(submission__in=submissions)
        .filter(Exists(Reply.objects.filter(publication=OuterRef("pk"), by_member=False)))
        .count()
    )
    answered = (
        Reply.objects.filter(publication__submission__in=submissions, by_member=False).filter(answered_back()).count()
    )
    return {"started": started, "answered": answered}


def counts_by_membership(memberships):
    """{membership id: {"started", "answered"}} for a dashboard, in two grouped queries."""
    result = {}
    started = (
        Publication.objects.filter(submission__membership__in=memberships)
        .filter(Exists(Reply.objects.filter(publication=OuterRef("pk"), by_member=False)))
        .values("submission__membership")
        .annotate(n=Count("pk"))
    )
    for row in started:
        result.setdefault(row["submission__membership"], {"started": 0, "answered": 0})["started"] = row["n"]
    answered = (
        Reply.objects.filter(publication__submission__membership__in=memberships, by_member=False)
        .filter(answered_back())
        .values("publication__submission__membership")
        .annotate(n=Count("pk", filter=Q(by_member=False)))
    )
    for row in answered:
        result.setdefault(row["publication__submission__membership"], {"started": 0, "answered": 0})["answered"] = row[
            "n"
        ]
    return result
