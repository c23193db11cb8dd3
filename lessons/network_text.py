"""What a piece looks like on each network: its Markdown as plain text, counted as the network
counts it, LinkedIn's fold, and a thread where a short network cannot take it in one post.

`plain_text` is the one conversion: the publish page's hand-off and copy button, the share links,
the editor's counter and the previews all go through it, so what is counted is what is posted.
Networks show no Markdown: emphasis is dropped, list items become lines starting with "–", a link
becomes its text followed by its address (or the address alone). Plain functions, no requests, so
publishing tasks can call them too.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.utils.translation import gettext_lazy as _

from . import platforms
from .rendering import render_markdown

LIST_DASH = "–"
# LinkedIn's feed shows about three lines or 210 characters, then "…see more".
LINKEDIN_FOLD_LINES = 3
LINKEDIN_FOLD_CHARS = 210
# Networks whose reader gets a suggested thread when the text is too long for one post.
THREAD_PLATFORMS = ("bluesky", "mastodon")


# --- Markdown → plain text --------------------------------------------------------------------


class _PlainText(HTMLParser):
    """Walks the sanitised HTML of rendering.render_markdown and writes what a reader of a
    plain-text network should see."""

    BLOCKS = {"p", "blockquote", "pre", "ul", "ol", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []  # finished paragraphs and lists
        self.line = []  # the text of the line being written
        self.lines = []  # finished lines of the current block
        self.lists = []  # one counter per open list: None for bullets, the next number for ol
        self.links = []  # (href, index into self.line where the link text starts)

    def _end_line(self):
        text = "".join(self.line).strip()
        if text:
            self.lines.append(text)
        self.line = []

    def _end_block(self):
        self._end_line()
        if self.lines and not self.lists:
            self.blocks.append("\n".join(self.lines))
            self.lines = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self._end_line()
        elif tag in ("ul", "ol"):
            self._end_line()
            self.lists.append(1 if tag == "ol" else None)
        elif tag == "li":
            self._end_line()
            depth = "  " * (len(self.lists) - 1)
            counter = self.lists[-1] if self.lists else None
            if counter is None:
                self.line.append(f"{depth}{LIST_DASH} ")
            else:
                self.line.append(f"{depth}{counter}. ")
                self.lists[-1] = counter + 1
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.line)))
        elif tag in self.BLOCKS:
            self._end_block()

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            href, start = self.links.pop()
            text = "".join(self.line[start:]).strip()
            if href and href.removeprefix("mailto:") != text:
                self.line[start:] = [f"{text} ({href})" if text else href]
        elif tag in ("ul", "ol"):
            self._end_line()
            if self.lists:
                self.lists.pop()
            if not self.lists:
                self._end_block()
        elif tag == "li":
            self._end_line()
        elif tag in self.BLOCKS:
            self._end_block()

    def handle_data(self, data):
        # Inside a paragraph the HTML's own line breaks are spaces (nl2br marks real ones <br>).
        self.line.append(re.sub(r"\s*\n\s*", " ", data))

    def text(self):
        self._end_block()
        if self.lines:
            self.blocks.append("\n".join(self.lines))
        text = "\n\n".join(block for block in self.blocks if block)
        # A list typed without a blank line before it stays a paragraph in Markdown; its lines
        # still start with "- ".
        return _TYPED_BULLET.sub(rf"\1{LIST_DASH} ", text)


_RAW_TAG = re.compile(r"<(?!https?://|mailto:)", re.IGNORECASE)
_TYPED_BULLET = re.compile(r"^(\s*)[-*+] ", re.MULTILINE)


def plain_text(markdown_text):
    """The member's Markdown as the plain text a network shows: paragraphs separated by a blank
    line, no emphasis marks, list items as lines starting with "–" (numbered lists keep their
    numbers), links as "text (address)" or the bare address."""
    # Angle brackets a member typed are text on a network ("<tag>"), except an autolink.
    escaped = _RAW_TAG.sub("&lt;", markdown_text or "")
    parser = _PlainText()
    parser.feed(str(render_markdown(escaped)))
    parser.close()
    return parser.text()


# --- how it will look -------------------------------------------------------------------------


def linkedin_fold(text):
    """(shown, folded): what LinkedIn's feed shows before "…see more", and the rest."""
    lines = text.split("\n")
    shown = "\n".join(lines[:LINKEDIN_FOLD_LINES])
    if len(shown) > LINKEDIN_FOLD_CHARS:
        cut = shown.rfind(" ", 0, LINKEDIN_FOLD_CHARS + 1)
        shown = shown[: cut if cut > LINKEDIN_FOLD_CHARS // 2 else LINKEDIN_FOLD_CHARS]
    shown = shown.rstrip()
    return shown, text[len(shown) :].strip()


_SENTENCE_END = re.compile(r"(?<=[.!?…:;])\s+")


def _pieces(text):
    """(separator before it, sentence) for every sentence, paragraph breaks kept."""
    pieces = []
    for number, paragraph in enumerate(re.split(r"\n\s*\n", text.strip())):
        for index, sentence in enumerate(_SENTENCE_END.split(paragraph.strip())):
            if sentence:
                pieces.append(("\n\n" if number and not index else " " if pieces else "", sentence))
    return pieces


def _shorter(sentence, budget, platform):
    """A sentence too long for one post, cut at spaces (a single word longer than a post at
    characters). Linear in the sentence: each word is counted once, and a space counts one on
    every network."""
    parts, current, used = [], "", 0
    for word in sentence.split(" "):
        cost = platforms.count_characters(word, platform)
        if current and used + 1 + cost <= budget:
            current, used = f"{current} {word}", used + 1 + cost
            continue
        if current:
            parts.append(current)
        if cost > budget:
            *heads, word = platforms.pieces(word, platform, budget)
            parts.extend(heads)
            cost = platforms.count_characters(word, platform)
        current, used = word, cost
    if current:
        parts.append(current)
    return parts


def split_thread(text, platform, limit=None):
    """The text as a thread of posts that each fit `platform` (its limit, or `limit`), cut at
    sentence ends and numbered "1/3"; a text that fits comes back as one post, unnumbered."""
    limit = limit or platforms.BY_KEY[platform].limit
    text = text.strip()
    if platforms.count_characters(text, platform) <= limit:
        return [text] if text else []
    # Room for the numbering ("\n\n12/12") in every post.
    budget = limit - len("\n\n99/99")
    posts, current = [], ""
    for separator, sentence in _pieces(text):
        candidate = f"{current}{separator}{sentence}" if current else sentence
        if platforms.count_characters(candidate, platform) <= budget:
            current = candidate
            continue
        if current:
            posts.append(current)
        parts = _shorter(sentence, budget, platform)
        posts.extend(parts[:-1])
        current = parts[-1] if parts else ""
    if current:
        posts.append(current)
    total = len(posts)
    return [f"{post}\n\n{number}/{total}" for number, post in enumerate(posts, start=1)]


@dataclass
class Preview:
    key: str
    label: str
    text: str
    used: int
    limit: int
    how_counted: str
    fold: tuple | None = None  # LinkedIn: (shown, folded)
    thread: list = field(default_factory=list)  # a suggested thread when it does not fit

    @property
    def fits(self):
        return self.used <= self.limit

    @property
    def over(self):
        return self.used - self.limit

    @property
    def left(self):
        return self.limit - self.used

    @property
    def near(self):
        return self.fits and self.used >= self.limit * 0.9


HOW_COUNTED = {
    "linkedin": _("characters"),
    "x": _("weighted characters (a link 23, an emoji or CJK character 2)"),
    "mastodon": _("characters (a link 23)"),
    "bluesky": _("graphemes (what you see as one character)"),
}


def preview(platform, text, *, limit=None):
    """How `text` (already plain, from plain_text) reads on one network."""
    row = platforms.BY_KEY[platform]
    limit = limit or row.limit
    used = platforms.count_characters(text, platform)
    result = Preview(platform, row.label, text, used, limit, str(HOW_COUNTED.get(platform, "")))
    if platform == "linkedin":
        result.fold = linkedin_fold(text)
    if used > limit and platform in THREAD_PLATFORMS:
        result.thread = split_thread(text, platform, limit)
    return result


def previews(markdown_text, *, limits=None):
    """Every network's preview of a piece, in the platform table's order. `limits` overrides a
    network's limit (a Mastodon server's own)."""
    text = plain_text(markdown_text)
    limits = limits or {}
    return [preview(row.key, text, limit=limits.get(row.key)) for row in platforms.PLATFORMS]
