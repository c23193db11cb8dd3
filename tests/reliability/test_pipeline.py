"""The email pipeline end to end: a real Celery worker on the configured broker (Redis in CI), a
real SMTP sink on loopback, the real database. No eager mode, no mocks."""

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
import zoneinfo
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import close_old_connections, connection

from config.celery import app
from mail import dispatch, tasks
from mail.models import Delivery, DeliveryState, Kind
from tests.factories import make_cohort, make_members

ROOT = Path(__file__).resolve().parents[2]
# Zones around the world; members get their nudge slot at "now" in their own zone.
ZONES = [
    "Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles", "America/Sao_Paulo",
    "Asia/Kathmandu", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
    "Pacific/Tongatapu", "Africa/Lagos", "Asia/Dubai", "America/St_Johns", "Australia/Adelaide",
]  # fmt: skip

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The pipeline is tested on the real transport: Celery's filesystem transport is only the
    # newcomer's convenience for `make run` (CI always sets REDIS_URL).
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real broker: set REDIS_URL"),
]


def due_now(cohort, count, prefix):
    """Members whose chosen weekday and hour is the current local one, in zones where it is
    daytime now (quiet hours would rightly hold the email back)."""
    now = datetime.datetime.now(datetime.UTC)
    zones = [z for z in ZONES if 7 <= now.astimezone(zoneinfo.ZoneInfo(z)).hour < 20] or ["Etc/GMT-12"]
    members = []
    per_zone = -(-count // len(zones))
    for index, zone in enumerate(zones):
        local = now.astimezone(zoneinfo.ZoneInfo(zone))
        take = min(per_zone, count - len(members))
        if take <= 0:
            break
        members += make_members(
            cohort,
            take,
            zones=(zone,),
            prefix=f"{prefix}{index}-",
            nudge_weekday=local.weekday(),
            nudge_hour=local.hour,
        )
    return members


def wait_for(condition, timeout, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def open_count():
    close_old_connections()
    return Delivery.objects.exclude(state__in=[DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.UNKNOWN]).count()


@pytest.fixture
def cohort(course_page):
    # Running cohort around the real today.
    today = datetime.date.today()
    return make_cohort(
        course_page, start_date=today - datetime.timedelta(days=7), end_date=today + datetime.timedelta(days=60)
    )


@pytest.fixture
def purge_queue():
    app.control.purge()
    yield
    app.control.purge()


@pytest.fixture
def worker(purge_queue):
    with start_worker(app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=30) as w:
        yield w
    connection.close()


def test_500_due_members_get_500_messages_with_both_unsubscribe_headers(cohort, smtp, worker):
    due_now(cohort, 500, "p")
    tasks.tick.delay()  # the tick itself runs on the worker, as beat would have it
    assert wait_for(lambda: len(smtp.received) >= 500, timeout=180), f"{len(smtp.received)} received"
    time.sleep(1)  # nothing more may arrive
    received = smtp.received
    assert len(received) == 500
    assert len({m["To"] for m in received}) == 500
    for message in received:
        assert " ".join(message["List-Unsubscribe"].split()).startswith("<http")  # unfold the header
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.is_multipart()
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 500


def test_two_ticks_in_parallel_still_give_one_delivery_and_one_message_per_member(cohort, smtp, worker):
    due_now(cohort, 200, "d")
    barrier = threading.Barrier(2)
    errors = []

    def run_tick():
        try:
            barrier.wait()
            dispatch.tick()
        except Exception as error:  # noqa: BLE001 - surfaced to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert Delivery.objects.filter(kind=Kind.WEEKLY_NUDGE).count() == 200
    assert wait_for(lambda: len(smtp.received) >= 200 and open_count() == 0, timeout=120)
    time.sleep(1)
    assert len(smtp.received) == 200
    assert set(smtp.count_by_message_id().values()) == {1}


def test_temporary_smtp_errors_are_retried_until_delivered_once_and_5xx_fail_once(
    cohort, smtp_sink_factory, worker, settings
):
    settings.KLARTEXT_RETRY_BASE_SECONDS = 1
    sink = smtp_sink_factory(temp_fail_rate=0.10, perm_fail_rate=0.02, seed=11)
    due_now(cohort, 300, "f")
    dispatch.tick()
    assert wait_for(lambda: open_count() == 0, timeout=180), f"{open_count()} still open"
    failed = Delivery.objects.filter(state=DeliveryState.FAILED)
    sent = Delivery.objects.filter(state=DeliveryState.SENT)
    assert len(sink.temp_failed) > 10  # the fault really happened
    assert failed.count() == len(sink.perm_failed)
    assert all(d.attempts == 1 and ("550" in d.last_error or "Refused" in d.last_error) for d in failed)
    assert sent.count() == 300 - failed.count()
    counts = sink.count_by_message_id()
    assert len(counts) == sent.count() and set(counts.values()) == {1}  # all delivered once
    assert sent.filter(attempts__gt=1).count() == len(sink.temp_failed)


def _worker_process(env):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING",
         "--concurrency=2", "--prefetch-multiplier=1", "--without-gossip", "--without-mingle",
         "--without-heartbeat"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a worker process needs a database and broker it can share: PostgreSQL and Redis",
)
def test_a_worker_killed_mid_run_loses_nothing_and_duplicates_nothing(cohort, smtp, purge_queue):
    members = due_now(cohort, 2000, "k")
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_USE_TLS": "0",
        "DEBUG": "1",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    dispatch.tick()
    worker = _worker_process(env)
    try:
        assert wait_for(lambda: len(smtp.received) >= 300, timeout=120), "the worker never got going"
        os.killpg(worker.pid, signal.SIGKILL)  # mid-run, no warm shutdown
        worker.wait(10)
        at_kill = len(smtp.received)
        assert at_kill < 2000, "the run finished before the kill; make it bigger"

        # Later, beat's tick finds the dead worker's rows: 'sending' ones are flagged, pending
        # ones are dispatched again to a new worker.
        waited = max(dispatch.SENDING_TIMEOUT, dispatch.REDISPATCH_AFTER) + datetime.timedelta(minutes=1)
        later = datetime.datetime.now(datetime.UTC) + waited
        dispatch.tick(later)
        worker = _worker_process(env)
        assert wait_for(lambda: open_count() == 0, timeout=240), f"{open_count()} still open"
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(30)
    time.sleep(1)
    counts = smtp.count_by_message_id()
    sent = Delivery.objects.filter(state=DeliveryState.SENT).count()
    unknown = Delivery.objects.filter(state=DeliveryState.UNKNOWN, flagged=True).count()
    assert max(counts.values()) == 1, "a message was delivered twice"
    assert sent + unknown == len(members) == 2000, "a message was lost"
    assert unknown <= 2  # at most one in flight per worker process
    assert sent <= len(counts) <= sent + unknown
