"""Beat's one periodic task reaches a real worker over the configured broker."""

import threading

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings

from config.celery import app
from mail import tasks


def test_beat_has_a_static_schedule_with_the_email_tick_every_five_minutes():
    # The email tick, scheduled posts (every 30 s, so a post set for 08:30 leaves by then) and
    # replies from the networks (every 30 min); each entry is dropped when older than its period.
    assert list(settings.CELERY_BEAT_SCHEDULE) == ["tick", "publishing-tick", "publishing-replies"]
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["options"]["expires"] == entry["schedule"], name
    assert settings.CELERY_BEAT_SCHEDULE["publishing-tick"]["task"] == "publishing.tasks.tick"
    assert settings.CELERY_BEAT_SCHEDULE["publishing-replies"]["task"] == "publishing.tasks.harvest_replies"
    entry = settings.CELERY_BEAT_SCHEDULE["tick"]
    assert entry["task"] == "mail.tasks.tick"
    assert entry["schedule"] == 300.0
    # A tick older than its period is dropped: the next tick replans anyway.
    assert entry["options"]["expires"] == 300.0


def test_celery_uses_json_time_limits_and_late_acks():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1


@pytest.mark.django_db
def test_tick_body_reports_what_it_planned_and_dispatched():
    result = tasks.tick()
    assert set(result) == {"planned", "dispatched", "reconciled"}
    assert "weekly_nudges" in result["planned"]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_receives_and_runs_the_tick():
    done = threading.Event()

    def record(sender=None, task_id=None, state=None, **kwargs):
        if sender is not None and sender.name == "mail.tasks.tick" and state == "SUCCESS":
            done.set()

    task_postrun.connect(record, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            tasks.tick.delay()
            assert done.wait(timeout=20), "the worker did not run the tick within 20 s"
    finally:
        task_postrun.disconnect(record)
