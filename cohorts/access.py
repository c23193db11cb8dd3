"""The one place that decides who sees which cohort.

Every cohort-scoped view and query goes through these functions: members see only their own
cohorts; facilitators see the cohorts they facilitate; staff (is_staff or superuser) see all.
Object lookups raise Http404 (never 403) so that ids of other cohorts reveal nothing.
"""

from django.http import Http404
from django.utils import timezone

from course.models import is_staff

from .models import Cohort, CohortState, Membership, Role
from .schedule import Schedule

__all__ = ["is_staff"]  # one rule for staff, used through here by the cohort-scoped code


# Wagtail's own reports under /admin/reports/ (site history, locked and aging pages, workflows,
# page types usage, and any report Wagtail adds there) list the whole site: every cohort's
# history, who changed it and when. They are for staff only: course.middleware refuses their URLs
# and cohorts/wagtail_hooks.py hides their menu items for everyone else.
def memberships_for(user):
    """The user's own memberships (as member or facilitator), with cohort and course loaded."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("cohort", "cohort__course", "circle")
        .order_by("-cohort__start_date", "cohort__name")
    )


def default_membership(memberships, at):
    """The cohort a person means when they name none: the most recently started running cohort,
    else the next upcoming one, else the most recently ended one."""
    states = {m.pk: m.cohort.state_at(at) for m in memberships}
    running = [m for m in memberships if states[m.pk] == CohortState.RUNNING]
    if running:
        return max(running, key=lambda m: (m.cohort.start_date, m.cohort_id))
    upcoming = [m for m in memberships if states[m.pk] == CohortState.UPCOMING]
    if upcoming:
        return min(upcoming, key=lambda m: (m.cohort.start_date, m.cohort_id))
    return max(memberships, key=lambda m: (m.cohort.end_date, m.cohort_id))


def _number(value):
    """An id from a request: a positive number that fits the database's id column, else 404."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404("No such cohort.") from None
    if not 0 < number < 2**63:
        raise Http404("No such cohort.")
    return number


def _pick(memberships, field, value):
    wanted = _number(value)
    for membership in memberships:
        if getattr(membership, field) == wanted:
            return membership
    raise Http404("No such cohort.")


def chosen_membership(memberships, cohort_id, at):
    """The membership of the cohort `cohort_id` names (404 when it is not one of theirs or not a
    number), or the default one when it names none. `memberships` are the person's own
    (memberships_for); 404 when there are none."""
    if not memberships:
        raise Http404("Not in a cohort.")
    if cohort_id in (None, ""):
        return default_membership(memberships, at)
    return _pick(memberships, "cohort_id", cohort_id)


def requested_membership(request, memberships=None, at=None):
    """The signed-in person's membership a request means: a form's `membership` (a membership id),
    else `cohort` (a cohort id, in the query string or the form), else their default cohort.
    Anything named that is not theirs, or not a number, is a 404; so is being in no cohort."""
    if memberships is None:
        memberships = list(memberships_for(request.user))
    if request.method == "POST" and "membership" in request.POST:
        if not memberships:
            raise Http404("Not in a cohort.")
        return _pick(memberships, "pk", request.POST["membership"])
    cohort_id = request.GET.get("cohort") or (request.POST.get("cohort") if request.method == "POST" else None)
    return chosen_membership(memberships, cohort_id, at or timezone.now())


def membership_in(user, cohort_id, related=("cohort", "circle")):
    """The user's own membership (as member or facilitator) in a cohort, or None, also when the id
    is not a number. `related`: what to load with it."""
    if not user.is_authenticated:
        return None
    try:
        cohort_id = _number(cohort_id)
    except Http404:
        return None
    membership = Membership.objects.filter(user=user, cohort_id=cohort_id).select_related(*related).first()
    if membership is not None:
        membership.user = user  # the same person: spares a query wherever the rules ask for it
    return membership


def get_membership_or_404(user, cohort_id):
    membership = membership_in(user, cohort_id, related=("cohort", "cohort__course", "circle"))
    if membership is None:
        raise Http404("No such cohort.")
    return membership


def facilitated_cohorts(user):
    """Cohorts this user may manage in the admin: all for staff, their own for facilitators."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    if is_staff(user):
        return Cohort.objects.all()
    return Cohort.objects.filter(memberships__user=user, memberships__role=Role.FACILITATOR).distinct()


def get_facilitated_cohort_or_404(user, cohort_id):
    try:
        return facilitated_cohorts(user).select_related("course").get(pk=cohort_id)
    except (Cohort.DoesNotExist, ValueError, TypeError):
        raise Http404("No such cohort.") from None


def can_manage(user, cohort):
    return facilitated_cohorts(user).filter(pk=cohort.pk).exists()


class LessonReading:
    """How a user may see a lesson page, and which of the course's lessons they may open (the
    pager links only to those): `level` is "full", "not_yet" or "none"; `slot` the earliest
    opening for "not_yet"."""

    def __init__(self, level, slot=None, schedules=(), at=None):
        self.level = level
        self.slot = slot
        self._schedules = list(schedules)
        self._at = at

    def may_open(self, lesson):
        """Whether the user may read `lesson` (a source lesson of the same course, or its id)."""
        if self.level == "none":
            return False
        if not self._schedules:
            return True  # staff and facilitators read every lesson
        return any(schedule.is_open(lesson, self._at) for schedule in self._schedules)


def lesson_reading(user, lesson, at=None):
    """A LessonReading for `user` and a lesson page.

    Editors and the facilitators of a cohort of the lesson's course see every lesson. A member
    sees a lesson once it has opened for one of their cohorts of that course. A translation opens
    with its source lesson: cohorts and schedules know only the source.
    """
    at = at or timezone.now()
    if not user.is_authenticated:
        return LessonReading("none")
    if is_staff(user):
        return LessonReading("full")
    lesson = lesson.canonical
    course = lesson.course
    # Only this course's cohorts, and not the course page again.
    memberships = list(Membership.objects.filter(user=user, cohort__course_id=course.pk).select_related("cohort"))
    if not memberships:
        return LessonReading("none")
    if any(m.role == Role.FACILITATOR for m in memberships):
        return LessonReading("full")
    for membership in memberships:
        # The lesson's own course object: the lessons it loads for the schedules are the ones the
        # lesson page lists, loaded once per request instead of twice.
        membership.cohort.course = course
    schedules = list(Schedule.for_cohorts(m.cohort for m in memberships).values())
    slots = [schedule.slot(lesson) for schedule in schedules]
    slots = [slot for slot in slots if slot is not None]
    if any(slot.is_open(at) for slot in slots):
        return LessonReading("full", None, schedules, at)
    if slots:
        return LessonReading("not_yet", min(slots, key=lambda slot: slot.opens_at), schedules, at)
    return LessonReading("none")
