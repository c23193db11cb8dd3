"""Child processes of a bench run (Celery workers, gunicorn, the baseline sender) and their memory,
read from /proc (no extra dependency)."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .services import ROOT

LOG_DIR = ROOT / "var" / "bench" / "logs"


def start(name, args, env):
    """A child in its own process group (so stopping it stops its children), output to a log."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = open(LOG_DIR / f"{name}.log", "wb")  # noqa: SIM115 - closed by stop()
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    process.log = log
    process.name = name
    return process


def stop(process, timeout=30):
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        except ProcessLookupError:
            pass
    process.log.close()


def log_tail(process, lines=20):
    path = Path(process.log.name)
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


# The README's deployment: sending waits on SMTP and the database, so more processes than cores.
WORKER_PROCESSES = 4


def celery_worker(env, concurrency=WORKER_PROCESSES):
    """One worker node with `concurrency` prefork processes."""
    return start(
        "celery-worker",
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING",
         f"--concurrency={concurrency}", "--prefetch-multiplier=1", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-n", "bench@%h"],
        env,
    )  # fmt: skip


def wait_for_worker(process, app, timeout=60):
    """Until the worker answers a ping (its pool processes are up then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited:\n{log_tail(process)}")
        if app.control.ping(timeout=0.5):
            return
    raise RuntimeError(f"the Celery worker did not answer within {timeout} s:\n{log_tail(process)}")


def children(pid):
    """Direct children of a process (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def cpu_seconds(pid):
    """CPU time (user + system) a process and its live children have used so far (Linux /proc)."""
    total = 0
    for each in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def status_kb(pid, field):
    """A field of /proc/<pid>/status in kB (VmRSS, VmHWM), or None once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class RssSampler(threading.Thread):
    """Samples the resident memory of a process and its children every `interval` seconds and
    keeps each one's peak: the larger of the sampled VmRSS and the kernel's own high-water mark
    (VmHWM), so a spike between two samples still counts."""

    def __init__(self, root_pid, interval=0.5):
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.interval = interval
        self.peaks = {}  # pid → peak kB
        self.roles = {}
        self._stop_event = threading.Event()

    def sample(self):
        pids = [(self.root_pid, "main")] + [(pid, "pool") for pid in children(self.root_pid)]
        for pid, role in pids:
            values = [v for v in (status_kb(pid, "VmRSS"), status_kb(pid, "VmHWM")) if v]
            if values:
                self.peaks[pid] = max(self.peaks.get(pid, 0), *values)
                self.roles[pid] = role

    def run(self):
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def stop(self):
        self.sample()
        self._stop_event.set()
        self.join(5)

    def report(self):
        """[{pid, role, peak_mb}], the main process first."""
        rows = [{"pid": pid, "role": self.roles[pid], "peak_mb": round(kb / 1024, 1)} for pid, kb in self.peaks.items()]
        return sorted(rows, key=lambda row: (row["role"] != "main", row["pid"]))
