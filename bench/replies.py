"""B5: replies by email, from accepted to draft, against a one-process baseline.

The pipeline: Klartext's inbound SMTP server (`manage.py inbound_smtp`, its own process) and one
Celery worker with two pool processes on Redis, as `make run` and production run them. Four
client threads send the replies over SMTP (one connection each, many messages per connection);
the clock runs from the first message sent to the last draft saved. Latency per message is from
its row being stored (accepted) to its draft being saved (`InboundMessage.processed_at`).

The baseline, in the same run: one plain Python process parses the same messages with the same
parser (inbound.parsing.read_reply) and inserts each text as a piece with its first version, no
SMTP, no queue, no rules.
"""

import socket
import statistics
import sys
import threading
import time

from . import procs, seed, services

REPLY = """\
From: Member {index} <{sender}>
To: Klartext <{to}>
Subject: Re: What filled your day this week?
Date: Mon, 2 Mar 2026 10:12:31 +0100
Message-ID: <bench-reply-{index}@mail.example>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="bench-boundary"

--bench-boundary
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Reply {index}: this week was mostly about the reorganisation, three teams and one new=20
structure. What I learned: people don=E2=80=99t fear change, they fear not being asked.

Sent from my iPhone

On Mon, 2 Mar 2026 at 09:00, Klartext <hello@klartext.localhost> wrote:

> Hello,
>
> This is your weekly reminder to write one post about what fills your day.
>

--bench-boundary
Content-Type: text/html; charset="UTF-8"

<div dir="ltr">Reply {index}: this week was mostly about the reorganisation.</div>
<div class="gmail_quote">On Mon, 2 Mar 2026 at 09:00, Klartext wrote:<blockquote>Hello,</blockquote></div>

--bench-boundary--
"""
CLIENTS = 4
REPLIES_PER_MEMBER = 5


def seed_replies(count, now):
    """Members (REPLIES_PER_MEMBER replies each, below the daily limit), one sent weekly nudge
    each, and the raw replies to those nudges: [(sender, recipient, raw bytes)]."""
    from cohorts.models import Membership
    from mail.models import Delivery, DeliveryState, Kind
    from mail.replies import reply_address

    course, lessons = seed.course_and_lessons()
    members = -(-count // REPLIES_PER_MEMBER)
    cohorts = seed.fanout_cohorts(course, lessons, members, now.date())
    seed.add_members(
        lambda i: cohorts[i % len(cohorts)],
        members,
        prefix="r",
        zone_for=lambda i: "Europe/Berlin",
        slot_for=lambda i: (0, 9),
    )
    memberships = list(Membership.objects.select_related("user").order_by("pk"))
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                membership=membership,
                kind=Kind.WEEKLY_NUDGE,
                period_key="bench-reply",
                state=DeliveryState.SENT,
                due_at=now,
                sent_at=now,
                to_email=membership.user.email,
            )
            for membership in memberships
        ]
    )
    seed.analyze()
    messages = []
    for index in range(count):
        delivery = deliveries[index % len(deliveries)]
        sender = memberships[index % len(memberships)].user.email
        to = reply_address(delivery, now.date())
        raw = REPLY.format(index=index, sender=sender, to=to).replace("\n", "\r\n").encode()
        messages.append((sender, to, raw))
    return messages


