"""Writing formats and the platform limits they carry.

Limits are characters as each platform counts them (see lessons.formats.count_characters in the
writing issue for how links are counted where a platform differs).
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


CHARACTER_LIMITS = {
    WritingFormat.SHORT_280: 280,
    WritingFormat.SHORT_300: 300,
    WritingFormat.SHORT_500: 500,
    WritingFormat.LINKEDIN: 3000,
}


def character_limit(fmt):
    """The platform's character limit for a format, or None where there is none."""
    return CHARACTER_LIMITS.get(fmt)


class Audience(models.TextChoices):
    FACILITATOR = "facilitator", _("Facilitator only")
    CIRCLE = "circle", _("My circle (and the facilitator)")
