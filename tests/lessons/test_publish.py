"""Publishing a piece the facilitator marked ready, and logging public posts made outside the
assignments."""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from lessons.models import PostLog, SubmissionState
from lessons.writing import get_or_start, save_draft
from tests.factories import make_lesson, make_world

POST_URL = "https://www.linkedin.com/posts/anna_leadership-activity-1234"


@pytest.fixture(autouse=True)
def a_day_with_one_date_everywhere():
    """The forms and tests name "today" in the test zone (Tokyo), the rules in the member's: a
    moment when both have the same date, or the tests fail in the evening, UTC."""
    with time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC), tick=True):
        yield


@pytest.fixture
def world(course_page):
    return make_world(course_page)


@pytest.fixture
def piece(world):
    piece = get_or_start(world.anna, world.lesson, world.assignment_id)
    save_draft(piece.pk, title="Listening", body="What I learned about listening.", base_version=0)
    piece.refresh_from_db()
    return piece


@pytest.fixture
def ready(piece):
    piece.ready_to_publish = True
    piece.save(update_fields=["ready_to_publish"])
    return piece


@pytest.fixture
def anna(client, world):
    client.force_login(world.anna.user)
    return client


def publish_url(piece):
    return reverse("lessons:publish", args=[piece.pk])


@pytest.fixture
def waiting_piece(world, course_page):
    """A piece for an assignment whose publishing waits for the facilitator's "ready"."""
    lesson = make_lesson(course_page, "Careful", assignment={"wait_for_ready": True})
    piece = get_or_start(world.anna, lesson, lesson.writing_assignments[0][0])
    save_draft(piece.pk, title="Careful", body="Something to check first.", base_version=0)
    piece.refresh_from_db()
    return piece


def test_by_default_the_writer_publishes_without_waiting_for_ready(anna, piece):
    assert not piece.ready_to_publish
    response = anna.get(publish_url(piece))
    assert response.status_code == 200
    editor = anna.get(reverse("lessons:editor", args=[piece.pk])).content.decode()
    assert publish_url(piece) in editor
    assert "You decide when it is ready" in editor


def test_where_the_assignment_says_so_publishing_waits_for_ready(anna, waiting_piece):
    piece = waiting_piece
    response = anna.get(publish_url(piece), follow=True)
    assert response.redirect_chain == [(reverse("lessons:editor", args=[piece.pk]), 302)]
    assert "ready to publish" in response.content.decode()
    assert publish_url(piece) not in response.content.decode()
    # and nothing can be recorded through it
    anna.post(publish_url(piece), {"action": "record", "url": POST_URL, "platform": "linkedin"})
    assert not PostLog.objects.exists()


def test_a_ready_piece_gets_the_publish_page_with_its_text_and_a_copy_button(anna, ready):
    response = anna.get(publish_url(ready))

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find(id="publish-text").get_text().strip() == "What I learned about listening."
    assert soup.find("button", attrs={"data-copy-target": "publish-text"}) is not None
    # the editor links to it
    editor = anna.get(reverse("lessons:editor", args=[ready.pk])).content.decode()
    assert publish_url(ready) in editor


def test_recording_the_public_url_publishes_the_piece(anna, world, ready):
    response = anna.post(
        publish_url(ready),
        {"action": "record", "url": POST_URL, "platform": "linkedin", "posted_on": timezone.localdate().isoformat()},
    )

    assert response.status_code == 302
    post = PostLog.objects.get()
    assert (post.membership, post.submission, post.url, post.platform) == (world.anna, ready, POST_URL, "linkedin")
    ready.refresh_from_db()
    assert ready.state == SubmissionState.PUBLISHED
    assert ready.published_at is not None
    assert POST_URL in anna.get(publish_url(ready)).content.decode()


