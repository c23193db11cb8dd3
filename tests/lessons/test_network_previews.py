"""The publish page and the editor show each network's text and preview from the one conversion:
no Markdown reaches the hand-off, the copy button, the share links or the counter."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from bs4 import BeautifulSoup, NavigableString
from django.urls import reverse

from lessons.models import SubmissionVersion
from lessons.network_text import plain_text
from lessons.platforms import count_characters
from lessons.writing import get_or_start, save_draft
from tests.factories import make_world

BODY = "I *really* mean it.\n\n- first point\n- second, see [the notes](https://example.com/notes)\n\nThanks."
LONG = " ".join(f"Sentence {n} is about what I learned this week at work." for n in range(40))


@pytest.fixture(autouse=True)
def midday_in_berlin():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC), tick=True):
        yield


@pytest.fixture
def world(course_page):
    return make_world(course_page)


def piece_with(world, body):
    piece = get_or_start(world.anna, world.lesson, world.assignment_id)
    save_draft(piece.pk, title="Points", body=body, base_version=0)
    piece.refresh_from_db()
    return piece


def publish_page(client, world, piece):
    client.force_login(world.anna.user)
    response = client.get(reverse("lessons:publish", args=[piece.pk]))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_the_hand_off_and_copy_button_carry_plain_text_not_markdown(client, world):
    piece = piece_with(world, BODY)
    soup = publish_page(client, world, piece)

    copied = soup.find(id="publish-text").get_text().strip()
    assert copied == plain_text(BODY)
    assert "*" not in copied and "\n- " not in copied and "](" not in copied
    assert "– first point" in copied and "the notes (https://example.com/notes)" in copied
    for row in soup.select(".platform-row"):
        link = row.select_one("a[target=_blank]")
        if link is not None:  # Mastodon waits for the member's server
            assert parse_qs(urlsplit(link["href"]).query)["text"] == [copied]
        fit = row.select_one(".platform-fit")
        assert int(fit["data-used"]) == count_characters(copied, row["data-platform"])


def test_the_publish_page_shows_linkedins_fold_and_a_bluesky_thread(client, world):
    piece = piece_with(world, LONG)
    soup = publish_page(client, world, piece)

    linkedin = soup.select_one('.platform-row[data-platform="linkedin"] [data-fold]')
    assert "…see more" in linkedin.get_text()
    thread = soup.select('.platform-row[data-platform="bluesky"] [data-thread-post] textarea')
    assert len(thread) > 1
    assert all(count_characters(post.get_text(), "bluesky") <= 300 for post in thread)
    assert thread[0].get_text().endswith(f"1/{len(thread)}")
    # each post of the thread has its own copy button
    assert soup.select_one(f'[data-copy-target="{thread[0]["id"]}"]') is not None


def test_the_editor_counts_and_previews_the_text_as_the_network_gets_it(client, world):
    piece = piece_with(world, BODY)
    client.force_login(world.anna.user)
    soup = BeautifulSoup(client.get(reverse("lessons:editor", args=[piece.pk])).content, "html.parser")

    counter = soup.find(id="counter")
    assert int(counter["data-server-count"]) == count_characters(plain_text(BODY), "x")
    previews = soup.select("#network-previews [data-network]")
    assert previews[0]["data-network"] == "x"  # the assignment's network first
    assert "I really mean it." in previews[0].get_text()


def test_the_preview_follows_the_text_being_typed_without_saving_it(client, world):
    piece = piece_with(world, "Old text.")
    client.force_login(world.anna.user)

    response = client.post(reverse("lessons:preview", args=[piece.pk]), {"body": LONG}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    counter = soup.find(id="counter")
    assert counter["hx-swap-oob"] == "true"
    assert int(counter["data-server-count"]) == count_characters(LONG, "x")
    assert "over the X limit" in counter.get_text()
    assert soup.select('#network-previews [data-network="bluesky"] [data-thread-post]')
    assert SubmissionVersion.objects.filter(submission=piece).count() == 1


def test_someone_elses_piece_has_no_preview(client, world):
    piece = piece_with(world, "Mine.")
    client.force_login(world.ben.user)
    assert client.post(reverse("lessons:preview", args=[piece.pk]), {"body": "x"}).status_code == 404


def test_previews_add_no_indentation_or_blank_lines_of_their_own_to_the_post(client, world):
    """A preview keeps the post's line breaks (white-space: pre-wrap), as the network shows them,
    so the markup around the post may not add a space or a line: the editor's LinkedIn preview
    once started with the template's indentation."""
    piece = piece_with(world, BODY + "\n\n" + LONG)
    client.force_login(world.anna.user)
    for url in (reverse("lessons:editor", args=[piece.pk]), reverse("lessons:publish", args=[piece.pk])):
        soup = BeautifulSoup(client.get(url).content, "html.parser")
        assert soup.select(".network-post[data-fold]") and soup.select(".network-post[data-thread-post]"), url
        for post in soup.select(".network-post"):
            loose = [text for text in post.children if isinstance(text, NavigableString) and not text.strip()]
            assert not loose, f"{url}: the markup adds {loose!r} to {str(post)[:120]}"
