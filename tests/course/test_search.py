"""The admin's page search finds a lesson by its title as the consultant types it. The other tests
run with the search index's automatic updates off (config/settings.py); these turn them on, as
production has them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.factories import make_lesson

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def indexing(settings):
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {**django_settings.WAGTAILSEARCH_BACKENDS["default"], "AUTO_UPDATE": True}
    }


def search(admin_client, words):
    response = admin_client.get(reverse("wagtailadmin_pages:search"), {"q": words})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.usefixtures("indexing")
def test_the_consultant_finds_a_lesson_by_the_start_of_a_word_of_its_title(admin_client, course_page):
    make_lesson(course_page, "Listening first")
    make_lesson(course_page, "Who am I")

    page = search(admin_client, "listen")

    assert "Listening first" in page
    assert "Who am I" not in page


@pytest.mark.usefixtures("indexing")
def test_a_lesson_renamed_later_is_found_by_its_new_title(admin_client, course_page):
    lesson = make_lesson(course_page, "Listening first")
    assert "Listening first" not in search(admin_client, "clockwork")

    lesson.title = "Clockwork habits"
    lesson.save_revision().publish()

    assert "Clockwork habits" in search(admin_client, "clockwork")


def test_outside_the_tests_pages_are_indexed_as_they_are_saved(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST"}
    }
    env.update({"KLARTEXT_VAR_DIR": str(tmp_path), "DEBUG": "1"})
    code = "from django.conf import settings as s; print(s.WAGTAILSEARCH_BACKENDS['default'].get('AUTO_UPDATE', True))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout.split() == ["True"], result.stderr
