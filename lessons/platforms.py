"""The platforms members publish on: one table for the models' choices, the forms, the views and the
pages, and lessons.network_text, which counts for the editor and the publish page (the editor asks
the server as the member types, so no copy of these rules lives in JavaScript).

Each row says how long a post may be as the platform counts it, how it counts a link, and where its
compose screen is (text prefilled; no API keys).
"""

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

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
    # How the limit is counted: code points, graphemes (what a reader sees as one character) or
    # X's weights (most scripts 1, CJK and emoji 2).
    counting: str = "code_points"
    # Where its posts live (a recorded post's address must be on one of them); empty: any host
    # (Mastodon: every server is its own).
    hosts: tuple = ()


# The order is the publish page's.
PLATFORMS = (
    Platform(
        "linkedin",
        "LinkedIn",
        3000,
        None,
        "https://www.linkedin.com/feed/?shareActive=true&text={text}",
        WritingFormat.LINKEDIN,
        hosts=("linkedin.com", "lnkd.in"),
    ),
    Platform(
        "x",
        "X",
        280,
        23,
        "https://x.com/intent/post?text={text}",
        WritingFormat.SHORT_280,
        "weighted",
        hosts=("x.com", "twitter.com"),
    ),
    Platform("mastodon", "Mastodon", 500, 23, "https://{instance}/share?text={text}", WritingFormat.SHORT_500),
    Platform(
        "bluesky",
        "Bluesky",
        300,
        None,
        "https://bsky.app/intent/compose?text={text}",
        WritingFormat.SHORT_300,
        "graphemes",
        hosts=("bsky.app",),
    ),
)
BY_KEY = {platform.key: platform for platform in PLATFORMS}
BY_FORMAT = {platform.writing_format: platform for platform in PLATFORMS}


def platform_label(key):
    """The platform's name as people write it ("bluesky" → "Bluesky"); an unknown key as it is."""
    row = BY_KEY.get(key)
    return row.label if row is not None else key


# Where a member may say they posted: the table's platforms, a blog, or anywhere else.
POST_PLATFORM_CHOICES = [(platform.key, platform.label) for platform in PLATFORMS] + [
    ("blog", _("Blog")),
    ("other", _("Other")),
]


def for_format(fmt):
    """The platform a writing format is for, or None (a blog article, a private reflection)."""
    return BY_FORMAT.get(fmt)


def character_limit(fmt):
    """The platform's character limit for a format, or None where there is none."""
    platform = for_format(fmt)
    return platform.limit if platform else None


# --- counting ---------------------------------------------------------------------------------
# Counted on the plain text a network receives (lessons.network_text.plain_text), never on the
# Markdown. The editor shows the server's count (it asks as the member types): one rule, no copy.
URL_PATTERN = re.compile(r"https?://[^\s<>()\[\]]+", re.IGNORECASE)

# X (twitter-text 3): code points in these ranges weigh 1, everything else 2; an emoji 2 whatever
# its sequence; the text is NFC-normalised first.
X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
ZWJ = "\u200d"


