"""The circle feed and piece page: who reads what, unread markers, responding, invitations."""

import datetime
from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Circle, Cohort, Membership
from course.models import User
from lessons import writing
from lessons.models import PeerReview, ReadMarker, Response, Submission
from lessons.visibility import visible_submissions, waiting_for

START = timezone.make_aware(datetime.datetime(2025, 3, 3, 9, 0))


@dataclass
class World:
    cohort: Cohort
    other_cohort: Cohort
    ana: Membership
    ben: Membership
    cem: Membership
    dora: Membership
    eva: Membership  # same cohort, other circle
    olga: Membership  # other cohort
    fritz: Membership  # facilitator of `cohort`
    lesson: object


def person(email, name):
    return User.objects.create_user(email=email, password="pw", full_name=name)


def member(cohort, circle, email, name, role="member"):
    return Membership.objects.create(user=person(email, name), cohort=cohort, role=role, circle=circle)


@pytest.fixture
def world(course_page, lesson_page):
    cohort = Cohort.objects.create(
        course=course_page,
        name="Leadership 2025",
        start_date=datetime.date(2025, 3, 1),
        end_date=datetime.date(2025, 6, 30),
        time_zone="Europe/Berlin",
    )
    other = Cohort.objects.create(
        course=course_page,
        name="Other company",
        start_date=datetime.date(2025, 3, 1),
        end_date=datetime.date(2025, 6, 30),
        time_zone="Europe/Berlin",
    )
    one = Circle.objects.create(cohort=cohort, name="A")
    two = Circle.objects.create(cohort=cohort, name="B")
    elsewhere = Circle.objects.create(cohort=other, name="A")
    fritz = member(cohort, None, "fritz@example.com", "Fritz Facilitator", role="facilitator")
    fritz.user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return World(
        cohort=cohort,
        other_cohort=other,
        ana=member(cohort, one, "ana@example.com", "Ana Arndt"),
        ben=member(cohort, one, "ben@example.com", "Ben Brandt"),
        cem=member(cohort, one, "cem@example.com", "Cem Celik"),
        dora=member(cohort, one, "dora@example.com", "Dora Dietz"),
        eva=member(cohort, two, "eva@example.com", "Eva Engel"),
        olga=member(other, elsewhere, "olga@example.com", "Olga Other"),
        fritz=fritz,
        lesson=lesson_page,
    )


_counter = {"n": 0}


def write(membership, body, *, title="", visibility=None, at=None, share=True, lesson=None):
    """A piece written through the rules: saved as a version, then shared."""
    _counter["n"] += 1
    submission = Submission.objects.create(
        membership=membership,
        lesson=lesson,
        assignment_id=f"assignment-{_counter['n']}",
        assignment_title=f"Assignment {_counter['n']}",
    )
    writing.save_draft(submission.pk, title=title, body=body, base_version=0)
    submission.refresh_from_db()
    if share:
        writing.share(submission, visibility=visibility, now=at or timezone.now())
        submission.refresh_from_db()
    return submission


def login(client, membership):
    client.force_login(membership.user)
    return client


def feed_url(cohort):
    return reverse("circle:feed", args=[cohort.pk])


def piece_url(submission):
    return reverse("circle:piece", args=[submission.pk])


