"""B1 (fan-out against a one-process baseline) and B4 (worker memory during a large fan-out).

The pipeline: members all due at one moment, one tick (plan, dispatch, enqueue on commit) in this
process, one Celery worker with four pool processes (as deployed) on Redis sending to the counting sink. The clock
runs from the start of the tick to the last message at the sink.
"""

import json
import subprocess
import sys
import time

from . import procs, seed


def _pipeline(run, members, *, sample_memory):
    from django.db import connection
    from django.utils import timezone

    from config.celery import app
    from mail import dispatch

    now = timezone.now()
    seeded = seed.seed_fanout(members, run.args.zones, now)
    connection.close()
    worker = procs.celery_worker(run.env)
    sampler = None
    try:
        procs.wait_for_worker(worker, app)
        if sample_memory:
            sampler = procs.RssSampler(worker.pid)
            sampler.start()
        run.sink.reset()
        started = time.monotonic()
        result = dispatch.tick(now)
        tick_seconds = time.monotonic() - started
        received = run.sink.wait_for(members, timeout=max(180, members / 10), stalled_after=90)
        count, distinct, last_at = run.sink.snapshot()
    finally:
        if sampler is not None:
            sampler.stop()
        procs.stop(worker)
    elapsed = (last_at - started) if last_at else float("nan")
    states = _state_counts()
    figures = {
        "members": members,
        "zones": seeded["zones"],
        "cohorts": seeded["cohorts"],
        "dispatched": result.dispatched,
        "received": received,
        "distinct_message_ids": distinct,
        "tick_seconds": round(tick_seconds, 3),
        "seconds": round(elapsed, 2),
        "messages_per_second": round(count / elapsed, 1) if count else 0.0,
        "delivery_states": states,
    }
    if sampler is not None:
        figures["workers"] = sampler.report()
    return figures


def _state_counts():
    from django.db.models import Count

    from mail.models import Delivery

    return {row["state"]: row["n"] for row in Delivery.objects.order_by().values("state").annotate(n=Count("pk"))}


def _baseline(run, members):
    from django.db import connection

    connection.close()
    run.sink.reset()
    process = subprocess.run(
        [sys.executable, "-m", "bench.baseline_sender"],
        cwd=procs.ROOT,
        env=run.env,
        capture_output=True,
        text=True,
        timeout=max(300, members / 5),
        check=False,
    )
    if process.returncode != 0:
        raise RuntimeError(f"the baseline sender failed:\n{process.stderr[-3000:]}")
    report = json.loads(process.stdout.strip().splitlines()[-1])
    received = run.sink.wait_for(members, timeout=30)
    count, distinct, last_at = run.sink.snapshot()
    elapsed = last_at - report["started"]
    return {
        "members": members,
        "received": received,
        "distinct_message_ids": distinct,
        "seconds": round(elapsed, 2),
        "messages_per_second": round(count / elapsed, 1) if count else 0.0,
    }


def b1(run):
    members = run.args.members
    run.fresh_database()
    pipeline = _pipeline(run, members, sample_memory=False)
    baseline = _baseline(run, members)
    ratio = pipeline["messages_per_second"] / baseline["messages_per_second"] if baseline["messages_per_second"] else 0
    complete = pipeline["received"] == members == pipeline["distinct_message_ids"] and baseline["received"] == members
    return {
        "pipeline": pipeline,
        "baseline": baseline,
        "ratio": round(ratio, 2),
        "complete": complete,
        "target": ">= 1.0",
        "pass": complete and ratio >= 1.0,
    }


def b4(run):
    members = run.args.memory_members
    run.fresh_database()
    pipeline = _pipeline(run, members, sample_memory=True)
    peak = max((row["peak_mb"] for row in pipeline["workers"]), default=0.0)
    complete = pipeline["received"] == members == pipeline["distinct_message_ids"]
    return {
        "fanout": pipeline,
        "peak_mb": peak,
        "complete": complete,
        "target": "< 200 MB per worker process",
        "pass": complete and peak < 200,
    }
