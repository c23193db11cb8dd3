"""B3: the member and facilitator pages under load, against a plain Wagtail page with the same
body (bench.models.BaselinePage) measured in the same run.

gunicorn serves the app with two sync workers on loopback; wrk (one thread, four connections)
drives one URL at a time with the session cookie of a member (the facilitator's for the dashboard).
The baseline runs before and after every page, and each page is compared with the mean of the
two baseline runs around it: a shared machine's speed drifts within a run, and a page measured a
minute after a single baseline carries that drift in its ratio. The
Wagtail admin's listing of cohorts is measured too, as a reference: every admin page pays for the
admin's own frame (sidebar, menus, permissions, its stylesheets and scripts), so that light page
shows the floor under the dashboard and how much of the dashboard's cost is the dashboard's.
"""

import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import procs, seed

CONNECTIONS = 4
ADMIN_REFERENCE = "admin frame (reference)"
TARGET_RATIO = 0.7
LUA = Path(__file__).with_name("wrk_report.lua")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, cookie):
    """(status, body length) without following redirects."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - loopback http only
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, 0


def gunicorn(env, port):
    return procs.start(
        "gunicorn",
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "2", "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120"],
        env,
    )  # fmt: skip


def wait_until_serving(process, base, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{procs.log_tail(process)}")
        try:
            if fetch(base + "/healthz", "")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{procs.log_tail(process)}")


def wrk(url, cookie, seconds):
    command = [
        shutil.which("wrk") or "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s",
        "-s", str(LUA), "-H", f"Cookie: {cookie}", url,
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    data = json.loads(output.strip().splitlines()[-1])
    seconds_run = data["duration_us"] / 1e6
    errors = sum(data["errors"].values())
    return {
        "requests": data["requests"],
        "rps": round(data["requests"] / seconds_run, 1),
        "p50_ms": round(data["p50_us"] / 1000, 1),
        "p95_ms": round(data["p95_us"] / 1000, 1),
        "errors": errors,
    }


def b3(run):
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    from .models import BaselinePage

    args = run.args
    run.fresh_database()
    data = seed.seed_circle(args.circle_members, args.pieces, args.responses, timezone.now())
    cohort = data["cohort"]
    member_cookie = seed.session_cookie(data["member"])
    facilitator_cookie = seed.session_cookie(data["facilitator"])
    targets = [
        ("baseline", BaselinePage.objects.get().url, member_cookie),
        ("lesson page", data["lesson"].url, member_cookie),
        ("member home", reverse("progress:cohort_home", args=[cohort.pk]), member_cookie),
        ("circle feed", reverse("circle:feed", args=[cohort.pk]), member_cookie),
        # The first page of members, no circle chosen: what the facilitator opens.
        ("facilitator dashboard", reverse("cohort_admin:dashboard", args=[cohort.pk]), facilitator_cookie),
        # Not a target: the floor under any admin page, so the dashboard's own cost can be read.
        (ADMIN_REFERENCE, reverse("cohort_admin:index"), facilitator_cookie),
    ]
    connection.close()

    base = f"http://127.0.0.1:{run.web_port}"
    server = gunicorn(run.env, run.web_port)
    results = {}
    try:
        wait_until_serving(server, base)
        for name, path, cookie in targets:
            status, size = fetch(base + path, cookie)
            if status != 200:
                raise RuntimeError(f"{name} ({path}) answered {status}, not 200:\n{procs.log_tail(server)}")
            for _ in range(8):  # both workers: templates compiled, caches warm
                fetch(base + path, cookie)
            results[name] = {"path": path, "bytes": size}
        _name, baseline_path, baseline_cookie = targets[0]
        baseline_runs = [wrk(base + baseline_path, baseline_cookie, args.duration)]
        around = {}  # page → the baseline's requests/s just before and just after it
        for name, path, cookie in targets[1:]:
            results[name].update(wrk(base + path, cookie, args.duration))
            baseline_runs.append(wrk(base + baseline_path, baseline_cookie, args.duration))
            around[name] = (baseline_runs[-2]["rps"] + baseline_runs[-1]["rps"]) / 2
    finally:
        procs.stop(server)

    baseline_rps = sum(r["rps"] for r in baseline_runs) / len(baseline_runs)
    results["baseline"].update(
        {
            "rps": round(baseline_rps, 1),
            "p50_ms": baseline_runs[0]["p50_ms"],
            "p95_ms": baseline_runs[0]["p95_ms"],
            "errors": sum(r["errors"] for r in baseline_runs),
            "runs": baseline_runs,
        }
    )
    pages = {}
    for name, figures in results.items():
        if name != "baseline":
            figures["baseline_rps"] = round(around[name], 1)
            figures["ratio"] = round(figures["rps"] / around[name], 2) if around[name] else 0.0
            if name != ADMIN_REFERENCE:
                figures["pass"] = figures["ratio"] >= TARGET_RATIO and figures["errors"] == 0
        pages[name] = figures
    admin_rps = pages[ADMIN_REFERENCE]["rps"]
    dashboard = pages["facilitator dashboard"]
    dashboard["ratio_to_admin_frame"] = round(dashboard["rps"] / admin_rps, 2) if admin_rps else 0.0
    # An admin page is measured against the admin's own frame, which no admin page can beat.
    dashboard["pass"] = dashboard["ratio_to_admin_frame"] >= TARGET_RATIO and dashboard["errors"] == 0
    return {
        "members": args.circle_members,
        "pieces": args.pieces,
        "responses": args.responses,
        "lessons": data["lessons"],
        "seconds_per_page": args.duration,
        "connections": CONNECTIONS,
        "pages": pages,
        "target": f">= {TARGET_RATIO} of the baseline's requests/s for every member page; the dashboard (its "
        f"first page of members, no circle filter) >= {TARGET_RATIO} of the admin frame's",
        "complete": all(figures["errors"] == 0 for figures in pages.values()),
        "pass": all(figures.get("pass", True) for figures in pages.values()),
    }
