"""Members' writing is stored as typed (light Markdown) and rendered through an allow-list
sanitiser. Nothing a member writes reaches a page without passing through `render_markdown`;
teasers use `plain_excerpt`, which goes through it too."""

import html
import re

import markdown
import nh3
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

ALLOWED_TAGS = {"p", "br", "a", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

# A teaser is made from the start of the text only: enough for EXCERPT_CHARS of plain text
# however much Markdown syntax the start holds.
EXCERPT_SOURCE_CHARS = 600
EXCERPT_CHARS = 240

# "#Tag" at the start of a line (in a list item or a quote too) is a hashtag, not a heading:
# CommonMark wants a space after a heading's "#", Python-Markdown does not.
# (Four spaces in front make a code block, where the text stays as typed.)
_LINE_START_HASHTAG = re.compile(r"^((?: {0,3}>)* {0,3}(?:(?:[-*+]|\d+[.)])[ \t]+)?)#(?=[^\s#])", re.MULTILINE)
# A heading typed with "# " is kept as a paragraph of its own, in bold (pages have their own headings).
_HEADING = re.compile(r"<(/?)h[1-6]>")

_BLOCK_END = re.compile(r"</(?:p|li|blockquote|pre|h\d)>|<br\s*/?>|<hr\s*/?>", re.IGNORECASE)


def render_markdown(text):
    # A converter keeps state between texts, so each text gets its own: building one costs a
    # fraction of a millisecond.
    text = _LINE_START_HASHTAG.sub(r"\1\\#", text or "")
    converted = markdown.markdown(text, extensions=["sane_lists", "nl2br"], output_format="html")
    converted = _HEADING.sub(lambda tag: "</strong></p>" if tag.group(1) else "<p><strong>", converted)
    cleaned = nh3.clean(
        converted,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow ugc",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 with an allow-list just above


def plain_excerpt(text, chars=EXCERPT_CHARS):
    """Plain text for a teaser: the start of `text` rendered through the sanitiser, tags dropped,
    shortened to `chars`. The result is plain text (entities decoded), so templates must
    autoescape it as usual."""
    rendered = _BLOCK_END.sub(" ", str(render_markdown((text or "")[:EXCERPT_SOURCE_CHARS])))
    plain = " ".join(html.unescape(strip_tags(rendered)).split())
    return Truncator(plain).chars(chars)
