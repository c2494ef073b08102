"""Known vulnerabilities in the locked Python and npm packages (`make audit`).

Runs pip-audit on requirements*.lock and npm audit on package-lock.json, and exits:
0 when every package was checked and no vulnerability is left unexplained;
1 when a vulnerability is found that is not in EXPLAINED below;
3 when the advisory services could not be reached, so nothing was checked (never reported as clean).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ("requirements.lock", "requirements-dev.lock")

# Advisory id -> why it does not affect the portal. Every entry needs a reason a reviewer can check.
EXPLAINED: dict[str, str] = {}

OK, FOUND, UNREACHABLE = 0, 1, 3


def python_audit() -> int:
    command = [
        str(Path(sys.executable).with_name("pip-audit")),
        *(arg for lock in LOCKS for arg in ("--requirement", str(ROOT / lock))),
        *("--no-deps", "--disable-pip", "--progress-spinner", "off", "--format", "json"),
    ]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        dependencies = json.loads(run.stdout)["dependencies"]
    except (json.JSONDecodeError, KeyError):
        print(f"python: pip-audit did not answer ({run.stderr.strip()[-300:]})")
        return UNREACHABLE
    checked = [dep for dep in dependencies if "skip_reason" not in dep]
    if not checked:
        print(f"python: the advisory service answered for 0 of {len(dependencies)} packages")
        return UNREACHABLE
    found = [
        (dep["name"], dep["version"], vuln["id"])
        for dep in checked
        for vuln in dep.get("vulns", [])
        if vuln["id"] not in EXPLAINED and not set(vuln.get("aliases", [])) & set(EXPLAINED)
    ]
    for name, version, advisory in found:
        print(f"python: {name} {version}: {advisory}")
    print(f"python: {len(checked)} of {len(dependencies)} packages checked, {len(found)} found")
    skipped = len(dependencies) - len(checked)
    return FOUND if found else (UNREACHABLE if skipped else OK)


def npm_audit() -> int:
    run = subprocess.run(
        ["npm", "audit", "--json"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(f"npm: npm audit did not answer ({run.stderr.strip()[-300:]})")
        return UNREACHABLE
    if "vulnerabilities" not in report:
        print(f"npm: the advisory service did not answer ({report.get('message', '')[:200]})")
        return UNREACHABLE
    found = [
        name
        for name, entry in report["vulnerabilities"].items()
        if not {str(via.get("source")) for via in entry["via"] if isinstance(via, dict)}
        <= set(EXPLAINED)
    ]
    for name in found:
        print(f"npm: {name}: {report['vulnerabilities'][name]['severity']}")
    total = report.get("metadata", {}).get("dependencies", {}).get("total", "?")
    print(f"npm: {total} packages checked, {len(found)} found")
    return FOUND if found else OK


def main() -> int:
    results = [python_audit(), npm_audit()]
    if FOUND in results:
        print("Vulnerable packages: upgrade them, or explain in .ci/audit.py why they are safe.")
        return FOUND
    if UNREACHABLE in results:
        print("The audit could not be completed: an advisory service was not reachable.")
        return UNREACHABLE
    print("No known vulnerability in the locked packages.")
    return OK


if __name__ == "__main__":
    sys.exit(main())
