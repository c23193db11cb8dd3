"""The member's editor: opening an assignment, saving, scoping, closed lessons, oversized text,
versions and sharing."""

import pytest
from bs4 import BeautifulSoup
from django.http import HttpResponse
from django.urls import include, path, reverse

from cohorts.models import Membership
from lessons.models import PeerReview, Submission, SubmissionState, SubmissionVersion, Visibility
from lessons.platforms import count_characters
from lessons.writing import MAX_BODY_CHARS, get_or_start, save_draft
from tests.factories import make_world

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(course_page):
    return make_world(course_page)


@pytest.fixture
def piece(world):
    return get_or_start(world.anna, world.lesson, world.assignment_id)


def start_url(world, lesson=None, assignment_id=None, cohort=None):
    return reverse(
        "lessons:start",
        args=[(cohort or world.cohort).pk, (lesson or world.lesson).pk, assignment_id or world.assignment_id],
    )


def save_data(body, *, base_version, title="", **extra):
    return {"title": title, "body": body, "base_version": base_version, **extra}


# --- opening ----------------------------------------------------------------------------------


def test_a_member_opens_an_assignment_and_lands_in_their_editor(client, world):
    client.force_login(world.anna.user)

    response = client.get(start_url(world))

    piece = Submission.objects.get(membership=world.anna, assignment_id=world.assignment_id)
    assert response.status_code == 302
    assert response.url == reverse("lessons:editor", args=[piece.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Write it." in html  # the prompt
    assert "Short post for X" in html  # the format
    soup = BeautifulSoup(html, "html.parser")
    counter = soup.find(id="counter")
    assert counter["data-platform"] == "x"
    assert "/ 280" in counter.get_text()
    assert soup.find("textarea", attrs={"name": "body"}) is not None
    assert soup.find("input", attrs={"name": "base_version"})["value"] == "0"


def test_opening_an_assignment_twice_keeps_one_piece(client, world):
    client.force_login(world.anna.user)
    client.get(start_url(world))
    client.get(start_url(world))
    assert Submission.objects.filter(membership=world.anna).count() == 1


def test_the_lesson_page_link_picks_the_members_cohort(client, world):
    client.force_login(world.anna.user)
    response = client.get(reverse("lessons:write", args=[world.lesson.pk, world.assignment_id]))
    assert response.status_code == 302
    assert response.url == start_url(world)


def test_a_member_of_two_cohorts_chooses_one(client, world):
    Membership.objects.create(user=world.anna.user, cohort=world.other_cohort)
    client.force_login(world.anna.user)
    response = client.get(reverse("lessons:write", args=[world.lesson.pk, world.assignment_id]))
    assert response.status_code == 200
    assert start_url(world, cohort=world.other_cohort) in response.content.decode()


def test_a_closed_lesson_is_refused_with_a_friendly_message(client, world):
    client.force_login(world.anna.user)

    response = client.get(start_url(world, lesson=world.closed, assignment_id=world.closed_assignment_id))

    assert response.status_code == 403
    assert "not open yet" in response.content.decode()
    assert not Submission.objects.exists()


def test_the_editor_of_a_piece_whose_lesson_is_not_open_is_refused(client, world):
    piece = get_or_start(world.anna, world.closed, world.closed_assignment_id)
    client.force_login(world.anna.user)
    response = client.get(reverse("lessons:editor", args=[piece.pk]))
    assert response.status_code == 403
    assert "not open yet" in response.content.decode()


def test_an_unknown_assignment_is_not_found(client, world):
    client.force_login(world.anna.user)
    assert client.get(start_url(world, assignment_id="no-such-block")).status_code == 404


def test_another_cohort_id_is_not_found(client, world):
    client.force_login(world.anna.user)
    assert client.get(start_url(world, cohort=world.other_cohort)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, piece):
    response = client.get(reverse("lessons:editor", args=[piece.pk]))
    assert response.status_code == 302
    assert reverse("login") in response.url


# --- scoping ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["ben", "facilitator", "outsider"])
def test_only_the_owner_can_open_or_save_a_piece(client, world, piece, who):
    client.force_login(getattr(world, who).user)

    assert client.get(reverse("lessons:editor", args=[piece.pk])).status_code == 404
    response = client.post(reverse("lessons:save", args=[piece.pk]), save_data("Mine now", base_version=0))
    assert response.status_code == 404
    for name in ("versions", "publish"):
        assert client.get(reverse(f"lessons:{name}", args=[piece.pk])).status_code == 404
    assert client.post(reverse("lessons:share", args=[piece.pk]), {"visibility": "cohort"}).status_code == 404

    piece.refresh_from_db()
    assert piece.body == ""
    assert piece.version == 0
    assert piece.state == SubmissionState.DRAFT


# --- saving -----------------------------------------------------------------------------------


def test_the_owner_autosaves_and_gets_the_new_base_version(client, world, piece):
    client.force_login(world.anna.user)

    response = client.post(
        reverse("lessons:save", args=[piece.pk]),
        save_data("First thoughts.", base_version=0, title="Draft"),
        **HTMX,
    )

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert "Saved at" in soup.get_text()
    base = soup.find("input", attrs={"name": "base_version"})
    assert base["value"] == "1"
    assert base["hx-swap-oob"] == "true"
    piece.refresh_from_db()
    assert (piece.title, piece.body, piece.version) == ("Draft", "First thoughts.", 1)
    version = piece.versions.get()
    assert version.kind == SubmissionVersion.Kind.AUTOSAVE


def test_save_now_records_a_save_and_works_without_javascript(client, world, piece):
    client.force_login(world.anna.user)

    response = client.post(
        reverse("lessons:save", args=[piece.pk]), save_data("Saved by hand.", base_version=0, kind="save")
    )

    assert response.status_code == 302
    assert response.url == reverse("lessons:editor", args=[piece.pk])
    assert piece.versions.get().kind == SubmissionVersion.Kind.SAVE


def test_line_breaks_from_the_browser_are_stored_as_single_characters(client, world, piece):
    client.force_login(world.anna.user)
    client.post(reverse("lessons:save", args=[piece.pk]), save_data("One\r\nTwo\r\n", base_version=0), **HTMX)
    piece.refresh_from_db()
    assert piece.body == "One\nTwo\n"


def test_saving_the_same_text_again_adds_no_version(client, world, piece):
    client.force_login(world.anna.user)
    url = reverse("lessons:save", args=[piece.pk])
    client.post(url, save_data("Same.", base_version=0), **HTMX)
    response = client.post(url, save_data("Same.", base_version=1), **HTMX)
    assert response.status_code == 200
    assert SubmissionVersion.objects.count() == 1


def test_a_save_sent_again_after_its_answer_was_lost_is_not_a_conflict(client, world, piece):
    client.force_login(world.anna.user)
    url = reverse("lessons:save", args=[piece.pk])
    client.post(url, save_data("Typed on the train.", base_version=0), **HTMX)  # the answer is lost
    response = client.post(url, save_data("Typed on the train.", base_version=0), **HTMX)  # sent again

    assert response.status_code == 200
    assert "Saved at" in response.content.decode()
    piece.refresh_from_db()
    assert (piece.body, piece.version, piece.versions.count()) == ("Typed on the train.", 1, 1)


def test_a_different_text_from_an_older_base_is_still_a_conflict(client, world, piece):
    client.force_login(world.anna.user)
    save_draft(piece.pk, title="", body="Written on the laptop.", base_version=0)

    response = client.post(
        reverse("lessons:save", args=[piece.pk]), save_data("Written on the phone.", base_version=0), **HTMX
    )

    assert "changed somewhere else" in response.content.decode()
    piece.refresh_from_db()
    assert piece.body == "Written on the laptop."


def test_oversized_text_is_refused_and_stays_in_the_editor(client, world, piece):
    client.force_login(world.anna.user)
    save_draft(piece.pk, title="", body="Earlier text.", base_version=0)
    too_long = "Ä" * (MAX_BODY_CHARS + 1)
    versions_before = SubmissionVersion.objects.count()

    response = client.post(reverse("lessons:save", args=[piece.pk]), save_data(too_long, base_version=1), **HTMX)

    assert response.status_code == 422
    html = response.content.decode()
    assert "was not saved" in html
    assert "still in the editor" in html
    # The fragment only replaces the status line: nothing that would swap out the member's text.
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("textarea") is None
    assert soup.find(attrs={"hx-swap-oob": True}) is None
    assert SubmissionVersion.objects.count() == versions_before
    piece.refresh_from_db()
    assert piece.body == "Earlier text."

    # Without JavaScript the whole editor comes back, with every character of the text in it.
    response = client.post(reverse("lessons:save", args=[piece.pk]), save_data(too_long, base_version=1))
    assert response.status_code == 422
    soup = BeautifulSoup(response.content, "html.parser")
    # (Browsers drop the newline Django writes right after <textarea>, as HTML says they must.)
    assert soup.find("textarea", attrs={"name": "body"}).get_text().removeprefix("\n") == too_long
    assert "was not saved" in soup.get_text()
    assert SubmissionVersion.objects.count() == versions_before


def test_an_overlong_title_is_refused_with_a_message(client, world, piece):
    client.force_login(world.anna.user)
    response = client.post(
        reverse("lessons:save", args=[piece.pk]), save_data("Body", base_version=0, title="T" * 201), **HTMX
    )
    assert response.status_code == 422
    assert "title is longer" in response.content.decode()
    assert not SubmissionVersion.objects.exists()


def test_a_save_without_base_version_is_refused_not_an_error(client, world, piece):
    client.force_login(world.anna.user)
    response = client.post(
        reverse("lessons:save", args=[piece.pk]), {"title": "", "body": "Text", "base_version": "x"}, **HTMX
    )
    assert response.status_code == 422
    assert "could not be read" in response.content.decode()
    assert not SubmissionVersion.objects.exists()


def test_the_editor_shows_the_server_count_with_the_link_rule(client, world, piece):
    body = "Read this: https://example.com/a/very/long/path/that/goes/on/and/on?with=query 🚀"
    save_draft(piece.pk, title="", body=body, base_version=0)
    client.force_login(world.anna.user)

    soup = BeautifulSoup(client.get(reverse("lessons:editor", args=[piece.pk])).content, "html.parser")

    counter = soup.find(id="counter")
    # X weighs the emoji 2 and the link 23, whatever its length.
    assert int(counter["data-server-count"]) == count_characters(body, "x") == 11 + 23 + 1 + 2
    assert int(counter["data-server-words"]) == 4


def test_editor_pages_have_no_inline_scripts_or_styles(client, world, piece):
    piece.ready_to_publish = True
    piece.save()
    client.force_login(world.anna.user)
    for url in (
        reverse("lessons:editor", args=[piece.pk]),
        reverse("lessons:publish", args=[piece.pk]),
        reverse("lessons:posts"),
        reverse("lessons:versions", args=[piece.pk]),
    ):
        soup = BeautifulSoup(client.get(url).content, "html.parser")
        # Data for the scripts (a json_script) is not executed; every script that runs has a src.
        assert all(
            script.get("src") or script.get("type") == "application/json" for script in soup.find_all("script")
        ), url
        assert not soup.find_all(style=True), url
        assert not soup.find_all("style"), url
        assert not [tag for tag in soup.find_all(True) if any(a.startswith(("on", "hx-on")) for a in tag.attrs)], url


def test_the_editor_loads_its_script_deferred(client, world, piece):
    client.force_login(world.anna.user)
    soup = BeautifulSoup(client.get(reverse("lessons:editor", args=[piece.pk])).content, "html.parser")
    script = soup.find("script", src=lambda src: src and src.endswith("js/editor.js"))
    assert script is not None and script.has_attr("defer")


# --- versions ---------------------------------------------------------------------------------


def test_versions_are_listed_and_a_restore_becomes_the_newest_version(client, world, piece):
    save_draft(piece.pk, title="", body="First.", base_version=0)
    save_draft(piece.pk, title="", body="Second.", base_version=1)
    client.force_login(world.anna.user)

    listing = client.get(reverse("lessons:versions", args=[piece.pk]))
    assert listing.status_code == 200
    assert "First." in listing.content.decode() and "Second." in listing.content.decode()
    detail = client.get(reverse("lessons:version", args=[piece.pk, 1]))
    assert "<p>First.</p>" in detail.content.decode()

    response = client.post(reverse("lessons:restore", args=[piece.pk, 1]), {"base_version": 2})

    assert response.status_code == 302
    piece.refresh_from_db()
    assert (piece.body, piece.version) == ("First.", 3)
    assert list(piece.versions.values_list("number", "kind")) == [
        (3, SubmissionVersion.Kind.RESTORE),
        (2, SubmissionVersion.Kind.SAVE),
        (1, SubmissionVersion.Kind.SAVE),
    ]


def test_the_version_list_costs_the_same_queries_however_long_it_is(client, world, piece, django_assert_num_queries):
    client.force_login(world.anna.user)
    url = reverse("lessons:versions", args=[piece.pk])
    for n in range(3):
        save_draft(piece.pk, title="", body=f"Version {n}", base_version=n)
    client.get(url)
    with django_assert_num_queries(7):
        client.get(url)
    for n in range(3, 60):
        save_draft(piece.pk, title="", body=f"Version {n}", base_version=n)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert "Page 1 of 2" in response.content.decode()


def test_the_editor_costs_the_same_queries_however_many_versions(client, world, piece, django_assert_num_queries):
    client.force_login(world.anna.user)
    url = reverse("lessons:editor", args=[piece.pk])
    save_draft(piece.pk, title="", body="One", base_version=0)
    client.get(url)
    # Nine (the course's lessons come from the cache), plus the responses shown beside the text
    # and the read marker they update.
    with django_assert_num_queries(11):
        client.get(url)
    for n in range(1, 30):
        save_draft(piece.pk, title="", body=f"Version {n}", base_version=n)
    with django_assert_num_queries(11):
        client.get(url)


def test_a_version_is_rendered_through_the_sanitiser(client, world, piece):
    save_draft(piece.pk, title="", body="Hi <script>alert(1)</script> [x](javascript:alert(1))", base_version=0)
    client.force_login(world.anna.user)
    html = client.get(reverse("lessons:version", args=[piece.pk, 1])).content.decode()
    assert "<script>alert" not in html
    assert "javascript:" not in html


def test_an_unknown_version_is_not_found(client, world, piece):
    client.force_login(world.anna.user)
    assert client.get(reverse("lessons:version", args=[piece.pk, 9])).status_code == 404
    assert client.post(reverse("lessons:restore", args=[piece.pk, 9]), {"base_version": 0}).status_code == 404


# --- sharing ----------------------------------------------------------------------------------


class WithoutCircleFeed:
    urlpatterns = [path("write/", include("lessons.urls"))]


class WithCircleFeed:
    urlpatterns = [
        path("write/", include("lessons.urls")),
        path(
            "circle/",
            include(([path("<int:cohort_id>/", lambda request, cohort_id: HttpResponse(), name="feed")], "circle")),
        ),
    ]


def test_sharing_uses_the_assignments_audience_and_falls_back_to_the_editor(client, settings, world, piece):
    settings.ROOT_URLCONF = WithoutCircleFeed
    save_draft(piece.pk, title="", body="Ready for my circle.", base_version=0)
    client.force_login(world.anna.user)

    response = client.post(reverse("lessons:share", args=[piece.pk]), {"visibility": "circle"})

    assert response.status_code == 302
    assert response.url == reverse("lessons:editor", args=[piece.pk])
    piece.refresh_from_db()
    assert piece.state == SubmissionState.SHARED
    assert piece.visibility == Visibility.CIRCLE
    assert piece.shared_at is not None
    assert set(PeerReview.objects.values_list("reviewer", flat=True)) == {world.ben.pk, world.cleo.pk}


def test_sharing_goes_to_the_circle_feed_once_it_exists(client, settings, world, piece):
    settings.ROOT_URLCONF = WithCircleFeed
    save_draft(piece.pk, title="", body="Ready.", base_version=0)
    client.force_login(world.anna.user)

    response = client.post(reverse("lessons:share", args=[piece.pk]), {"visibility": "cohort"})

    assert response.url == reverse("circle:feed", args=[world.cohort.pk]) + f"?shared={piece.pk}"
    piece.refresh_from_db()
    assert piece.visibility == Visibility.COHORT


def test_the_share_form_defaults_to_the_assignments_audience(client, world, piece):
    client.force_login(world.anna.user)
    soup = BeautifulSoup(client.get(reverse("lessons:editor", args=[piece.pk])).content, "html.parser")
    checked = soup.find("input", attrs={"name": "visibility", "checked": True})
    assert checked["value"] == "circle"
    values = {radio["value"] for radio in soup.find_all("input", attrs={"name": "visibility"})}
    assert values == {"facilitator", "circle", "cohort"}


def test_an_empty_piece_cannot_be_shared(client, world, piece):
    client.force_login(world.anna.user)
    response = client.post(reverse("lessons:share", args=[piece.pk]), {"visibility": "circle"}, follow=True)
    assert "Write something before you share it." in response.content.decode()
    piece.refresh_from_db()
    assert piece.state == SubmissionState.DRAFT


def test_a_made_up_audience_is_refused(client, world, piece):
    save_draft(piece.pk, title="", body="Text.", base_version=0)
    client.force_login(world.anna.user)
    response = client.post(reverse("lessons:share", args=[piece.pk]), {"visibility": "world"}, follow=True)
    assert "Choose who should see this piece." in response.content.decode()
    piece.refresh_from_db()
    assert piece.state == SubmissionState.DRAFT


# --- hardening: an oversized save is answered by the form, the text shown again ----------


@pytest.mark.parametrize("chars", [2_700_000, 50_001])
def test_an_oversized_save_without_javascript_shows_the_text_and_the_limit(client, world, piece, chars):
    client.force_login(world.anna.user)
    body = "Ab " * (chars // 3) + "x" * (chars % 3) + "END-OF-MY-TEXT"

    response = client.post(reverse("lessons:save", args=[piece.pk]), save_data(body, base_version=0, kind="save"))

    assert response.status_code == 422
    content = response.content.decode()
    assert "longer than 50,000 characters" in content
    assert "END-OF-MY-TEXT" in content  # the text is back in the editor
    assert 'maxlength="' not in content.split('name="body"')[0].rsplit("<textarea", 1)[-1]
    piece.refresh_from_db()
    assert piece.version == 0


def test_a_save_at_the_limit_is_accepted(client, world, piece):
    client.force_login(world.anna.user)
    body = "x" * 50_000

    response = client.post(reverse("lessons:save", args=[piece.pk]), save_data(body, base_version=0, kind="save"))

    assert response.status_code == 302
    piece.refresh_from_db()
    assert len(piece.body) == 50_000


def test_an_oversized_title_is_refused_with_the_text_kept(client, world, piece):
    client.force_login(world.anna.user)

    response = client.post(
        reverse("lessons:save", args=[piece.pk]), save_data("My text.", base_version=0, title="T" * 201, kind="save")
    )

    assert response.status_code == 422
    assert "The title is longer than 200 characters." in response.content.decode()
    assert "My text." in response.content.decode()
