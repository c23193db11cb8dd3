"""The member's home: their current cohort, this week's lesson, what is due, who is waiting for
their response. Served for `/` to signed-in members (wagtail_hooks: before_serve_page) and at
/cohorts/<id>/ for a chosen cohort."""

import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from cohorts import access
from cohorts.models import CohortState, Membership, Role
from cohorts.schedule import Schedule
from course.translations import Translations
from lessons import pieces
from lessons.visibility import waiting_for
from lessons.writing import recent_drafts

from .away import while_away

# Drafts changed within this span are listed on home.
RECENT_DRAFTS = datetime.timedelta(days=14)

# How far ahead "Due soon" looks.
DUE_SOON_DAYS = 14


def member_home_response(request, page=None):
    """The home of the signed-in person's current cohort, or None when they are in no cohort.

    Answers `/` for members (wagtail_hooks); the cohort is access.requested_membership's."""
    memberships = list(access.memberships_for(request.user))
    if not memberships:
        return None
    now = timezone.now()
    return _render_home(request, access.requested_membership(request, memberships, now), memberships, now, page=page)


@login_required
@require_GET
def cohort_home(request, cohort_id):
    memberships = list(access.memberships_for(request.user))
    now = timezone.now()
    membership = access.chosen_membership(memberships, cohort_id, now)
    membership.user = request.user  # the same person: spares a query wherever the rules ask for it
    return _render_home(request, membership, memberships, now)


def _render_home(request, membership, memberships, at, page=None):
    response = render(request, "progress/member_home.html", home_context(request, membership, memberships, at, page))
    add_never_cache_headers(response)
    return response


def home_context(request, membership, memberships, at, page=None):
    """Everything the member home shows, in a constant number of queries: the schedule (two),
    the course and lessons in the reader's language (none in the default language, else two),
    and the circle with the cohort's facilitators (one)."""
    cohort = membership.cohort
    source_schedule = Schedule.for_cohort(cohort)
    shown = Translations([cohort.course, *(slot.lesson for slot in source_schedule.slots)])
    schedule = source_schedule.shown_with(shown)
    opened, total = schedule.progress(at)
    state = cohort.state_at(at)
    circle, facilitators = circle_and_facilitators(request.user, membership)
    is_member = membership.role == Role.MEMBER
    # The member's pieces with their new responses, loaded once for the assignment rows, the
    # responses line and the recent drafts (one query).
    mine = pieces.member_pieces(membership, [slot.lesson for slot in source_schedule.slots]) if is_member else []
    rows = assignment_rows(membership, source_schedule, schedule, at, mine) if is_member else []
    # Pieces this member was asked to read and has not answered yet (one query).
    waiting = waiting_for(membership) if is_member else []
    calendar_url = request.build_absolute_uri(reverse("cohorts:calendar", args=[membership.calendar_token]))
    return {
        "page": page,
        "membership": membership,
        "memberships": memberships,
        "cohort": cohort,
        "course": shown(cohort.course),
        "state": state,
        "state_label": CohortState(state).label,
        "states": CohortState,
        "current": schedule.current(at),
        # This week's and overdue assignments, each with the member's piece and its next step;
        # "Due soon" lists what is still to do, what is published this week is done.
        "open_rows": [row for row in rows if not row["step"].done],
        "done_rows": [row for row in rows if row["step"].done],
        "due_soon": [row["assignment"] for row in rows if not row["step"].done and not row["overdue"]]
        if is_member
        else schedule.due_soon(at),
        # Pieces with responses the member has not seen yet, in the order they were started.
        "new_responses": sorted((piece for piece in mine if piece.new_responses), key=lambda piece: piece.pk),
        "next_opening": schedule.next_opening(at),
        "opened": opened,
        "total": total,
        "circle": circle,
        "facilitators": facilitators,
        "time_zone": membership.time_zone,
        "calendar_url": calendar_url,
        "webcal_url": "webcal://" + calendar_url.split("://", 1)[-1],
        "waiting": waiting,
        # What happened during a pause that just ended (the pause held the emails back).
        "while_away": while_away(membership, schedule, waiting, at),
        # The member's recent drafts, those an email reply started among them.
        "drafts": recent_drafts(membership, at - RECENT_DRAFTS, among=mine) if is_member else [],
    }


def assignment_rows(membership, source_schedule, schedule, at, mine, *, days=DUE_SOON_DAYS):
    """The assignments of this week's lesson, those due in the next `days` and those overdue (due
    since the member joined) and not yet published, soonest due first: each with the member's
    piece, where it stands and the one next step. `mine` is the member's pieces, `pieces.member_pieces`; no query."""
    own = {piece.assignment_id: piece for piece in mine}
    current = schedule.current(at)
    horizon = at + datetime.timedelta(days=days)
    rows = []
    for source_slot, slot in zip(source_schedule.slots, schedule.slots, strict=True):
        if not slot.is_open(at):
            continue
        for assignment in slot.assignments:
            piece = own.get(assignment.block_id)
            overdue = (
                membership.answers_for(assignment.due_at)
                and assignment.due_at < at
                and not pieces.is_done(pieces.standing_of(piece))
            )
            if not (slot is current or overdue or at <= assignment.due_at <= horizon):
                continue  # not shown: no next step to work out (its URLs cost most here)
            start_url = None
            if piece is None:
                start_url = reverse(
                    "lessons:start", args=[membership.cohort_id, source_slot.lesson.pk, assignment.block_id]
                )
            step = pieces.next_step(piece, start_url=start_url)
            rows.append(
                {"assignment": assignment, "piece": piece, "step": step, "overdue": overdue, "number": slot.number}
            )
    rows.sort(key=lambda row: row["assignment"].due_at)
    return rows


def circle_and_facilitators(user, membership):
    """Names only, from one query: the member's circle (or, before circles are formed, the
    cohort's members) and the cohort's facilitators."""
    people = Q(role=Role.FACILITATOR)
    if membership.circle_id:
        people |= Q(circle_id=membership.circle_id, role=Role.MEMBER)
    else:
        people |= Q(role=Role.MEMBER)
    # Everyone in one's own cohort may see the names of the others in it.
    rows = (
        Membership.objects.filter(people, cohort_id=membership.cohort_id)
        .order_by("user__full_name", "user_id")
        .values_list("user_id", "user__full_name", "role")
    )
    circle, facilitators = [], []
    for user_id, name, role in rows:
        person = {"name": name, "is_you": user_id == user.pk}
        (facilitators if role == Role.FACILITATOR else circle).append(person)
    return circle, facilitators
