"""/write/ lists all my pieces with where they stand, when they last changed, the latest feedback
and how many responses they have; assignment titles follow my language in "My writing", the
circle feed and the editor."""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lessons import writing
from lessons.models import Submission
from tests.factories import MembershipFactory, make_lesson, make_world, translate_page


@pytest.fixture(autouse=True)
def midday():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC), tick=True):
        yield


@pytest.fixture
def world(course_page):
    return make_world(course_page)


def write(membership, lesson, assignment_id, text="Text.", *, share=False):
    piece = writing.get_or_start(membership, lesson, assignment_id)
    piece = writing.save_draft(piece.pk, title="", body=text, base_version=piece.version).submission
    return writing.share(piece) if share else piece


def my_writing(client, membership):
    client.force_login(membership.user)
    response = client.get(reverse("lessons:mine"))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_my_writing_lists_each_piece_with_standing_feedback_and_responses(client, world):
    piece = write(world.anna, world.lesson, world.assignment_id, share=True)
    writing.respond(piece, world.ben, "Heard.")
    writing.respond(piece, world.cleo, "Me too.")
    writing.give_feedback(piece, world.facilitator.user, "Cut the first paragraph.", "revise")

    soup = my_writing(client, world.anna)

    item = soup.select_one(f'.my-piece[data-piece="{piece.pk}"]')
    assert item["data-standing"] == "revise"
    text = " ".join(item.get_text().split())
    assert "Feedback: revise" in text
    assert "Cut the first paragraph." in text
    assert "2 responses" in text
    assert item.select_one("time")["datetime"].startswith("2026-11-2")
    assert item.select_one("a.btn")["href"] == reverse("lessons:editor", args=[piece.pk]) + "#feedback-heading"
    # only my own pieces
    assert my_writing(client, world.ben).select(".my-piece") == []


def test_my_writing_is_reachable_from_the_navigation_and_empty_for_a_new_member(client, world):
    soup = my_writing(client, world.anna)
    assert soup.select_one(f'header a[href="{reverse("lessons:mine")}"]') is not None
    assert "Nothing written yet" in soup.get_text()


def test_my_writing_costs_the_same_queries_however_many_pieces(client, world, course_page, django_assert_num_queries):
    write(world.anna, world.lesson, world.assignment_id)
    client.force_login(world.anna.user)
    client.get(reverse("lessons:mine"))
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("lessons:mine"))
    queries = len(first)
    for n in range(4):
        lesson = make_lesson(course_page, f"More {n}")
        write(world.anna, lesson, lesson.writing_assignments[0][0], share=True)
    with django_assert_num_queries(queries):
        client.get(reverse("lessons:mine"))


@pytest.fixture
def german_lesson(world, home_page, course_page):
    translate_page(home_page, "de", title="Klartext")
    translate_page(course_page, "de", title="Digitale Präsenz")
    return translate_page(
        world.lesson, "de", title="Wer bin ich?", assignment_titles={world.assignment_id: "Schreiben Sie über sich"}
    )


def test_assignment_titles_follow_the_members_language(client, world, german_lesson):
    world.anna.user.language = "de"
    world.anna.user.save(update_fields=["language"])
    piece = write(world.anna, world.lesson, world.assignment_id, share=True)
    assert piece.assignment_title == "Write about Who am I"  # stored as started, in English

    assert "Schreiben Sie über sich" in my_writing(client, world.anna).select_one(".piece-assignment").get_text()
    editor = client.get(reverse("lessons:editor", args=[piece.pk])).content.decode()
    assert "Schreiben Sie über sich" in editor
    feed = client.get(reverse("circle:feed", args=[world.cohort.pk])).content.decode()
    assert "Schreiben Sie über sich" in feed and "Write about Who am I" not in feed

    # an English reader of the same feed reads the English title
    client.force_login(world.ben.user)
    assert "Write about Who am I" in client.get(reverse("circle:feed", args=[world.cohort.pk])).content.decode()


@pytest.mark.django_db
def test_a_piece_of_ones_own_is_named_by_its_first_words_and_is_no_assignment_with_a_removed_lesson(client):
    membership = MembershipFactory()
    piece = writing.start_free_piece(membership, "reply-1", body="Three conversations with customers this week. " * 3)
    assert str(piece) == "Three conversations with customers this week. Three convers…"
    assert piece.is_free

    client.force_login(membership.user)
    html = client.get(reverse("lessons:editor", args=[piece.pk])).content.decode()
    assert "Your own post" in html
    assert "has been removed" not in html
    assert f"#{piece.pk}" not in html

    assert str(Submission(membership=membership, assignment_id="free-x", body="")) == "Untitled"
