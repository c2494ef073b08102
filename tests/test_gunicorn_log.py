"""The web server's own log lines name the request id and never a share-link token."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

TOKEN = "Zq8vN3kLw0pXyR7tSecretShareToken_abc-123"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
            return response.status, response.headers["X-Request-ID"]
    except urllib.error.HTTPError as error:
        return error.code, error.headers["X-Request-ID"]


def test_access_and_error_lines_carry_the_request_id_and_no_share_token(tmp_path: Path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    env.update(DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    log = tmp_path / "gunicorn.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                *(gunicorn, "malmo_portal.wsgi:application", "--bind", f"127.0.0.1:{port}"),
                *("--workers", "1", "--access-logfile", "-", "--error-logfile", "-"),
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(100):
                try:
                    status, request_id = fetch(f"http://127.0.0.1:{port}/s/{TOKEN}/")
                    break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.1)
            else:
                raise AssertionError(log.read_text())
        finally:
            server.terminate()
            server.wait(timeout=10)

    lines = log.read_text()
    access = [line for line in lines.splitlines() if '"GET /s/' in line]
    assert status >= 400, "the empty database has no such link"
    assert TOKEN not in lines
    assert len(access) == 1, lines
    assert "/s/[redacted]" in access[0]
    assert access[0].endswith(request_id)
