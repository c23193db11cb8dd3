"""One migrated test database, copied for each pytest-xdist worker, and kept for the next run.

Applying the 200-odd migrations (most of them Wagtail's) took each worker 15–25 s. With workers,
the controller process provides one template while the workers start and collect the tests; each
worker then copies it (SQLite: into its in-memory database with SQLite's backup API; PostgreSQL:
CREATE DATABASE … TEMPLATE) and runs `migrate`, which finds nothing left to apply. Without
workers (`-n 0`), or if the template could not be built, pytest-django migrates as usual.

The template is named after a hash of everything a migration can read (`template_key`): every
migration file of every installed app, the project's own modules (migrations import some), the
installed packages' versions, the database engine and the language settings. A run with the same inputs
copies the template the last run left (SQLite: a file under ~/.cache/klartext, PostgreSQL: a
database next to the test databases); any change to them gives a new name, so a stale template is
never used, and the one before is removed. A template is built under a temporary name and renamed
when complete, so a run that stops halfway leaves nothing that looks ready.
"""

import glob
import hashlib
import importlib.metadata
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from pytest_django.plugin import blocking_manager_key

FOLDER_VARIABLE = "KLARTEXT_TEST_TEMPLATE_FOLDER"
READY, FAILED = "ready", "failed"
WAIT_SECONDS = 900


def is_controller(config):
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


ROOT = Path(__file__).resolve().parents[1]
# The project's own code a migration may import (course.models, lessons.rendering, …): all of it
# but the tests, the virtualenv and what the app writes at run time.
NOT_PROJECT_CODE = {"tests", "node_modules", "static", "var", "test-artifacts"}


def template_inputs():
    """({name: file}, other inputs) that `migrate` reads: every migration of every installed app,
    the project's modules, the installed packages' versions, the engine and language settings.
    Files are named by app and relative path, so another clone of the same code finds the same
    template."""
    files = {}
    for app in apps.get_app_configs():
        for path in Path(app.path).glob("migrations/*.py"):
            files[f"{app.name.replace('.', '/')}/migrations/{path.name}"] = path
    for top in ROOT.iterdir():
        if top.is_dir() and top.name not in NOT_PROJECT_CODE and not top.name.startswith("."):
            for path in top.rglob("*.py"):
                files[path.relative_to(ROOT).as_posix()] = path
    packages = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions())
    # Not the database's name: a worker's is not the controller's, and it changes nothing migrated.
    engine = connections["default"].settings_dict["ENGINE"]
    return files, [*packages, engine, settings.LANGUAGE_CODE, repr(settings.LANGUAGES)]


def digest(files, others):
    hashed = hashlib.sha256()
    for name, path in sorted(files.items()):
        hashed.update(name.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    hashed.update("\n".join(others).encode())
    return hashed.hexdigest()[:16]


def template_key():
    """What names the template: a change to any of its inputs names a new one."""
    return digest(*template_inputs())


def cache_folder():
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "klartext" / "test-templates"


def template_name(settings_dict, key):
    """The template for `key`: a file (SQLite) or a database next to the workers' test databases
    (PostgreSQL)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return str(cache_folder() / f"template-{key}.sqlite3")
    return f"test_{settings_dict['NAME']}_template_{key}"


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
    config.stash[template_key_stash] = thread


template_key_stash = pytest.StashKey[threading.Thread]()


def build_template(folder, blocker):
    """Find the template for the current inputs, or migrate a new one, on this thread's own
    connection; then leave the verdict (READY and the template's name) in the folder. The
    controller runs no test: its database access is this thread's alone."""
    verdict = FAILED
    connection = connections["default"]
    try:
        with blocker.unblock():
            name = template_name(connection.settings_dict, template_key())
            if connection.vendor == "postgresql":
                _build_postgresql(connection, name)
            else:
                _build_sqlite(connection, name)
        verdict = f"{READY}\n{name}"
    except Exception as error:  # noqa: BLE001 - the workers migrate themselves instead
        verdict = f"{FAILED}: {error!r}"
    finally:
        with open(os.path.join(folder, "verdict.tmp"), "w") as file:
            file.write(verdict)
        os.replace(os.path.join(folder, "verdict.tmp"), os.path.join(folder, "verdict"))


def _migrate_into(connection, name):
    connection.close()
    connection.settings_dict = {**connection.settings_dict, "NAME": name}
    try:
        call_command("migrate", verbosity=0, interactive=False, database="default")
    finally:
        connection.close()


def _build_sqlite(connection, name):
    if os.path.exists(name):
        return
    folder = os.path.dirname(name)
    os.makedirs(folder, exist_ok=True)
    building = f"{name}.{os.getpid()}.building"
    try:
        _migrate_into(connection, building)
        # Readers copy it read-only: no write-ahead log files left beside it.
        database = sqlite3.connect(building)
        database.execute("PRAGMA journal_mode=DELETE")
        database.close()
        os.replace(building, name)
    finally:
        if os.path.exists(building):
            os.remove(building)
    # Another state of the code's template: migrated again if that state comes back.
    for other in glob.glob(os.path.join(folder, "template-*.sqlite3*")):
        if not other.startswith(name):
            os.remove(other)


def _build_postgresql(connection, name):
    prefix = name.rsplit("_", 1)[0] + "_"
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix.replace("_", r"\_") + "%"])
        existing = {row[0] for row in cursor.fetchall()}
    if name in existing:
        return
    building = f"{prefix}building_{os.getpid()}"
    _create_database(connection, building)
    try:
        _migrate_into(connection, building)
        with connection._nodb_cursor() as cursor:
            quote = connection.ops.quote_name
            cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(name)}")
    except Exception:
        _drop_database(connection, building)
        raise
    for other in existing:
        _drop_database(connection, other)


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
    thread = config.stash.get(template_key_stash, None)
    if thread is None:
        return
    thread.join(timeout=WAIT_SECONDS)
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
        verdict, _, name = file.read().partition("\n")
    return name if verdict == READY else None


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
    # Read-only: a template that is gone is an error, not a new empty database.
    source = sqlite3.connect(f"{Path(template).as_uri()}?mode=ro", uri=True)
    try:
        source.backup(memory)
    finally:
        source.close()
    return memory
