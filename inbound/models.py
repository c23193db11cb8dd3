"""Every message the inbound server or webhook accepted, stored raw before anything else happens."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InboundKind(models.TextChoices):
    UNKNOWN = "unknown", _("Not read yet")
    REPLY = "reply", _("Reply")
    BOUNCE = "bounce", _("Bounce")
    COMPLAINT = "complaint", _("Complaint")


class InboundState(models.TextChoices):
    RECEIVED = "received", _("Received")
    DRAFTED = "drafted", _("Turned into a draft")
    APPLIED = "applied", _("Bounce or complaint recorded")
    DROPPED = "dropped", _("Dropped")


class DropReason(models.TextChoices):
    BAD_ADDRESS = "bad_address", _("Unknown or forged reply address")
    EXPIRED = "expired", _("Reply address expired")
    UNKNOWN_EMAIL = "unknown_email", _("The email it answers no longer exists")
    FORGED_SENDER = "forged_sender", _("Sender is not the member")
    INACTIVE = "inactive", _("Account deactivated")
    RATE_LIMITED = "rate_limited", _("More than 20 replies in a day")
    AUTOMATIC = "automatic", _("Automatic reply (out of office)")
    EMPTY = "empty", _("No new text")
    TOO_LONG = "too_long", _("Text too long")
    NOT_A_REPORT = "not_a_report", _("Not a bounce or complaint")
    MISDIRECTED_REPORT = "misdirected", _("Bounce or complaint sent to a reply address")
    UNREADABLE = "unreadable", _("Unreadable message")


class InboundMessage(models.Model):
    """One accepted message for one of our recipients (a reply or bounce address).

    Stored raw first, processed by a task in one transaction that also moves `state` off
    'received': a crash loses nothing, and processing twice changes nothing the second time."""

    class Source(models.TextChoices):
        SMTP = "smtp", _("Inbound SMTP server")
        MAILGUN = "mailgun", _("Mailgun webhook")

    received_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.SMTP)
    mail_from = models.CharField(_("envelope sender"), max_length=320, blank=True)
    rcpt_to = models.CharField(_("recipient"), max_length=320)
    raw = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=InboundKind.choices, default=InboundKind.UNKNOWN)
    state = models.CharField(max_length=10, choices=InboundState.choices, default=InboundState.RECEIVED)
    reason = models.CharField(max_length=16, choices=DropReason.choices, blank=True)
    detail = models.CharField(max_length=300, blank=True, help_text="A bounce's status, a complaint's type, a note.")
    delivery = models.ForeignKey("mail.Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    membership = models.ForeignKey(
        "cohorts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_messages"
    )
    submission = models.ForeignKey(
        "lessons.Submission", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["state", "received_at"], name="inbound_state_received"),
            # "How many replies did this member send today": the rate limit.
            models.Index(fields=["membership", "state", "processed_at"], name="inbound_member_state"),
            # "How many messages did this address receive today": the flood limit at RCPT time.
            models.Index(fields=["rcpt_to", "received_at"], name="inbound_rcpt_received"),
            # Forgetting the raw text of old messages.
            models.Index(fields=["processed_at"], name="inbound_processed"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.rcpt_to} ({self.get_state_display()})"
