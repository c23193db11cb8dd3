"""The facilitator's feedback queue in the Wagtail admin: oldest first, only their cohorts, verdicts,
and what changed after a revision."""

import datetime
import itertools

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Membership
from course.models import User
from lessons import writing
from lessons.models import Feedback, Submission
from lessons.portfolio import own_submissions
from tests.factories import CircleFactory, make_cohort

START = timezone.make_aware(datetime.datetime(2025, 3, 3, 9, 0))
QUEUE_URL = "lessons_feedback:queue"
_numbers = itertools.count(1)


SPRING = {"start_date": datetime.date(2025, 3, 1), "end_date": datetime.date(2025, 6, 30)}


def person(name):
    return User.objects.create_user(email=f"{name.lower()}@example.com", password="pw", full_name=name)


def member(cohort, circle, name):
    return Membership.objects.create(user=person(name), cohort=cohort, role="member", circle=circle)


def facilitator(name, *cohorts):
    user = person(name)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for cohort in cohorts:
        Membership.objects.create(user=user, cohort=cohort, role="facilitator")
    return user


def write(membership, body, *, title="", at=None, visibility=None):
    number = next(_numbers)
    submission = Submission.objects.create(
        membership=membership, assignment_id=f"assignment-{number}", assignment_title=f"Assignment {number}"
    )
    writing.save_draft(submission.pk, title=title, body=body, base_version=0)
    submission.refresh_from_db()
    writing.share(submission, visibility=visibility, now=at or START)
    submission.refresh_from_db()
    return submission


@pytest.fixture
def people(course_page):
    north = make_cohort(course_page, "North", **SPRING)
    north_circle = CircleFactory(cohort=north, name="A")
    south = make_cohort(course_page, "South", **SPRING)
    south_circle = CircleFactory(cohort=south, name="A")
    west = make_cohort(course_page, "West", **SPRING)
    west_circle = CircleFactory(cohort=west, name="A")
    fritz = facilitator("Fritz", north, south)
    gina = facilitator("Gina", west)
    # Fritz is also a plain member of West: that never puts West's pieces in his queue.
    Membership.objects.create(user=fritz, cohort=west, role="member", circle=west_circle)
    return {
        "north": north,
        "south": south,
        "west": west,
        "fritz": fritz,
        "gina": gina,
        "nora": member(north, north_circle, "Nora"),
        "nils": member(north, north_circle, "Nils"),
        "sara": member(south, south_circle, "Sara"),
        "walt": member(west, west_circle, "Walt"),
    }


def queue_titles(client):
    response = client.get(reverse(QUEUE_URL))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [row.select_one("td.title a").get_text(strip=True) for row in soup.select("table.feedback-queue tbody tr")]


def piece_url(submission):
    return reverse("lessons_feedback:piece", args=[submission.pk])


def test_the_queue_lists_pieces_oldest_first_across_the_facilitators_cohorts(client, people):
    write(people["sara"], "x", title="South, day 2", at=START + datetime.timedelta(days=2))
    write(people["nora"], "x", title="North, day 3", at=START + datetime.timedelta(days=3))
    write(people["nils"], "x", title="North, day 1", at=START + datetime.timedelta(days=1))
    write(
        people["nora"],
        "x",
        title="Facilitator only, day 4",
        at=START + datetime.timedelta(days=4),
        visibility="facilitator",
    )
    write(people["walt"], "x", title="West", at=START)

    client.force_login(people["fritz"])

    assert queue_titles(client) == ["North, day 1", "South, day 2", "North, day 3", "Facilitator only, day 4"]


def test_a_queue_row_shows_cohort_author_assignment_shared_date_and_age(client, people):
    piece = write(people["nora"], "x", title="Row", at=timezone.now() - datetime.timedelta(days=3))
    client.force_login(people["fritz"])

    soup = BeautifulSoup(client.get(reverse(QUEUE_URL)).content, "html.parser")
    cells = [cell.get_text(" ", strip=True) for cell in soup.select("table.feedback-queue tbody tr td")]

    assert cells[1:4] == ["North", "Nora", piece.assignment_title]
    assert cells[4]  # the shared date
    assert cells[5].startswith("3")  # "3 days"


def test_staff_see_the_pieces_of_every_cohort(admin_client, people):
    write(people["nora"], "x", title="North", at=START)
    write(people["walt"], "x", title="West", at=START + datetime.timedelta(hours=1))

    assert queue_titles(admin_client) == ["North", "West"]