def _extends(char):
    """Whether `char` belongs to the grapheme before it (combining marks, variation selectors,
    emoji skin tones, tags, Hangul vowels and finals): an approximation of Unicode's extended
    grapheme clusters without a dependency, exact for Latin text and common emoji."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or 0xE0100 <= code <= 0xE01EF
        or 0x1160 <= code <= 0x11FF
        or char == ZWJ
    )


def _is_regional_indicator(char):
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def graphemes(text):
    """The text as the characters a reader sees (a flag, a family emoji, "é" typed as two code
    points: one each)."""
    clusters = []
    for char in text:
        if clusters and (
            _extends(char)
            or clusters[-1].endswith(ZWJ)
            or (clusters[-1] == "\r" and char == "\n")
            or (len(clusters[-1]) == 1 and _is_regional_indicator(clusters[-1]) and _is_regional_indicator(char))
        ):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _is_emoji(cluster):
    code = ord(cluster[0])
    return (
        0x1F000 <= code <= 0x1FAFF
        or 0x2600 <= code <= 0x27BF
        or "\ufe0f" in cluster
        or (len(cluster) > 1 and ZWJ in cluster)
    )


def _x_weight(cluster):
    if _is_emoji(cluster):
        return 2
    return sum(1 if any(low <= ord(c) <= high for low, high in X_LIGHT_RANGES) else 2 for c in cluster)


def _count_plain(text, counting):
    if counting == "graphemes":
        return len(graphemes(text))
    if counting == "weighted":
        return sum(_x_weight(cluster) for cluster in graphemes(unicodedata.normalize("NFC", text)))
    return len(text)


def _characters(text, counting):
    """[(character, weight)]: the characters a reader sees, each weighing what the platform counts
    for it (one grapheme; X's weight of it in the NFC text; its code points)."""
    if counting == "graphemes":
        return [(cluster, 1) for cluster in graphemes(text)]
    if counting == "weighted":
        return [(cluster, _x_weight(cluster)) for cluster in graphemes(unicodedata.normalize("NFC", text))]
    return [(cluster, len(cluster)) for cluster in graphemes(text)]


def pieces(text, platform, budget):
    """`text` cut into consecutive pieces that `platform` counts within `budget` each, cut between
    characters as it counts them (never inside a flag or an accented letter); every piece holds at
    least one character, so a budget smaller than one character still moves on. One pass over the
    text, however many pieces it makes."""
    parts, current, used = [], [], 0
    for char, weight in _characters(text, BY_KEY[platform].counting):
        if current and used + weight > budget:
            parts.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += weight
    if current:
        parts.append("".join(current))
    return parts


def count_characters(text, platform=None):
    """Characters as the platform (a key of the table, or None for plain length) counts them."""
    text = text or ""
    row = BY_KEY.get(platform)
    if row is None:
        return len(text)
    if row.url_length is None:
        return _count_plain(text, row.counting)
    urls = len(URL_PATTERN.findall(text))
    return _count_plain(URL_PATTERN.sub("", text), row.counting) + row.url_length * urls


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


# --- recorded posts ---------------------------------------------------------------------------


def post_url_problem(url, platform):
    """Why `url` cannot be the address of a post on `platform` (a message), or None. Posts live
    at https addresses on the platform's own host (or a subdomain of it: www.linkedin.com)."""
    parts = urlsplit((url or "").strip())
    if parts.scheme != "https" or not parts.hostname:
        return _("Paste the full address of your post, starting with https://.")
    row = BY_KEY.get(platform)
    host = parts.hostname.lower()
    if row is not None and row.hosts and not any(host == h or host.endswith("." + h) for h in row.hosts):
        return _("This is not an address on %(platform)s (%(hosts)s). Check the platform or the link.") % {
            "platform": row.label,
            "hosts": ", ".join(row.hosts),
        }
    return None


# Added by share buttons and mail clients; the post is the same without them.
TRACKING_PARAMETERS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "trk", "rcm", "ref_src")


def post_address(url):
    """A recorded post's address as stored: the scheme and host lower-cased, the #fragment and
    tracking parameters dropped (a link copied from the share sheet and the same link from the
    address bar are one post). The path keeps its case: on some hosts it matters."""
    parts = urlsplit((url or "").strip())
    query = "&".join(
        pair for pair in parts.query.split("&") if pair and not pair.lower().startswith(TRACKING_PARAMETERS)
    )
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))


def same_post_addresses(url):
    """The stored addresses that are the same post as `url` (with or without a trailing slash)."""
    address = post_address(url)
    head, _sep, query = address.partition("?")
    other = head[:-1] if head.endswith("/") and head.count("/") > 3 else head + "/"
    return [address, other + (f"?{query}" if query else "")]
