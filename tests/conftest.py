"""Shared fixtures: named people, the course tree, and a non-UTC time zone for every test."""

import pytest
from wagtail.models import Page

from course.models import User
from tests.factories import make_course, make_home, make_lesson

TEST_TIME_ZONE = "Asia/Tokyo"


@pytest.fixture(scope="session", autouse=True)
def isolated_broker(tmp_path_factory):
    """Without REDIS_URL, Celery's filesystem transport gets a private folder for the test run,
    so tests never read or leave messages in a developer's var/ queue."""
    from django.conf import settings

    from config.celery import app

    if not settings.CELERY_BROKER_URL.startswith("filesystem"):
        yield
        return
    folder = tmp_path_factory.mktemp("broker")
    previous = app.conf.broker_transport_options
    app.conf.broker_transport_options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "processed_folder": str(folder),
        "control_folder": str(folder),
        "store_processed": False,
    }
    yield
    app.conf.broker_transport_options = previous


@pytest.fixture(autouse=True)
def non_utc_time_zone(settings):
    # Like Wagtail's own suite: a zone far from UTC (and from our Europe/Berlin default)
    # makes every naive-datetime or wrong-zone bug show.
    settings.TIME_ZONE = TEST_TIME_ZONE


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters (course/ratelimit.py) live in the cache and every test client comes
    from 127.0.0.1: without this, one test's requests would count against the next."""
    from django.core.cache import cache

    from course import outline

    cache.clear()
    outline.end()  # no course outline token carried over from another test's request
    yield


@pytest.fixture
def consultant(db):
    # English profile: her profile language is the admin's language, and admin tests read English
    # labels; the German admin is exercised by tests/browser/test_consultant_journey.py.
    return User.objects.create_superuser(
        email="anna@klartext.test", password="pw-consultant", full_name="Anna Berger", language="en"
    )


@pytest.fixture
def admin_client(client, consultant):
    client.force_login(consultant)
    return client


@pytest.fixture
def home_page(db):
    """The site root from the data migration; transactional tests flush it, so rebuild it then."""
    return make_home()


@pytest.fixture
def course_page(home_page):
    return make_course(home_page)


@pytest.fixture
def lesson_page(course_page):
    return make_lesson(course_page, "Who am I")


@pytest.fixture
def root_page(db):
    return Page.objects.get(depth=1)


@pytest.fixture
def smtp_sink_factory(settings):
    """Start a real SMTP sink on loopback and point Django's SMTP backend at it."""
    from contextlib import ExitStack

    from tests.smtp_sink import smtp_sink

    stack = ExitStack()

    def start(**options):
        sink = stack.enter_context(smtp_sink(**options))
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 10
        return sink

    with stack:
        yield start


@pytest.fixture
def smtp(smtp_sink_factory):
    return smtp_sink_factory()
