"""Who may read which piece of writing: the one rule, used by every view that shows writing.

- A member reads the shared pieces of their own cohort shared with the whole cohort, the shared
  pieces of their own circle shared with the circle, and their own shared pieces.
- A facilitator (or staff, see `cohorts.access.facilitated_cohorts`) reads everything shared in the
  cohorts they facilitate, including pieces meant for the facilitator only.
- Nothing written is ever visible outside its cohort; drafts are visible to nobody here (the
  author edits them in the editor).

Membership scoping lives in `cohorts.access`; this module only adds the rule for writing.
"""

from django.db.models import Exists, OuterRef, Q

from cohorts.access import facilitated_cohorts, is_staff
from cohorts.models import Cohort, Membership, Role

from .models import PeerReview, Response, Submission, Visibility


def shared_submissions():
    """Every piece that has been shared (it stays shared when it is published later)."""
    return Submission.objects.filter(shared_at__isnull=False)


def _rule(user):
    """The Q a submission must match to be readable by `user`, in any cohort."""
    if is_staff(user):
        return Q()
    own_memberships = Membership.objects.filter(user=user, role=Role.MEMBER)
    return (
        Q(membership__user=user)
        | Q(membership__cohort__in=facilitated_cohorts(user))
        | Q(visibility=Visibility.COHORT, membership__cohort__in=own_memberships.values("cohort_id"))
        | Q(
            visibility=Visibility.CIRCLE,
            membership__circle__isnull=False,
            membership__circle__in=own_memberships.filter(circle__isnull=False).values("circle_id"),
        )
    )


def visible_submissions(user, cohort=None):
    """The shared pieces `user` may read in `cohort` (a Cohort or its id); every cohort when None."""
    if not user.is_authenticated:
        return Submission.objects.none()
    queryset = shared_submissions().filter(_rule(user))
    if cohort is not None:
        cohort_id = cohort.pk if isinstance(cohort, Cohort) else cohort
        queryset = queryset.filter(membership__cohort_id=cohort_id)
    return queryset


def _in_cohort_rule(membership, prefix=""):
    """The rule for one person in one cohort, from their membership there, as a Q on a
    submission (or, with `prefix`, on a relation to one): the same pieces as the general rule,
    without its nested subqueries (a quarter of the circle feed's time). One membership
    per person and cohort is what makes the two agree."""
    rule = Q(**{f"{prefix}shared_at__isnull": False, f"{prefix}membership__cohort_id": membership.cohort_id})
    if is_staff(membership.user) or membership.role == Role.FACILITATOR:
        return rule
    readable = Q(**{f"{prefix}membership_id": membership.pk}) | Q(**{f"{prefix}visibility": Visibility.COHORT})
    if membership.circle_id is not None:
        readable |= Q(
            **{f"{prefix}visibility": Visibility.CIRCLE, f"{prefix}membership__circle_id": membership.circle_id}
        )
    return rule & readable


def visible_in_cohort(membership):
    """`visible_submissions(membership.user, membership.cohort_id)`, from the membership."""
    return Submission.objects.filter(_in_cohort_rule(membership))


def waiting_for(membership):
    """Peer reviews the member was asked for and has not answered yet, oldest first.

    Each item is a PeerReview with its submission and the submission's author loaded.
    Only pieces the member may still read count (a piece made private again drops out).
    """
    # Usually nothing waits. Asking that first costs a query without joins; planning the join
    # below took PostgreSQL five times longer than running it.
    pending = list(
        PeerReview.objects.filter(reviewer=membership, responded_at__isnull=True).values_list("pk", flat=True)
    )
    if not pending:
        return []
    return list(
        PeerReview.objects.filter(pk__in=pending)
        .filter(_in_cohort_rule(membership, prefix="submission__"))
        .select_related("submission__membership__user")
        .order_by("assigned_at", "pk")
    )


def unanswered_in_circle(membership, limit=3):
    """Pieces in the member's circle that nobody has answered yet (not their own), oldest first:
    what we invite a member to respond to right after they shared something."""
    if membership.circle_id is None:
        return []
    return list(
        visible_in_cohort(membership)
        .filter(membership__circle_id=membership.circle_id)
        .exclude(membership=membership)
        .filter(~Exists(Response.objects.filter(submission=OuterRef("pk"))))
        .select_related("membership__user")
        .order_by("shared_at", "pk")[:limit]
    )
