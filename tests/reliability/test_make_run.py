"""`make run` from a newcomer's point of view: web, worker, beat and the inbound SMTP server start
together on the embedded defaults (SQLite, filesystem broker), pages answer, beat's tick reaches the
worker, a reply to the nudge in var/outbox/ (sent as the README shows) becomes a draft on the
member's home, and Ctrl-C stops them all. One `make run` serves the tests of this module."""

import email
import email.policy
import email.utils
import http.cookiejar
import os
import re
import shlex
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
DEMO_PASSWORD = "klartext-demo"
# Both tests share one `make run`: one xdist worker runs them.
pytestmark = [
    pytest.mark.skipif(not os.access(ROOT / ".venv/bin/honcho", os.X_OK), reason="needs `make install`"),
    pytest.mark.xdist_group("make_run"),
]


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


def outbox_messages(var):
    """Every message in var/outbox/, oldest file first (Django's file backend writes each message
    followed by a line of 79 dashes)."""
    outbox = var / "outbox"
    if not outbox.exists():
        return []
    messages = []
    for path in sorted(outbox.iterdir()):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return messages


def readme_reply_command():
    """The README's Python one-liner that answers a nudge: [python, "-c", code, from, to, text]."""
    readme = (ROOT / "README.md").read_text()
    line = next(line for line in readme.splitlines() if line.startswith('.venv/bin/python -c "import smtplib'))
    return shlex.split(line)


class MakeRun:
    def __init__(self, process, lines, base, var, inbound_port):
        self.process, self.lines, self.base, self.var, self.inbound_port = process, lines, base, var, inbound_port

    @property
    def output(self):
        return "".join(self.lines)

    def wait_for(self, look, timeout, what):
        """Poll `look` every second until it returns something true; fail if make run exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output
            found = look()
            if found:
                return found
            time.sleep(1)
        raise AssertionError(f"{what} within {timeout} s\n{self.output}")


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    var = tmp_path_factory.mktemp("make_run") / "var"
    port, inbound_port = free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "KLARTEXT_VAR_DIR": str(var),
            "PORT": str(port),
            "KLARTEXT_TICK_SECONDS": "10",
            "KLARTEXT_INBOUND_SMTP_PORT": str(inbound_port),
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
        yield MakeRun(process, lines, f"http://127.0.0.1:{port}", var, inbound_port)
    finally:
        # Ctrl-C, as a person would; then everything must be gone.
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    leftover = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert leftover == [], "Ctrl-C left processes of make run behind"


def test_make_run_serves_pages_and_the_worker_receives_beats_tick(make_run):
    base, var = make_run.base, make_run.var
    port = base.rsplit(":", 1)[1]
    deadline = time.monotonic() + 240
    landing = lesson = None
    received = nudged = False
    while time.monotonic() < deadline and not (landing and lesson and received and nudged):
        time.sleep(1)
        assert make_run.process.poll() is None, make_run.output
        output = make_run.output
        if landing is None and f"http://localhost:{port}/" in output:
            status, html = get(f"{base}/")
            if status == 200:
                landing = html
        if landing and lesson is None:
            status, html = get(f"{base}/digital-presence-for-leaders/")
            if status == 200 and 'href="/digital-presence-for-leaders/' in html:
                first = html.split('href="/digital-presence-for-leaders/', 1)[1].split('"', 1)[0]
                # Lessons are for the cohort: sign in as a demo member, as a newcomer would.
                member = logged_in_opener(base, "katrin@klartext.localhost", DEMO_PASSWORD)
                status, html = get(f"{base}/digital-presence-for-leaders/{first}", member)
                if status == 200:
                    lesson = html
        # Celery 5.7 logs "Task mail.tasks.tick[<id>] received"; older ones "Received task: …".
        received = bool(re.search(r"mail\.tasks\.tick\[[^\]]+\] received|Received task: mail\.tasks\.tick", output))
        # The demo is seeded so that the first tick has a weekly nudge to send, whatever the hour.
        nudged = received and weekly_nudges_sent(var) > 0
    output = make_run.output
    assert landing is not None, output
    assert lesson is not None and "writing-assignment" in lesson, output
    assert received, output
    assert nudged, output
    assert any((var / "outbox").iterdir()), "the nudge is not in var/outbox/"
    assert "consultant@klartext.localhost" in output  # the demo login is printed


def test_a_reply_to_the_nudge_in_the_outbox_becomes_a_draft_on_the_members_home(make_run):
    """The README's journey, word for word: open the nudge in var/outbox/, note its To and
    Reply-To, answer it with the README's one-liner, sign in as that member and see the draft."""

    def first_nudge():
        for message in outbox_messages(make_run.var):
            if str(message.get("Reply-To", "")).startswith("reply+") and message.get("List-Id"):
                return message
        return None

    nudge = make_run.wait_for(first_nudge, 240, "no nudge with a Reply-To reached var/outbox/")
    member = email.utils.parseaddr(str(nudge["To"]))[1]
    reply_to = str(nudge["Reply-To"])

    python, dash_c, code, readme_from, readme_to, text = readme_reply_command()
    assert (python, readme_to) == (".venv/bin/python", "reply+…@klartext.localhost")
    assert readme_from.endswith("@klartext.localhost") and "2525" in code
    # The README's command with this run's member, Reply-To and inbound port filled in.
    sent = subprocess.run(
        [python, dash_c, code.replace("2525", str(make_run.inbound_port)), member, reply_to, text],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert sent.returncode == 0, sent.stderr

    opener = logged_in_opener(make_run.base, member, DEMO_PASSWORD)
    assert opener is not None, "could not sign in as the member with the demo password"

    def home_with_draft():
        status, html = get(f"{make_run.base}/", opener)
        return html if status == 200 and "Your drafts" in html and text.split(":")[-1].strip(" .") in html else None

    home = make_run.wait_for(home_with_draft, 60, f"the reply is not a draft on {member}'s home")
    assert re.search(r'href="/write/piece/\d+/"', home)

    def confirmation():
        return next(
            (
                message
                for message in outbox_messages(make_run.var)
                if email.utils.parseaddr(str(message["To"]))[1] == member
                and "Your draft is saved" in str(message["Subject"])
            ),
            None,
        )

    # The next tick (every 10 s in this run) sends the confirmation.
    make_run.wait_for(confirmation, 60, 'no "Your draft is saved" email in var/outbox/')


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
