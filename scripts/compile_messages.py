"""Compile locale/*/LC_MESSAGES/*.po to .mo without gettext's msgfmt (a newcomer's machine may
lack it); `make messages` prefers Django's compilemessages when msgfmt is installed."""

import sys
from pathlib import Path

import polib

root = Path(__file__).resolve().parents[1] / "locale"
for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        continue
    catalogue = polib.pofile(str(po_path))
    catalogue.save_as_mofile(str(mo_path))
    sys.stderr.write(f"compiled {po_path.relative_to(root.parent)}\n")
