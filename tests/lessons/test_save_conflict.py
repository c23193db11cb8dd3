"""Two saves based on the same version never lose a word. The second one gets a
conflict panel with both texts; the member chooses; every version stays."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from lessons.models import SubmissionVersion
from lessons.writing import get_or_start, save_draft
from tests.factories import make_world

HTMX = {"HTTP_HX_REQUEST": "true"}

LAPTOP = "Written on the laptop: what I learned this week."
PHONE = "Written on the phone: one thing I would do differently."


@pytest.fixture
def world(course_page):
    return make_world(course_page)


@pytest.fixture
def piece(world):
    return get_or_start(world.anna, world.lesson, world.assignment_id)


@pytest.fixture
def anna(client, world):
    client.force_login(world.anna.user)
    return client


def save(client, piece, body, base_version, **extra):
    return client.post(
        reverse("lessons:save", args=[piece.pk]),
        {"title": "", "body": body, "base_version": base_version, **extra},
        **HTMX,
    )


def resolve(client, piece, choice, body, *, base_version, conflict_version, htmx=True):
    return client.post(
        reverse("lessons:resolve", args=[piece.pk]),
        {
            "title": "",
            "body": body,
            "base_version": base_version,
            "conflict_version": conflict_version,
            "choice": choice,
        },
        **(HTMX if htmx else {}),
    )


def texts_of(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return [area.get_text().removeprefix("\n") for area in soup.find_all("textarea")]


def test_a_second_save_on_the_same_version_shows_both_texts_and_loses_nothing(anna, piece):
    first = save(anna, piece, LAPTOP, base_version=0)
    assert first.status_code == 200
    versions_before = SubmissionVersion.objects.filter(submission=piece).count()

    second = save(anna, piece, PHONE, base_version=0)

    assert second.status_code == 409
    assert texts_of(second) == [LAPTOP, PHONE]  # theirs, then mine
    html = second.content.decode()
    assert "changed somewhere else" in html
    assert 'name="conflict_version" value="1"' in html
    # The conflict response never moves the editor's base version on: that would overwrite.
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("input", attrs={"name": "base_version"}) is None
    assert SubmissionVersion.objects.filter(submission=piece).count() == versions_before == 1
    piece.refresh_from_db()
    assert piece.body == LAPTOP

    # "Keep mine" saves the phone's text on top of the laptop's version.
    kept = resolve(anna, piece, "keep_mine", PHONE, base_version=0, conflict_version=1)

    assert kept.status_code == 200
    assert "Saved at" in kept.content.decode()
    soup = BeautifulSoup(kept.content, "html.parser")
    assert soup.find("input", attrs={"name": "base_version"})["value"] == "2"
    assert soup.find(id="conflict-area").get_text(strip=True) == ""  # the panel closes
    piece.refresh_from_db()
    assert (piece.body, piece.version) == (PHONE, 2)
    assert list(piece.versions.order_by("number").values_list("body", "kind")) == [
        (LAPTOP, SubmissionVersion.Kind.AUTOSAVE),
        (PHONE, SubmissionVersion.Kind.CONFLICT),
    ]


def test_keep_mine_on_top_of_an_even_newer_version_asks_again(anna, piece):
    save_draft(piece.pk, title="", body=LAPTOP, base_version=0)
    save(anna, piece, PHONE, base_version=0)  # conflict with version 1
    save_draft(piece.pk, title="", body="A third tab.", base_version=1)  # meanwhile: version 2

    response = resolve(anna, piece, "keep_mine", PHONE, base_version=0, conflict_version=1)

    assert response.status_code == 409
    assert texts_of(response) == ["A third tab.", PHONE]
    assert SubmissionVersion.objects.filter(submission=piece).count() == 2
    piece.refresh_from_db()
    assert piece.body == "A third tab."


def test_taking_the_other_version_puts_it_in_the_editor_without_a_new_version(anna, piece):
    save_draft(piece.pk, title="From the laptop", body=LAPTOP, base_version=0)
    save(anna, piece, PHONE, base_version=0)

    response = resolve(anna, piece, "take_theirs", PHONE, base_version=0, conflict_version=1)

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    fields = soup.find(id="editor-fields")
    assert fields["hx-swap-oob"] == "true"
    assert fields.find("textarea", attrs={"name": "body"}).get_text().removeprefix("\n") == LAPTOP
    assert fields.find("input", attrs={"name": "title"})["value"] == "From the laptop"
    assert soup.find("input", attrs={"name": "base_version"})["value"] == "1"
    assert SubmissionVersion.objects.filter(submission=piece).count() == 1


def test_without_javascript_the_conflict_comes_back_as_the_editor_with_both_texts(anna, piece):
    save_draft(piece.pk, title="", body=LAPTOP, base_version=0)

    response = anna.post(
        reverse("lessons:save", args=[piece.pk]), {"title": "", "body": PHONE, "base_version": 0, "kind": "save"}
    )

    assert response.status_code == 409
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("textarea", attrs={"name": "body"}).get_text().removeprefix("\n") == PHONE
    assert soup.find(id="conflict-theirs").get_text().removeprefix("\n") == LAPTOP
    keep = soup.find("button", attrs={"value": "keep_mine"})
    assert keep["formaction"] == reverse("lessons:resolve", args=[piece.pk])
    # and the plain form post resolves it
    response = resolve(anna, piece, "keep_mine", PHONE, base_version=0, conflict_version=1, htmx=False)
    assert response.status_code == 302
    piece.refresh_from_db()
    assert (piece.body, piece.version) == (PHONE, 2)


def test_restoring_from_a_stale_page_overwrites_nothing(anna, piece):
    save_draft(piece.pk, title="", body="One.", base_version=0)
    save_draft(piece.pk, title="", body="Two.", base_version=1)
    save_draft(piece.pk, title="", body="Three, from the phone.", base_version=2)

    response = anna.post(reverse("lessons:restore", args=[piece.pk, 1]), {"base_version": 2}, follow=True)

    assert "changed elsewhere" in response.content.decode()
    piece.refresh_from_db()
    assert (piece.body, piece.version) == ("Three, from the phone.", 3)
    assert SubmissionVersion.objects.filter(submission=piece).count() == 3


def test_a_conflict_cannot_be_resolved_on_someone_elses_piece(client, world, piece):
    save_draft(piece.pk, title="", body=LAPTOP, base_version=0)
    client.force_login(world.ben.user)
    response = resolve(client, piece, "keep_mine", "Ben was here", base_version=0, conflict_version=1)
    assert response.status_code == 404
    piece.refresh_from_db()
    assert piece.body == LAPTOP
