"""Misconfiguration stops start-up with a message that names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(env_changes, tmp_path, *command):
    """`manage.py check` (or `command`) in a plain process: the shell's settings, not the tests'."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "PYTEST_CURRENT_TEST"}
    }
    env.update({"KLARTEXT_VAR_DIR": str(tmp_path), "DEBUG": "1", **env_changes})
    env = {key: value for key, value in env.items() if value is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *(command or ["check"])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DATABASE_URL", "nonsense", "DATABASE_URL='nonsense' is not a database URL"),
        ("DATABASE_URL", "mysql://db/klartext", "only PostgreSQL and SQLite"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL='localhost:6379' is not a Redis URL"),
        ("REDIS_URL", "redis://localhost:6379/zero", "REDIS_URL="),
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("TIME_ZONE", "Mars/Olympus", "TIME_ZONE='Mars/Olympus' is not an IANA time zone"),
        ("EMAIL_PORT", "smtp", "EMAIL_PORT='smtp' is not a whole number"),
        ("CELERY_VISIBILITY_TIMEOUT", "5", "CELERY_VISIBILITY_TIMEOUT=5 must be between 60"),
        ("SITE_URL", "klartext.example", "SITE_URL='klartext.example' must be an absolute"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value, expected, tmp_path):
    env = {variable: value}
    if variable == "EMAIL_PORT":
        env["EMAIL_HOST"] = "smtp.example.com"
    result = start(env, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert expected in result.stderr


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = start({"DEBUG": "0", "ALLOWED_HOSTS": "klartext.example"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start(tmp_path):
    result = start({"DEBUG": "0", "SECRET_KEY": "x" * 50}, tmp_path)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must list" in result.stderr


def test_embedded_defaults_need_no_services(tmp_path):
    result = start({}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_redis_url_puts_broker_and_cache_in_separate_databases(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.CELERY_BROKER_URL, s.CACHES['default']['LOCATION'],"
        " s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'])"
    )
    env = {"REDIS_URL": "redis://cache.internal:6380/4", "CELERY_VISIBILITY_TIMEOUT": "7200"}
    result = start(env, tmp_path, "shell", "-v", "0", "-c", code)
    assert result.stdout.split() == [
        "redis://cache.internal:6380/4",
        "redis://cache.internal:6380/5",
        "7200",
    ]


def test_outside_the_tests_pages_are_indexed_as_they_are_saved(tmp_path):
    # Only the test run turns the search index's automatic updates off (tests/course/test_search.py).
    code = "from django.conf import settings as s; print(s.WAGTAILSEARCH_BACKENDS['default'].get('AUTO_UPDATE', True))"
    result = start({}, tmp_path, "shell", "-v", "0", "-c", code)
    assert result.stdout.split() == ["True"], result.stderr


def test_web_and_worker_processes_start_without_atprotos_client(tmp_path):
    # It takes over a second to import (publishing/bluesky.py imports it on the first Bluesky call).
    code = (
        "import sys; from django.urls import get_resolver; get_resolver().url_patterns; "
        "from config.celery import app; app.loader.import_default_modules(); "
        "import publishing.posting, publishing.replies, publishing.accounts; print('atproto' in sys.modules)"
    )
    result = start({}, tmp_path, "shell", "-v", "0", "-c", code)
    assert result.stdout.split() == ["False"], result.stderr


def test_tests_run_in_a_time_zone_other_than_utc():
    from django.utils import timezone

    assert timezone.get_current_timezone_name() == "Asia/Tokyo"


@pytest.mark.django_db
def test_without_redis_every_process_shares_one_cache_under_var(tmp_path, settings):
    """make run's web, worker and beat processes must see the same cache: a page published in the
    admin's process forgets the lessons the worker keeps for its emails."""
    from django.core.cache import cache

    from course.page_cache import pages_changed, pages_version

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    pages_changed()  # in this process, as the admin's publish would
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}}
    env.update({"KLARTEXT_VAR_DIR": str(tmp_path), "DEBUG": "1"})
    other = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-v",
            "0",
            "-c",
            "from course.page_cache import pages_version; print(pages_version())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == pages_version()
    cache.close()
