"""Publishing belongs to the writer: it waits for the facilitator's "ready" only where the
assignment says so; a recorded post is an https address on the platform's own host, recorded
once, and can be corrected or removed."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from lessons import writing
from lessons.models import PostLog, SubmissionState
from lessons.writing import get_or_start, save_draft
from tests.factories import make_lesson, make_world

POST_URL = "https://www.linkedin.com/posts/anna_listening-1"


@pytest.fixture(autouse=True)
def midday():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC), tick=True):
        yield


@pytest.fixture
def world(course_page):
    return make_world(course_page)


def start(world, lesson=None):
    lesson = lesson or world.lesson
    piece = get_or_start(world.anna, lesson, lesson.writing_assignments[0][0])
    save_draft(piece.pk, title="Listening", body="What I learned about listening.", base_version=0)
    piece.refresh_from_db()
    return piece


@pytest.fixture
def piece(world):
    return start(world)


@pytest.fixture
def anna(client, world):
    client.force_login(world.anna.user)
    return client


def record(client, piece, url, platform="linkedin"):
    return client.post(
        reverse("lessons:publish", args=[piece.pk]),
        {"action": "record", "url": url, "platform": platform, "posted_on": timezone.localdate().isoformat()},
    )


def test_a_member_publishes_a_shared_piece_without_waiting_for_ready(anna, world, piece):
    writing.share(piece)
    assert record(anna, piece, POST_URL).status_code == 302
    piece.refresh_from_db()
    assert piece.state == SubmissionState.PUBLISHED


def test_an_assignment_can_make_publishing_wait_for_ready(anna, world, course_page):
    lesson = make_lesson(course_page, "Careful", assignment={"wait_for_ready": True})
    piece = start(world, lesson)
    with pytest.raises(writing.WritingError) as refused:
        writing.record_post(world.anna, url=POST_URL, platform="linkedin", submission=piece)
    assert refused.value.code == "not_ready"

    writing.give_feedback(piece, world.facilitator.user, "Go.", "ready")
    piece.refresh_from_db()
    assert record(anna, piece, POST_URL).status_code == 302
    assert PostLog.objects.filter(submission=piece).count() == 1


@pytest.mark.parametrize(
    "url, platform, message",
    [
        ("linkedin.com/posts/x", "linkedin", "starting with https://"),
        ("http://www.linkedin.com/posts/x", "linkedin", "starting with https://"),
        ("https://x.com/anna/status/1", "linkedin", "not an address on LinkedIn"),
        ("https://evil-linkedin.com/posts/x", "linkedin", "not an address on LinkedIn"),
        ("https://www.linkedin.com/posts/x", "bluesky", "not an address on Bluesky"),
    ],
)
def test_a_post_address_must_be_https_on_the_platforms_host(anna, piece, url, platform, message):
    response = record(anna, piece, url, platform)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not PostLog.objects.exists()
    with pytest.raises(writing.WritingError):
        writing.record_post(piece.membership, url=url, platform=platform, submission=piece)


@pytest.mark.parametrize(
    "url, platform",
    [
        ("https://www.linkedin.com/posts/anna-1", "linkedin"),
        ("https://lnkd.in/abc", "linkedin"),
        ("https://twitter.com/anna/status/1", "x"),
        ("https://bsky.app/profile/anna/post/1", "bluesky"),
        ("https://social.example.org/@anna/1", "mastodon"),  # every server is its own host
        ("https://anna.example.com/blog/listening", "blog"),
    ],
)
def test_an_address_on_the_platforms_own_host_is_recorded(anna, piece, url, platform):
    assert record(anna, piece, url, platform).status_code == 302
    assert PostLog.objects.get().url == url


def test_the_same_post_is_not_recorded_twice(anna, piece):
    record(anna, piece, POST_URL)
    response = record(anna, piece, POST_URL)
    assert response.status_code == 422
    assert "already recorded" in response.content.decode()
    assert PostLog.objects.count() == 1


@pytest.mark.parametrize(
    "again",
    [
        POST_URL + "#comments",
        POST_URL + "/",
        POST_URL + "?utm_source=share&utm_medium=member_desktop",
        POST_URL.replace("https://www.linkedin.com", "HTTPS://WWW.LinkedIn.com"),
    ],
)
def test_the_same_post_by_another_spelling_of_its_address_is_not_recorded_twice(anna, piece, again):
    record(anna, piece, POST_URL)
    response = record(anna, piece, again)
    assert response.status_code == 422
    assert "already recorded" in response.content.decode()
    assert PostLog.objects.count() == 1


def test_a_post_is_stored_without_its_fragment_and_tracking_but_keeps_its_own_query(anna, piece):
    record(anna, piece, "https://Anna.Example.com/blog/?p=42&utm_campaign=x#top", "blog")
    assert PostLog.objects.get().url == "https://anna.example.com/blog/?p=42"
    response = record(anna, piece, "https://anna.example.com/blog/?p=43", "blog")  # another post
    assert response.status_code == 302
    assert PostLog.objects.count() == 2


def test_a_recorded_post_can_be_corrected(anna, piece):
    record(anna, piece, POST_URL)
    post = PostLog.objects.get()
    edit = reverse("lessons:post_edit", args=[post.pk])
    assert POST_URL in anna.get(reverse("lessons:publish", args=[piece.pk])).content.decode()
    assert edit in anna.get(reverse("lessons:publish", args=[piece.pk])).content.decode()

    refused = anna.post(edit, {"url": "linkedin.com/posts/y", "platform": "linkedin", "posted_on": post.posted_on})
    assert refused.status_code == 422
    assert "starting with https://" in refused.content.decode()

    fixed = "https://www.linkedin.com/posts/anna_listening-2"
    response = anna.post(edit, {"url": fixed, "platform": "linkedin", "posted_on": post.posted_on.isoformat()})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.url == fixed


def test_removing_the_only_post_unpublishes_the_piece(anna, piece):
    writing.share(piece)
    record(anna, piece, POST_URL)
    post = PostLog.objects.get()

    response = anna.post(reverse("lessons:post_remove", args=[post.pk]))

    assert response.status_code == 302
    assert not PostLog.objects.exists()
    piece.refresh_from_db()
    assert (piece.state, piece.published_at) == (SubmissionState.SHARED, None)


def test_nobody_corrects_or_removes_someone_elses_post(client, world, piece):
    writing.record_post(world.anna, url=POST_URL, platform="linkedin", submission=piece)
    post = PostLog.objects.get()
    client.force_login(world.ben.user)
    assert client.get(reverse("lessons:post_edit", args=[post.pk])).status_code == 404
    assert client.post(reverse("lessons:post_remove", args=[post.pk])).status_code == 404
    assert PostLog.objects.exists()
