"""Deleting one's own account: what goes, what stays, independent of views.

Goes: the account, every membership and with it the person's writing (pieces, all their saved
versions, the feedback and the responses on those pieces, peer-review assignments, read markers),
their recorded posts, pauses, self-checks, relationships and contributions, email opt-outs and
every email queued or sent to them (Delivery rows), the invitations addressed to them, and the
failed-sign-in records kept under their email.

Stays, because others need it to stay coherent: the responses they wrote to other people's
pieces (Response.author becomes NULL and shows as "a former member") and the feedback they gave
as a facilitator (Feedback.author becomes NULL: "a former facilitator"). Cohorts, circles and
the other members are untouched.
"""

from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import transaction

from cohorts.models import Invitation
from course.identity import matching
from course.security import login_name
from lessons.models import Response, Submission


class AccountDeletionError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class DeletionSummary:
    pieces: int
    responses_kept: int


def can_delete_itself(user):
    """Staff accounts run the courses; another administrator removes them in the Wagtail admin,
    so a course never loses its last administrator by a click on the member site."""
    return user.is_authenticated and not (user.is_staff or user.is_superuser)


def delete_account(user):
    """Delete `user` and everything that is theirs alone (see the module docstring)."""
    if not can_delete_itself(user):
        raise AccountDeletionError("Staff accounts are removed by another administrator.")
    with transaction.atomic():
        summary = DeletionSummary(
            pieces=Submission.objects.filter(membership__user=user).count(),
            responses_kept=Response.objects.filter(author__user=user).count(),
        )
        # Addressed to their email: a pending invitation would otherwise still hold name and address.
        Invitation.objects.filter(pk__in=[i.pk for i in matching(Invitation.objects.all(), user.email)]).delete()
        name = login_name(None, {"username": user.email})
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username=name).delete()
        # Everything else follows the foreign keys: CASCADE for what is theirs, SET_NULL for the
        # responses and feedback they gave to others.
        user.delete()
    return summary
