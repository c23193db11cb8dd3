"""What changed between two versions of a piece, as HTML with <ins>/<del>.

Lines are compared first; changed blocks of lines are then compared word by word, so a long piece
stays cheap and a small edit shows as a small mark. The markup is `lessons/_diff.html`, which
escapes every piece of member text (autoescape); nothing here marks raw text as safe.
"""

import difflib
import re

from django.template.loader import render_to_string

_WORDS = re.compile(r"\s+|\S+")


def _words(old, new):
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            yield "same", "".join(a[i1:i2])
            continue
        if i2 > i1:
            yield "removed", "".join(a[i1:i2])
        if j2 > j1:
            yield "added", "".join(b[j1:j2])


def _chunks(old, new):
    """(how, text) in reading order: how is "same", "removed" or "added"."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            yield "same", "".join(a[i1:i2])
        elif tag == "delete":
            yield "removed", "".join(a[i1:i2])
        elif tag == "insert":
            yield "added", "".join(b[j1:j2])
        else:
            yield from _words("".join(a[i1:i2]), "".join(b[j1:j2]))


def diff_html(old, new):
    """The text of `new` with what was removed since `old` in <del> and what was added in <ins>."""
    return render_to_string("lessons/_diff.html", {"chunks": list(_chunks(old or "", new or ""))})
