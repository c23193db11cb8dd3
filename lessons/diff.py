"""What changed between two versions of a piece, as HTML with <ins>/<del>.

Lines are compared first; changed blocks of lines are then compared word by word, so a long piece
stays cheap and a small edit shows as a small mark. Every piece of member text is escaped before
it is wrapped; nothing here marks raw text as safe.
"""

import difflib
import re

from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html, format_html_join

_WORDS = re.compile(r"\s+|\S+")


def _text(value):
    """Escaped text with line breaks kept (linebreaksbr escapes before it adds <br>)."""
    return linebreaksbr(value, autoescape=True)


def _words(old, new):
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            yield _text("".join(a[i1:i2]))
            continue
        if i2 > i1:
            yield format_html("<del>{}</del>", _text("".join(a[i1:i2])))
        if j2 > j1:
            yield format_html("<ins>{}</ins>", _text("".join(b[j1:j2])))


def _chunks(old, new):
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            yield _text("".join(a[i1:i2]))
        elif tag == "delete":
            yield format_html("<del>{}</del>", _text("".join(a[i1:i2])))
        elif tag == "insert":
            yield format_html("<ins>{}</ins>", _text("".join(b[j1:j2])))
        else:
            yield from _words("".join(a[i1:i2]), "".join(b[j1:j2]))


def diff_html(old, new):
    """The text of `new` with what was removed since `old` in <del> and what was added in <ins>."""
    return format_html_join("", "{}", ((chunk,) for chunk in _chunks(old or "", new or "")))