def test_drafts_published_pieces_and_pieces_with_feedback_are_not_in_the_queue(client, people):
    draft = Submission.objects.create(membership=people["nora"], assignment_id="draft", title="Draft", body="x")
    done = write(people["nora"], "x", title="Has feedback")
    writing.give_feedback(done, people["fritz"], "Good.", "ready")
    published = write(people["nils"], "x", title="Published")
    writing.record_post(people["nils"], url="https://example.com/p", platform="blog", submission=published)
    write(people["sara"], "x", title="Waiting")
    client.force_login(people["fritz"])

    assert queue_titles(client) == ["Waiting"]
    assert client.get(piece_url(draft)).status_code == 404


def test_the_feedback_menu_item_is_shown_to_facilitators_only(client, people):
    editor = person("Editor")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))

    client.force_login(people["fritz"])
    assert reverse(QUEUE_URL) in client.get(reverse("wagtailadmin_home")).content.decode()

    client.force_login(editor)
    assert reverse(QUEUE_URL) not in client.get(reverse("wagtailadmin_home")).content.decode()
    assert queue_titles(client) == []


def test_pieces_of_cohorts_the_user_does_not_facilitate_are_404(client, people):
    west_piece = write(people["walt"], "x", title="West")
    north_piece = write(people["nora"], "x", title="North")

    client.force_login(people["fritz"])
    assert client.get(piece_url(west_piece)).status_code == 404
    assert client.post(piece_url(west_piece), {"body": "Hi", "verdict": "ready", "version": 1}).status_code == 404
    assert not Feedback.objects.exists()

    client.force_login(people["gina"])
    assert client.get(piece_url(north_piece)).status_code == 404
    assert client.get(piece_url(west_piece)).status_code == 200


def test_the_verdict_revise_counts_a_revision_and_ready_marks_the_piece_ready(client, people):
    piece = write(people["nora"], "First try.", title="Piece")
    client.force_login(people["fritz"])

    response = client.post(piece_url(piece), {"body": "Cut the first line.", "verdict": "revise", "version": 1})

    assert response.status_code == 302
    assert response["Location"] == reverse(QUEUE_URL)
    piece.refresh_from_db()
    assert (piece.revision_count, piece.ready_to_publish) == (1, False)
    feedback = Feedback.objects.get(submission=piece)
    assert (feedback.author, feedback.verdict, feedback.version) == (people["fritz"], "revise", 1)
    assert queue_titles(client) == []

    writing.save_draft(piece.pk, title="Piece", body="Second try.", base_version=1)
    assert queue_titles(client) == ["Piece"]
    client.post(piece_url(piece), {"body": "Publish it.", "verdict": "ready", "version": 2})

    piece.refresh_from_db()
    assert (piece.revision_count, piece.ready_to_publish) == (1, True)
    assert queue_titles(client) == []


def test_feedback_needs_comments_and_a_verdict(client, people):
    piece = write(people["nora"], "x", title="Piece")
    client.force_login(people["fritz"])

    for data in ({"body": "", "verdict": "ready"}, {"body": "Fine.", "verdict": ""}, {"body": "Hm", "verdict": "x"}):
        response = client.post(piece_url(piece), {**data, "version": 1})
        assert response.status_code == 200
        assert BeautifulSoup(response.content, "html.parser").select(".error-message, .help-critical, .w-field__errors")

    assert not Feedback.objects.exists()


def test_feedback_on_a_version_that_changed_meanwhile_is_kept_in_the_form_not_saved(client, people):
    piece = write(people["nora"], "Version one.", title="Piece")
    client.force_login(people["fritz"])
    client.get(piece_url(piece))
    writing.save_draft(piece.pk, title="Piece", body="Version two.", base_version=1)

    response = client.post(piece_url(piece), {"body": "About version one.", "verdict": "revise", "version": 1})

    assert response.status_code == 200
    assert not Feedback.objects.exists()
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("textarea[name=body]").get_text().strip() == "About version one."
    assert "saved a new version" in response.content.decode()
    assert soup.select_one("input[name=version]")["value"] == "2"


