"""The member home shows, for this week's lesson and what is overdue, where each of my pieces
stands and the one next step; a published piece leaves "Due soon"; the facilitator's "revise"
shows; a line says when someone responded to me."""

import datetime
import zoneinfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lessons import writing
from lessons.models import PostLog
from tests.factories import CircleFactory, MembershipFactory, make_cohort, make_lesson

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# Tuesday of the second week: lesson 1 (due Thursday last week) is overdue, lesson 2 is this
# week's (due Thursday), lesson 3 opens next Monday.
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def lessons(course_page):
    return [make_lesson(course_page, title, offset=n) for n, title in enumerate(["Who am I", "Voice", "Formats"])]


@pytest.fixture
def cohort(course_page, lessons):
    return make_cohort(
        course_page, "Acme", start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 4, 30), release_hour=8
    )


@pytest.fixture
def circle(cohort):
    return CircleFactory(cohort=cohort)


# Both joined before the start.
JOINED = datetime.datetime(2026, 2, 27, 9, 0, tzinfo=BERLIN)


@pytest.fixture
def jonas(cohort, circle):
    return MembershipFactory(cohort=cohort, circle=circle, user__full_name="Jonas Weber", joined_at=JOINED)


@pytest.fixture
def mira(cohort, circle):
    return MembershipFactory(cohort=cohort, circle=circle, user__full_name="Mira Schulz", joined_at=JOINED)


@pytest.fixture
def fiona(cohort):
    return MembershipFactory(cohort=cohort, facilitator=True, user__full_name="Fiona Facilitator")


def write(membership, lesson, text="A piece.", *, share=False):
    piece = writing.get_or_start(membership, lesson, lesson.writing_assignments[0][0])
    piece = writing.save_draft(piece.pk, title="", body=text, base_version=piece.version).submission
    if share:
        piece = writing.share(piece)
    return piece


def home(client, membership):
    client.force_login(membership.user)
    response = client.get("/")
    assert response.status_code == 200
    return response, BeautifulSoup(response.content, "html.parser")


def rows(soup, selector=".due-list"):
    return {
        item.select_one("strong").get_text(): (item["data-standing"], item.select_one("a.btn").get_text().strip())
        for item in soup.select(f"{selector} .due-item")
    }


def test_nothing_written_yet_shows_this_weeks_and_the_overdue_assignment_to_start(client, jonas, lessons):
    _response, soup = home(client, jonas)
    assert rows(soup) == {
        "Write about Who am I": ("not_started", "Start writing"),
        "Write about Voice": ("not_started", "Start writing"),
    }
    overdue = soup.select_one(".due-item.is-overdue strong").get_text()
    assert overdue == "Write about Who am I"
    start = soup.select_one(".due-item.is-overdue a.btn")["href"]
    block_id = lessons[0].writing_assignments[0][0]
    assert start == reverse("lessons:start", args=[jonas.cohort_id, lessons[0].pk, block_id])


def test_who_joins_after_a_due_date_starts_with_this_weeks_lesson_not_an_overdue_row(client, cohort, circle):
    # Joined on Monday of week two: lesson 1 fell due last Thursday, before they were here.
    late = MembershipFactory(
        cohort=cohort, circle=circle, joined_at=datetime.datetime(2026, 3, 9, 10, 0, tzinfo=BERLIN)
    )
    _response, soup = home(client, late)
    assert rows(soup) == {"Write about Voice": ("not_started", "Start writing")}
    assert soup.select(".due-item.is-overdue") == []


def test_each_piece_shows_where_it_stands_and_its_next_step(client, jonas, fiona, lessons):
    write(jonas, lessons[0])
    write(jonas, lessons[1], share=True)
    _response, soup = home(client, jonas)
    assert rows(soup) == {
        "Write about Who am I": ("draft", "Continue writing"),
        "Write about Voice": ("shared", "Publish it"),
    }

    revise = writing.give_feedback(
        write(jonas, lessons[1], "Better."), fiona.user, "Lead with the example.", "revise"
    ).submission
    _response, soup = home(client, jonas)
    assert rows(soup)["Write about Voice"] == ("revise", "Revise it")
    assert "Lead with the example." in soup.select_one('.due-item[data-standing="revise"]').get_text()

    writing.give_feedback(revise, fiona.user, "Now it works.", "ready")
    _response, soup = home(client, jonas)
    assert rows(soup)["Write about Voice"] == ("ready", "Publish it")


def test_a_published_piece_leaves_due_soon(client, jonas, lessons):
    for lesson in lessons[:2]:
        piece = write(jonas, lesson, share=True)
        writing.record_post(
            jonas, url=f"https://www.linkedin.com/posts/jonas-{lesson.pk}", platform="linkedin", submission=piece
        )
    response, soup = home(client, jonas)

    assert rows(soup) == {}
    assert response.context["due_soon"] == []
    # this week's piece is listed as done; last week's published piece is simply finished
    assert rows(soup, ".done-list") == {"Write about Voice": ("published", "Open it")}


def test_the_home_costs_the_same_queries_however_many_pieces(client, jonas, mira, lessons, django_assert_num_queries):
    client.force_login(jonas.user)
    client.get("/")
    with CaptureQueriesContext(connection) as before:
        response = client.get("/")
    queries = len(before)
    assert response.status_code == 200 and queries > 0
    for lesson in lessons[:2]:
        piece = write(jonas, lesson, share=True)
        writing.respond(piece, mira, "Heard you.")
    PostLog.objects.create(
        membership=jonas, submission=piece, url="https://bsky.app/p/1", platform="bluesky", posted_on=NOW.date()
    )
    client.get("/")
    with django_assert_num_queries(queries):
        client.get("/")


def test_a_line_on_home_says_someone_responded_until_i_look(client, jonas, mira, lessons):
    piece = write(jonas, lessons[1], share=True)
    writing.respond(piece, jonas, "A note to myself.")  # my own response is not news
    _response, soup = home(client, jonas)
    assert soup.select_one(".new-responses") is None

    writing.respond(piece, mira, "This made me think.")
    _response, soup = home(client, jonas)
    line = soup.select_one(".new-responses")
    assert "One new response to your piece" in line.get_text()
    assert line.select_one("a")["href"] == reverse("lessons:editor", args=[piece.pk]) + "#responses-heading"

    # the editor shows the response beside the text, and then it is no longer news
    editor = client.get(reverse("lessons:editor", args=[piece.pk])).content.decode()
    assert "This made me think." in editor
    _response, soup = home(client, jonas)
    assert soup.select_one(".new-responses") is None


def test_my_pieces_and_their_new_responses_come_from_one_query_that_loads_no_lesson_again(client, jonas, mira, lessons):
    piece = write(jonas, lessons[1], share=True)
    writing.respond(piece, mira, "Heard you.")
    client.force_login(jonas.user)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")

    assert "One new response to your piece" in response.content.decode()
    reading_responses = [query["sql"] for query in queries if '"lessons_response"' in query["sql"]]
    assert len(reading_responses) == 1 and 'FROM "lessons_submission"' in reading_responses[0]
    # The schedule's lessons come from the cache (kept by the first request); the pieces take
    # their lessons from the schedule: no lesson row is read at all.
    assert sum('"lessons_lessonpage"."body"' in query["sql"] for query in queries) == 0
