"""`make faults`: restart PostgreSQL under load; the portal must recover and lose no write.

Never touches the PostgreSQL in DATABASE_URL. Starts a private, temporary PostgreSQL instead
(initdb into a temporary directory, its own port on 127.0.0.1; as the postgres user when run as
root, since initdb refuses root), migrates it and loads the small demo data, and serves it with
gunicorn and production settings on loopback.

While readers (staff and official pages, /healthz/ready) and writers (journal entries and
measurements, each remembered once the portal answers that it was saved) keep the portal busy,
it restarts PostgreSQL three times, each time down for FAULTS_DOWN_SECONDS (3): `pg_ctl stop
-m fast`, then `-m immediate` (a crash: PostgreSQL recovers from its write-ahead log), then
`-m fast` while the load pauses, so that every worker thread still holds a dead connection when
requests resume (FAULTS_RESTARTS=fast,immediate,quiet chooses).

Prints a timeline and PASS or FAIL: after PostgreSQL is back, requests succeed again within 5 s;
every write that was acknowledged is in the database; nothing failed outside the restarts.
Exits 1 on FAIL. The instance and its directory are removed at the end, also on an error or
Ctrl-C.
"""

from __future__ import annotations

import datetime as dt
import glob
import itertools
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from common import (
    BASE_DIR,
    HOST,
    BenchError,
    collect_static_if_changed,
    csrf_token,
    free_port,
    gunicorn,
    no_redirect_opener,
    production_environment,
    setup_django,
    sign_in,
    terminate,
)

RECOVERY_LIMIT_SECONDS = 5.0
DOWN_SECONDS = float(os.environ.get("FAULTS_DOWN_SECONDS", "3"))
# fast: a clean shutdown; immediate: a crash (recovery from the write-ahead log); quiet: a fast
# restart while the load pauses, so every worker thread keeps a dead connection until its next
# request — the case CONN_HEALTH_CHECKS is for.
RESTARTS = [r.strip() for r in os.environ.get("FAULTS_RESTARTS", "fast,immediate,quiet").split(",")]
STOP_MODE = {"fast": "fast", "immediate": "immediate", "quiet": "fast"}
WARM_UP_SECONDS = 5.0
SETTLE_SECONDS = 10.0  # load after each restart, long enough to see a late failure
READERS = 4
WRITERS = 2
# The same server as `make soak`: one worker per core, threads to overlap database waits.
WORKERS = 2
THREADS = 4
DATABASE = "malmo_faults"
STAFF = "staff-seved"
OFFICIAL = "official"
REQUEST_TIMEOUT = 15
# Measurements of the writers go to periods no demo data uses, one day each.
FIRST_PERIOD = dt.date(1990, 1, 1)


# --- a private PostgreSQL ------------------------------------------------------------------------


