"""The diff a facilitator sees between two versions of a piece: exact markup, member text escaped."""

import pytest
from django.utils.safestring import SafeString

from lessons.diff import diff_html

CASES = [
    pytest.param(
        "The quick brown fox\njumps over the dog.",
        "The quick red fox\njumps over the lazy dog.\nA new line.",
        "The quick <del>brown</del><ins>red</ins> fox<br>jumps over the <ins>lazy </ins>dog.<ins><br>A new line.</ins>",
        id="words-and-lines",
    ),
    pytest.param(
        "<b>the</b> & \"quotes\" 'x'",
        "<b>the</b> & <i>new</i> 'x'",
        "&lt;b&gt;the&lt;/b&gt; &amp; <del>&quot;quotes&quot;</del><ins>&lt;i&gt;new&lt;/i&gt;</ins> &#x27;x&#x27;",
        id="member-markup-escaped",
    ),
    pytest.param(
        "line one\r\nline two\r\n\r\nline three",
        "line one\r\nline 2\r\n\r\nline three\r\nfour",
        "line one<br>line <del>two</del><ins>2</ins><br><br>line three<ins><br>four</ins>",
        id="windows-line-ends",
    ),
    pytest.param("", "all new\ntext", "<ins>all new<br>text</ins>", id="all-added"),
    pytest.param(None, "x", "<ins>x</ins>", id="no-earlier-text"),
    pytest.param("gone\ncompletely", None, "<del>gone<br>completely</del>", id="all-removed"),
    pytest.param("same\ntext", "same\ntext", "same<br>text", id="unchanged"),
    pytest.param(
        "a b c\n\nd e",
        "a  b\tc\n\nd",
        "a<del> </del><ins>  </ins>b<del> </del><ins>\t</ins>c<br><br>d<del> e</del>",
        id="whitespace-kept",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), CASES)
def test_it_marks_what_was_removed_and_added_and_escapes_the_rest(old, new, expected):
    shown = diff_html(old, new)

    assert shown == expected
    assert isinstance(shown, SafeString)
