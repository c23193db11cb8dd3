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
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from course import ratelimit
from course.security import client_ip

from . import access, ical, invitations
from .forms import AcceptInvitationForm
from .models import INVITATION_DAYS, Membership

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
    if user.is_authenticated and not invitations.is_for(invitation, user):
        return invitation_problem(request, token, invitations.InvitationError("wrong_account", invitation))
    has_account = get_user_model().objects.get_by_email(invitation.email) is not None
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
        form = AcceptInvitationForm(
            initial={"full_name": request.POST.get("full_name", ""), "short_name": request.POST.get("short_name", "")},
            invitation=invitation,
        )
    elif not has_account:
        form = AcceptInvitationForm(request.POST if request.method == "POST" else None, invitation=invitation)
        if request.method == "POST" and form.is_valid():
            return _accept(
                request,
                token,
                full_name=form.cleaned_data["full_name"],
                short_name=form.cleaned_data["short_name"],
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
    return redirect("progress:cohort_home", membership.cohort_id)


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
        "home_url": reverse("progress:cohort_home", args=[invitation.cohort_id]) if joined else "",
    }
    return render(
        request,
        "cohorts/invitation_problem.html",
        context,
        status=PROBLEM_STATUS.get(error.reason, 400),
    )


# --- member home -----------------------------------------------------------------------------


# --- calendar --------------------------------------------------------------------------------


@require_safe
def calendar_feed(request, token):
    """A member's private iCal feed; the unguessable token in the URL is the credential. HEAD is
    answered too: calendar apps check a feed with it before subscribing."""
    membership = get_object_or_404(Membership.objects.select_related("cohort", "cohort__course"), calendar_token=token)
    calendar = ical.build_calendar(
        membership,
        lesson_url=lambda lesson: ical.absolute_lesson_url(request, lesson),
        event_url=lambda event: request.build_absolute_uri(reverse("progress:event", args=[event.pk])),
    )
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
    return redirect("progress:cohort_home", membership.cohort_id)