def postgres_bindir() -> Path:
    """The server's programs: pg_config's bindir, else the newest Debian-style install."""
    candidates = []
    if pg_config := shutil.which("pg_config"):
        result = subprocess.run(  # noqa: S603 - a fixed command line, no shell
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        candidates.append(Path(result.stdout.strip()))

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", Path(path).parent.name))

    found = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += [Path(p) for p in sorted(found, key=version, reverse=True)]
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)
    for directory in candidates:
        if all(os.access(directory / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres")):
            return directory
    raise BenchError(
        "PostgreSQL's server programs (initdb, pg_ctl) were not found: install PostgreSQL "
        "(apt-get install postgresql), or put its bin directory on PATH."
    )


class PrivatePostgres:
    """A throw-away PostgreSQL cluster in a temporary directory, on its own loopback port."""

    def __init__(self) -> None:
        self.bindir = postgres_bindir()
        self.as_postgres = os.geteuid() == 0
        self.directory = Path(tempfile.mkdtemp(prefix="malmo-faults-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        self.port = free_port()
        self.running = False

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{DATABASE}"

    def _run(self, program: str, *args: str, timeout: float = 120) -> str:
        command = [str(self.bindir / program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(  # noqa: S603 - a fixed command line, no shell
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise BenchError(
                f"{program} {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
                f"{self.log_tail()}"
            )
        return result.stdout

    def log_tail(self) -> str:
        if self.log.is_file():
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-10:])
        return ""

    def create(self) -> None:
        if self.as_postgres:
            try:
                shutil.chown(self.directory, "postgres", "postgres")
            except LookupError:
                raise BenchError(
                    "Run as root, make faults starts PostgreSQL as the postgres user, which "
                    "does not exist: install PostgreSQL, or run as an ordinary user."
                ) from None
        self._run(
            "initdb",
            f"--pgdata={self.data}",
            "--username=postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",  # a throw-away cluster; the restarts below are what is tested
        )
        settings = {
            "port": str(self.port),
            "listen_addresses": f"'{HOST}'",
            "unix_socket_directories": f"'{self.directory}'",
            "fsync": "on",
            "synchronous_commit": "on",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("".join(f"{key} = {value}\n" for key, value in settings.items()))
        self.start()
        self._run("createdb", f"--host={HOST}", f"--port={self.port}", "-U", "postgres", DATABASE)

    def start(self) -> None:
        self._run("pg_ctl", f"--pgdata={self.data}", f"--log={self.log}", "--wait", "start")
        self.running = True

    def stop(self, mode: str) -> None:
        self._run("pg_ctl", f"--pgdata={self.data}", f"--mode={mode}", "--wait", "stop")
        self.running = False

    def version(self) -> str:
        return self._run("postgres", "--version").strip()

    def remove(self) -> None:
        if self.running or (self.data / "postmaster.pid").exists():
            try:
                self.stop("immediate")
            except BenchError as error:
                print(f"faults: could not stop the private PostgreSQL: {error}", file=sys.stderr)
        shutil.rmtree(self.directory, ignore_errors=True)


# --- the load: readers and writers over HTTP -----------------------------------------------------


@dataclass
class Outcome:
    who: str
    started: float  # seconds from the start of the load
    ended: float
    ok: bool
    detail: str


@dataclass
class Write:
    kind: str  # "journal entry" or "measurement"
    key: str  # the entry's body, or the measurement's period end
    acknowledged: bool
    detail: str


class Client:
    """One person's browser: its own cookies, no redirects followed."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url
        self.opener = no_redirect_opener(sign_in(base_url, username, password))

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        """Status, Location and body; status 0 when no HTTP answer came at all."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # Always http://127.0.0.1, the server this script started.
        request = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                return response.status, "", response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            error.read()
            return error.code, error.headers.get("Location", ""), ""
        except (OSError, urllib.error.URLError) as error:
            return 0, "", f"{type(error).__name__}: {error}"


@dataclass
class Load:
    base_url: str
    password: str
    pilot: str
    indicator: int
    run_id: str
    began: float = field(default_factory=time.monotonic)
    stop: threading.Event = field(default_factory=threading.Event)
    paused: threading.Event = field(default_factory=threading.Event)
    outcomes: list[Outcome] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    numbers: itertools.count = field(default_factory=itertools.count)

    def now(self) -> float:
        return time.monotonic() - self.began

    def wait_while_paused(self) -> None:
        while self.paused.is_set() and not self.stop.is_set():
            self.stop.wait(0.05)

    def record(self, who: str, started: float, ok: bool, detail: str) -> None:
        with self.lock:
            self.outcomes.append(Outcome(who, started, self.now(), ok, detail))

    def reader(self, index: int, client: Client, official: bool) -> None:
        pages = ["/healthz/ready", "/", "/pilots/", f"/pilots/{self.pilot}/"]
        if official:
            pages.append("/dashboard/")
        for path in itertools.cycle(pages):
            self.wait_while_paused()
            if self.stop.is_set():
                return
            started = self.now()
            status, _location, body = client.request(path)
            self.record(f"reader {index}", started, status == 200, f"{status} {path} {body[:80]}")
            self.stop.wait(0.1)

    def writer(self, index: int, client: Client, token: str) -> None:
        back = f"/pilots/{self.pilot}/"
        while not self.stop.is_set():
            self.wait_while_paused()
            number = next(self.numbers)
            started = self.now()
            if number % 2:
                kind, key = "journal entry", f"faults-{self.run_id}-{number}"
                path = f"{back}updates/new/"
                data = {"csrfmiddlewaretoken": token, "kind": "progress", "body": key}
            else:
                kind = "measurement"
                key = (FIRST_PERIOD + dt.timedelta(days=number)).isoformat()
                path = f"{back}indicators/{self.indicator}/measurements/new/"
                prefix = f"m{self.indicator}"
                data = {
                    "csrfmiddlewaretoken": token,
                    f"{prefix}-period_end": key,
                    f"{prefix}-value": str(number),
                    f"{prefix}-note": f"faults-{self.run_id}",
                }
            status, location, body = client.request(path, data)
            # The portal acknowledges a saved form with a redirect back to the pilot page.
            saved = status == 302 and urllib.parse.urlsplit(location).path == back
            detail = f"{status} POST {kind} {body[:80]}"
            with self.lock:
                self.writes.append(Write(kind, key, saved, detail))
            self.record(f"writer {index}", started, saved, detail)
            self.stop.wait(0.2)

    def start(self) -> list[threading.Thread]:
        """Sign everyone in and open the writers' form, then let them all go."""
        threads = []
        for index in range(READERS):
            official = index % 2 == 1
            client = Client(self.base_url, OFFICIAL if official else STAFF, self.password)
            threads.append(threading.Thread(target=self.reader, args=(index, client, official)))
        for index in range(WRITERS):
            client = Client(self.base_url, STAFF, self.password)
            status, _location, html = client.request(f"/pilots/{self.pilot}/updates/new/")
            token = csrf_token(html)
            if status != 200 or not token:
                raise BenchError(f"The journal form did not open (HTTP {status}).")
            threads.append(threading.Thread(target=self.writer, args=(index, client, token)))
        self.began = time.monotonic()
        for thread in threads:
            thread.daemon = True
            thread.start()
        return threads


# --- restarts and what they show -----------------------------------------------------------------


@dataclass
class Restart:
    kind: str  # a key of STOP_MODE
    began: float
    paused_at: float | None = None
    resumed: float | None = None
    stopped: float = 0.0
    starting: float = 0.0
    back: float = 0.0  # pg_ctl start returned: PostgreSQL accepts connections
    window_end: float = 0.0


def restart(postgres: PrivatePostgres, load: Load, kind: str) -> Restart:
    paused_at = None
    if kind == "quiet":
        paused_at = load.now()
        load.paused.set()
        time.sleep(1)  # requests under way finish; then nobody asks until PostgreSQL is back
    event = Restart(kind=kind, began=load.now(), paused_at=paused_at)
    postgres.stop(STOP_MODE[kind])
    event.stopped = load.now()
    time.sleep(DOWN_SECONDS)
    event.starting = load.now()
    postgres.start()
    event.back = load.now()
    if kind == "quiet":
        # Resume after the recovery limit: a dead connection that fails a request now fails it
        # more than 5 s after PostgreSQL came back, as an idle worker thread would in production.
        time.sleep(RECOVERY_LIMIT_SECONDS + 1)
        event.resumed = load.now()
        load.paused.clear()
    time.sleep(SETTLE_SECONDS)
    event.window_end = load.now()
    return event


def _describe(kind: str) -> str:
    text = f"`pg_ctl stop -m {STOP_MODE[kind]}`"
    return f"{text} while the load pauses" if kind == "quiet" else text


def _kind(detail: str) -> str:
    status = detail.split(" ", 1)[0]
    return "no answer" if status == "0" else f"HTTP {status}"


def in_window(outcome: Outcome, event: Restart) -> bool:
    """The request ended between the restart's beginning and the next one's: its to answer for."""
    return event.began <= outcome.ended < event.window_end


def analyse(event: Restart, outcomes: list[Outcome]) -> tuple[list[str], bool]:
    """What failed around one restart, and whether the portal recovered in time.

    Recovered: a success within 5 s of PostgreSQL (or the paused load) coming back, and no
    failure of a request that started more than 5 s after PostgreSQL was back.
    """
    during = [o for o in outcomes if in_window(o, event)]
    failed = [o for o in during if not o.ok]
    after = [o for o in during if o.started >= event.back]
    first_success = min((o.ended for o in after if o.ok), default=None)
    late = [o for o in after if not o.ok and o.started >= event.back + RECOVERY_LIMIT_SECONDS]
    kinds = Counter(_kind(o.detail) for o in failed)
    lines = [
        f"- {_describe(event.kind)}: {len(failed)} of {len(during)} requests failed "
        f"({', '.join(f'{n} × {k}' for k, n in kinds.most_common()) or 'none'})"
    ]
    if failed:
        lines.append(
            f"  - failures from {min(o.started for o in failed):.2f} to "
            f"{max(o.ended for o in failed):.2f} s"
        )
    if first_success is None:
        lines.append("  - no request succeeded after PostgreSQL was back — FAIL")
        return lines, False
    since = event.resumed if event.resumed is not None else event.back
    failures_after = [o.ended - event.back for o in after if not o.ok]
    ok = first_success - since <= RECOVERY_LIMIT_SECONDS and not late
    lines.append(
        f"  - first success {first_success - since:.2f} s after "
        + ("the load resumed" if event.resumed is not None else "PostgreSQL was back")
        + (
            f" ({event.resumed - event.back:.2f} s after PostgreSQL was back)"
            if event.resumed is not None
            else ""
        )
        + "; "
        + (
            f"{len(failures_after)} failure{'s' if len(failures_after) != 1 else ''} after "
            "PostgreSQL was back, the last "
            f"{max(failures_after):.2f} s after it, {len(late)} of them started later than "
            f"{RECOVERY_LIMIT_SECONDS:.0f} s after it"
            if failures_after
            else "no failure after PostgreSQL was back"
        )
        + f" — {'PASS' if ok else 'FAIL'}"
    )
    return lines, ok


def check_writes(load: Load) -> tuple[list[str], bool]:
    """Every acknowledged write must be in the database; derived figures must agree."""
    from django.db import connection

    from pilots.models import Indicator, Measurement, PilotUpdate

    connection.close()  # the connection from before the restarts is gone
    bodies = set(
        PilotUpdate.objects.filter(body__startswith=f"faults-{load.run_id}-").values_list(
            "body", flat=True
        )
    )
    periods = {
        period.isoformat()
        for period in Measurement.objects.filter(
            indicator_id=load.indicator, note=f"faults-{load.run_id}"
        ).values_list("period_end", flat=True)
    }
    found = {"journal entry": bodies, "measurement": periods}
    acknowledged = [w for w in load.writes if w.acknowledged]
    lost = [w for w in acknowledged if w.key not in found[w.kind]]
    unacknowledged_found = [w for w in load.writes if not w.acknowledged and w.key in found[w.kind]]
    per_kind = Counter(w.kind for w in acknowledged)
    indicator = Indicator.objects.get(pk=load.indicator)
    actual = Measurement.objects.filter(indicator=indicator).count()
    consistent = indicator.measurement_count == actual
    lines = [
        f"- Writes: {len(load.writes)} posted, {len(acknowledged)} acknowledged "
        f"({per_kind['journal entry']} journal entries, {per_kind['measurement']} "
        f"measurements), {len(acknowledged) - len(lost)} of them found in the database, "
        f"{len(lost)} lost — {'PASS' if not lost else 'FAIL'}",
        f"- Not acknowledged but written all the same (committed, then the answer failed): "
        f"{len(unacknowledged_found)}",
        f"- The indicator's stored measurement count {indicator.measurement_count}, rows "
        f"{actual} — {'PASS' if consistent else 'FAIL'}",
    ]
    lines += [f"  - lost: {w.kind} {w.key} ({w.detail})" for w in lost[:10]]
    return lines, not lost and consistent


# --- the run -----------------------------------------------------------------------------------


def prepare_database(postgres: PrivatePostgres, env: dict[str, str]) -> None:
    for args in (["migrate", "--no-input", "-v0"], ["seed_demo", "--size", "small"]):
        result = subprocess.run(  # noqa: S603 - a fixed command line, no shell
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            raise BenchError(f"manage.py {args[0]} failed:\n{result.stdout}{result.stderr}")


def choose_target() -> tuple[str, int]:
    """A pilot of the staff member's area, with an indicator to record measurements on."""
    from pilots.models import Indicator

    indicator = (
        Indicator.objects.filter(pilot__area__slug="seved", pilot__archived_at__isnull=True)
        .select_related("pilot")
        .order_by("pk")
        .first()
    )
    if indicator is None:
        raise BenchError("The small demo data has no Seved pilot with an indicator.")
    return indicator.pilot.slug, indicator.pk


def main() -> int:
    load_before = os.getloadavg()
    password = secrets.token_urlsafe(16)  # the private instance's demo users only
    postgres = PrivatePostgres()
    log_dir = Path(tempfile.mkdtemp(prefix="malmo-faults-"))
    try:
        print(f"Starting a private PostgreSQL on {HOST}:{postgres.port}…", file=sys.stderr)
        postgres.create()
        env = production_environment(secrets.token_urlsafe(50), "locmemcache://portal")
        env.update(DATABASE_URL=postgres.url, DEMO_PASSWORD=password)
        print("Migrating and loading the small demo data…", file=sys.stderr, flush=True)
        prepare_database(postgres, env)
        setup_django(env)
        from django.conf import settings
        from django.db import connection

        collect_static_if_changed()
        pilot, indicator = choose_target()
        connection.close()
        database = settings.DATABASES["default"]
        with gunicorn(env, log_dir / "gunicorn.log", workers=WORKERS, threads=THREADS) as server:
            load = Load(server.base_url, password, pilot, indicator, time.strftime("%H%M%S"))
            threads = load.start()
            print("Load running; restarting PostgreSQL…", file=sys.stderr, flush=True)
            time.sleep(WARM_UP_SECONDS)
            events = []
            try:
                for kind in RESTARTS:
                    if kind not in STOP_MODE:
                        raise BenchError(
                            f"FAULTS_RESTARTS: {kind!r} is not one of {list(STOP_MODE)}"
                        )
                    events.append(restart(postgres, load, kind))
            finally:
                load.stop.set()
                for thread in threads:
                    thread.join(timeout=REQUEST_TIMEOUT + 5)
            ended = load.now()
            server_errors = log_errors(server.log)
        lines = [
            "## Faults",
            "",
            f"- {postgres.version()}: a private instance on {HOST}:{postgres.port}, created "
            "for this run and removed at its end; data: `seed_demo` (small)",
            f"- Server: gunicorn, {WORKERS} workers × {THREADS} threads, DJANGO_DEBUG=0; "
            f"CONN_MAX_AGE={database.get('CONN_MAX_AGE')}, "
            f"CONN_HEALTH_CHECKS={database.get('CONN_HEALTH_CHECKS')}",
            f"- Load: {READERS} readers ({STAFF} and {OFFICIAL}: start page, pilot list, pilot "
            f"page, dashboard, /healthz/ready), {WRITERS} writers ({STAFF}: journal entries "
            "and measurements), each with a pause of 0.1 / 0.2 s between requests",
            f"- Load average (1/5/15 min): {_load(load_before)} before, "
            f"{_load(os.getloadavg())} after",
            "",
            "Timeline (seconds from the start of the load):",
            "",
            *timeline(events, ended),
            "",
        ]
        verdicts = []
        for event in events:
            event_lines, ok = analyse(event, load.outcomes)
            lines += event_lines
            verdicts.append(ok)
        outside = [
            o for o in load.outcomes if not o.ok and not any(in_window(o, e) for e in events)
        ]
        lines.append(
            f"- Failures outside the restarts: {len(outside)} — {'PASS' if not outside else 'FAIL'}"
        )
        lines += [f"  - at {o.started:.2f} s, {o.who}: {o.detail}" for o in outside[:5]]
        verdicts.append(not outside)
        write_lines, writes_ok = check_writes(load)
        lines += write_lines
        verdicts.append(writes_ok)
        lines.append(
            f"- Requests: {len(load.outcomes)} in {ended:.0f} s; the workers logged "
            f"{server_errors} database errors (the failures above)"
        )
        passed = all(verdicts)
        lines += ["", f"Result: {'PASS' if passed else 'FAIL'}"]
        print("\n".join(lines))
        print(f"(gunicorn's log: {log_dir})", file=sys.stderr)
        return 0 if passed else 1
    finally:
        postgres.remove()


def timeline(events: list[Restart], ended: float) -> list[str]:
    rows = [(0.0, "load starts: readers and writers")]
    for number, event in enumerate(events, start=1):
        if event.paused_at is not None:
            rows.append((event.paused_at, "the load pauses"))
        rows += [
            (event.began, f"restart {number} begins: {_describe(event.kind)}"),
            (event.stopped, "PostgreSQL is down"),
            (event.starting, "`pg_ctl start`"),
            (event.back, "PostgreSQL accepts connections again"),
        ]
        if event.resumed is not None:
            rows.append((event.resumed, "the load resumes"))
    rows.append((ended, "load stops"))
    return [f"    {t:7.2f}  {text}" for t, text in rows]


def log_errors(log: Path) -> int:
    text = log.read_text(errors="replace") if log.is_file() else ""
    return len(re.findall(r"^\S+ \S+ ERROR .*$", text, flags=re.MULTILINE))


def _load(figures: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.2f}" for x in figures)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, terminate)
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"faults: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("faults: interrupted; everything it started is stopped", file=sys.stderr)
        sys.exit(130)
