"""A member downloads all their own writing as a Markdown zip or as JSON — and only their own."""

import datetime
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Membership
from course.models import User
from lessons import writing
from lessons.models import Submission
from tests.factories import CircleFactory, make_cohort

START = timezone.make_aware(datetime.datetime(2025, 3, 3, 9, 0))


@pytest.fixture
def people(course_page, lesson_page):
    end = datetime.date(2025, 12, 31)
    spring = make_cohort(course_page, "Spring", start_date=datetime.date(2025, 3, 1), end_date=end)
    autumn = make_cohort(course_page, "Autumn", start_date=datetime.date(2025, 9, 1), end_date=end)
    spring_circle = CircleFactory(cohort=spring, name="A")
    autumn_circle = CircleFactory(cohort=autumn, name="A")
    mia = User.objects.create_user(email="mia@example.com", password="pw", full_name="Mia Müller")
    kai = User.objects.create_user(email="kai@example.com", password="pw", full_name="Kai Klein")
    lea = User.objects.create_user(email="lea@example.com", password="pw", full_name="Lea Lang")
    facilitator = User.objects.create_user(email="f@example.com", password="pw", full_name="Fritz")
    return {
        "lesson": lesson_page,
        "spring": spring,
        "autumn": autumn,
        "mia": Membership.objects.create(user=mia, cohort=spring, role="member", circle=spring_circle),
        "mia_autumn": Membership.objects.create(user=mia, cohort=autumn, role="member", circle=autumn_circle),
        "kai": Membership.objects.create(user=kai, cohort=spring, role="member", circle=spring_circle),
        "lea": Membership.objects.create(user=lea, cohort=spring, role="member", circle=spring_circle),
        "facilitator": facilitator,
    }


def piece(membership, assignment, title, body, *, lesson=None, share=True):
    submission = Submission.objects.create(
        membership=membership, lesson=lesson, assignment_id=assignment, assignment_title=f"About {assignment}"
    )
    writing.save_draft(submission.pk, title=title, body="first draft", base_version=0)
    writing.save_draft(submission.pk, title=title, body=body, base_version=1)
    submission.refresh_from_db()
    if share:
        writing.share(submission, now=START)
        submission.refresh_from_db()
    return submission


@pytest.fixture
def writing_of_mia(people):
    published = piece(people["mia"], "who", "Who I am", "I lead **quietly**.", lesson=people["lesson"])
    writing.respond(published, people["kai"], "Loved the *quiet* part.")
    writing.respond(published, people["lea"], "Me too.")
    people["lea"].user.delete()  # Lea's response stays, as "a former member"
    writing.give_feedback(published, people["facilitator"], "Ready.", "ready")
    writing.record_post(
        people["mia"], url="https://www.linkedin.com/posts/mia-1", platform="linkedin", submission=published
    )
    draft = piece(people["mia"], "why", "", "Still thinking.", share=False)
    autumn = piece(people["mia_autumn"], "again", "Autumn piece", "Autumn text.")
    writing.record_post(people["mia"], url="https://mastodon.social/@mia/1", platform="mastodon")
    # Somebody else's writing, in Mia's own circle.
    piece(people["kai"], "who", "Kai's piece", "Kai's text.")
    return {"published": published, "draft": draft, "autumn": autumn}


def download(client, user, name, *args):
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    return response


def test_the_json_portfolio_holds_every_own_piece_with_urls_and_responses(client, people, writing_of_mia):
    data = json.loads(download(client, people["mia"].user, "circle:portfolio", "json").content)

    assert data["owner"] == {"name": "Mia Müller", "email": "mia@example.com"}
    by_title = {p["title"] or p["assignment"]: p for p in data["pieces"]}
    assert set(by_title) == {"Who I am", "About why", "Autumn piece"}
    published = by_title["Who I am"]
    assert published["text"] == "I lead **quietly**."  # the final version, as written
    assert published["version"] == 2
    assert published["state"] == "published"
    assert published["lesson"] == people["lesson"].title
    assert published["cohort"] == "Spring"
    assert [u["url"] for u in published["public_urls"]] == ["https://www.linkedin.com/posts/mia-1"]
    assert [(r["author"], r["text"]) for r in published["responses"]] == [
        ("Kai Klein", "Loved the *quiet* part."),
        ("a former member", "Me too."),
    ]
    assert [f["verdict"] for f in published["feedback"]] == ["ready"]
    assert by_title["About why"]["state"] == "draft"
    assert [p["url"] for p in data["other_posts"]] == ["https://mastodon.social/@mia/1"]


def test_the_zip_has_an_index_and_one_markdown_file_with_front_matter_per_piece(client, people, writing_of_mia):
    response = download(client, people["mia"].user, "circle:portfolio", "zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()

    assert response["Content-Type"] == "application/zip"
    assert "klartext-portfolio/index.md" in names
    pieces = [name for name in names if not name.endswith("index.md")]
    assert len(pieces) == 3
    text = archive.read(next(name for name in pieces if "who-i-am" in name)).decode()
    front_matter, body = text.split("\n---\n", 1)
    assert front_matter.startswith("---\n")
    assert 'title: "Who I am"' in front_matter
    assert 'cohort: "Spring"' in front_matter
    assert 'state: "published"' in front_matter
    assert '  - "https://www.linkedin.com/posts/mia-1"' in front_matter
    assert "# Who I am" in body
    assert "I lead **quietly**." in body
    assert "first draft" not in body
    assert "Loved the *quiet* part." in body
    assert "a former member" in body
    index = archive.read("klartext-portfolio/index.md").decode()
    for name in pieces:
        assert f"({name.split('/')[-1]})" in index
    assert "https://mastodon.social/@mia/1" in index


def test_the_portfolio_holds_only_the_members_own_writing(client, people, writing_of_mia):
    data = json.loads(download(client, people["kai"].user, "circle:portfolio", "json").content)
    archive = zipfile.ZipFile(io.BytesIO(download(client, people["kai"].user, "circle:portfolio", "zip").content))

    assert [p["title"] for p in data["pieces"]] == ["Kai's piece"]
    assert data["other_posts"] == []
    everything = "".join(archive.read(name).decode() for name in archive.namelist())
    assert "Who I am" not in everything
    assert "Autumn" not in everything


def test_a_cohort_portfolio_holds_only_that_cohorts_pieces(client, people, writing_of_mia):
    data = json.loads(
        download(client, people["mia"].user, "circle:cohort_portfolio", people["autumn"].pk, "json").content
    )

    assert [p["title"] for p in data["pieces"]] == ["Autumn piece"]
    assert data["other_posts"] == []


def test_another_cohorts_portfolio_is_404(client, people, writing_of_mia):
    client.force_login(people["kai"].user)

    assert client.get(reverse("circle:cohort_portfolio", args=[people["autumn"].pk, "zip"])).status_code == 404
    assert client.get(reverse("circle:portfolio", args=["exe"])).status_code == 404


def test_signed_out_visitors_get_no_portfolio(client, people, writing_of_mia):
    response = client.get(reverse("circle:portfolio", args=["json"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_empty_portfolio_is_still_a_valid_download(client, people):
    data = json.loads(download(client, people["kai"].user, "circle:portfolio", "json").content)
    archive = zipfile.ZipFile(io.BytesIO(download(client, people["kai"].user, "circle:portfolio", "zip").content))

    assert data["pieces"] == []
    assert archive.namelist() == ["klartext-portfolio/index.md"]
