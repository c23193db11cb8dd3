"""Shared fixtures: named people, the course tree, and a non-UTC time zone for every test.

Parallel runs (pytest-xdist, `make test` runs `-n 3`): pytest-django gives each worker its own test
database (test_<name>_gw0, _gw1, ...); `pytest_configure` below gives each its own pair of Redis
databases; every server a test starts (SMTP sink, live server, `make run`) listens on a free port."""

import asyncio
import email
import os
import random
import shutil
import socket
import tempfile
import threading
from collections import Counter
from contextlib import ExitStack, contextmanager
from urllib.parse import urlunsplit

import pytest
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models.signals import post_save
from django.utils import translation
from modelsearch import index as search_index
from modelsearch.signal_handlers import post_save_signal_handler as search_post_save
from wagtail.models import Page

from config.celery import app as celery_app
from course.models import User
from inbound.server import controller as inbound_controller
from tests.factories import TEST_TIME_ZONE, make_course, make_home, make_lesson

# Workers copy one migrated test database instead of migrating their own.
pytest_plugins = ["tests.database_template"]

# Redis databases no worker takes: 0 and 1 are a developer's default broker and cache, 12 and 13
# the bench's (it flushes them, and CI runs its smoke test next to the other tests).
RESERVED_REDIS_DBS = frozenset({0, 1, 12, 13})


def redis_dbs_for_worker(base, worker_number):
    """(broker, cache) for xdist worker gwN: worker 0 keeps REDIS_URL's pair (base, base + 1), the
    others take the next free pairs upwards, wrapping within Redis's 16 databases."""
    pairs = [(base, base + 1)]
    taken = RESERVED_REDIS_DBS | {base, base + 1}
    for offset in range(2, 16):
        broker = (base + offset) % 16
        if broker + 1 <= 15 and not {broker, broker + 1} & taken:
            pairs.append((broker, broker + 1))
            taken |= {broker, broker + 1}
    if worker_number >= len(pairs):
        raise pytest.UsageError(
            f"REDIS_URL=.../{base} leaves Redis databases for {len(pairs)} workers, not {worker_number + 1}"
        )
    return pairs[worker_number]


def pytest_configure(config):
    """Each xdist worker gets its own Redis databases: the cache is flushed before every test and
    the broker queue is purged, which must not touch the other worker's. REDIS_URL is rewritten too,
    so a Celery worker process a test starts uses the same databases."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not settings.REDIS:
        # The file cache of the embedded default, in a folder of this test process's own: cleared
        # before every test, it must not touch another worker's or a developer's var/cache.
        folder = tempfile.mkdtemp(prefix=f"klartext-cache-{worker or 'main'}-")
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
        settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": folder}}
        caches.__dict__.pop("settings", None)
        return
    if not worker.startswith("gw"):
        return
    parts, base = settings.REDIS
    broker, cache = redis_dbs_for_worker(base, int(worker[2:]))

    def url(db):
        return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))

    os.environ["REDIS_URL"] = url(broker)
    settings.REDIS = (parts, broker)
    settings.CELERY_BROKER_URL = url(broker)
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": url(cache)}}
    celery_app.conf.broker_url = url(broker)
    # Django reads CACHES once, on first use; drop what an early import may have read.
    caches.__dict__.pop("settings", None)


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


@pytest.fixture(scope="session", autouse=True)
def search_index_left_alone():
    """config/settings.py turns the search index's automatic updates off for the tests, yet
    modelsearch still queues a task on every save of an indexed model, which loads the object
    again only to find no backend to update. The fixture `search_index_updates` connects it again."""
    with search_updates_on_save(False):
        yield


@pytest.fixture
def search_index_updates(settings):
    """The search index updated on every save, as in production."""
    settings.WAGTAILSEARCH_BACKENDS = {"default": {**settings.WAGTAILSEARCH_BACKENDS["default"], "AUTO_UPDATE": True}}
    with search_updates_on_save(True):
        yield


@contextmanager
def search_updates_on_save(on):
    """modelsearch's save handler connected (or not) for every indexed model, as it was afterwards."""
    models = [model for model in search_index.get_indexed_models() if getattr(model, "search_auto_update", True)]
    switch, restore = (post_save.connect, post_save.disconnect) if on else (post_save.disconnect, post_save.connect)
    for model in models:
        switch(search_post_save, sender=model)
    try:
        yield
    finally:
        for model in models:
            restore(search_post_save, sender=model)


