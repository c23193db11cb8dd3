"""Which pieces are waiting for the facilitator's feedback: the one rule behind the feedback queue,
the cohort dashboard, the consultant's home panel and the facilitator digest.

A piece waits when a member (not a facilitator) shared it and it has no feedback on its current
version: feedback on an earlier version does not count once the member has revised the text.
"""

from django.db.models import Exists, OuterRef

from cohorts.models import Role

from .models import Feedback, Submission, SubmissionState


def has_current_feedback():
    """True for a piece (the outer query's row) with feedback on the version it is at now."""
    return Exists(Feedback.objects.filter(submission=OuterRef("pk"), version=OuterRef("version")))


def waiting_for_feedback(pieces=None):
    """The pieces among `pieces` (all pieces by default) that wait for feedback. Callers narrow
    `pieces` to a cohort or to what a user may read, and choose the order."""
    pieces = Submission.objects.all() if pieces is None else pieces
    return pieces.filter(state=SubmissionState.SHARED, membership__role=Role.MEMBER).exclude(has_current_feedback())