def _wait_for_port(process, port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the inbound SMTP server exited:\n{procs.log_tail(process)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the inbound SMTP server did not listen within {timeout} s")


def _send(port, messages, errors):
    import smtplib

    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
            for sender, to, raw in messages:
                client.sendmail(sender, [to], raw)
    except (smtplib.SMTPException, OSError) as error:
        errors.append(f"{type(error).__name__}: {error}")


def _drafted():
    from django.db import close_old_connections

    from inbound.models import InboundMessage, InboundState

    close_old_connections()
    return InboundMessage.objects.filter(state=InboundState.DRAFTED).count()


def _latencies():
    from inbound.models import InboundMessage, InboundState

    rows = InboundMessage.objects.filter(state=InboundState.DRAFTED).values_list("received_at", "processed_at")
    return sorted((done - accepted).total_seconds() for accepted, done in rows)


def _p95(values):
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else (values[0] if values else 0.0)


def _pipeline(run, messages):
    from django.db import connection

    from config.celery import app

    count = len(messages)
    port = services.free_port()
    connection.close()
    worker = procs.celery_worker(run.env, concurrency=2)
    server = procs.start(
        "inbound-smtp",
        [sys.executable, "manage.py", "inbound_smtp", "--host", "127.0.0.1", "--port", str(port)],
        run.env,
    )
    try:
        procs.wait_for_worker(worker, app)
        _wait_for_port(server, port)
        errors = []
        threads = [
            threading.Thread(target=_send, args=(port, messages[i::CLIENTS], errors), daemon=True)
            for i in range(CLIENTS)
        ]
        started = time.monotonic()
        cpu_before = {"worker": procs.cpu_seconds(worker.pid), "smtp_server": procs.cpu_seconds(server.pid)}
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(300, count / 5))
        sent_seconds = time.monotonic() - started
        deadline = time.monotonic() + max(180, count / 5)
        drafted = _drafted()
        while drafted < count and time.monotonic() < deadline and not errors:
            time.sleep(0.05)
            drafted = _drafted()
        elapsed = time.monotonic() - started
        # Where the pipeline's CPU went, per message (compare the baseline's).
        cpu = {
            "worker": procs.cpu_seconds(worker.pid) - cpu_before["worker"],
            "smtp_server": procs.cpu_seconds(server.pid) - cpu_before["smtp_server"],
        }
    finally:
        procs.stop(server)
        procs.stop(worker)
    latencies = _latencies()
    from inbound.models import InboundMessage
    from lessons.models import Submission

    return {
        "replies": count,
        "drafted": drafted,
        "stored": InboundMessage.objects.count(),
        "pieces": Submission.objects.count(),
        "errors": errors[:5],
        "smtp_seconds": round(sent_seconds, 2),
        "seconds": round(elapsed, 2),
        "messages_per_second": round(drafted / elapsed, 1) if drafted else 0.0,
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else 0.0,
        "p95_ms": round(_p95(latencies) * 1000, 1),
        "cpu_ms_per_message": {name: round(seconds * 1000 / count, 1) for name, seconds in cpu.items()},
    }


def _baseline(messages):
    """Parse and insert, in this process: the same parser, a piece and its first version each."""
    from django.db import transaction

    from cohorts.models import Membership
    from inbound.parsing import parse, read_reply
    from lessons.models import Submission, SubmissionVersion

    by_email = {m.user.email: m.pk for m in Membership.objects.select_related("user")}
    durations = []
    started, cpu_started = time.monotonic(), time.process_time()
    for index, (sender, _to, raw) in enumerate(messages):
        begun = time.monotonic()
        reply = read_reply(parse(raw))
        with transaction.atomic():
            piece = Submission.objects.create(
                membership_id=by_email[sender], assignment_id=f"baseline-{index}", body=reply.text, version=1
            )
            SubmissionVersion.objects.create(submission=piece, number=1, body=reply.text)
        durations.append(time.monotonic() - begun)
    elapsed = time.monotonic() - started
    cpu = time.process_time() - cpu_started
    durations.sort()
    return {
        "replies": len(messages),
        "seconds": round(elapsed, 2),
        "messages_per_second": round(len(messages) / elapsed, 1),
        "p50_ms": round(statistics.median(durations) * 1000, 1),
        "p95_ms": round(_p95(durations) * 1000, 1),
        "cpu_ms_per_message": round(cpu * 1000 / len(messages), 1),
    }


def b5(run):
    from django.utils import timezone

    count = run.args.replies
    run.fresh_database()
    messages = seed_replies(count, timezone.now())
    pipeline = _pipeline(run, messages)
    baseline = _baseline(messages)
    ratio = pipeline["messages_per_second"] / baseline["messages_per_second"] if baseline["messages_per_second"] else 0
    complete = pipeline["drafted"] == count == pipeline["stored"] == pipeline["pieces"] and not pipeline["errors"]
    return {
        "pipeline": pipeline,
        "baseline": baseline,
        "ratio": round(ratio, 2),
        "complete": complete,
        "target": ">= 0.5",
        "pass": complete and ratio >= 0.5,
    }
