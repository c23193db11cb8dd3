"""The email pipeline's records: every email is a Delivery row, and a member's opt-outs."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """Every email Klartext sends."""

    WEEKLY_NUDGE = "weekly_nudge", _("Weekly posting nudge")
    LESSON_RELEASED = "lesson_released", _("Lesson released")
    ASSIGNMENT_DUE = "assignment_due", _("Assignment due tomorrow")
    FEEDBACK_READY = "feedback_ready", _("Feedback ready")
    PEER_REVIEW = "peer_review", _("Peer response waiting")
    FACILITATOR_DIGEST = "facilitator_digest", _("Facilitator weekly digest")
    ALUMNI_NUDGE = "alumni_nudge", _("Alumni nudge")
    EVENT_KIT = "event_kit", _("Event kit")
    INVITATION = "invitation", _("Invitation")
    SELF_CHECK = "self_check", _("Yearly self-check")


# Kinds a member can switch off one by one (the invitation is not a nudge).
OPTIONAL_KINDS = [kind for kind in Kind if kind != Kind.INVITATION]


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


class PlanWatermark(models.Model):
    """How far planning has covered, per kind: the next tick plans the whole span since, so an
    outage of beat or the database is caught up instead of silently skipped."""

    kind = models.CharField(max_length=24, choices=Kind.choices, unique=True)
    planned_through = models.DateTimeField()

    def __str__(self):
        return f"{self.kind} planned through {self.planned_through:%Y-%m-%d %H:%M}"
