"""The dependency audit fails on an unexplained vulnerability and never calls no answer clean."""

from __future__ import annotations

import importlib.util
import json
import subprocess

import pytest
from django.conf import settings

spec = importlib.util.spec_from_file_location("audit", settings.BASE_DIR / ".ci" / "audit.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

PIP_CLEAN = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}]}
PIP_VULNERABLE = {
    "dependencies": [
        {"name": "django", "version": "5.2.1", "vulns": [{"id": "PYSEC-1", "aliases": ["CVE-1"]}]}
    ]
}
PIP_UNREACHABLE = {"dependencies": [{"name": "django", "skip_reason": "not found"}]}
NPM_CLEAN = {"vulnerabilities": {}, "metadata": {"dependencies": {"total": 3}}}
NPM_VULNERABLE = {
    "vulnerabilities": {"chart.js": {"severity": "high", "via": [{"source": 1099}]}},
    "metadata": {"dependencies": {"total": 3}},
}
NPM_UNREACHABLE = {"message": "405 Method Not Allowed", "statusCode": 405}


@pytest.fixture
def answers(monkeypatch):
    def use(pip: dict, npm: dict) -> None:
        def run(command, **kwargs):
            body = npm if command[0] == "npm" else pip
            return subprocess.CompletedProcess(command, 0, json.dumps(body), "")

        monkeypatch.setattr(audit.subprocess, "run", run)

    return use


@pytest.mark.parametrize(
    ("pip", "npm", "expected"),
    [
        (PIP_CLEAN, NPM_CLEAN, audit.OK),
        (PIP_VULNERABLE, NPM_CLEAN, audit.FOUND),
        (PIP_CLEAN, NPM_VULNERABLE, audit.FOUND),
        (PIP_UNREACHABLE, NPM_CLEAN, audit.UNREACHABLE),
        (PIP_CLEAN, NPM_UNREACHABLE, audit.UNREACHABLE),
        (PIP_VULNERABLE, NPM_UNREACHABLE, audit.FOUND),
    ],
)
def test_the_audit_result_follows_what_the_advisory_services_say(answers, pip, npm, expected):
    answers(pip, npm)
    assert audit.main() == expected


def test_an_explained_advisory_no_longer_fails_the_audit(answers, monkeypatch, capsys):
    answers(PIP_VULNERABLE, NPM_CLEAN)
    monkeypatch.setitem(audit.EXPLAINED, "CVE-1", "the affected module is not used")
    assert audit.main() == audit.OK
    assert "0 found" in capsys.readouterr().out
