"""The member side of cohorts: accepting invitations, the member home and the calendar feed.

Views stay thin: the rules live in `invitations`, `access` and `schedule`.

Status codes of the invitation pages (each explains what to do next and changes nothing):
tampered or unknown link → 400; expired or already used link → 410 (Gone); valid link opened while
signed in as someone else → 403.
"""

import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from course import ratelimit
from course.security import client_ip
from course.translations import Translations
from lessons.visibility import waiting_for

from . import access, ical, invitations
from .forms import AcceptInvitationForm
from .models import INVITATION_DAYS, CohortState, Membership, Role
from .schedule import Schedule

PROBLEM_STATUS = {
    "tampered": 400,
    "unknown": 400,
    "expired": 410,
    "superseded": 410,
    "used": 410,
    "wrong_account": 403,
}

# A link re-issued this recently is not re-issued again: "send me a new link" cannot flood an inbox.
RENEW_COOLDOWN = datetime.timedelta(minutes=10)


def mask_email(email):
    """j•••@example.com: enough to recognise one's address, too little to learn someone else's."""
    local, _at, domain = (email or "").partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


# --- invitations -----------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    """Show an invitation and accept it: create an account, or join with the signed-in one."""
    try:
        invitation = invitations.load(token)
    except invitations.InvitationError as error:
        return invitation_problem(request, token, error)

    user = request.user
    if user.is_authenticated and not _is_for(invitation, user):
        return invitation_problem(request, token, invitations.InvitationError("wrong_account", invitation))
    has_account = get_user_model().objects.filter(email__iexact=invitation.email).exists()
    # Accepting creates an account: limited per address and per link (course/ratelimit.py).
    verdict = None
    if request.method == "POST":
        verdict = ratelimit.hit(
            (ratelimit.INVITATION_PER_IP, client_ip(request)), (ratelimit.INVITATION_PER_TOKEN, token)
        )
    limited = verdict is not None and not verdict

    form = None
    if user.is_authenticated:
        if request.method == "POST" and not limited:
            return _accept(request, token, user=user)
    elif not has_account and limited:
        # Keep the name they typed; the passwords are never sent back to the browser.
        form = AcceptInvitationForm(initial={"full_name": request.POST.get("full_name", "")}, invitation=invitation)
    elif not has_account:
        form = AcceptInvitationForm(request.POST if request.method == "POST" else None, invitation=invitation)
        if request.method == "POST" and form.is_valid():
            return _accept(
                request,
                token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )

    context = {
        "invitation": invitation,
        "cohort": invitation.cohort,
        "course": invitation.cohort.course,
        "form": form,
        "mode": "accept" if user.is_authenticated else ("login" if has_account else "create"),
        "masked_email": mask_email(invitation.email),
        "login_url": f"{reverse('login')}?next={request.path}",
        "retry_minutes": verdict.retry_minutes if limited else None,
    }
    return render(request, "cohorts/accept_invitation.html", context, status=429 if limited else 200)


def _is_for(invitation, user):
    return invitations.normalise_email(user.email) == invitations.normalise_email(invitation.email)


def _accept(request, token, **account):
    try:
        membership = invitations.accept(token, **account)
    except invitations.InvitationError as error:
        if error.reason == "login_required":
            # An account with this email appeared meanwhile: the page now asks to sign in.
            return redirect("cohorts:accept_invitation", token)
        return invitation_problem(request, token, error)
    if not request.user.is_authenticated:
        # Named: with axes in AUTHENTICATION_BACKENDS, Django cannot guess the backend.
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request,
        _("Welcome to %(cohort)s! This is your home for %(course)s.")
        % {"cohort": membership.cohort.name, "course": membership.cohort.course.title},
    )
    return redirect("cohorts:cohort_home", membership.cohort_id)


@never_cache
@require_POST
def renew_invitation(request, token):
    """'Send me a new link' for an expired link. The link goes to the invited address only."""
    try:
        invitations.load(token)
    except invitations.InvitationError as error:
        if error.reason not in ("expired", "superseded") or error.invitation is None:
            return invitation_problem(request, token, error)
        invitation = error.invitation
        if not _recently_issued(invitation):
            if error.reason == "superseded":
                # Only the newest link renews; an older one must not replace it.
                return invitation_problem(request, token, error)
            try:
                invitation = invitations.renew(token)
            except invitations.InvitationError as renew_error:
                return invitation_problem(request, token, renew_error)
        return render(
            request,
            "cohorts/invitation_renewed.html",
            {
                "invitation": invitation,
                "cohort": invitation.cohort,
                "masked_email": mask_email(invitation.email),
                "valid_days": INVITATION_DAYS,
            },
        )
    # Still valid: nothing to renew, just use it.
    return redirect("cohorts:accept_invitation", token)


def _recently_issued(invitation):
    issued_at = invitation.expires_at - datetime.timedelta(days=INVITATION_DAYS)
    return timezone.now() - issued_at < RENEW_COOLDOWN


