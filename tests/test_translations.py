"""The Swedish catalogue is complete and the committed .mo is compiled from the committed .po."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "sv" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def gettext_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install gettext (apt-get install gettext).", pytrace=False)
    return path


def test_every_swedish_message_is_translated_and_none_is_fuzzy():
    msgattrib = gettext_tool("msgattrib")
    untranslated = subprocess.run(
        [msgattrib, "--untranslated", "--no-wrap", str(PO)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    msgids = [line for line in untranslated.splitlines() if line.startswith("msgid ")]
    assert msgids in ([], ['msgid ""']), "untranslated:\n" + "\n".join(msgids[:20])
    fuzzy = subprocess.run(
        [msgattrib, "--only-fuzzy", str(PO)], capture_output=True, text=True, check=True
    ).stdout
    assert "msgid" not in fuzzy.replace('msgid ""\nmsgstr ""', ""), "fuzzy entries left"


def test_the_committed_mo_matches_the_po(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run([gettext_tool("msgfmt"), "--check", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == MO.read_bytes(), "run `make messages` and commit the .mo"
