"""What the bench scripts share: production settings, gunicorn on loopback, signing in.

`make bench` (run.py), `make soak` (soak.py) and `make faults` (faults.py) all start the portal
the way production runs it — gunicorn, DJANGO_DEBUG=0, hashed static files — on a free port of
127.0.0.1, and talk to it over HTTP as a browser does.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
LARGE_PILOTS = 20_000
LOGIN_PATH = "/accounts/login/"
HEALTH_PATH = "/healthz/live"


class BenchError(Exception):
    """A precondition failed: the message says what to do."""


# --- Django, in this process -------------------------------------------------------------------


def production_environment(secret_key: str, cache_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="malmo_portal.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECURE_COOKIES="0",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="WARNING",
        CACHE_URL=cache_url,
    )
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def check_database() -> dict[str, int]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if connection.vendor != "postgresql":
        raise BenchError(
            "DATABASE_URL must point at PostgreSQL (postgres://…); the targets are for PostgreSQL."
        )
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in pending[:5])
        raise BenchError(
            f"The database has unapplied migrations ({names}…): apply them first with "
            "`DATABASE_URL=… .venv/bin/python manage.py migrate`."
        )
    from areas.models import Area
    from pilots.models import Indicator, Measurement, Pilot

    counts = {
        "areas": Area.objects.count(),
        "pilots": Pilot.objects.count(),
        "indicators": Indicator.objects.count(),
        # The planner's estimate: an exact count of millions of rows costs seconds.
        "measurements": _estimated_rows(Measurement._meta.db_table),
    }
    if counts["pilots"] < LARGE_PILOTS and os.environ.get("BENCH_ANY_SIZE") != "1":
        raise BenchError(
            f"The database has {counts['pilots']} pilots; the targets are for the large data "
            f"set ({LARGE_PILOTS}). Load it with `manage.py seed_demo --size large --force` "
            "(or set BENCH_ANY_SIZE=1 to measure anyway)."
        )
    return counts


def _estimated_rows(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def vacuum_if_needed() -> str:
    """VACUUM (ANALYZE) the tables autovacuum would have: fresh seeds leave them unvacuumed.

    Without it PostgreSQL cannot answer COUNT(*) from an index alone (the visibility map is
    empty) and plans with stale statistics: figures for a database no production server has.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE n_live_tup > 1000 AND ("
            " COALESCE(last_vacuum, last_autovacuum) IS NULL"
            " OR n_dead_tup + n_ins_since_vacuum > n_live_tup / 10"
            " OR n_mod_since_analyze > n_live_tup / 10)"
        )
        tables = [row[0] for row in cursor.fetchall()]
        began = time.monotonic()
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
    if not tables:
        return f"autovacuum {autovacuum}; no table needed VACUUM"
    return (
        f"autovacuum {autovacuum}; the bench ran VACUUM (ANALYZE) on {len(tables)} tables first "
        f"({time.monotonic() - began:.0f} s)"
    )


def collect_static() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def collect_static_if_changed() -> bool:
    """Collect the static files unless the manifest is newer than every source file.

    Collecting compresses every file again, which costs a minute of CPU on a small machine;
    a manifest older than a source file would make production pages fail, so it is rebuilt.
    """
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        built = manifest.stat().st_mtime
        sources = (
            Path(storage.path(path))
            for finder in get_finders()
            for path, storage in finder.list(["CVS", ".*", "*~"])
        )
        if all(source.stat().st_mtime <= built for source in sources):
            return False
    collect_static()
    return True


def forget_sessions(keys: list[str]) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=keys).delete()


# --- gunicorn ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(
    env: dict[str, str], log: Path, *, workers: int, threads: int, timeout: int = 120
) -> Iterator[Server]:
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "malmo_portal.wsgi:application",
        f"--bind={HOST}:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--worker-class=gthread",
        # Long enough for a full export under load; the bench bounds its own time.
        f"--timeout={timeout}",
        "--graceful-timeout=5",
        "--log-level=warning",
        f"--error-logfile={log}",
    ]
    # The workers' own logging (one line per 4xx/5xx answer) goes to the log, not the report.
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 - a fixed command line, no shell
            command, cwd=BASE_DIR, env=env, stdout=output, stderr=output, start_new_session=True
        )
    server = Server(process, f"http://{HOST}:{port}", log, workers)
    try:
        server.wait_until_up()
        yield server
    finally:
        server.stop()


