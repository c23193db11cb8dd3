"""The email pipeline end to end: a real Celery worker on the configured broker (Redis in CI), a
real SMTP sink on loopback, the real database. No eager mode, no mocks."""

import datetime
import os
import signal
import threading
import time

import pytest
from django.db import connection

from mail import dispatch, tasks
from mail.models import Delivery, DeliveryState, Kind
from tests.factories import due_now, open_count, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The pipeline is tested on the real transport: Celery's filesystem transport is only the
    # newcomer's convenience for `make run` (CI always sets REDIS_URL).
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real broker: set REDIS_URL"),
]


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


def test_a_worker_killed_mid_run_loses_nothing_and_duplicates_nothing(cohort, smtp, worker_processes):
    # The tick below runs `waited` ahead: every member's deadline (20:00 local) must lie beyond it.
    waited = max(dispatch.SENDING_TIMEOUT, dispatch.REDISPATCH_AFTER) + datetime.timedelta(minutes=1)
    members = due_now(cohort, 2000, "k", room=waited + datetime.timedelta(minutes=15))
    dispatch.tick()
    worker = worker_processes(smtp)
    assert wait_for(lambda: len(smtp.received) >= 300, timeout=120), "the worker never got going"
    os.killpg(worker.pid, signal.SIGKILL)  # mid-run, no warm shutdown
    worker.wait(10)
    at_kill = len(smtp.received)
    assert at_kill < 2000, "the run finished before the kill; make it bigger"

    # Later, beat's tick finds the dead worker's rows: 'sending' ones are flagged, pending
    # ones are dispatched again to a new worker.
    later = datetime.datetime.now(datetime.UTC) + waited
    dispatch.tick(later)
    worker = worker_processes(smtp)
    assert wait_for(lambda: open_count() == 0, timeout=240), f"{open_count()} still open"
    time.sleep(1)
    counts = smtp.count_by_message_id()
    sent = Delivery.objects.filter(state=DeliveryState.SENT).count()
    unknown = Delivery.objects.filter(state=DeliveryState.UNKNOWN, flagged=True).count()
    assert max(counts.values()) == 1, "a message was delivered twice"
    assert sent + unknown == len(members) == 2000, "a message was lost"
    assert unknown <= 2  # at most one in flight per worker process
    assert sent <= len(counts) <= sent + unknown
