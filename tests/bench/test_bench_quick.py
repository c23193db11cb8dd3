"""`make bench` end to end at small sizes: a smoke test that the benchmark runs and reports, never a
timing assertion (CI shares its machine)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import procs

ROOT = Path(__file__).resolve().parents[2]
HAS_SERVICES = os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")


def bench(*args, env=None, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_without_postgresql_and_redis_it_says_so_and_exits_2(tmp_path):
    result = bench(
        "--quick",
        "--output",
        str(tmp_path / "results.json"),
        env={"DATABASE_URL": "postgres://postgres@127.0.0.1:9/none", "REDIS_URL": "redis://127.0.0.1:9/0"},
        timeout=60,
    )
    assert result.returncode == 2
    assert "needs PostgreSQL and Redis" in result.stderr
    assert "127.0.0.1:9" in result.stderr
    assert not (tmp_path / "results.json").exists()


@pytest.mark.services
@pytest.mark.skipif(not HAS_SERVICES, reason="needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL")
@pytest.mark.skipif(shutil.which("wrk") is None, reason="B3 drives the pages with wrk (apt-get install wrk)")
def test_the_quick_run_prints_the_table_and_writes_every_benchmark_to_results_json(tmp_path):
    output = tmp_path / "results.json"
    result = bench("--quick", "--output", str(output), timeout=1800)  # may first wait for another run
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for line in ("B1 fan-out", "B2 tick", "B3 lesson page", "B3 member home", "B3 circle feed",
                 "B3 facilitator dashboard", "B4 peak RSS", "B5 replies by email"):  # fmt: skip
        assert line in result.stdout
    results = json.loads(output.read_text())
    assert results["mode"] == "quick"
    assert results["errors"] == {}
    assert results["complete"] is True
    assert set(results["benchmarks"]) == {"B1", "B2", "B3", "B4", "B5"}
    assert {"cpus", "cpu_model", "load_start", "load_end"} <= set(results["machine"])
    b1 = results["benchmarks"]["B1"]
    members = results["sizes"]["members"]
    # Every due member got exactly one message, from the pipeline and from the baseline.
    assert b1["pipeline"]["received"] == b1["pipeline"]["distinct_message_ids"] == members
    assert b1["baseline"]["received"] == members
    assert b1["pipeline"]["delivery_states"] == {"sent": members}
    assert b1["ratio"] > 0
    b2 = results["benchmarks"]["B2"]
    assert [size["members"] for size in b2["sizes"]] == results["sizes"]["tick_sizes"]
    assert b2["queries_constant"] is True
    pages = results["benchmarks"]["B3"]["pages"]
    assert set(pages) == {
        "baseline", "lesson page", "member home", "circle feed", "facilitator dashboard", "admin frame (reference)",
    }  # fmt: skip
    assert all(page["rps"] > 0 and page["errors"] == 0 for page in pages.values())
    workers = results["benchmarks"]["B4"]["fanout"]["workers"]
    assert [row["role"] for row in workers].count("pool") == procs.WORKER_PROCESSES
    assert all(row["peak_mb"] > 0 for row in workers)
    for name, benchmark in results["benchmarks"].items():
        assert {"target", "pass"} <= set(benchmark), name
