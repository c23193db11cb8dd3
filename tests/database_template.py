"""One migrated test database per run, copied for each pytest-xdist worker.

Applying the 200-odd migrations (most of them Wagtail's) took each worker 15–25 s. With workers,
the controller process migrates one template while the workers start and collect the tests; each
worker then copies it (SQLite: into its in-memory database with SQLite's backup API; PostgreSQL:
CREATE DATABASE … TEMPLATE) and runs `migrate`, which finds nothing left to apply. Without
workers (`-n 0`), or if the template could not be built, pytest-django migrates as usual.
"""

import os
import shutil
import sqlite3
import tempfile
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connections
from pytest_django.plugin import blocking_manager_key

FOLDER_VARIABLE = "KLARTEXT_TEST_TEMPLATE_FOLDER"
READY, FAILED = "ready", "failed"
WAIT_SECONDS = 900


def is_controller(config):
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


def template_name(settings_dict):
    """The template's name next to the workers' test databases (PostgreSQL), or its file (SQLite)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return os.path.join(os.environ[FOLDER_VARIABLE], "template.sqlite3")
    return f"test_{settings_dict['NAME']}_template"


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    # Before pytest-xdist starts the workers (they inherit the environment), and after
    # pytest-django has set up its database blocker, which the thread lifts for itself.
    config = session.config
    if not is_controller(config):
        return
    folder = tempfile.mkdtemp(prefix="klartext-test-template-")
    os.environ[FOLDER_VARIABLE] = folder
    blocker = config.stash[blocking_manager_key]
    thread = threading.Thread(target=build_template, args=(folder, blocker), name="test-template", daemon=True)
    thread.start()
    config.stash[template_key] = thread


template_key = pytest.StashKey[threading.Thread]()


def build_template(folder, blocker):
    """Migrate the template on this thread's own connection, then leave the verdict in the folder.
    The controller runs no test: its database access is this thread's alone."""
    verdict = FAILED
    connection = connections["default"]
    try:
        with blocker.unblock():
            name = template_name(connection.settings_dict)
            connection.settings_dict = {**connection.settings_dict, "NAME": name}
            if connection.vendor == "postgresql":
                _create_database(connection, name)
            call_command("migrate", verbosity=0, interactive=False, database="default")
            connection.close()
        verdict = READY
    except Exception as error:  # noqa: BLE001 - the workers migrate themselves instead
        verdict = f"{FAILED}: {error!r}"
    finally:
        with open(os.path.join(folder, "verdict.tmp"), "w") as file:
            file.write(verdict)
        os.replace(os.path.join(folder, "verdict.tmp"), os.path.join(folder, "verdict"))


def _create_database(connection, name, template=None):
    quoted = connection.ops.quote_name(name)
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        suffix = f" TEMPLATE {connection.ops.quote_name(template)}" if template else ""
        cursor.execute(f"CREATE DATABASE {quoted}{suffix}")


def _drop_database(connection, name):
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")


def pytest_unconfigure(config):
    thread = config.stash.get(template_key, None)
    if thread is None:
        return
    thread.join(timeout=WAIT_SECONDS)
    connection = connections["default"]
    if connection.vendor == "postgresql":
        with config.stash[blocking_manager_key].unblock():
            _drop_database(connection, template_name(connection.settings_dict))
    shutil.rmtree(os.environ.pop(FOLDER_VARIABLE), ignore_errors=True)


def waited_template():
    """The template, once the controller built it; None without one (no workers, or it failed)."""
    folder = os.environ.get(FOLDER_VARIABLE)
    if not folder:
        return None
    verdict_file = os.path.join(folder, "verdict")
    deadline = time.monotonic() + WAIT_SECONDS
    while not os.path.exists(verdict_file):
        if time.monotonic() > deadline:
            return None
        time.sleep(0.2)
    with open(verdict_file) as file:
        if file.read() != READY:
            return None
    return template_name(connections["default"].settings_dict)


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_modify_db_settings, django_db_blocker):
    """pytest-django keeps a test database it finds (`--reuse-db`); a worker's copy of the
    template is kept the same way, so `migrate` finds every migration applied. The copy is
    dropped at the end of the run, as pytest-django drops a database it created."""
    if request.config.getvalue("reuse_db"):
        return True
    template = waited_template() if hasattr(request.config, "workerinput") else None
    if template is None:
        return False
    connection = connections["default"]
    test_name = connection.creation._get_test_db_name()
    with django_db_blocker.unblock():
        keep_alive = _copy(connection, template, test_name)

    def drop():
        with django_db_blocker.unblock():
            connections.close_all()
            if keep_alive is not None:
                keep_alive.close()
            if connection.vendor == "postgresql":
                _drop_database(connection, test_name)

    request.addfinalizer(drop)
    return True


def _copy(connection, template, test_name):
    """Copy the template to the worker's test database. SQLite: into the shared in-memory
    database Django opens next, through a connection that keeps it alive for the run."""
    if connection.vendor == "postgresql":
        _create_database(connection, test_name, template=template)
        return None
    if not connection.creation.is_in_memory_db(test_name):
        shutil.copyfile(template, test_name)
        return None
    memory = sqlite3.connect(test_name, uri=True)
    source = sqlite3.connect(template)
    try:
        source.backup(memory)
    finally:
        source.close()
    return memory
