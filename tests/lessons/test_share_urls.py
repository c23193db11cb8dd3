"""The compose URLs of every platform carry the text exactly (percent-encoded), the
Mastodon server is normalised or refused, and the length check is the platform's own, including
the 23-character link rule of X and Mastodon, at exactly the limit and one over."""

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from lessons.platforms import BY_KEY, PLATFORMS, ShareError, count_characters, fits, normalise_instance, share_url
from lessons.writing import get_or_start, save_draft
from tests.factories import make_world

TRICKY = (
    "Zeile eins\nZeile zwei & drei #Führung 🚀👩🏽‍💼\n\n"
    "Größe? 100% = ja + nein; a=b&c=d #hash/slash ü ä ö ß — “quotes” 'single' <tag> "
    "https://example.com/a?b=c&d=e#frag"
)

EXPECTED = {
    "linkedin": ("www.linkedin.com", "/feed/"),
    "x": ("x.com", "/intent/post"),
    "bluesky": ("bsky.app", "/intent/compose"),
    "mastodon": ("mastodon.social", "/share"),
}


@pytest.mark.parametrize("platform", sorted(EXPECTED))
def test_each_compose_url_round_trips_the_text(platform):
    url = share_url(platform, TRICKY, instance="mastodon.social")

    parts = urlsplit(url)
    assert parts.scheme == "https"
    assert (parts.hostname, parts.path) == EXPECTED[platform]
    assert parts.fragment == ""  # the text's "#" did not end the URL
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert query["text"] == [TRICKY]
    # Nothing that would break the URL survives unencoded.
    for raw in ("\n", " ", "#", "ü", "🚀", "<", "\u201c"):
        assert raw not in url
    assert "%0A" in url and "%26" in url and "%23" in url and "%F0%9F%9A%80" in url and "%C3%BC" in url


def test_linkedin_keeps_its_share_flag_next_to_the_text():
    query = parse_qs(urlsplit(share_url("linkedin", "a&shareActive=false")).query)
    assert query == {"shareActive": ["true"], "text": ["a&shareActive=false"]}


@pytest.mark.parametrize(
    "typed, server",
    [
        ("mastodon.social", "mastodon.social"),
        ("  Mastodon.Social  ", "mastodon.social"),
        ("https://mastodon.social/@anna", "mastodon.social"),
        ("http://social.example.org/", "social.example.org"),
        ("@anna@norden.social", "norden.social"),
        ("anna@norden.social", "norden.social"),
        ("chaos.social/about", "chaos.social"),
        ("mastodon.bayern", "mastodon.bayern"),
    ],
)
def test_the_mastodon_server_is_normalised(typed, server):
    assert normalise_instance(typed) == server
    assert urlsplit(share_url("mastodon", "hi", instance=typed)).hostname == server


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        None,
        "localhost",
        "mastodon",
        "javascript:alert(1)",
        "mastodon.social:8443",
        "-bad.example",
        "mast odon.social",
        "mastodon..social",
        "https://",
        "x" * 300 + ".social",
    ],
)
def test_a_mastodon_server_that_is_not_a_host_is_refused(typed):
    with pytest.raises(ShareError):
        normalise_instance(typed)
    with pytest.raises(ShareError):
        share_url("mastodon", "hi", instance=typed)


def test_an_unknown_platform_is_refused():
    with pytest.raises(ShareError):
        share_url("myspace", "hi")


# --- the length check -------------------------------------------------------------------------

LONG_LINK = "https://example.com/" + "very-long-path/" * 10  # far more than 23 characters


@pytest.mark.parametrize("platform, limit", [(platform.key, platform.limit) for platform in PLATFORMS])
def test_plain_text_fits_at_exactly_the_limit_and_not_one_over(platform, limit):
    assert fits(platform, "ä" * limit) == (limit, limit, True)
    assert fits(platform, "ä" * (limit + 1)) == (limit + 1, limit, False)