def feed_titles(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return [item.find("a").get_text(strip=True) for item in soup.select("article.circle-piece h3")]


def unread_titles(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return [item.find("a").get_text(strip=True) for item in soup.select("article.circle-piece.is-unread h3")]


def test_the_feed_shows_shared_pieces_newest_first(client, world):
    write(world.ben, "First.", title="Oldest", at=START)
    write(world.cem, "Second.", title="Newest", at=START + datetime.timedelta(days=2))
    write(world.dora, "Third.", title="Middle", at=START + datetime.timedelta(days=1))
    write(world.dora, "Not yet.", title="A draft", share=False)

    response = login(client, world.ana).get(feed_url(world.cohort))

    assert response.status_code == 200
    assert feed_titles(response) == ["Newest", "Middle", "Oldest"]


def test_a_feed_item_names_author_lesson_assignment_excerpt_and_response_count(client, world):
    piece = write(world.ben, "**Bold** start of a long text. " * 30, title="Long", lesson=world.lesson)
    writing.respond(piece, world.cem, "Nice.")
    writing.respond(piece, world.dora, "Agreed.")

    response = login(client, world.ana).get(feed_url(world.cohort))
    item = BeautifulSoup(response.content, "html.parser").select_one("article.circle-piece")

    assert item.select_one(".piece-author").get_text() == "Ben Brandt"
    assert item.select_one(".piece-lesson").get_text() == world.lesson.title
    assert item.select_one(".piece-assignment").get_text() == piece.assignment_title
    excerpt = item.select_one(".piece-excerpt").get_text()
    assert excerpt.startswith("Bold start of a long text.")  # Markdown reduced to plain text
    assert len(excerpt) <= 240
    assert "2 responses" in item.select_one(".response-count").get_text()


def test_a_piece_is_unread_until_opened_and_again_after_a_new_response(client, world):
    piece = write(world.ben, "Hello circle.", title="Hello")
    login(client, world.ana)

    assert unread_titles(client.get(feed_url(world.cohort))) == ["Hello"]

    client.get(piece_url(piece))
    assert unread_titles(client.get(feed_url(world.cohort))) == []

    ReadMarker.objects.filter(membership=world.ana).update(read_at=timezone.now() - datetime.timedelta(hours=1))
    writing.respond(piece, world.cem, "A thought.")
    assert unread_titles(client.get(feed_url(world.cohort))) == ["Hello"]


def test_ones_own_piece_is_never_badged_new_even_after_a_response(client, world):
    piece = write(world.ana, "Mine.", title="Mine")
    login(client, world.ana)
    assert unread_titles(client.get(feed_url(world.cohort))) == []

    writing.respond(piece, world.ben, "Read it.")
    # Home says someone responded; the feed's "New" is for other people's writing.
    assert unread_titles(client.get(feed_url(world.cohort))) == []


def test_after_sharing_a_member_is_invited_to_answer_two_or_three_unanswered_pieces(client, world):
    answered = write(world.ben, "x", title="Answered", at=START)
    writing.respond(answered, world.dora, "Done.")
    write(world.cem, "x", title="Oldest unanswered", at=START + datetime.timedelta(hours=1))
    write(world.dora, "x", title="Second", at=START + datetime.timedelta(hours=2))
    write(world.ben, "x", title="Third", at=START + datetime.timedelta(hours=3))
    write(world.cem, "x", title="Fourth", at=START + datetime.timedelta(hours=4))
    write(world.eva, "x", title="Other circle", visibility="cohort", at=START)
    write(world.dora, "x", title="Facilitator only", visibility="facilitator", at=START)
    mine = write(world.ana, "x", title="Just shared")

    response = login(client, world.ana).get(feed_url(world.cohort) + f"?shared={mine.pk}")
    soup = BeautifulSoup(response.content, "html.parser")
    invitation = soup.select_one(".respond-invitation")

    assert "Just shared" in invitation.h2.get_text()
    assert [a.get_text() for a in invitation.select("li a")] == ["Oldest unanswered", "Second", "Third"]


def test_there_is_no_invitation_without_a_share_of_ones_own(client, world):
    others = write(world.ben, "x", title="Bens")
    write(world.cem, "x", title="Unanswered")
    login(client, world.ana)

    for query in ("", f"?shared={others.pk}", "?shared=nonsense"):
        soup = BeautifulSoup(client.get(feed_url(world.cohort) + query).content, "html.parser")
        assert soup.select_one(".respond-invitation") is None


def test_another_cohorts_pieces_are_never_visible(client, world):
    theirs = write(world.olga, "Other company secrets.", title="Theirs", visibility="cohort")
    write(world.ben, "Ours.", title="Ours", visibility="cohort")
    login(client, world.ana)

    assert feed_titles(client.get(feed_url(world.cohort))) == ["Ours"]
    assert client.get(feed_url(world.other_cohort)).status_code == 404
    assert client.get(piece_url(theirs)).status_code == 404
    assert client.post(reverse("circle:respond", args=[theirs.pk]), {"body": "Hi"}).status_code == 404
    assert not Response.objects.filter(submission=theirs).exists()
    assert list(visible_submissions(world.ana.user, world.other_cohort)) == []


def test_a_facilitator_of_one_cohort_sees_nothing_of_another(client, world):
    theirs = write(world.olga, "x", title="Theirs", visibility="cohort")
    login(client, world.fritz)

    assert client.get(feed_url(world.other_cohort)).status_code == 404
    assert client.get(piece_url(theirs)).status_code == 404


def test_facilitator_only_pieces_are_invisible_to_peers(client, world):
    private = write(world.ben, "Only for Fritz.", title="Private", visibility="facilitator")

    login(client, world.ana)
    assert feed_titles(client.get(feed_url(world.cohort))) == []
    assert client.get(piece_url(private)).status_code == 404
    assert waiting_for(world.ana) == []

    login(client, world.ben)
    assert feed_titles(client.get(feed_url(world.cohort))) == ["Private"]
    assert client.get(piece_url(private)).status_code == 200

    login(client, world.fritz)
    assert feed_titles(client.get(feed_url(world.cohort))) == ["Private"]
    assert client.get(piece_url(private)).status_code == 200


def test_circle_pieces_stay_in_the_circle_and_cohort_pieces_reach_the_cohort(client, world):
    circle_piece = write(world.ben, "x", title="Circle", visibility="circle")
    write(world.cem, "x", title="Cohort", visibility="cohort")

    login(client, world.eva)  # same cohort, other circle
    assert feed_titles(client.get(feed_url(world.cohort))) == ["Cohort"]
    assert client.get(piece_url(circle_piece)).status_code == 404

    login(client, world.ana)
    assert sorted(feed_titles(client.get(feed_url(world.cohort)))) == ["Circle", "Cohort"]


def test_staff_see_everything_shared_but_no_drafts(world, consultant):
    write(world.ben, "x", visibility="facilitator")
    write(world.olga, "x", visibility="circle")
    write(world.cem, "x", share=False)

    assert visible_submissions(consultant, world.cohort).count() == 1
    assert visible_submissions(consultant).count() == 2
    assert visible_submissions(world.ana.user).count() == 0


def test_the_piece_page_renders_the_text_and_responses(client, world):
    piece = write(world.ben, "Some **bold** words.", title="Bold")
    writing.respond(piece, world.cem, "I *liked* it.")

    response = login(client, world.ana).get(piece_url(piece))
    soup = BeautifulSoup(response.content, "html.parser")

    assert soup.select_one(".piece-body strong").get_text() == "bold"
    assert soup.select_one(".response .response-author").get_text() == "Cem Celik"
    assert soup.select_one(".response-body em").get_text() == "liked"
    assert soup.select_one("form#response-form")["action"] == reverse("circle:respond", args=[piece.pk])
    assert ReadMarker.objects.filter(membership=world.ana, submission=piece).exists()


def test_a_response_whose_author_left_shows_a_former_member(client, world):
    piece = write(world.ben, "x", title="x")
    writing.respond(piece, world.cem, "Bye.")
    world.cem.user.delete()

    response = login(client, world.ana).get(piece_url(piece))
    soup = BeautifulSoup(response.content, "html.parser")

    assert soup.select_one(".response .response-author").get_text() == "a former member"


def test_responding_without_javascript_posts_and_comes_back(client, world):
    piece = write(world.ben, "x", title="x")
    login(client, world.ana)

    response = client.post(reverse("circle:respond", args=[piece.pk]), {"body": "Heard you."})

    created = Response.objects.get(submission=piece)
    assert response.status_code == 302
    assert response["Location"] == piece_url(piece) + f"#response-{created.pk}"
    assert created.author == world.ana
    assert "Heard you." in client.get(piece_url(piece)).content.decode()


def test_responding_with_htmx_returns_the_new_response_and_a_fresh_form(client, world):
    piece = write(world.ben, "x", title="x")
    login(client, world.ana)

    response = client.post(reverse("circle:respond", args=[piece.pk]), {"body": "With *htmx*."}, HTTP_HX_REQUEST="true")
    soup = BeautifulSoup(response.content, "html.parser")

    assert response.status_code == 200
    assert soup.select_one("li.response em").get_text() == "htmx"
    form = soup.select_one("form#response-form")
    assert form["hx-swap-oob"] == "true"
    assert form.textarea.get_text() == ""
    assert soup.select_one("#response-count").get_text() == "1"


def test_an_empty_response_is_refused_with_a_message(client, world):
    piece = write(world.ben, "x", title="x")
    login(client, world.ana)

    plain = client.post(reverse("circle:respond", args=[piece.pk]), {"body": "   "})
    htmx = client.post(reverse("circle:respond", args=[piece.pk]), {"body": ""}, HTTP_HX_REQUEST="true")

    assert plain.status_code == 400
    assert BeautifulSoup(plain.content, "html.parser").select_one("#response-form .invalid-feedback")
    htmx_soup = BeautifulSoup(htmx.content, "html.parser")
    assert htmx_soup.select_one("li.response") is None
    assert htmx_soup.select_one("#response-form .invalid-feedback")
    assert not Response.objects.exists()


def test_responding_answers_the_peer_review_and_clears_waiting(client, world):
    piece = write(world.ben, "x", title="Waiting piece")
    reviewers = set(PeerReview.objects.filter(submission=piece).values_list("reviewer_id", flat=True))
    assert len(reviewers) == 2
    reviewer = Membership.objects.get(pk=sorted(reviewers)[0])
    login(client, reviewer)

    assert [review.submission for review in waiting_for(reviewer)] == [piece]
    soup = BeautifulSoup(client.get(feed_url(world.cohort)).content, "html.parser")
    assert "Waiting piece" in soup.select_one(".waiting-for-you").get_text()

    client.post(reverse("circle:respond", args=[piece.pk]), {"body": "Here."})

    assert waiting_for(reviewer) == []
    soup = BeautifulSoup(client.get(feed_url(world.cohort)).content, "html.parser")
    assert soup.select_one(".waiting-for-you") is None


def test_a_facilitator_reads_but_does_not_respond_in_the_circle(client, world):
    piece = write(world.ben, "x", title="x")
    login(client, world.fritz)

    assert BeautifulSoup(client.get(piece_url(piece)).content, "html.parser").select_one("#response-form") is None
    assert client.post(reverse("circle:respond", args=[piece.pk]), {"body": "Hi"}).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    piece = write(world.ben, "x", title="x")

    for url in (feed_url(world.cohort), piece_url(piece), reverse("circle:index")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_circle_index_goes_to_the_members_feed(client, world):
    response = login(client, world.ana).get(reverse("circle:index"))

    assert response["Location"] == feed_url(world.cohort)


def _fill(world, count, start_index=0):
    """`count` shared pieces from Ana's circle-mates, with responses and read markers mixed in."""
    authors = [world.ben, world.cem, world.dora]
    for index in range(start_index, start_index + count):
        piece = write(
            authors[index % 3],
            f"Piece {index} with *some* text.",
            title=f"Piece {index}",
            at=START + datetime.timedelta(minutes=index),
            lesson=world.lesson if index % 2 else None,
        )
        if index % 3 == 0:
            writing.respond(piece, world.ana, "Answer.")
        if index % 4 == 0:
            ReadMarker.objects.create(membership=world.ana, submission=piece, read_at=timezone.now())


def test_the_feed_needs_the_same_number_of_queries_for_10_and_100_pieces(client, world, django_assert_num_queries):
    mine = write(world.ana, "Mine.", title="Mine")
    _fill(world, 10)
    url = feed_url(world.cohort) + f"?shared={mine.pk}"
    login(client, world.ana)
    client.get(url)  # warm caches (content types, site root)

    with CaptureQueriesContext(connection) as at_ten:
        assert client.get(url).status_code == 200
    _fill(world, 90, start_index=10)
    with django_assert_num_queries(len(at_ten.captured_queries)):
        response = client.get(url)

    assert len(feed_titles(response)) == 20
    assert len(at_ten.captured_queries) <= 12


def test_the_piece_page_needs_the_same_number_of_queries_for_few_and_many_responses(
    client, world, django_assert_num_queries
):
    piece = write(world.ben, "x", title="x")
    for _ in range(3):
        writing.respond(piece, world.cem, "Again.")
    login(client, world.ana)
    client.get(piece_url(piece))

    with CaptureQueriesContext(connection) as few:
        client.get(piece_url(piece))
    for _ in range(30):
        writing.respond(piece, world.dora, "More.")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(piece_url(piece))


def test_the_rule_from_a_membership_reads_exactly_what_the_general_rule_reads(world, consultant):
    from lessons.visibility import visible_in_cohort

    loner = member(world.cohort, None, "lou@example.com", "Lou Loner")  # before circles are formed
    staff_member = Membership.objects.create(user=consultant, cohort=world.cohort, role="member")
    authors = [world.ana, world.ben, world.eva, loner, world.olga, staff_member]
    for author in authors:
        for visibility in ("circle", "cohort", "facilitator"):
            write(author, f"{author.user.full_name} for the {visibility}.", visibility=visibility)
        write(author, "A draft.", share=False)
    PeerReview.objects.bulk_create(
        (
            PeerReview(submission=piece, reviewer=reviewer, assigned_at=timezone.now())
            for reviewer in (world.ana, world.eva, loner, staff_member)
            for piece in Submission.objects.exclude(membership=reviewer)
        ),
        ignore_conflicts=True,  # sharing already asked some of them
    )

    for viewer in (world.ana, world.ben, world.eva, loner, world.fritz, staff_member, world.olga):
        general = visible_submissions(viewer.user, viewer.cohort_id)
        assert set(visible_in_cohort(viewer)) == set(general), viewer.user.full_name
        expected = [
            review.pk
            for review in PeerReview.objects.filter(reviewer=viewer, responded_at__isnull=True).order_by(
                "assigned_at", "pk"
            )
            if general.filter(pk=review.submission_id).exists()
        ]
        assert [review.pk for review in waiting_for(viewer)] == expected, viewer.user.full_name
    # The cases differ: a circle member reads less than the facilitator, the loner no circle pieces.
    assert visible_in_cohort(world.ana).count() < visible_in_cohort(world.fritz).count()
    assert not visible_in_cohort(loner).filter(visibility="circle").exclude(membership=loner).exists()


def test_the_feed_pages_back_without_counting_and_odd_page_numbers_land_somewhere_sensible(client, world):
    _fill(world, 45)
    login(client, world.ana)

    first = client.get(feed_url(world.cohort))
    second = client.get(feed_url(world.cohort) + "?page=2")
    third = client.get(feed_url(world.cohort) + "?page=3")
    titles = feed_titles(first) + feed_titles(second) + feed_titles(third)

    assert [len(feed_titles(r)) for r in (first, second, third)] == [20, 20, 5]
    assert titles == [f"Piece {index}" for index in range(44, -1, -1)]  # newest first, none twice
    soup = BeautifulSoup(second.content, "html.parser")
    assert soup.select_one("a[rel=prev]")["href"] == "?page=1"
    assert soup.select_one("a[rel=next]")["href"] == "?page=3"
    assert "Page 2" in soup.select_one(".pagination").get_text()
    assert BeautifulSoup(third.content, "html.parser").select_one("a[rel=next]") is None
    assert BeautifulSoup(first.content, "html.parser").select_one("a[rel=prev]") is None
    # Past the end: the last page; not a number: the first.
    assert feed_titles(client.get(feed_url(world.cohort) + "?page=99")) == feed_titles(third)
    assert feed_titles(client.get(feed_url(world.cohort) + "?page=x")) == feed_titles(first)
    assert feed_titles(client.get(feed_url(world.cohort) + "?page=-4")) == feed_titles(first)


@pytest.mark.parametrize("body", ["\u200b\u200b", "  \n ", "\u0301\u0301", "\u2060\ufeff\u200d"])
def test_an_invisible_response_is_refused_and_does_not_count_as_responded(client, world, body):
    from lessons.models import PeerReview

    piece = write(world.ben, "x", title="x")
    PeerReview.objects.get_or_create(submission=piece, reviewer=world.ana)
    login(client, world.ana)

    response = client.post(reverse("circle:respond", args=[piece.pk]), {"body": body})

    assert response.status_code == 400
    assert not Response.objects.filter(submission=piece).exists()
    assert not PeerReview.objects.filter(submission=piece, responded_at__isnull=False).exists()


def test_invisible_feedback_and_an_invisible_piece_are_refused(world):
    from lessons.writing import WritingError, give_feedback, share

    piece = write(world.ben, "x", title="x")
    with pytest.raises(WritingError):
        give_feedback(piece, None, "\u200b\u200b", "revise")
    piece.body = "\u200b \u200b"
    with pytest.raises(WritingError):
        share(piece)
    assert give_feedback(piece, None, "Ok 👍", "revise").body == "Ok 👍"