class Server:
    def __init__(self, process: subprocess.Popen, base_url: str, log: Path, workers: int) -> None:
        self.process = process
        self.workers = workers
        self.base_url = base_url
        self.log = log

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn stopped at start:\n{self.log_tail()}")
            with suppress(OSError):
                up = http_status(self.base_url + HEALTH_PATH, {}) == 200
                if up and len(self.worker_pids()) == self.workers:
                    return
            time.sleep(0.3)
        raise BenchError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        with suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
        return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # The workers are in the master's own session, started by this script.
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)

    def worker_pids(self) -> list[int]:
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children")
        with suppress(OSError):
            return [int(pid) for pid in children.read_text().split()]
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with suppress(OSError, IndexError, ValueError):
                # The command name may hold spaces; the parent pid follows the closing ")".
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                    pids.append(int(stat.parent.name))
        return pids

    def reset_peaks(self) -> bool:
        """Reset the workers' peak RSS to their current RSS (Linux: clear_refs 5)."""
        try:
            for pid in self.worker_pids():
                Path(f"/proc/{pid}/clear_refs").write_text("5")
        except OSError:
            return False
        return True

    def memory_kb(self, key: str) -> dict[int, int]:
        """VmRSS or VmHWM (peak) of each worker, in kB."""
        figures = {}
        for pid in self.worker_pids():
            with suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith(key + ":"):
                        figures[pid] = int(line.split()[1])
        return figures


# --- HTTP to the server: status, signing in ---------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def no_redirect_opener(
    jar: http.cookiejar.CookieJar | None = None,
) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
    if jar is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(jar))
    return urllib.request.build_opener(*handlers)


def http_status(url: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - always http://127.0.0.1
    try:
        with no_redirect_opener().open(request, timeout=120) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def csrf_token(html: str) -> str | None:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match[1] if match else None


def sign_in(
    base_url: str, username: str, password: str, user_agent: str | None = None
) -> http.cookiejar.CookieJar:
    """POST the login form with its CSRF token, as a browser does; return the cookies."""
    jar = http.cookiejar.CookieJar()
    opener = no_redirect_opener(jar)
    if user_agent:
        opener.addheaders = [("User-Agent", user_agent)]
    with opener.open(base_url + LOGIN_PATH, timeout=30) as response:
        token = csrf_token(response.read().decode())
    if not token:
        raise BenchError("The login page has no CSRF token.")
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/"}
    ).encode()
    try:
        with opener.open(base_url + LOGIN_PATH, data=form, timeout=30) as response:
            status = response.status  # 200: the form again, with an error
    except urllib.error.HTTPError as error:
        status = error.code  # 302 to next= is success
    session = next((c.value for c in jar if c.name == "sessionid"), None)
    if status != 302 or not session:
        raise BenchError(
            f"Could not sign in as {username} (HTTP {status}). Set DEMO_PASSWORD to the demo "
            "users' password, or reset it: manage.py shell -c \"from django.contrib.auth import "
            f"get_user_model as g; u=g().objects.get(username='{username}'); "
            "u.set_password('…'); u.save()\""
        )
    return jar


def login(base_url: str, username: str, password: str, user_agent: str | None = None) -> str:
    """Sign in as a browser does; return the session id."""
    jar = sign_in(base_url, username, password, user_agent)
    return next(c.value for c in jar if c.name == "sessionid")


def demo_password() -> str:
    password = os.environ.get("DEMO_PASSWORD", "")
    if not password and (BASE_DIR / ".demo_password").is_file():
        password = (BASE_DIR / ".demo_password").read_text().strip()
    if not password:
        raise BenchError(
            "The bench signs in as the demo users: set DEMO_PASSWORD to their password."
        )
    return password


def loopback_redis(url: str) -> str | None:
    """The URL when it names a Redis on loopback that answers; None otherwise."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.hostname not in {"127.0.0.1", "localhost"}:
        return None  # traffic stays on loopback
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return url
    except OSError:
        return None


def terminate(signum: int, frame: object) -> None:
    """SIGTERM handler: raise, so the finally blocks stop gunicorn and clean up."""
    raise SystemExit(128 + signum)