def test_an_emoji_weighs_two_on_x_and_is_one_grapheme_on_bluesky():
    assert fits("x", "🚀" * 140)[2] is True
    assert fits("x", "🚀" * 141)[2] is False
    family = "👩\u200d👩\u200d👧"  # five code points, one character on screen
    assert fits("bluesky", family * 300) == (300, 300, True)
    assert fits("x", family * 140)[2] is True


@pytest.mark.parametrize("platform", ["x", "mastodon"])
def test_a_link_counts_23_characters_on_x_and_mastodon(platform):
    limit = BY_KEY[platform].limit
    at_limit = "a" * (limit - 23 - 1) + " " + LONG_LINK
    assert len(at_limit) > limit
    assert fits(platform, at_limit) == (limit, limit, True)
    assert fits(platform, "a" + at_limit) == (limit + 1, limit, False)


def test_two_links_count_23_each():
    text = "See https://example.com/one and https://example.org/" + "two" * 40
    assert count_characters(text, "x") == len("See  and ") + 2 * 23


@pytest.mark.parametrize("platform", ["bluesky", "linkedin"])
def test_a_link_counts_as_typed_on_bluesky_and_linkedin(platform):
    limit = BY_KEY[platform].limit
    text = LONG_LINK + "a" * (limit - len(LONG_LINK))
    assert fits(platform, text) == (limit, limit, True)
    assert fits(platform, text + "a")[2] is False


# --- the publish page shows the same checks and links -----------------------------------------


@pytest.fixture
def ready_piece(course_page):
    world = make_world(course_page)
    piece = get_or_start(world.anna, world.lesson, world.assignment_id)
    piece.ready_to_publish = True
    piece.save()
    return world, piece


def publish_page(client, piece):
    return BeautifulSoup(client.get(reverse("lessons:publish", args=[piece.pk])).content, "html.parser")


def test_the_publish_page_links_carry_the_text_and_open_in_a_new_tab(client, ready_piece):
    world, piece = ready_piece
    save_draft(piece.pk, title="", body=TRICKY, base_version=0)
    client.force_login(world.anna.user)
    session = client.session
    session["klartext_mastodon_instance"] = "norden.social"
    session.save()

    soup = publish_page(client, piece)

    for platform in ("linkedin", "x", "bluesky", "mastodon"):
        link = soup.select_one(f'[data-platform="{platform}"] a[target="_blank"]')
        assert link is not None, platform
        assert "noopener" in link["rel"]
        assert parse_qs(urlsplit(link["href"]).query)["text"] == [TRICKY]
    assert urlsplit(soup.select_one('[data-platform="mastodon"] a')["href"]).hostname == "norden.social"


@pytest.mark.parametrize(
    "body, platform, used, ok",
    [
        ("a" * 256 + " " + LONG_LINK, "x", 280, True),
        ("a" * 257 + " " + LONG_LINK, "x", 281, False),
        ("b" * 300, "bluesky", 300, True),
        ("b" * 301, "bluesky", 301, False),
        ("c" * 476 + " " + LONG_LINK, "mastodon", 500, True),
        ("c" * 477 + " " + LONG_LINK, "mastodon", 501, False),
        ("d" * 3000, "linkedin", 3000, True),
        ("d" * 3001, "linkedin", 3001, False),
    ],
)
def test_the_publish_page_length_check_is_the_platforms(client, ready_piece, body, platform, used, ok):
    world, piece = ready_piece
    save_draft(piece.pk, title="", body=body, base_version=0)
    client.force_login(world.anna.user)

    fit = publish_page(client, piece).select_one(f'[data-platform="{platform}"] .platform-fit')

    assert int(fit["data-used"]) == used
    assert int(fit["data-limit"]) == BY_KEY[platform].limit
    assert ("fits" in fit["class"]) is ok
    assert ("too many" in fit.get_text()) is (not ok)