def test_a_url_without_scheme_is_refused_with_a_clear_message(anna, ready):
    response = anna.post(
        publish_url(ready),
        {
            "action": "record",
            "url": "linkedin.com/posts/x",
            "platform": "linkedin",
            "posted_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 422
    assert "Paste the full address of your post, starting with https://." in response.content.decode()
    assert not PostLog.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"url": "not a url", "platform": "linkedin"}, "starting with https://"),
        ({"url": "javascript:alert(1)", "platform": "linkedin"}, "starting with https://"),
        ({"url": POST_URL, "platform": "myspace"}, "Select a valid choice"),
        ({"url": POST_URL, "platform": "linkedin", "posted_on": "2999-01-01"}, "cannot be in the future"),
        ({"url": POST_URL, "platform": "linkedin", "posted_on": "yesterday"}, "Enter a valid date"),
    ],
)
def test_bad_post_details_are_refused_with_a_message(anna, ready, data, message):
    data = {"action": "record", "posted_on": timezone.localdate().isoformat(), **data}
    response = anna.post(publish_url(ready), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not PostLog.objects.exists()
    ready.refresh_from_db()
    assert ready.state != SubmissionState.PUBLISHED


def test_the_mastodon_server_is_asked_once_and_remembered(anna, ready):
    soup = BeautifulSoup(anna.get(publish_url(ready)).content, "html.parser")
    assert soup.select_one('[data-platform="mastodon"] a[target="_blank"]') is None
    assert soup.find("input", attrs={"name": "instance"}) is not None

    response = anna.post(publish_url(ready), {"action": "mastodon", "instance": "https://Norden.Social/@anna"})
    assert response.status_code == 302

    soup = BeautifulSoup(anna.get(publish_url(ready)).content, "html.parser")
    link = soup.select_one('[data-platform="mastodon"] a[target="_blank"]')
    assert link["href"].startswith("https://norden.social/share?text=")
    assert soup.find("input", attrs={"name": "instance"}) is None


def test_a_mastodon_server_that_is_not_a_host_is_refused_with_a_message(anna, ready):
    response = anna.post(publish_url(ready), {"action": "mastodon", "instance": "javascript:alert(1)"})
    assert response.status_code == 422
    assert "mastodon.social" in response.content.decode()  # the example in the message
    assert "klartext_mastodon_instance" not in anna.session


def test_nobody_else_can_publish_a_piece(client, world, ready):
    client.force_login(world.ben.user)
    assert client.get(publish_url(ready)).status_code == 404
    client.post(publish_url(ready), {"action": "record", "url": POST_URL, "platform": "linkedin"})
    assert not PostLog.objects.exists()


# --- posts outside the assignments ------------------------------------------------------------


def test_a_post_outside_the_assignments_is_logged_for_the_members_cohort(anna, world):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    response = anna.post(
        reverse("lessons:posts"),
        {"membership": world.anna.pk, "url": "https://x.com/anna/status/1", "platform": "x", "posted_on": yesterday},
    )

    assert response.status_code == 302
    post = PostLog.objects.get()
    assert (post.membership, post.submission, post.platform, post.posted_on) == (world.anna, None, "x", yesterday)
    listing = anna.get(reverse("lessons:posts")).content.decode()
    assert "https://x.com/anna/status/1" in listing


def test_a_member_of_one_cohort_does_not_have_to_choose_it(anna, world):
    soup = BeautifulSoup(anna.get(reverse("lessons:posts")).content, "html.parser")
    field = soup.find(attrs={"name": "membership"})
    assert field.name == "input" and field["type"] == "hidden" and field["value"] == str(world.anna.pk)


def test_a_post_cannot_be_logged_for_someone_elses_membership(anna, world):
    response = anna.post(
        reverse("lessons:posts"),
        {
            "membership": world.outsider.pk,
            "url": "https://x.com/a/status/1",
            "platform": "x",
            "posted_on": timezone.localdate(),
        },
    )
    assert response.status_code == 422
    assert not PostLog.objects.exists()


def test_the_post_list_shows_only_the_members_own_posts(client, world, django_assert_num_queries):
    def log(membership, n):
        PostLog.objects.create(
            membership=membership,
            url=f"https://example.com/{membership.pk}/{n}",
            platform="blog",
            posted_on=timezone.localdate(),
        )

    for membership in (world.anna, world.ben, world.outsider):
        log(membership, 0)
    client.force_login(world.anna.user)
    client.get(reverse("lessons:posts"))
    with django_assert_num_queries(7):
        html = client.get(reverse("lessons:posts")).content.decode()
    assert f"https://example.com/{world.anna.pk}/0" in html
    assert f"https://example.com/{world.ben.pk}/0" not in html
    assert f"https://example.com/{world.outsider.pk}/0" not in html

    for n in range(1, 20):
        log(world.anna, n)
    with django_assert_num_queries(7):  # the count does not grow with the posts
        html = client.get(reverse("lessons:posts")).content.decode()
    assert f"https://example.com/{world.anna.pk}/19" in html


def test_someone_in_no_cohort_sees_an_explanation_not_a_form(client, consultant):
    client.force_login(consultant)
    response = client.get(reverse("lessons:posts"))
    assert response.status_code == 200
    assert "not in a cohort" in response.content.decode()
    response = client.post(reverse("lessons:posts"), {"url": "https://x.com/a", "platform": "x"})
    assert not PostLog.objects.exists()


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_posted_on_date_is_prefilled_in_the_format_a_date_input_accepts(anna, ready, language):
    # A localised value such as 22.11.2026 would leave the date input empty and the form refused.
    response = anna.get(publish_url(ready), HTTP_ACCEPT_LANGUAGE=language)
    value = BeautifulSoup(response.content, "html.parser").find(id="id_posted_on")["value"]
    assert datetime.date.fromisoformat(value) == timezone.localdate(timezone=ready.membership.zone)


# --- hardening: https addresses and sensible dates ---------------------------------------


@pytest.mark.parametrize(
    "post_url, accepted",
    [
        ("ftp://example.test/post", False),
        ("ftps://example.test/post", False),
        ("http://www.linkedin.com/posts/1", False),
        ("file:///etc/passwd", False),
        ("www.linkedin.com/posts/anna-1", False),  # no scheme: refused, not guessed
        (POST_URL, True),
    ],
)
def test_only_https_post_addresses_are_recorded(anna, ready, post_url, accepted):
    data = {"action": "record", "url": post_url, "platform": "linkedin", "posted_on": timezone.localdate().isoformat()}

    response = anna.post(publish_url(ready), data)

    assert PostLog.objects.exists() is accepted
    if not accepted:
        assert response.status_code == 422
        assert "https://" in response.content.decode()
        assert post_url in response.content.decode()  # what was typed stays in the form


@pytest.mark.parametrize(
    "days_before_start, accepted",
    [(None, False), (1, False), (0, True)],  # None: 0001-01-01
)
def test_a_post_date_before_the_cohort_started_is_refused(anna, world, ready, days_before_start, accepted):
    start = world.cohort.start_date
    posted_on = datetime.date(1, 1, 1) if days_before_start is None else start - datetime.timedelta(days_before_start)
    data = {"action": "record", "url": POST_URL, "platform": "linkedin", "posted_on": posted_on.isoformat()}

    response = anna.post(publish_url(ready), data)

    assert PostLog.objects.exists() is accepted
    if not accepted:
        assert response.status_code == 422
        assert "before the cohort started" in response.content.decode()


def test_a_post_logged_outside_the_assignments_needs_https_and_a_date_in_the_cohort(anna, world):
    url = reverse("lessons:posts")
    base = {"membership": world.anna.pk, "platform": "linkedin", "posted_on": timezone.localdate().isoformat()}

    assert anna.post(url, {**base, "url": "ftp://example.test/x"}).status_code == 422
    assert anna.post(url, {**base, "url": POST_URL, "posted_on": "0001-01-01"}).status_code == 422
    assert not PostLog.objects.exists()
    assert anna.post(url, {**base, "url": POST_URL}).status_code == 302