def invitation_problem(request, token, error):
    """A link that cannot be used: why, and what to do instead. Nothing changes."""
    invitation = error.invitation
    joined = bool(invitation and request.user.is_authenticated and invitation.accepted_by_id == request.user.pk)
    context = {
        "reason": error.reason,
        "invitation": invitation,
        "cohort": invitation.cohort if invitation else None,
        "masked_email": mask_email(invitation.email) if invitation else "",
        "token": token,
        "home_url": reverse("cohorts:cohort_home", args=[invitation.cohort_id]) if joined else "",
    }
    return render(
        request,
        "cohorts/invitation_problem.html",
        context,
        status=PROBLEM_STATUS.get(error.reason, 400),
    )


# --- member home -----------------------------------------------------------------------------


def member_home_response(request, page=None):
    """The home of the signed-in person's current cohort, or None when they are in no cohort.

    Used by HomePage.serve for `/`: the most recently started running cohort, else the next
    upcoming one, else the most recently ended one."""
    memberships = list(access.memberships_for(request.user))
    if not memberships:
        return None
    now = timezone.now()
    return _render_home(request, default_membership(memberships, now), memberships, now, page=page)


@login_required
@require_GET
def cohort_home(request, cohort_id):
    memberships = list(access.memberships_for(request.user))
    membership = next((m for m in memberships if m.cohort_id == int(cohort_id)), None)
    if membership is None:
        raise Http404("No such cohort.")
    membership.user = request.user  # the same person: spares a query wherever the rules ask for it
    return _render_home(request, membership, memberships, timezone.now())


def default_membership(memberships, at):
    states = {m.pk: m.cohort.state_at(at) for m in memberships}
    running = [m for m in memberships if states[m.pk] == CohortState.RUNNING]
    if running:
        return max(running, key=lambda m: (m.cohort.start_date, m.cohort_id))
    upcoming = [m for m in memberships if states[m.pk] == CohortState.UPCOMING]
    if upcoming:
        return min(upcoming, key=lambda m: (m.cohort.start_date, m.cohort_id))
    return max(memberships, key=lambda m: (m.cohort.end_date, m.cohort_id))


def _render_home(request, membership, memberships, at, page=None):
    response = render(request, "cohorts/member_home.html", home_context(request, membership, memberships, at, page))
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
        "due_soon": schedule.due_soon(at),
        "next_opening": schedule.next_opening(at),
        "opened": opened,
        "total": total,
        "circle": circle,
        "facilitators": facilitators,
        "time_zone": membership.time_zone,
        "calendar_url": calendar_url,
        "webcal_url": "webcal://" + calendar_url.split("://", 1)[-1],
        # Pieces this member was asked to read and has not answered yet (one query).
        "waiting": waiting_for(membership) if membership.role == Role.MEMBER else [],
    }


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


# --- lessons ---------------------------------------------------------------------------------


def serve_lesson(request, lesson, serve):
    """LessonPage.serve: sign in first; then the lesson once it is open for one of the person's
    cohorts, a 'not open yet' page before that, and 404 for people outside the course."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    level, slot = access.lesson_access(request.user, lesson)
    if level == "none":
        raise Http404("Not in a cohort of this course.")
    response = lesson_not_open(request, lesson, slot) if level == "not_yet" else serve()
    patch_cache_control(response, private=True)
    return response


def lesson_not_open(request, lesson, slot):
    """When the lesson opens, in the member's own time zone, and none of its content."""
    request.is_preview = False
    course = lesson.get_parent()
    # Cohorts know the source course; `course` is the one in the reader's language.
    source_course_id = lesson.canonical.get_parent().pk
    membership = access.memberships_for(request.user).filter(cohort__course_id=source_course_id).first()
    context = {
        "lesson": lesson,
        "course": course,
        "opens_at": slot.opens_at,
        "number": slot.number,
        "time_zone": membership.time_zone if membership else request.user.time_zone,
        "home_url": reverse("cohorts:cohort_home", args=[membership.cohort_id]) if membership else "/",
    }
    return render(request, "lessons/lesson_not_open.html", context)


# --- calendar --------------------------------------------------------------------------------


@require_GET
def calendar_feed(request, token):
    """A member's private iCal feed; the unguessable token in the URL is the credential."""
    membership = get_object_or_404(Membership.objects.select_related("cohort", "cohort__course"), calendar_token=token)
    calendar = ical.build_calendar(membership, lesson_url=lambda lesson: ical.absolute_lesson_url(request, lesson))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="klartext.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_POST
def reset_calendar(request, cohort_id):
    membership = access.get_membership_or_404(request.user, cohort_id)
    membership.reset_calendar_token()
    messages.success(
        request,
        _("Your calendar has a new link. The old link no longer works: subscribe again with the new one."),
    )
    return redirect("cohorts:cohort_home", membership.cohort_id)