@pytest.fixture(autouse=True)
def non_utc_time_zone(settings):
    settings.TIME_ZONE = TEST_TIME_ZONE


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters (course/ratelimit.py) live in the cache and every test client comes
    from 127.0.0.1: without this, one test's requests would count against the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def default_language():
    """A request in German leaves German active in the thread (Django's LocaleMiddleware sets the
    language per request and never unsets it): each test starts in the default language."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


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


# --- a real SMTP server on loopback -----------------------------------------------------------
#
# A real SMTP server on loopback (aiosmtpd) that records what it receives.
#
# It can answer a share of messages with a temporary (4xx) or permanent (5xx) error, decided per
# Message-ID so that a retried message meets the same rule only on its first attempt. It can drop
# the connection after the end of DATA without answering (every `drop_every`-th message, on its
# first attempt: the message is kept, as a real server may already have delivered it), and it
# can hold its answer to the first message until the test releases it (`hold_first`).


class RecordingHandler:
    def __init__(self, *, temp_fail_rate=0.0, perm_fail_rate=0.0, seed=7, drop_every=0, hold_first=False):
        self.lock = threading.Lock()
        self.messages = []
        self.attempts = Counter()
        self.temp_fail_rate = temp_fail_rate
        self.perm_fail_rate = perm_fail_rate
        self.random = random.Random(seed)
        self.temp_failed = set()
        self.perm_failed = set()
        self.peers = set()  # (host, port) of each client connection that delivered something
        self.drop_every = drop_every
        self.total = 0  # DATA commands answered (or not)
        self.dropped = set()  # Message-IDs whose connection was dropped before the answer
        self.hold_first = hold_first
        self.holding = threading.Event()  # set when the first message arrived and waits
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        message_id = message.get("Message-ID", "")
        if self.hold_first and not self.holding.is_set():
            self.holding.set()
            await asyncio.to_thread(self.release.wait, 60)
        with self.lock:
            self.total += 1
            if self.drop_every and self.attempts[message_id] == 0 and self.total % self.drop_every == 0:
                self.attempts[message_id] += 1
                self.dropped.add(message_id)
                self.messages.append(message)
                server.transport.close()  # no answer: the client cannot know it was accepted
                return "250 OK (never heard)"
            self.peers.add(session.peer)
            self.attempts[message_id] += 1
            first_attempt = self.attempts[message_id] == 1
            roll = self.random.random()
            if first_attempt and roll < self.perm_fail_rate:
                self.perm_failed.add(message_id)
            if message_id in self.perm_failed:
                return "550 5.1.1 Mailbox unavailable"
            if first_attempt and roll < self.perm_fail_rate + self.temp_fail_rate:
                self.temp_failed.add(message_id)
                return "451 4.3.0 Try again later"
            self.messages.append(message)
        return "250 OK"

    @property
    def received(self):
        with self.lock:
            return list(self.messages)

    def count_by_message_id(self):
        with self.lock:
            return Counter(m.get("Message-ID") for m in self.messages)


@contextmanager
def smtp_sink(**options):
    handler = RecordingHandler(**options)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    handler.port = port
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_sink_factory(settings):
    """Start a real SMTP sink on loopback and point Django's SMTP backend at it."""
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


# --- the inbound SMTP server on loopback ---------------------------------------------------------


@pytest.fixture
def inbound_smtp(settings):
    """Klartext's own inbound SMTP server (inbound.server) on a free loopback port; yields the port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = inbound_controller("127.0.0.1", port)
    server.start()
    try:
        yield port
    finally:
        server.stop()


# --- a real Celery worker on the configured broker -------------------------------------------------


@pytest.fixture
def purge_queue():
    celery_app.control.purge()
    yield
    celery_app.control.purge()


@pytest.fixture
def worker(purge_queue):
    """A real Celery worker in this process (a pool of threads) on the configured broker: no eager
    mode. Tasks it runs see the test database (transactional tests) and the test's settings."""
    with start_worker(celery_app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=30) as w:
        yield w
    connection.close()
