"""What a lesson asks members to write, and who reads what they write.

A format written for a platform takes its character limit from lessons.platforms.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WritingFormat(models.TextChoices):
    SHORT_280 = "short_280", _("Short post for X (up to 280 characters)")
    SHORT_300 = "short_300", _("Short post for Bluesky (up to 300 characters)")
    SHORT_500 = "short_500", _("Short post for Mastodon (up to 500 characters)")
    LINKEDIN = "linkedin", _("LinkedIn post (up to 3,000 characters)")
    BLOG = "blog", _("Blog article")
    REFLECTION = "reflection", _("Private reflection")


class Visibility(models.TextChoices):
    """Who reads a piece of writing; the facilitator always does."""

    FACILITATOR = "facilitator", _("Facilitator only")
    CIRCLE = "circle", _("My circle")
    COHORT = "cohort", _("The whole cohort")


# An assignment's default reader: the member widens it to the whole cohort themselves, if at all.
DEFAULT_VISIBILITY_CHOICES = [
    (value, label) for value, label in Visibility.choices if value in (Visibility.FACILITATOR, Visibility.CIRCLE)
]
