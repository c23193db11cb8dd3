"""Writing formats and the platform limits they carry.

Limits are characters as each platform counts them (see lessons.formats.count_characters in the
writing issue for how links are counted where a platform differs).
"""

import re

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


# How platforms count links. X (t.co) and Mastodon count every URL as 23 characters, however long;
# Bluesky and LinkedIn count the text as typed. Counting is per Unicode code point (a simplification:
# X weighs some scripts double and Bluesky counts graphemes; both only matter for emoji sequences
# and CJK, and we err on the side of warning early).
URL_PATTERN = re.compile(r"https?://[^\s<>()\[\]]+", re.IGNORECASE)
FIXED_URL_LENGTH = {"x": 23, "mastodon": 23}
FORMAT_PLATFORM = {
    WritingFormat.SHORT_280: "x",
    WritingFormat.SHORT_300: "bluesky",
    WritingFormat.SHORT_500: "mastodon",
    WritingFormat.LINKEDIN: "linkedin",
}


def count_characters(text, platform=None):
    """Characters as `platform` counts them (see FIXED_URL_LENGTH)."""
    text = text or ""
    fixed = FIXED_URL_LENGTH.get(platform)
    if fixed is None:
        return len(text)
    return len(URL_PATTERN.sub("", text)) + fixed * len(URL_PATTERN.findall(text))


def over_limit(text, fmt):
    """How many characters `text` is over the format's platform limit (0 when within)."""
    limit = character_limit(fmt)
    if limit is None:
        return 0
    return max(0, count_characters(text, FORMAT_PLATFORM.get(fmt)) - limit)
