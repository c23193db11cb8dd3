"""`make test` runs three pytest-xdist workers at once: each needs its own test database and Redis
databases, or one worker's cache flush or queue purge would break the other's test."""

import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from tests import database_template

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
BENCH_REDIS_DBS = {12, 13}  # bench/services.py flushes these

pytestmark = pytest.mark.skipif(not WORKER, reason="runs inside a pytest-xdist worker (make test)")


def redis_db(url):
    return int(urlsplit(url).path.lstrip("/"))


@pytest.mark.django_db
def test_each_worker_has_its_own_test_database():
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database belongs to its process")
    assert name.endswith(f"_{WORKER}")


@pytest.mark.skipif(not settings.REDIS, reason="needs REDIS_URL")
def test_each_worker_has_its_own_redis_databases_and_a_celery_worker_process_would_share_them():
    broker = redis_db(settings.CELERY_BROKER_URL)
    cache = redis_db(settings.CACHES["default"]["LOCATION"])
    assert cache == broker + 1
    assert redis_db(app.conf.broker_url) == broker
    assert redis_db(os.environ["REDIS_URL"]) == broker  # what a subprocess's settings read
    assert not {broker, cache} & BENCH_REDIS_DBS
    if WORKER != "gw0":
        assert broker not in {0, 1}  # a developer's default databases


def test_workers_copy_one_migrated_template_instead_of_migrating_each_their_own():
    folder = os.environ.get(database_template.FOLDER_VARIABLE)
    assert folder, "the controller started no template"
    with open(os.path.join(folder, "verdict")) as verdict:
        state, name = verdict.read().split("\n")
    assert state == database_template.READY
    assert name.removesuffix(".sqlite3").endswith(database_template.template_key())


GROUPED_MODULE = """
import os
import pytest

pytestmark = pytest.mark.xdist_group("one")

@pytest.mark.parametrize("n", range(6))
def test_in_the_group(n):
    with open(os.path.join(os.environ["RECORD"], f"{n}"), "w") as record:
        record.write(os.environ["PYTEST_XDIST_WORKER"])
"""


def test_the_tests_of_one_xdist_group_run_on_one_worker(tmp_path):
    """What a module-scoped fixture of a grouped module (one `make run`, one seeded demo, one AT
    Protocol network) relies on; pytest 9.2 with pytest-xdist 3.8 spread them over every worker."""
    (tmp_path / "test_grouped.py").write_text(GROUPED_MODULE)
    record = tmp_path / "record"
    record.mkdir()
    args = ["-m", "pytest", "-n", "2", "--dist", "loadgroup", "-p", "no:django", "-p", "no:cacheprovider", "-q"]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    result = subprocess.run([sys.executable, *args, str(tmp_path)], cwd=tmp_path, env=env | {"RECORD": str(record)},
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    workers = {path.read_text() for path in record.iterdir()}
    assert len(list(record.iterdir())) == 6 and len(workers) == 1, workers
