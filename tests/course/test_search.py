"""The admin's page search finds a lesson by its title as the consultant types it. The other tests
run with the search index's automatic updates off (config/settings.py); these turn them on, as
production has them (test_settings.py checks that it does)."""

import pytest
from django.urls import reverse

from tests.factories import make_lesson


def search(admin_client, words):
    response = admin_client.get(reverse("wagtailadmin_pages:search"), {"q": words})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.usefixtures("search_index_updates")
def test_the_consultant_finds_a_lesson_by_the_start_of_a_word_of_its_title(admin_client, course_page):
    make_lesson(course_page, "Listening first")
    make_lesson(course_page, "Who am I")

    page = search(admin_client, "listen")

    assert "Listening first" in page
    assert "Who am I" not in page


@pytest.mark.usefixtures("search_index_updates")
def test_a_lesson_renamed_later_is_found_by_its_new_title(admin_client, course_page):
    lesson = make_lesson(course_page, "Listening first")
    assert "Listening first" not in search(admin_client, "clockwork")

    lesson.title = "Clockwork habits"
    lesson.save_revision().publish()

    assert "Clockwork habits" in search(admin_client, "clockwork")
