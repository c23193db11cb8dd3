"""Shared fixtures: named people, the course tree, and a non-UTC time zone for every test."""

import pytest
from wagtail.models import Page

from course.models import CoursePage, HomePage, User
from lessons.models import LessonPage

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

    cache.clear()
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
    home = HomePage.objects.filter(depth=2).first()
    if home is not None:
        return home
    from wagtail.models import Locale, Site

    Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    home = root.add_child(instance=HomePage(title="Klartext", slug="home"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home, "site_name": "Klartext"}
    )
    return home


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def course_page(home_page):
    course = CoursePage(
        title="Digital presence for leaders",
        slug="presence",
        intro="<p>An honest presence, one post at a time.</p>",
    )
    home_page.add_child(instance=course)
    return publish(course)


def make_lesson(course, title, *, offset=0, body=None, **extra):
    lesson = LessonPage(
        title=title,
        summary=f"About {title}.",
        release_offset=offset,
        body=body
        or [
            ("text", "<p>Lesson text.</p>"),
            (
                "writing_assignment",
                {
                    "title": f"Write about {title}",
                    "prompt": "Write it.",
                    "guidance": "<p>Short.</p>",
                    "format": "short_280",
                    "suggested_length": 50,
                    "due_offset_days": 3,
                    "default_audience": "circle",
                },
            ),
        ],
        **extra,
    )
    course.add_child(instance=lesson)
    return publish(lesson)


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


def make_cohort(course, name="Leadership team", **fields):
    import datetime

    from cohorts.models import Cohort

    fields.setdefault("start_date", datetime.date(2026, 11, 2))
    fields.setdefault("end_date", datetime.date(2027, 1, 31))
    fields.setdefault("time_zone", "Europe/Berlin")
    return Cohort.objects.create(course=course, name=name, **fields)


def make_members(cohort, count, *, zones=("Europe/Berlin",), prefix="m", **membership_fields):
    """Many members fast: users and memberships are bulk-inserted (no per-row save)."""
    from cohorts.models import Membership

    users = User.objects.bulk_create(
        [
            User(
                email=f"{prefix}{index}.{cohort.pk}@example.com",
                full_name=f"Member {index}",
                time_zone=zones[index % len(zones)],
                password="!",
            )
            for index in range(count)
        ]
    )
    if not users or users[0].pk is None:  # databases without RETURNING on bulk insert
        users = list(User.objects.filter(email__startswith=prefix, email__endswith=f".{cohort.pk}@example.com"))
    Membership.objects.bulk_create(
        [
            Membership(
                user=user,
                cohort=cohort,
                role="member",
                language="en",
                time_zone=user.time_zone,
                **membership_fields,
            )
            for user in users
        ]
    )
    return list(Membership.objects.filter(cohort=cohort, user__in=users).select_related("user"))
