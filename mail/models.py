"""The email pipeline's records: every email is a Delivery row, and a member's opt-outs."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """Every email Klartext sends."""

    WEEKLY_NUDGE = "weekly_nudge", _("Weekly posting nudge")
    LESSON_RELEASED = "lesson_released", _("Lesson released")
    ASSIGNMENT_DUE = "assignment_due", _("Assignment due tomorrow")
    FEEDBACK_READY = "feedback_ready", _("Feedback ready")
    PEER_REVIEW = "peer_review", _("Peer response waiting")
    PEER_RESPONDED = "peer_responded", _("Someone responded to your piece")
    FACILITATOR_DIGEST = "facilitator_digest", _("Facilitator weekly digest")
    ALUMNI_NUDGE = "alumni_nudge", _("Alumni nudge")
    EVENT_KIT = "event_kit", _("Event kit")
    INVITATION = "invitation", _("Invitation")
    SELF_CHECK = "self_check", _("Yearly self-check")
    PERSONAL_NOTE = "personal_note", _("Personal note from the facilitator")
    GROUP_MESSAGE = "group_message", _("Message to a circle or cohort")
    EVENT_INVITATION = "event_invitation", _("Event invitation")
    DRAFT_SAVED = "draft_saved", _("Draft saved from an email reply")
    RECONNECT_NEEDED = "reconnect_needed", _("Network account needs reconnecting")


# Kinds a member can switch off one by one: not the invitation, nor what answers something the
# member did or must fix (the confirmation of a reply, the reconnect notice).
OPTIONAL_KINDS = [kind for kind in Kind if kind not in (Kind.INVITATION, Kind.DRAFT_SAVED, Kind.RECONNECT_NEEDED)]


class NudgeOptOut(models.Model):
    """A member switched one kind of email off (preferences page or one-click unsubscribe)."""

    membership = models.ForeignKey("cohorts.Membership", on_delete=models.CASCADE, related_name="opt_outs")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "kind"], name="one_opt_out_per_kind")]

    def __str__(self):
        return f"{self.membership_id} opted out of {self.kind}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # A worker died between claiming and recording the outcome: the message may or may not
    # have gone out. Never resent automatically; counted and shown in the report.
    UNKNOWN = "unknown", _("Unknown (flagged)")
    SKIPPED = "skipped", _("Skipped")
    # Past its deadline (`send_by`) before it could leave: never sent late.
    EXPIRED = "expired", _("Expired")
    # Planned only after its deadline had passed (beat or the database was down): recorded, not sent.
    MISSED = "missed", _("Missed")


class SkipReason(models.TextChoices):
    """Why a planned email was not sent (`Delivery.reason` of a skipped row): what the worker's
    claim found the member no longer wants (mail.audience.consent_rules)."""

    ACCOUNT_INACTIVE = "account_inactive", _("The account is deactivated.")
    BOUNCING = "bouncing", _("Mail to this address bounces.")
    UNSUBSCRIBED = "unsubscribed", _("The member unsubscribed.")
    OPTED_OUT = "opted_out", _("The member switched this kind of email off.")
    PAUSED = "paused", _("The member paused their nudges.")
    COHORT_ENDED = "cohort_ended", _("The cohort has ended.")
    # Expired and missed rows: on time or not at all (mail.timing, mail.planning).
    DEADLINE_PASSED = "deadline_passed", _("Its deadline passed before it could be sent.")
    HELD_PAST_DEADLINE = "held_past_deadline", _("Quiet hours or the weekend would have held it past its deadline.")
    PLANNED_TOO_LATE = (
        "planned_too_late",
        _("Planned only after its deadline (beat or the database was down): not sent."),
    )


class Delivery(models.Model):
    """One email: the database is the source of truth, Celery only the transport.

    One row per (recipient, kind, period key), enforced by unique constraints, so a second or
    concurrent tick inserts nothing. A worker claims a row with a conditional update
    (pending → sending) right before sending it.
    """

    membership = models.ForeignKey(
        "cohorts.Membership", null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    invitation = models.ForeignKey(
        "cohorts.Invitation", null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    period_key = models.CharField(max_length=80)
    # What the email is about, where the kind needs it (a lesson, a submission, an event...).
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    variant = models.CharField(max_length=24, blank=True)
    due_at = models.DateTimeField(help_text="Not sent before this moment (also the next retry).")
    send_by = models.DateTimeField(null=True, blank=True, help_text="Pointless after this moment: expires instead.")
    reason = models.CharField(
        max_length=200, blank=True, db_default="", help_text="Why it was skipped, expired or missed."
    )
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    flagged = models.BooleanField(default=False)
    to_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "kind", "period_key"],
                condition=models.Q(membership__isnull=False),
                name="one_delivery_per_member_kind_period",
            ),
            models.UniqueConstraint(
                fields=["invitation", "kind", "period_key"],
                condition=models.Q(invitation__isnull=False),
                name="one_delivery_per_invitation_kind_period",
            ),
            models.CheckConstraint(
                condition=models.Q(membership__isnull=False) | models.Q(invitation__isnull=False),
                name="delivery_has_a_recipient",
            ),
        ]
        indexes = [
            # "What is due to be sent": pending rows by due time, a range scan.
            models.Index(fields=["state", "due_at"], name="delivery_due"),
            models.Index(fields=["state", "claimed_at"], name="delivery_claimed"),
            models.Index(fields=["kind", "state"], name="delivery_kind_state"),
        ]

    def __str__(self):
        return f"{self.kind} {self.period_key} → {self.membership_id or self.invitation_id}"

    @property
    def reason_display(self):
        """The reason in the reader's language where it is one of ours, else as recorded."""
        try:
            return SkipReason(self.reason).label
        except ValueError:
            return self.reason


class PlanWatermark(models.Model):
    """How far planning has covered, per kind: the next tick plans the whole span since, so an
    outage of beat or the database is caught up instead of silently skipped."""

    kind = models.CharField(max_length=24, choices=Kind.choices, unique=True)
    planned_through = models.DateTimeField()

    def __str__(self):
        return f"{self.kind} planned through {self.planned_through:%Y-%m-%d %H:%M}"


class FacilitatorNote(models.Model):
    """What a facilitator wrote to one member (a personal note) or to a circle or the whole cohort
    (a message): each recipient's email is a Delivery whose subject_id is this note."""

    cohort = models.ForeignKey("cohorts.Cohort", on_delete=models.CASCADE, related_name="notes")
    # One of: a member (a personal note), a circle, or neither (the whole cohort).
    membership = models.ForeignKey(
        "cohorts.Membership", null=True, blank=True, on_delete=models.CASCADE, related_name="notes_received"
    )
    circle = models.ForeignKey("cohorts.Circle", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Why it was written (a stuck reason, e.g. "quiet"), for the log on the member's row.
    reason = models.CharField(max_length=24, blank=True)
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject
