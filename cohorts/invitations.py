"""Inviting people into a cohort and accepting invitations: the rules, independent of views."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from course.identity import clean_email, email_key, matching

from .access import is_staff
from .models import INVITATION_SALT, Invitation, Membership, Role, new_nonce
from .signals import invitation_issued


class InvitationError(Exception):
    """Why a link cannot be used: 'tampered', 'expired', 'superseded' (a newer link was sent),
    'used' or 'unknown'."""

    def __init__(self, reason, invitation=None):
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


class InviteNotAllowed(Exception):
    """Only staff may invite facilitators (a facilitator can manage the cohort's people)."""


def may_invite(user, role):
    """Whether `user` may invite someone with `role`; None is the system (commands, demo data)."""
    return role != Role.FACILITATOR or user is None or is_staff(user)


@dataclass
class InviteResult:
    status: str  # "created", "refreshed" or "already_member"
    invitation: Invitation | None


def invite(cohort, *, email, full_name="", language=None, time_zone=None, role=Role.MEMBER, invited_by=None):
    """Invite one person. Re-inviting refreshes the pending invitation (new link, new expiry)
    instead of duplicating it; inviting someone who is already in the cohort does nothing.
    The email is queued after the transaction commits. Only staff may invite facilitators
    (InviteNotAllowed)."""
    if not may_invite(invited_by, role):
        raise InviteNotAllowed(role)
    email = clean_email(email)
    User = get_user_model()
    existing_user = User.objects.get_by_email(email)
    if existing_user and Membership.objects.filter(user=existing_user, cohort=cohort).exists():
        return InviteResult("already_member", None)

    now = timezone.now()
    defaults = {
        "full_name": full_name or (existing_user.full_name if existing_user else ""),
        "language": language or (existing_user.language if existing_user else cohort.language),
        "time_zone": time_zone or (existing_user.time_zone if existing_user else cohort.time_zone),
        "role": role,
        "invited_by": invited_by,
    }
    with transaction.atomic():
        invitation = _invitation_for(cohort, email)
        if invitation is None:
            try:
                with transaction.atomic():
                    invitation = Invitation.objects.create(
                        cohort=cohort, email=email, expires_at=Invitation.default_expiry(now), **defaults
                    )
                status = "created"
            except IntegrityError:
                # A concurrent invite of the same person won; refresh theirs instead.
                invitation = _invitation_for(cohort, email)
                status = "refreshed"
        else:
            status = "refreshed"
        if status == "refreshed":
            _reissue(invitation, now, **defaults)
        queue_invitation_email(invitation)
    return InviteResult(status, invitation)


def withdraw(invitation, *, withdrawn_by=None):
    """Take back an invitation not yet accepted: the row goes, with its email if still queued, so
    its link no longer works ("withdrawn" on the link's page). Re-inviting later starts afresh.
    Only those who may invite to its role may withdraw it (InviteNotAllowed)."""
    if not may_invite(withdrawn_by, invitation.role):
        raise InviteNotAllowed(invitation.role)
    return Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).delete()[0] > 0


def _invitation_for(cohort, email):
    """The cohort's invitation for this person (the same email key, course/identity.py), locked."""
    found = matching(Invitation.objects.select_for_update().filter(cohort=cohort).order_by("pk"), email)
    return found[0] if found else None


def is_for(invitation, user):
    return email_key(user.email) == email_key(invitation.email)


def _reissue(invitation, now, **fields):
    """A fresh link: new nonce (old links stop working), new expiry, pending again."""

    for name, value in fields.items():
        if value:
            setattr(invitation, name, value)
    invitation.nonce = new_nonce()
    invitation.expires_at = Invitation.default_expiry(now)
    invitation.accepted_at = None
    invitation.accepted_by = None
    invitation.save()


def load(token):
    """The invitation a link points at, or InvitationError with the reason it cannot be used."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT)
        invitation = Invitation.objects.select_related("cohort", "cohort__course").get(pk=data["i"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvitationError("tampered") from None
    except Invitation.DoesNotExist:
        raise InvitationError("unknown") from None
    if data.get("n") != invitation.nonce:
        # An older link of a re-issued invitation: only the newest link can be renewed.
        raise InvitationError("superseded", invitation)
    if invitation.accepted_at is not None:
        raise InvitationError("used", invitation)
    if invitation.is_expired:
        raise InvitationError("expired", invitation)
    return invitation


def accept(token, *, user=None, full_name="", short_name="", password=None):
    """Accept an invitation: create or link the account, join the cohort, mark it used.

    `user` is the logged-in person (their email must match the invitation); otherwise a new
    account is created with `password`. The conditional update makes a link usable once even
    when two requests race.
    """
    User = get_user_model()
    with transaction.atomic():
        invitation = load(token)
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, nonce=invitation.nonce).update(
            accepted_at=timezone.now()
        )
        if claimed != 1:
            raise InvitationError("used", invitation)
        if user is None:
            user = User.objects.get_by_email(invitation.email)
            if user is not None:
                raise InvitationError("login_required", invitation)
            user = User.objects.create_user(
                email=invitation.email,
                password=password,
                full_name=full_name or invitation.full_name or invitation.email.split("@")[0],
                short_name=short_name,
                language=invitation.language,
                time_zone=invitation.time_zone,
            )
        elif not is_for(invitation, user):
            raise InvitationError("wrong_account", invitation)
        membership, _created = Membership.objects.get_or_create(
            user=user,
            cohort=invitation.cohort,
            defaults={
                "role": invitation.role,
                "language": invitation.language,
                "time_zone": invitation.time_zone,
            },
        )
        Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user)
    return membership


def renew(token):
    """Re-send a fresh link for an expired invitation. The new link goes to the invited address
    only, so asking for it reveals nothing and grants nothing. Only the newest link can renew:
    an older one ('superseded') would otherwise kill the link that is in use."""
    try:
        load(token)
    except InvitationError as error:
        if error.reason != "expired" or error.invitation is None:
            raise
        invitation = error.invitation
        with transaction.atomic():
            invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if invitation.accepted_at is not None:
                raise InvitationError("used", invitation) from None
            _reissue(invitation, timezone.now())
            queue_invitation_email(invitation)
        return invitation
    raise InvitationError("still_valid")


def queue_invitation_email(invitation):
    """The email pipeline (mail.receivers) records the email and sends it after commit."""
    invitation_issued.send(sender=Invitation, invitation=invitation)
