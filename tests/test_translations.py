"""Every string a person can see exists in German: the committed catalogue is complete, and it
is complete for the sources as they are now (a new {% translate %} without a German msgstr fails)."""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUE = LOCALE / "de" / "LC_MESSAGES" / "django.po"


def _problems(catalogue):
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    return untranslated, fuzzy


def test_committed_german_catalogue_has_no_untranslated_or_fuzzy_entry():
    untranslated, fuzzy = _problems(polib.pofile(str(CATALOGUE)))
    assert untranslated == [], f"{len(untranslated)} German msgstr empty, e.g. {untranslated[:5]}"
    assert fuzzy == [], f"{len(fuzzy)} German entries marked fuzzy, e.g. {fuzzy[:5]}"


def test_german_placeholders_match_the_english_ones():
    import re

    placeholder = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_0-9]*\}")
    mismatched = []
    for entry in polib.pofile(str(CATALOGUE)).translated_entries():
        expected = sorted(placeholder.findall(entry.msgid_plural or entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            found = sorted(placeholder.findall(text))
            # A singular German form may name the count in words ("ein Text") — only extra or
            # misspelled placeholders break rendering.
            if not set(found) <= set(expected + sorted(placeholder.findall(entry.msgid))):
                mismatched.append((entry.msgid, text))
    assert mismatched == []


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext (xgettext, msgmerge) is not installed")
def test_sources_contain_no_string_missing_from_the_german_catalogue(tmp_path, monkeypatch):
    shutil.copytree(LOCALE, tmp_path / "locale")
    monkeypatch.chdir(settings.BASE_DIR)
    # makemessages also writes to ./locale, whatever LOCALE_PATHS says: the committed catalogue is
    # put back as it was, so running this test never leaves a rewritten file to commit.
    committed = CATALOGUE.read_bytes()
    try:
        with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
            call_command(
                "makemessages",
                locale=["de"],
                ignore_patterns=[".venv", "node_modules", "static/vendor", "tests", "bench", "var"],
                verbosity=0,
            )
    finally:
        CATALOGUE.write_bytes(committed)
    untranslated, fuzzy = _problems(polib.pofile(str(tmp_path / "locale" / "de" / "LC_MESSAGES" / "django.po")))
    assert untranslated == [], f"new strings without German: {untranslated[:10]} — run makemessages -l de and translate"
    assert fuzzy == [], f"strings whose English changed (fuzzy): {fuzzy[:10]}"


def test_german_addresses_everyone_as_sie_never_du():
    # Executives in a company course: one register throughout, the formal one.
    informal = re.compile(r"\b(du|dich|dir|dein\w*|Du|Dich|Dir|Dein\w*)\b")
    found = [
        entry.msgid for entry in polib.pofile(str(CATALOGUE)).translated_entries() if informal.search(entry.msgstr)
    ]
    assert found == []
