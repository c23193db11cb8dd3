"""Fixtures for the pipeline end to end: a running cohort, a Celery worker started later in this
process (threads) and worker processes of their own (prefork, as in production). The clean broker
queue and the in-process worker are in tests/conftest.py (the browser journeys use them too)."""

import datetime
import os
import signal
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection

from config.celery import app
from tests.factories import make_cohort

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cohort(course_page):
    # Running cohort around the real today.
    today = datetime.date.today()
    return make_cohort(
        course_page, start_date=today - datetime.timedelta(days=7), end_date=today + datetime.timedelta(days=60)
    )


@pytest.fixture
def later_worker(purge_queue):
    """A worker like `worker`, started when the test calls the fixture's value (work queued
    before that waits in the broker)."""
    with ExitStack() as stack:
        yield lambda: stack.enter_context(
            start_worker(app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=30)
        )
    connection.close()


@pytest.fixture
def worker_processes(purge_queue):
    """Start Celery worker processes on the test database, broker and SMTP sink:
    `start(smtp, concurrency=2, **env)`; every one still running is stopped at the end."""
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("a worker process needs a database and broker it can share: PostgreSQL and Redis")
    started = []

    def start(smtp, *, concurrency=2, **extra_env):
        db = settings.DATABASES["default"]
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_USE_TLS": "0",
            "DEBUG": "1",
            **{key: str(value) for key, value in extra_env.items()},
        }
        env.pop("PYTEST_CURRENT_TEST", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING",
             f"--concurrency={concurrency}", "--prefetch-multiplier=1", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
