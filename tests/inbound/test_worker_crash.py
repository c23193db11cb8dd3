"""A worker killed while it processes stored replies loses none and doubles none: a real Celery
worker process on Redis and PostgreSQL, SIGKILLed mid-run, the sweep, a new worker."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from config.celery import app
from inbound import tasks
from inbound.models import InboundMessage, InboundState
from inbound.receiving import accept
from lessons.models import Submission
from mail.models import Delivery, Kind
from mail.replies import reply_address
from tests.factories import make_cohort, make_members, raw_mail, sent_delivery

ROOT = Path(__file__).resolve().parents[2]
REPLIES = 200

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="a worker process needs a database and broker it can share: PostgreSQL and Redis",
    ),
]


def worker_process(env):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING",
         "--concurrency=2", "--prefetch-multiplier=1", "--without-gossip", "--without-mingle",
         "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def wait_for(condition, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def drafted():
    close_old_connections()
    return InboundMessage.objects.filter(state=InboundState.DRAFTED).count()


def test_a_worker_killed_mid_run_leaves_200_drafts_and_no_duplicates(course_page, smtp):
    app.control.purge()
    today = datetime.date.today()
    cohort = make_cohort(
        course_page, start_date=today - datetime.timedelta(days=7), end_date=today + datetime.timedelta(days=60)
    )
    for membership in make_members(cohort, REPLIES, prefix="r"):
        to = reply_address(sent_delivery(membership), timezone.now().date())
        accept(raw_mail("outlook_desktop_de_latin1.eml", sender=membership.user.email, to=to), "", [to])
    assert InboundMessage.objects.count() == REPLIES  # stored first, tasks queued

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
    worker = worker_process(env)
    try:
        assert wait_for(lambda: drafted() >= 10, timeout=120), "the worker never got going"
        os.killpg(worker.pid, signal.SIGKILL)  # mid-run, no warm shutdown
        worker.wait(10)
        at_kill = drafted()
        assert at_kill < REPLIES, "the run finished before the kill; make it bigger"

        # Later, beat's sweep finds the messages whose task died with the worker.
        later = timezone.now() + tasks.REQUEUE_AFTER + datetime.timedelta(minutes=1)
        app.control.purge()  # the dead worker's unacknowledged tasks may come back too: harmless, but not needed
        assert tasks.sweep(later.isoformat()) == REPLIES - at_kill
        worker = worker_process(env)
        assert wait_for(lambda: drafted() == REPLIES, timeout=240), f"{drafted()} of {REPLIES} drafted"
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(30)
    close_old_connections()
    assert Submission.objects.count() == REPLIES
    assert Submission.objects.values("membership").distinct().count() == REPLIES
    assert set(Submission.objects.values_list("version", flat=True)) == {1}
    assert Delivery.objects.filter(kind=Kind.DRAFT_SAVED).count() == REPLIES
    assert InboundMessage.objects.exclude(state=InboundState.DRAFTED).count() == 0
