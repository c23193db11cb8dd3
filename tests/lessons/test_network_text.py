"""Text for each network: one conversion from Markdown to the plain text a network shows, counted
as each network counts, LinkedIn's fold, and a thread where Bluesky or Mastodon cannot take it."""

import functools
import re
import unicodedata
from unittest.mock import patch

import pytest

from lessons import network_text, platforms
from lessons.network_text import linkedin_fold, plain_text, previews, split_thread
from lessons.rendering import render_markdown

MARKDOWN = """I *really* think **this** matters.

- first, see [the study](https://example.com/study)
- second <https://example.org/x>

1. one
2. two

A line
and the next & more."""


def test_markdown_becomes_plain_text_without_emphasis_lists_as_dashes_links_as_addresses():
    assert plain_text(MARKDOWN) == (
        "I really think this matters.\n\n"
        "– first, see the study (https://example.com/study)\n"
        "– second https://example.org/x\n\n"
        "1. one\n2. two\n\n"
        "A line\nand the next & more."
    )


def test_a_list_typed_right_under_a_line_still_loses_its_markdown_dashes():
    assert plain_text("My three points:\n- one\n- two") == "My three points:\n– one\n– two"


def test_angle_brackets_a_member_typed_stay_text():
    assert plain_text("Use <tag> and a < b") == "Use <tag> and a < b"


@pytest.mark.parametrize(
    "platform, text, expected",
    [
        ("bluesky", "👩\u200d👩\u200d👧 🇩🇪 e\u0301", 5),  # a family, a flag and an e with its accent
        ("x", "日本 🚀 ab https://example.com/a/very/long/path", 4 + 1 + 2 + 1 + 2 + 1 + 23),
        ("mastodon", "see https://example.com/" + "x" * 100, 4 + 23),
        ("linkedin", "see https://example.com/" + "x" * 100, 4 + 20 + 100),
    ],
)
def test_each_network_counts_the_way_it_counts(platform, text, expected):
    assert platforms.count_characters(text, platform) == expected


def test_the_count_is_of_the_text_as_posted_not_of_the_markdown():
    bluesky = next(p for p in previews("**bold** and [a link](https://example.com)") if p.key == "bluesky")
    assert bluesky.text == "bold and a link (https://example.com)"
    assert bluesky.used == len(bluesky.text)


def test_a_mastodon_servers_own_limit_counts():
    text = "word " * 120  # 600 characters
    default, own = (
        next(p for p in previews(text, limits=limits) if p.key == "mastodon") for limits in ({}, {"mastodon": 1000})
    )
    assert (default.limit, default.fits) == (500, False)
    assert (own.limit, own.fits, own.thread) == (1000, True, [])


def test_linkedin_shows_three_lines_or_about_210_characters_before_see_more():
    assert linkedin_fold("one\ntwo\nthree\nfour") == ("one\ntwo\nthree", "four")
    long = "word " * 100
    shown, folded = linkedin_fold(long)
    assert len(shown) <= network_text.LINKEDIN_FOLD_CHARS
    assert not shown.endswith("wor")  # cut between words
    assert (shown + " " + folded).split() == long.split()
    assert linkedin_fold("Short.") == ("Short.", "")


SENTENCES = " ".join(f"Sentence number {n} says something worth reading today." for n in range(12))


@pytest.mark.parametrize("platform", ["bluesky", "mastodon"])
def test_too_long_a_text_is_split_into_a_thread_at_sentence_ends(platform):
    posts = split_thread(SENTENCES, platform)
    assert len(posts) > 1
    for number, post in enumerate(posts, start=1):
        assert platforms.count_characters(post, platform) <= platforms.BY_KEY[platform].limit
        body, counter = post.rsplit("\n\n", 1)
        assert counter == f"{number}/{len(posts)}"
        assert body.endswith("today.")  # every post ends at the end of a sentence
    rejoined = " ".join(post.rsplit("\n\n", 1)[0] for post in posts)
    assert rejoined == SENTENCES


