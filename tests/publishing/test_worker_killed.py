"""Posting with a real Celery worker process on Redis, killed (SIGKILL) while a post is on its way:
the post in flight is flagged 'unknown', the others are posted by the next worker, none twice."""

import datetime
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from config.celery import app
from publishing import posting
from publishing.models import OPEN_STATES, Publication, PublicationState
from tests.factories import ConnectedAccountFactory, MastodonAppFactory, MembershipFactory, make_ready_piece
from tests.fakes.mastodon import FakeMastodon

ROOT = Path(__file__).resolve().parents[2]
PIECES = 8

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="a worker process needs a database and broker it can share: PostgreSQL and Redis",
    ),
]


def worker_process(fake):
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "tests.fakes.worker_settings",
        "KLARTEXT_TEST_MASTODON_URL": fake.url,
        "DEBUG": "1",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    # One post at a time, as in production per process; acks_late: a killed worker's task is
    # delivered again later, and must then post nothing.
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING", "--concurrency=1",
         "--prefetch-multiplier=1", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def open_count():
    close_old_connections()
    return Publication.objects.filter(state__in=OPEN_STATES).count()


def test_a_worker_killed_mid_post_leaves_at_most_the_post_in_flight_unknown_and_never_posts_twice(course_page):
    app.control.purge()
    with FakeMastodon() as fake:
        mastodon_app = MastodonAppFactory(instance="mastodon.example")
        for number in range(PIECES):
            member = MembershipFactory(time_zone="Europe/Berlin")
            account = ConnectedAccountFactory(
                user=member.user, mastodon_app=mastodon_app, service_url=fake.url, secret=fake.token_for("1")
            )
            piece = make_ready_piece(body=f"Piece number {number}.", membership=member)
            posting.schedule(piece, account, [piece.body], timezone.now())  # queued on commit
        fake.faults = [None, None, "hang"]  # the third post reaches the server, its answer never comes

        worker = worker_process(fake)
        try:
            assert fake.hanging.wait(120), "the worker never got to the third post"
            os.killpg(worker.pid, signal.SIGKILL)  # mid-post, no warm shutdown
            worker.wait(10)
            fake.release.set()

            # Later, beat's tick finds the dead worker's row: flagged, not posted again; the rest
            # are queued again for the next worker.
            waited = max(posting.POSTING_TIMEOUT, posting.REDISPATCH_AFTER) + datetime.timedelta(minutes=1)
            assert posting.tick(timezone.now() + waited)["reconciled"] == 1
            worker = worker_process(fake)
            assert wait_for(lambda: open_count() == 0, timeout=120), f"{open_count()} still open"
            time.sleep(1)  # a late duplicate would arrive now
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(30)
            app.control.purge()
            connection.close()

    states = Counter(Publication.objects.values_list("state", flat=True))
    assert states == {PublicationState.POSTED: PIECES - 1, PublicationState.UNKNOWN: 1}
    unknown = Publication.objects.get(state=PublicationState.UNKNOWN)
    assert unknown.flagged and "worker stopped" in unknown.last_error
    sent = Counter(fake.status_texts)
    assert set(sent) == {f"Piece number {number}." for number in range(PIECES)}
    assert max(sent.values()) == 1, "a post was sent twice"
