"""The migrated template the test workers copy is kept between runs under a name that a change to
anything `migrate` reads would change (tests/database_template.py)."""

import os
import sqlite3

import django
from django.db import connection

from tests import database_template


def test_the_template_is_named_after_every_migration_the_project_modules_and_the_packages():
    files, others = database_template.template_inputs()
    # Wagtail's migrations, ours, and modules ours import, by names that are the same in any clone.
    assert {"wagtail/migrations/0001_initial.py", "course/migrations/0001_initial.py", "lessons/rendering.py"} <= set(
        files
    )
    assert not [name for name in files if name.startswith(("tests/", "/", "."))]
    assert f"Django=={django.__version__}" in others
    assert connection.settings_dict["ENGINE"] in others


def test_a_changed_input_names_a_new_template(tmp_path):
    first, second = tmp_path / "0001_initial.py", tmp_path / "0002_more.py"
    first.write_text("operations = []\n")
    second.write_text("operations = []\n")
    files = {"app/migrations/0001_initial.py": first, "app/migrations/0002_more.py": second}
    key = database_template.digest(files, ["Django==5.2"])
    assert database_template.digest(dict(reversed(files.items())), ["Django==5.2"]) == key
    second.write_text("operations = [1]\n")
    assert database_template.digest(files, ["Django==5.2"]) != key
    second.write_text("operations = []\n")
    assert database_template.digest(files, ["Django==5.2.1"]) != key
    assert database_template.digest({"app/migrations/0001_initial.py": first}, ["Django==5.2"]) != key
    # The same files in another clone's folder: the same template.
    elsewhere = tmp_path / "clone"
    elsewhere.mkdir()
    moved = {name: elsewhere / path.name for name, path in files.items()}
    for name, path in moved.items():
        path.write_bytes(files[name].read_bytes())
    assert database_template.digest(moved, ["Django==5.2"]) == key


def test_a_kept_sqlite_template_is_reused_and_an_outdated_one_removed(tmp_path, monkeypatch):
    migrated = []

    def migrate_into(_connection, name):
        migrated.append(name)
        with sqlite3.connect(name) as database:
            database.execute("PRAGMA journal_mode=WAL")
            database.execute("CREATE TABLE migrated (name TEXT)")
        database.close()

    monkeypatch.setattr(database_template, "_migrate_into", migrate_into)
    old, new = str(tmp_path / "template-aaaa.sqlite3"), str(tmp_path / "template-bbbb.sqlite3")

    database_template._build_sqlite(connection, old)
    database_template._build_sqlite(connection, old)
    assert len(migrated) == 1  # the second run found it
    (tmp_path / "template-aaaa.sqlite3-shm").write_text("")

    database_template._build_sqlite(connection, new)
    assert len(migrated) == 2
    assert sorted(os.listdir(tmp_path)) == ["template-bbbb.sqlite3"]  # built under another name, renamed
