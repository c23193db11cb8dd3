"""`make test` runs two pytest-xdist workers at once: each needs its own test database and Redis
databases, or one worker's cache flush or queue purge would break the other's test."""

import os
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
        assert verdict.read() == database_template.READY