def test_after_a_revision_the_piece_page_shows_what_changed_since_the_last_feedback(client, people):
    piece = write(people["nora"], "The quick brown fox.\nJumps over <b>the</b> dog.", title="Fox")
    writing.give_feedback(piece, people["fritz"], "Which colour?", "revise")
    writing.save_draft(
        piece.pk, title="Fox", body="The quick red fox.\nJumps over <b>the</b> dog.\nA new line.", base_version=1
    )
    writing.save_draft(
        piece.pk,
        title="Fox",
        body="The quick red fox.\nJumps over <b>the</b> lazy dog.\nA new line.",
        base_version=2,
    )
    client.force_login(people["fritz"])

    soup = BeautifulSoup(client.get(piece_url(piece)).content, "html.parser")
    diff = soup.select_one(".piece-diff")

    assert [tag.get_text() for tag in diff.find_all("del")] == ["brown"]
    assert [tag.get_text().strip() for tag in diff.find_all("ins")] == ["red", "lazy", "A new line."]
    assert diff.find("b") is None  # member text is escaped, not interpreted
    assert "<b>the</b>" in diff.get_text()
    assert "version 1 → 3" in soup.select_one("#diff-heading").get_text()


def test_without_a_revision_there_is_no_diff(client, people):
    piece = write(people["nora"], "Unchanged.", title="Same")
    writing.give_feedback(piece, people["fritz"], "Good.", "revise")
    client.force_login(people["fritz"])

    soup = BeautifulSoup(client.get(piece_url(piece)).content, "html.parser")

    assert soup.select_one(".piece-diff") is None


def test_the_piece_page_shows_the_text_earlier_feedback_and_responses(client, people):
    piece = write(people["nora"], "Some **strong** text.", title="Piece")
    writing.give_feedback(piece, people["fritz"], "Try *shorter*.", "revise")
    writing.respond(piece, people["nils"], "I liked it.")
    leaver = member(people["north"], people["nora"].circle, "Leaver")
    writing.respond(piece, leaver, "Bye.")
    leaver.user.delete()
    client.force_login(people["fritz"])

    soup = BeautifulSoup(client.get(piece_url(piece)).content, "html.parser")

    assert soup.select_one(".piece-body strong").get_text() == "strong"
    assert soup.select_one(".earlier-feedback .feedback-body em").get_text() == "shorter"
    authors = [r.select_one(".help-block").get_text() for r in soup.select(".response")]
    assert authors[0].startswith("Nils")
    assert authors[1].startswith("a former member")


def test_the_portfolio_keeps_feedback_given_here(people):
    piece = write(people["nora"], "x", title="Piece")
    writing.give_feedback(piece, people["fritz"], "Good.", "ready")

    assert [f.body for f in own_submissions(people["nora"].user).get().feedback.all()] == ["Good."]


def _fill(people, count):
    authors = [people["nora"], people["nils"], people["sara"]]
    for index in range(count):
        piece = write(authors[index % 3], "x", title=f"P{index}", at=START + datetime.timedelta(minutes=index))
        if index % 4 == 0:  # revised after feedback: back in the queue
            writing.give_feedback(piece, people["fritz"], "More.", "revise")
            writing.save_draft(piece.pk, title=f"P{index}", body="y", base_version=1)


def test_the_queue_needs_the_same_number_of_queries_for_10_and_100_pieces(client, people, django_assert_num_queries):
    _fill(people, 10)
    client.force_login(people["fritz"])
    client.get(reverse(QUEUE_URL))

    with CaptureQueriesContext(connection) as at_ten:
        assert len(queue_titles(client)) == 10
    _fill(people, 90)
    with django_assert_num_queries(len(at_ten.captured_queries)):
        assert len(queue_titles(client)) == 50


def test_the_member_reads_the_feedbacks_markdown_rendered_in_the_editor(client, people):
    piece = write(people["nora"], "Some text.", title="Piece")
    writing.give_feedback(piece, people["fritz"], "Very good, **concrete**!\n\n- point one\n- point two", "revise")
    client.force_login(people["nora"].user)

    soup = BeautifulSoup(client.get(reverse("lessons:editor", args=[piece.pk])).content, "html.parser")

    feedback = soup.select_one(".feedback-item .feedback-body")
    assert feedback.select_one("strong").get_text() == "concrete"
    assert [item.get_text() for item in feedback.select("li")] == ["point one", "point two"]
    assert "**" not in feedback.get_text()