def test_a_sentence_longer_than_a_post_is_cut_between_words():
    sentence = " ".join(["long"] * 120) + "."
    posts = split_thread(sentence, "bluesky")
    assert all(platforms.count_characters(post, "bluesky") <= 300 for post in posts)
    assert " ".join(post.rsplit("\n\n", 1)[0] for post in posts) == sentence


@pytest.mark.parametrize("platform", ["bluesky", "mastodon", "x"])
def test_a_word_longer_than_a_post_is_cut_between_the_characters_the_network_counts(platform):
    word = "🇩🇪" * 200 + "東京" * 200 + "e\u0301" * 300  # flags, CJK (X counts 2), é as two code points
    posts = split_thread(f"Start. {word} End.", platform, limit=120)
    for post in posts:
        assert platforms.count_characters(post, platform) <= 120
    bodies = [post.rsplit("\n\n", 1)[0] for post in posts]
    assert all(not body.startswith(("\U0001f1ea", "\u0301")) for body in bodies)  # no flag or é cut in half
    nfc = functools.partial(unicodedata.normalize, "NFC")  # X counts (and cuts) the NFC text
    assert nfc("".join(bodies).replace(" ", "")) == nfc(f"Start.{word}End.".replace(" ", ""))


def test_pieces_take_at_least_one_character_so_a_cut_always_moves_on():
    assert platforms.pieces("東京", "x", 1) == ["東", "京"]
    assert platforms.pieces("abc", "bluesky", 2) == ["ab", "c"]
    assert platforms.pieces("ab", "bluesky", 5) == ["ab"]


@pytest.mark.parametrize("platform", ["x", "bluesky", "mastodon"])
def test_a_word_many_posts_long_is_read_a_few_times_not_once_per_post(platform):
    # An editor preview of a pasted 10,000-character token used to read the rest of the word again
    # for every post it cut off: quadratic, seconds of server time for one request.
    word = "Ä" * 10_000
    seen = []
    real = platforms.graphemes
    with patch.object(platforms, "graphemes", side_effect=lambda text: seen.append(len(text)) or real(text)):
        posts = split_thread(f"Start. {word} End.", platform, limit=300)
    assert len(posts) > 30
    assert sum(seen) <= 6 * len(word)


def test_a_text_that_fits_is_one_post_without_numbering():
    assert split_thread("Short and sweet.", "bluesky") == ["Short and sweet."]


def test_the_preview_suggests_a_thread_only_where_it_is_too_long_for_bluesky_or_mastodon():
    by_key = {p.key: p for p in previews(SENTENCES)}
    assert by_key["bluesky"].thread and by_key["mastodon"].thread
    assert by_key["x"].thread == [] and not by_key["x"].fits  # X: over, but no thread suggested
    assert by_key["linkedin"].fits and by_key["linkedin"].fold[1]
    assert not re.search(r"[*_]", "".join(p.text for p in by_key.values()))


@pytest.mark.parametrize(
    ("typed", "on_the_network"),
    [
        (
            "#EnergyTransition starts in the control room.\n\n#GridLife #Leadership",
            "#EnergyTransition starts in the control room.\n\n#GridLife #Leadership",
        ),
        ("- #one item\n- two", "– #one item\n– two"),
        ("1. #first", "1. #first"),
        ("> #quoted", "#quoted"),
        ("#tag\nthe next line", "#tag\nthe next line"),
    ],
)
def test_a_hashtag_at_the_start_of_a_line_keeps_its_hash(typed, on_the_network):
    assert plain_text(typed) == on_the_network
    assert "#" in str(render_markdown(typed)) and "<strong>" not in str(render_markdown(typed))


def test_a_heading_typed_with_a_space_stays_a_paragraph_of_its_own():
    assert str(render_markdown("# What I learned\nThis week")) == (
        "<p><strong>What I learned</strong></p>\n<p>This week</p>"
    )
    assert plain_text("# What I learned\nThis week") == "What I learned\n\nThis week"
