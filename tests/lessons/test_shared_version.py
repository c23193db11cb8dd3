"""Readers see the version the author shared, not what the author writes afterwards: an
executive revising after her circle's responses does not show them a half-done rewrite. Sharing
again shares the latest version."""

import pytest
from django.urls import reverse

from lessons import writing
from tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(course_page):
    return make_world(course_page)


def shared_then_revised(world):
    piece = writing.get_or_start(world.anna, world.lesson, world.assignment_id)
    piece = writing.save_draft(piece.pk, title="Listening", body="What I heard this week.", base_version=0).submission
    piece = writing.share(piece)
    revised = writing.save_draft(
        piece.pk, title="Listening, rewritten", body="HALF-DONE rewrite", base_version=piece.version
    )
    return revised.submission


def test_a_reader_sees_the_shared_version_while_the_author_rewrites(client, world):
    piece = shared_then_revised(world)
    assert (piece.version, piece.shared_version) == (2, 1)

    client.force_login(world.ben.user)
    page = client.get(reverse("circle:piece", args=[piece.pk])).content.decode()
    assert "What I heard this week." in page and "Listening" in page
    assert "HALF-DONE" not in page and "rewritten" not in page
    feed = client.get(reverse("circle:feed", args=[world.cohort.pk])).content.decode()
    assert "What I heard this week." in feed
    assert "HALF-DONE" not in feed and "rewritten" not in feed


def test_the_author_is_told_which_version_readers_see_and_can_share_the_new_one(client, world):
    piece = shared_then_revised(world)
    client.force_login(world.anna.user)
    own = client.get(reverse("circle:piece", args=[piece.pk])).content.decode()
    assert "Your readers see version 1" in own
    editor = client.get(reverse("lessons:editor", args=[piece.pk])).content.decode()
    assert "Your readers see version 1." in editor and "Share this version" in editor

    response = client.post(reverse("lessons:share", args=[piece.pk]), {"visibility": piece.visibility})
    assert response.status_code == 302
    piece.refresh_from_db()
    assert piece.shared_version == 2

    client.force_login(world.ben.user)
    page = client.get(reverse("circle:piece", args=[piece.pk])).content.decode()
    assert "HALF-DONE rewrite" in page and "Listening, rewritten" in page


def test_the_facilitator_reviews_the_latest_version(admin_client, world):
    piece = shared_then_revised(world)
    page = admin_client.get(reverse("lessons_feedback:piece", args=[piece.pk])).content.decode()
    assert "HALF-DONE rewrite" in page
