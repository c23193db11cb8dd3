"""Someone leaves a cohort (left the company, joined by mistake): the consultant or the cohort's
facilitator removes their membership.

Goes with the membership: their writing in this cohort (pieces with every version, and the
feedback and responses on them), the reading they were asked for, their emails queued for this
cohort, pauses, opt-outs and answers. Stays: their account and other cohorts, and the responses
they gave to others' pieces (shown as "a former member"). Their accepted invitation stays too, so
inviting them again later refreshes it. Pieces that lose a peer reader get another one
(`reader_lost`, answered by lessons).
"""

from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal

from .invitations import InviteNotAllowed, may_invite

# Sent after a removal with `pieces`: the ids of other members' pieces that lost this reader.
reader_lost = Signal()


@dataclass
class Leaving:
    pieces: int  # their pieces of writing in this cohort, deleted with them
    responses_kept: int  # responses they gave to others' pieces, kept as "a former member"


def what_goes(membership):
    return Leaving(pieces=membership.submissions.count(), responses_kept=membership.responses_given.count())


def remove(membership, *, removed_by):
    """Delete the membership (see the module docstring). Only those who may invite to its role
    may remove it (InviteNotAllowed): a facilitator never removes another facilitator."""
    if not may_invite(removed_by, membership.role):
        raise InviteNotAllowed(membership.role)
    with transaction.atomic():
        leaving = what_goes(membership)
        waiting = list(
            membership.peer_reviews.filter(responded_at__isnull=True).values_list("submission_id", flat=True)
        )
        membership.delete()
        transaction.on_commit(lambda: reader_lost.send(sender=remove, pieces=waiting))
    return leaving
