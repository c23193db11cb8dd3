"""Connected network accounts, the posts made through them, and the replies they brought home."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lessons import platforms

from .crypto import EncryptedTextField


class Network(models.TextChoices):
    BLUESKY = "bluesky", "Bluesky"
    MASTODON = "mastodon", "Mastodon"
    LINKEDIN = "linkedin", "LinkedIn"


class MastodonApp(models.Model):
    """Klartext's OAuth app on one Mastodon server, registered once and kept; with what the
    server says about posts (its own character limit, how long a link counts)."""

    instance = models.CharField(max_length=253, unique=True)
    client_id = EncryptedTextField()
    client_secret = EncryptedTextField()
    max_characters = models.PositiveIntegerField(default=500)
    url_length = models.PositiveSmallIntegerField(default=23)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.instance


class AccountState(models.TextChoices):
    ACTIVE = "active", _("Connected")
    RECONNECT = "reconnect", _("Reconnect needed")


class ConnectedAccount(models.Model):
    """A member's account on a network, with the secret to post as them (encrypted at rest).

    Bluesky: the app password (and the session the PDS gave for it). Mastodon and LinkedIn: the
    OAuth token. Deleting the user deletes these rows, and with them the secrets."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_accounts")
    network = models.CharField(max_length=10, choices=Network.choices)
    handle = models.CharField(max_length=300, help_text="As the network shows it, e.g. alice.bsky.social.")
    remote_id = models.CharField(
        max_length=300, help_text="The DID (Bluesky), account id (Mastodon) or member URN (LinkedIn)."
    )
    service_url = models.URLField(
        max_length=300, help_text="The PDS (Bluesky), the server (Mastodon) or LinkedIn's API."
    )
    mastodon_app = models.ForeignKey(MastodonApp, null=True, blank=True, on_delete=models.PROTECT)
    secret = EncryptedTextField()
    session = EncryptedTextField(blank=True)
    state = models.CharField(max_length=10, choices=AccountState.choices, default=AccountState.ACTIVE)
    reconnect_since = models.DateTimeField(null=True, blank=True)
    # When the network said the token stops working (LinkedIn's last 60 days); none for the others.
    expires_at = models.DateTimeField(null=True, blank=True)
    # The member was asked to reconnect before `expires_at` (once per token).
    expiry_reminded_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("connected account")
        constraints = [models.UniqueConstraint(fields=["user", "network"], name="one_account_per_network")]
        indexes = [models.Index(fields=["state", "expires_at"], name="account_expiry")]

    def __str__(self):
        return f"{self.get_network_display()} {self.handle}"

    def __repr__(self):
        # Never the secret.
        return f"<ConnectedAccount {self.pk} {self.network} {self.handle}>"

    @property
    def character_limit(self):
        if self.network == Network.MASTODON and self.mastodon_app_id:
            return self.mastodon_app.max_characters
        return platforms.BY_KEY[self.network].limit


class PublicationState(models.TextChoices):
    PENDING = "pending", _("Waiting to be posted")
    POSTING = "posting", _("Posting")
    POSTED = "posted", _("Posted")
    FAILED = "failed", _("Failed")
    # The network may or may not have the post (the connection broke after the request left, or
    # the worker stopped mid-post): never re-posted blindly, flagged for a person to look.
    UNKNOWN = "unknown", _("Unknown (flagged)")
    # The network refused the token: nothing was posted; the member reconnects and posts again.
    RECONNECT = "reconnect", _("Reconnect needed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = [PublicationState.PENDING, PublicationState.POSTING]


class Publication(models.Model):
    """One piece posted (or to be posted) on one network: a post or a thread of posts.

    Claimed like a mail.Delivery: pending → posting by a conditional update right before the
    first request leaves; the outcome is written after every post of a thread, so a retry
    continues where it stopped and never posts a part twice."""

    submission = models.ForeignKey("lessons.Submission", on_delete=models.CASCADE, related_name="publications")
    account = models.ForeignKey(ConnectedAccount, null=True, on_delete=models.SET_NULL, related_name="publications")
    network = models.CharField(max_length=10, choices=Network.choices)
    parts = models.JSONField(default=list, help_text="The posts of the thread, in order.")
    state = models.CharField(max_length=10, choices=PublicationState.choices, default=PublicationState.PENDING)
    due_at = models.DateTimeField(help_text="Not posted before this moment (also the next try after a 429).")
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # What the network holds so far: one {"id", "uri", "cid", "url"} per posted part.
    posted = models.JSONField(default=list)
    url = models.URLField(max_length=500, blank=True)
    last_error = models.TextField(blank=True)
    flagged = models.BooleanField(default=False)
    replies_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("publication")
        ordering = ["-created_at"]
        constraints = [
            # One live post per piece and network: a second click or a second tab adds nothing.
            models.UniqueConstraint(
                fields=["submission", "network"],
                condition=~models.Q(state__in=["failed", "cancelled", "reconnect"]),
                name="one_live_publication_per_network",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="publication_due"),
            models.Index(fields=["state", "posted_at"], name="publication_posted"),
        ]

    def __str__(self):
        return f"{self.network} publication of {self.submission_id} ({self.state})"

    @property
    def root(self):
        return self.posted[0] if self.posted else None


class Reply(models.Model):
    """A reply on the network to one of the member's posts, or the member's own answer in it."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="replies")
    remote_id = models.CharField(max_length=300)
    parent_id = models.CharField(max_length=300, help_text="The post or reply it answers.")
    author_handle = models.CharField(max_length=300)
    author_name = models.CharField(max_length=300, blank=True)
    by_member = models.BooleanField(default=False, help_text="Written by the member (an answer back).")
    text = models.TextField()
    url = models.URLField(max_length=500, blank=True)
    written_at = models.DateTimeField()

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["written_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["publication", "remote_id"], name="one_row_per_reply")]

    def __str__(self):
        return f"Reply {self.remote_id} by {self.author_handle}"
