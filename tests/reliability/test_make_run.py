"""`make run` from a newcomer's point of view: web, worker and beat start together on the
embedded defaults (SQLite, filesystem broker), pages answer, beat's tick reaches the worker, and
Ctrl-C stops all three."""

import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url, opener=None):
    try:
        with (opener or urllib.request.build_opener()).open(url, timeout=5) as response:
            return response.status, response.read().decode()
    except OSError:
        return None, ""


def weekly_nudges_sent(var):
    database = var / "klartext.sqlite3"
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as connection:
            query = "SELECT count(*) FROM mail_delivery WHERE kind = 'weekly_nudge' AND state = 'sent' AND sent_at > ?"
            # Sent by this run, not one of the demo's past weeks (those are dated days ago).
            since = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - 600))
            return connection.execute(query, [since]).fetchone()[0]
    except sqlite3.Error:
        return 0


def logged_in_opener(base, email, password):
    """A browser-like session: fetch the login form for its CSRF token, then post credentials."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, html = get(f"{base}/accounts/login/", opener)
    if status != 200:
        return None
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": email, "password": password})
    request = urllib.request.Request(f"{base}/accounts/login/", data=data.encode(), headers={"Referer": base})
    try:
        opener.open(request, timeout=5)
    except OSError:
        return None
    return opener


@pytest.mark.skipif(not os.access(ROOT / ".venv/bin/honcho", os.X_OK), reason="needs `make install`")
def test_make_run_serves_pages_and_the_worker_receives_beats_tick(tmp_path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "KLARTEXT_VAR_DIR": str(tmp_path / "var"),
            "PORT": str(port),
            "KLARTEXT_TICK_SECONDS": "10",
            "KLARTEXT_INBOUND_SMTP_PORT": str(free_port()),
            "PYTHONUNBUFFERED": "1",
        }
    )
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 240
        landing = lesson = None
        received = nudged = False
        while time.monotonic() < deadline and not (landing and lesson and received and nudged):
            time.sleep(1)
            assert process.poll() is None, "".join(lines)
            output = "".join(lines)
            if landing is None and f"http://localhost:{port}/" in output:
                status, html = get(f"http://127.0.0.1:{port}/")
                if status == 200:
                    landing = html
            if landing and lesson is None:
                base = f"http://127.0.0.1:{port}"
                status, html = get(f"{base}/digital-presence-for-leaders/")
                if status == 200 and 'href="/digital-presence-for-leaders/' in html:
                    first = html.split('href="/digital-presence-for-leaders/', 1)[1].split('"', 1)[0]
                    # Lessons are for the cohort: sign in as a demo member, as a newcomer would.
                    member = logged_in_opener(base, "katrin@klartext.localhost", "klartext-demo")
                    status, html = get(f"{base}/digital-presence-for-leaders/{first}", member)
                    if status == 200:
                        lesson = html
            # Celery 5.7 logs "Task mail.tasks.tick[<id>] received"; older ones "Received task: …".
            received = bool(re.search(r"mail\.tasks\.tick\[[^\]]+\] received|Received task: mail\.tasks\.tick", output))
            # The demo is seeded so that the first tick has a weekly nudge to send, whatever the hour.
            nudged = received and weekly_nudges_sent(tmp_path / "var") > 0
        output = "".join(lines)
        assert landing is not None, output
        assert lesson is not None and "writing-assignment" in lesson, output
        assert received, output
        assert nudged, output
        assert any((tmp_path / "var" / "outbox").iterdir()), "the nudge is not in var/outbox/"
        assert "consultant@klartext.localhost" in output  # the demo login is printed
    finally:
        # Ctrl-C, as a person would; then everything must be gone.
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    leftover = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert leftover == []


@pytest.mark.parametrize(
    ("extra_env", "expected"),
    [({}, "http://localhost:8101"), ({"SITE_URL": "https://klartext.example"}, "https://klartext.example")],
)
def test_make_run_sets_site_url_from_port_so_email_links_reach_this_server(extra_env, expected):
    """Links in emails follow PORT (unless SITE_URL is set): the command `make run` would start
    the web, worker and beat with is run with `env` in honcho's place."""
    plan = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", "PORT=8101"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    (start,) = [line for line in plan.splitlines() if "honcho start" in line]
    shown = start.replace(".venv/bin/honcho start -f Procfile.dev", "env")
    env = {key: value for key, value in os.environ.items() if key != "SITE_URL"} | extra_env
    printed = subprocess.run(["sh", "-c", shown], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    assert f"SITE_URL={expected}" in printed.splitlines()
    assert "PORT=8101" in printed.splitlines()
