"""`make bench` / `python -m bench`: the nudge pipeline and the pages against baselines measured in
the same run, printed as a table and written to bench/results.json.

Needs PostgreSQL and Redis (exit 2 without them). Uses its own database (klartext_bench, copied
for each benchmark from a template it builds first) and its own Redis databases (12 and 13), all
dropped or flushed at the end. Absolute times on a shared machine are noise: read the ratios.
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

from . import services

FULL = {
    "members": 20_000,
    "zones": 40,
    "tick_sizes": [10_000, 100_000],
    "memory_members": 100_000,
    "circle_members": 200,
    "pieces": 5_000,
    "responses": 20_000,
    "duration": 10,
    "replies": 2_000,
}
# A smoke test that every benchmark runs and reports (the suite runs it): the smallest sizes that
# still take each path (several batches, two tick sizes, more pieces than one assignment holds).
QUICK = {
    "members": 300,
    "zones": 10,
    "tick_sizes": [500, 2_000],
    "memory_members": 500,
    "circle_members": 20,
    "pieces": 100,
    "responses": 400,
    "duration": 1,
    "replies": 100,
}
ALL = ["B1", "B2", "B3", "B4", "B5"]
RESULTS = Path(__file__).with_name("results.json")


def sizes(text):
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test, not a measurement")
    parser.add_argument("--only", default=",".join(ALL), help="benchmarks to run, e.g. B1,B3 (default: all)")
    parser.add_argument("--members", type=int, help="B1: memberships due in one tick (20,000)")
    parser.add_argument("--zones", type=int, help="B1, B2, B4: time zones of the members (40)")
    parser.add_argument("--tick-sizes", type=sizes, help="B2: memberships, comma-separated (10000,100000)")
    parser.add_argument("--memory-members", type=int, help="B4: memberships of the fan-out (100,000)")
    parser.add_argument("--circle-members", type=int, help="B3: members of the cohort (200)")
    parser.add_argument("--pieces", type=int, help="B3: shared pieces (5,000)")
    parser.add_argument("--responses", type=int, help="B3: responses (20,000)")
    parser.add_argument("--duration", type=int, help="B3: seconds of load per page (10)")
    parser.add_argument("--replies", type=int, help="B5: replies sent over SMTP (2,000)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the results (bench/results.json)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed, not only on errors")
    parser.add_argument("--keep", action="store_true", help="keep the bench databases afterwards (to look inside)")
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.only = [name.strip().upper() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(ALL)
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(sorted(unknown))}; choose from {', '.join(ALL)}")
    return args


def machine_info():
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_kb = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        memory_kb = int(Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1])
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model or platform.processor() or "unknown",
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_start": [round(value, 2) for value in os.getloadavg()],
    }


class Run:
    """What every benchmark needs: options, the environment of the children, the sink, the
    database reset."""

    def __init__(self, args, svc, env, sink, web_port):
        self.args = args
        self.services = svc
        self.env = env
        self.sink = sink
        self.web_port = web_port

    def fresh_database(self):
        """klartext_bench as the template left it: the course, no people."""
        from django.db import connections

        connections.close_all()
        services.create_database(self.services, services.BENCH_DB, template=services.TEMPLATE_DB)
        services.flush_redis(self.services)


def assignments_needed(args):
    return -(-args.pieces // args.circle_members) if "B3" in args.only else 0


def prepare(run):
    """Build the template database once per run: migrations, the course, the baseline page."""
    from django.core.management import call_command
    from django.db import connections

    from . import seed

    services.create_database(run.services, services.BENCH_DB)
    info = seed.build_template(assignments_needed(run.args))
    call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()
    services.create_database(run.services, services.TEMPLATE_DB, template=services.BENCH_DB)
    return info


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    svc = services.from_environment()
    try:
        services.check(svc)
    except services.ServiceMissing as missing:
        print(missing, file=sys.stderr)
        return 2

    from .sink import Sink

    run_lock = services.hold_run_lock(svc)
    started = time.monotonic()
    machine = machine_info()
    smtp_port, web_port = services.free_port(), services.free_port()
    env = services.bench_environment(svc, smtp_port=smtp_port, web_port=web_port)
    os.environ.update(env)
    os.environ.pop("PYTEST_CURRENT_TEST", None)
    import django

    django.setup()

    from . import fanout, pages, replies, report, tick

    runners = {"B1": fanout.b1, "B2": tick.b2, "B3": pages.b3, "B4": fanout.b4, "B5": replies.b5}
    results = {
        "mode": "quick" if args.quick else "full",
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "sizes": {name: getattr(args, name) for name in FULL},
        "benchmarks": {},
        "errors": {},
    }
    with Sink(smtp_port) as sink:
        run = Run(args, svc, env, sink, web_port)
        try:
            print(f"Preparing the bench database ({services.TEMPLATE_DB}) …", flush=True)
            results["course"] = prepare(run)
            for name in [name for name in ALL if name in args.only]:
                print(f"Running {name} …", flush=True)
                step = time.monotonic()
                try:
                    results["benchmarks"][name] = runners[name](run)
                except Exception as error:  # noqa: BLE001 - reported; the other benchmarks still run
                    results["errors"][name] = f"{type(error).__name__}: {error}"
                    print(f"{name} failed: {results['errors'][name]}", file=sys.stderr, flush=True)
                else:
                    print(f"  {name} done in {time.monotonic() - step:.0f} s", flush=True)
        finally:
            from django.db import connections

            connections.close_all()
            if not args.keep:
                services.drop_database(svc, services.BENCH_DB)
                services.drop_database(svc, services.TEMPLATE_DB)
            services.flush_redis(svc)
            run_lock.close()

    machine["load_end"] = [round(value, 2) for value in os.getloadavg()]
    results["seconds"] = round(time.monotonic() - started, 1)
    results["pass"] = not results["errors"] and all(b.get("pass") for b in results["benchmarks"].values())
    results["complete"] = not results["errors"] and all(b.get("complete", True) for b in results["benchmarks"].values())
    args.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print()
    print(report.table(results))
    for name, error in results["errors"].items():
        print(f"{name}: {error}")
    print(f"\nResults: {args.output}")
    if not results["complete"]:
        return 1
    return 1 if args.strict and not results["pass"] else 0


if __name__ == "__main__":
    sys.exit(main())
