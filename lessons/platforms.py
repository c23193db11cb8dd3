"""The platforms members publish on: one table for the models' choices, the forms, the views and the
editor's JavaScript (which reads `as_json()` from a json_script on the page, never a copy).

Each row says how long a post may be as the platform counts it, how it counts a link, and where its
compose screen is (text prefilled; no API keys).
"""

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.utils.translation import gettext_lazy as _

from .formats import WritingFormat


@dataclass(frozen=True)
class Platform:
    key: str
    label: str
    limit: int  # characters, as the platform counts them
    # X (t.co) and Mastodon count every link as 23 characters, however long; None: as typed.
    url_length: int | None
    # The compose screen: {text} is the percent-encoded post, {instance} the member's server.
    share_url: str
    writing_format: str  # the lesson format written for this platform


# The order is the publish page's.
PLATFORMS = (
    Platform(
        "linkedin",
        "LinkedIn",
        3000,
        None,
        "https://www.linkedin.com/feed/?shareActive=true&text={text}",
        WritingFormat.LINKEDIN,
    ),
    Platform("x", "X", 280, 23, "https://x.com/intent/post?text={text}", WritingFormat.SHORT_280),
    Platform("mastodon", "Mastodon", 500, 23, "https://{instance}/share?text={text}", WritingFormat.SHORT_500),
    Platform("bluesky", "Bluesky", 300, None, "https://bsky.app/intent/compose?text={text}", WritingFormat.SHORT_300),
)
BY_KEY = {platform.key: platform for platform in PLATFORMS}
BY_FORMAT = {platform.writing_format: platform for platform in PLATFORMS}

# Where a member may say they posted: the table's platforms, a blog, or anywhere else.
POST_PLATFORM_CHOICES = [(platform.key, platform.label) for platform in PLATFORMS] + [
    ("blog", _("Blog")),
    ("other", _("Other")),
]


def as_json():
    """The table for the editor's json_script: what the live counter needs, keyed by platform."""
    return {
        platform.key: {"label": platform.label, "limit": platform.limit, "url_length": platform.url_length}
        for platform in PLATFORMS
    }


def for_format(fmt):
    """The platform a writing format is for, or None (a blog article, a private reflection)."""
    return BY_FORMAT.get(fmt)


def character_limit(fmt):
    """The platform's character limit for a format, or None where there is none."""
    platform = for_format(fmt)
    return platform.limit if platform else None


# --- counting ---------------------------------------------------------------------------------
# Counting is per Unicode code point (a simplification: X weighs some scripts double and Bluesky
# counts graphemes; both only matter for emoji sequences and CJK, and we err on the side of warning
# early). static/js/editor.js counts the same way with the same pattern.
URL_PATTERN = re.compile(r"https?://[^\s<>()\[\]]+", re.IGNORECASE)


def count_characters(text, platform=None):
    """Characters as the platform (a key of the table, or None for plain length) counts them."""
    text = text or ""
    row = BY_KEY.get(platform)
    if row is None or row.url_length is None:
        return len(text)
    return len(URL_PATTERN.sub("", text)) + row.url_length * len(URL_PATTERN.findall(text))


def fits(platform, text):
    """(characters as the platform counts them, its limit, whether the text fits)."""
    used = count_characters(text, platform)
    limit = BY_KEY[platform].limit
    return used, limit, used <= limit


# --- sharing ----------------------------------------------------------------------------------

# Host names only: letters, digits, dots and hyphens, at least one dot (e.g. mastodon.social).
INSTANCE_PATTERN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class ShareError(ValueError):
    pass


def normalise_instance(value):
    """'https://Mastodon.Social/@me' → 'mastodon.social'; refuses anything that is not a host."""
    value = (value or "").strip().lower()
    if "://" in value:
        value = urlsplit(value).hostname or ""
    value = value.split("/")[0].lstrip("@")
    if "@" in value:  # a full handle like @me@mastodon.social
        value = value.rsplit("@", 1)[1]
    if not INSTANCE_PATTERN.match(value):
        raise ShareError(_("Enter your Mastodon server's address, for example mastodon.social."))
    return value


def share_url(platform, text, *, instance=None):
    """The compose URL of a platform with `text` prefilled, properly percent-encoded."""
    row = BY_KEY.get(platform)
    if row is None:
        raise ShareError(f"Unknown platform {platform!r}")
    values = {"text": quote(text, safe="")}
    if "{instance}" in row.share_url:
        values["instance"] = normalise_instance(instance)
    return row.share_url.format(**values)


# --- following a hashtag ----------------------------------------------------------------------

DEFAULT_MASTODON_INSTANCE = "mastodon.social"


def hashtag_urls(tag, *, instance=None):
    """Where to follow #tag: [(platform name, URL)] for Mastodon (on the member's server, if
    known) and Bluesky."""
    tag = quote((tag or "").strip().lstrip("#"), safe="")
    if not tag:
        return []
    try:
        host = normalise_instance(instance) if instance else DEFAULT_MASTODON_INSTANCE
    except ShareError:
        host = DEFAULT_MASTODON_INSTANCE
    return [("Mastodon", f"https://{host}/tags/{tag}"), ("Bluesky", f"https://bsky.app/hashtag/{tag}")]
