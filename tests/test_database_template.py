"""The migrated template the test workers copy is kept between runs under a name that a change to
anything `migrate` reads would change (tests/database_template.py)."""

import os
import sqlite3

import django
from django.db import connection

from tests import database_template


def test_the_template_is_named_after_every_migration_the_project_modules_and_the_packages():
    files, others = database_template.template_inputs()
    names = {os.path.relpath(path, database_template.ROOT) for path in files}
    # Wagtail's migrations, ours, and modules ours import.
    assert any(path.endswith(os.path.join("wagtail", "migrations", "0001_initial.py")) for path in map(str, files))
    assert {os.path.join("course", "migrations", "0001_initial.py"), os.path.join("lessons", "rendering.py")} <= names
    assert not [name for name in names if name.startswith("tests")]
    assert not [name for name in names if name.startswith(".venv") and "/migrations/" not in name]
    assert f"Django=={django.__version__}" in others
    assert connection.settings_dict["ENGINE"] in others


def test_a_changed_input_names_a_new_template(tmp_path):
    first, second = tmp_path / "0001_initial.py", tmp_path / "0002_more.py"
    first.write_text("operations = []\n")
    second.write_text("operations = []\n")
    key = database_template.digest([first, second], ["Django==5.2"])
    assert database_template.digest([first, second], ["Django==5.2"]) == key
    second.write_text("operations = [1]\n")
    assert database_template.digest([first, second], ["Django==5.2"]) != key
    second.write_text("operations = []\n")
    assert database_template.digest([first, second], ["Django==5.2.1"]) != key
    assert database_template.digest([first], ["Django==5.2"]) != key


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
