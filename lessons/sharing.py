"""Hand-off to the platforms' own compose screens, text prefilled; no API keys."""

import re
from urllib.parse import quote, urlsplit

from django.utils.translation import gettext_lazy as _

from .formats import count_characters

PLATFORM_LIMITS = {"x": 280, "bluesky": 300, "mastodon": 500, "linkedin": 3000}

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
    encoded = quote(text, safe="")
    if platform == "linkedin":
        return f"https://www.linkedin.com/feed/?shareActive=true&text={encoded}"
    if platform == "x":
        return f"https://x.com/intent/post?text={encoded}"
    if platform == "bluesky":
        return f"https://bsky.app/intent/compose?text={encoded}"
    if platform == "mastodon":
        return f"https://{normalise_instance(instance)}/share?text={encoded}"
    raise ShareError(f"Unknown platform {platform!r}")


def fits(platform, text):
    """(characters as the platform counts them, its limit, whether the text fits)."""
    used = count_characters(text, platform)
    limit = PLATFORM_LIMITS[platform]
    return used, limit, used <= limit
