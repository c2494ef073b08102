"""`make soak`: 50 people at work for two minutes against the large data set, then PASS or FAIL.

Needs DATABASE_URL pointing at PostgreSQL filled by `manage.py seed_demo --size large` and the
demo users' password in DEMO_PASSWORD (or .demo_password). Starts gunicorn with production
settings on loopback, signs one session in per simulated person, and lets locust (headless, see
locustfile.py) drive staff and officials through their main journeys with 1–5 s of think time.

Prints per journey step and overall: requests, failures, median, p95 and p99 latency, then
requests per second, the gunicorn workers' peak memory and PASS or FAIL against the targets
(no failure, p95 ≤ 200 ms, p99 ≤ 500 ms over all requests); exits 1 on FAIL.

The staff's writes go to synthetic pilots made for this run, one per area, titled
"Soak run <time> … (synthetic soak run)"; at the end they are deleted with everything written
on them and their history, as are the run's sessions and sign-in log entries, so repeated runs
leave the data set as it was. Leftovers of an interrupted run are removed by the next one.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import (
    BASE_DIR,
    BenchError,
    Server,
    check_database,
    collect_static_if_changed,
    demo_password,
    forget_sessions,
    gunicorn,
    login,
    loopback_redis,
    production_environment,
    setup_django,
    terminate,
    vacuum_if_needed,
)

USERS = int(os.environ.get("SOAK_USERS", "50"))
SECONDS = int(os.environ.get("SOAK_SECONDS", "120"))
SPAWN_RATE = 5  # people arriving per second: everyone is at work after 10 s
# One worker per core: a worker runs Python under one GIL, so more worker processes than the 2
# cores would only compete with PostgreSQL for them. Four threads per worker let requests that
# wait on PostgreSQL (or stream an export) overlap with one that computes. The same as
# `make serve`; the workers hold one database connection per thread (CONN_MAX_AGE).
WORKERS = 2
THREADS = 4
P95_LIMIT_MS = 200.0
P99_LIMIT_MS = 500.0
STAFF_ACCOUNTS = {
    "lead-seved": "seved",
    "staff-seved": "seved",
    "staff-herrgarden": "herrgarden",
    "staff-holma-kroksback": "holma-kroksback",
    "staff-lindangen": "lindangen",
}
OFFICIAL = "official"
# Both in every synthetic pilot's title and slug, so the clean-up never touches a real pilot.
SYNTHETIC_SLUG = "soak-run-"
SYNTHETIC_MARK = "(synthetic soak run)"
INDICATORS_PER_PILOT = 3
SAMPLE_EVERY_SECONDS = 0.5
# The locust steps that write, by the name delete_pilots() counts their rows under.
WRITE_STEPS = {
    "measurements": "staff: record measurement (POST)",
    "journal entries": "staff: write update (POST)",
}


# --- the run's data: synthetic pilots, pages to visit, and putting everything back ----------------


@dataclass
class Prepared:
    run_id: str
    user_agent: str
    started_at: Any  # an aware datetime: sign-in log entries from then on are this run's
    pilot_ids: list[int]
    synthetic: dict[str, dict[str, Any]]  # area slug -> slug and indicator ids
    last_login: dict[int, Any]
    fixtures: dict[str, Any] = field(default_factory=dict)
    leftovers: int = 0


def synthetic_pilots() -> Any:
    from pilots.models import Pilot

    return Pilot.objects.filter(slug__startswith=SYNTHETIC_SLUG, title__endswith=SYNTHETIC_MARK)


def delete_pilots(pilot_ids: list[int]) -> dict[str, int]:
    """Delete synthetic pilots with all their rows and history rows; return what went."""
    from django.db import transaction

    from pilots.models import Indicator, Measurement, Pilot, PilotUpdate

    with transaction.atomic():
        indicator_ids = list(
            Indicator.objects.filter(pilot_id__in=pilot_ids).values_list("pk", flat=True)
        )
        counts = {
            "measurements": Measurement.objects.filter(indicator_id__in=indicator_ids).count(),
            "journal entries": PilotUpdate.objects.filter(pilot_id__in=pilot_ids).count(),
        }
        for pilot in Pilot.objects.filter(pk__in=pilot_ids):
            pilot.delete()
        # Deleting writes history rows of its own; the synthetic pilots leave none behind.
        Measurement.history.model.objects.filter(indicator_id__in=indicator_ids).delete()
        Indicator.history.model.objects.filter(id__in=indicator_ids).delete()
        Pilot.history.model.objects.filter(id__in=pilot_ids).delete()
    return counts


def remove_leftovers() -> int:
    """Synthetic pilots of an earlier run that was killed before it could clean up."""
    leftovers = list(synthetic_pilots().values_list("pk", flat=True))
    if leftovers:
        delete_pilots(leftovers)
    return len(leftovers)


def prepare(run_id: str) -> Prepared:
    """Synthetic pilots for the staff's writes: all of them, or none if anything fails."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from areas.models import Area
    from pilots.models import IndicatorDefinition

    started_at = timezone.now()
    names = [*STAFF_ACCOUNTS, OFFICIAL]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    missing = sorted(set(names) - set(users))
    if missing:
        raise BenchError(f"The demo users {', '.join(missing)} are missing: run seed_demo.")
    areas = {a.slug: a for a in Area.objects.filter(slug__in=STAFF_ACCOUNTS.values())}
    definitions = list(IndicatorDefinition.objects.active().order_by("code")[:INDICATORS_PER_PILOT])
    leads = {area: username for username, area in reversed(STAFF_ACCOUNTS.items())}
    synthetic: dict[str, dict[str, Any]] = {}
    with transaction.atomic():
        for slug, area in sorted(areas.items()):
            synthetic[slug] = _synthetic_pilot(run_id, area, users[leads[slug]], definitions)
    return Prepared(
        run_id=run_id,
        user_agent=f"malmo-soak/{run_id}",
        started_at=started_at,
        pilot_ids=[s["id"] for s in synthetic.values()],
        synthetic=synthetic,
        last_login={u.pk: u.last_login for u in users.values()},
    )


def _synthetic_pilot(run_id: str, area: Any, lead: Any, definitions: list[Any]) -> dict[str, Any]:
    """One synthetic pilot in the area, with indicators the staff record measurements on."""
    from pilots import services
    from pilots.models import Indicator, Pilot

    pilot = services.pilot_create(
        pilot=Pilot(
            title=f"Soak run {run_id} {area.name} {SYNTHETIC_MARK}",
            area=area,
            need="Load test: staff record measurements and journal entries here.",
            summary="Made by make soak for one run and deleted at its end.",
        ),
        user=lead,
    )
    indicator_ids = [
        services.indicator_create(
            indicator=Indicator(
                pilot=pilot,
                definition=definition,
                baseline_value=100,
                target_value=50 if definition.direction == definition.Direction.DECREASE else 150,
            )
        ).pk
        for definition in definitions
    ]
    return {"id": pilot.pk, "slug": pilot.slug, "indicators": indicator_ids}


def choose_pages(prepared: Prepared) -> dict[str, Any]:
    """What people open: the same choices on every run of the same data."""
    from django.db.models import Count

    from areas.models import Area
    from pilots.models import Indicator, Pilot, Theme

    active = Pilot.objects.active().exclude(pk__in=prepared.pilot_ids)
    per_area = {
        slug: list(
            active.filter(area__slug=slug).order_by("pk").values_list("slug", flat=True)[:40]
        )
        for slug in prepared.synthetic
    }
    pairs = []
    for pilot in active.filter(indicators__isnull=False).order_by("pk").distinct()[:20]:
        definition = pilot.indicators.order_by("pk").values_list("definition_id").first()
        other = (
            Indicator.objects.filter(definition_id=definition[0], pilot__archived_at__isnull=True)
            .exclude(pilot__area_id=pilot.area_id)
            .order_by("pk")
            .values_list("pilot__slug", flat=True)
            .first()
        )
        if other:
            pairs.append([pilot.slug, other])
    codes = list(
        Indicator.objects.values_list("definition__code", flat=True)
        .annotate(n=Count("id"))
        .order_by("-n", "definition__code")[:5]
    )
    themes = list(Theme.objects.order_by("slug").values_list("slug", flat=True)[:5])
    areas = [
        *prepared.synthetic,
        *Area.objects.exclude(slug__in=prepared.synthetic)
        .order_by("slug")
        .values_list("slug", flat=True)[:16],
    ]
    word = (active.order_by("pk").values_list("title", flat=True).first() or "hälsa").split()[0]
    queries = [
        "area={area}",
        "area={area}&stage=pilot",
        "area={area}&sort=title",
        *(f"area={{area}}&theme={theme}" for theme in themes[:2]),
        "q=" + urllib.parse.quote(word.lower()),
    ]
    if not all(per_area.values()) or not pairs:
        raise BenchError("The data set has no pilots to visit: load `seed_demo --size large`.")
    return {
        "pilots_per_area": per_area,
        "compare_pairs": pairs,
        "indicator_codes": codes,
        "areas": areas,
        "staff_list_queries": queries,
    }


def sign_in_everyone(base_url: str, password: str, prepared: Prepared) -> dict[str, list]:
    """One session per simulated person, signed in before the clock starts."""
    staff_count = USERS * 3 // 5 + 1  # locust's weights: 3 staff for 2 officials
    accounts = list(STAFF_ACCOUNTS)
    staff_names = [accounts[i % len(accounts)] for i in range(staff_count)]
    official_names = [OFFICIAL] * (USERS - staff_count + 2)
    with ThreadPoolExecutor(max_workers=WORKERS * 2) as pool:
        sessions = list(
            pool.map(
                lambda name: login(base_url, name, password, prepared.user_agent),
                [*staff_names, *official_names],
            )
        )
    per_area = prepared.fixtures["pilots_per_area"]
    staff = [
        {
            "username": name,
            "session": session,
            "area": STAFF_ACCOUNTS[name],
            "pilots": per_area[STAFF_ACCOUNTS[name]],
            "synthetic": prepared.synthetic[STAFF_ACCOUNTS[name]],
        }
        for name, session in zip(staff_names, sessions, strict=False)
    ]
    officials = [{"username": OFFICIAL, "session": s} for s in sessions[len(staff_names) :]]
    return {"staff": staff, "officials": officials}


def put_back(prepared: Prepared, sessions: list[str]) -> dict[str, int]:
    """Remove what the run wrote: synthetic pilots, sessions, sign-in log; restore last_login."""
    from axes.models import AccessLog
    from django.contrib.auth import get_user_model
    from django.db import close_old_connections

    close_old_connections()  # the in-process connection may have idled out during the run
    counts = delete_pilots(prepared.pilot_ids)
    forget_sessions(sessions)
    AccessLog.objects.filter(
        attempt_time__gte=prepared.started_at, user_agent=prepared.user_agent
    ).delete()
    for pk, last_login in prepared.last_login.items():
        get_user_model().objects.filter(pk=pk).update(last_login=last_login)
    return counts


# --- the load: locust in its own process, memory sampled from /proc ------------------------------


def machine_jiffies() -> tuple[int, int]:
    """Busy and total CPU time of the whole machine so far, in clock ticks (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    busy = user + nice + system + irq + softirq + steal
    return busy, busy + idle + iowait


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time of one process so far."""
    try:
        # The command name may hold spaces; utime and stime are the 12th and 13th fields after it.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Usage:
    peak_kb: dict[int, int]  # each worker's largest resident memory
    samples: int
    worker_cores: float  # CPU the workers used, in cores on average over the run
    machine_busy: float  # share of all cores busy with anything, the load generator included


class Sampler(threading.Thread):
    """The gunicorn workers' memory, sampled from /proc, and the CPU used during the run."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.peak_rss: dict[int, int] = defaultdict(int)
        self.samples = 0
        self.done = threading.Event()
        self.began = time.monotonic()
        self.jiffies = machine_jiffies()
        self.cpu = {pid: process_cpu_seconds(pid) for pid in server.worker_pids()}

    def run(self) -> None:
        while not self.done.wait(SAMPLE_EVERY_SECONDS):
            for pid, kb in self.server.memory_kb("VmRSS").items():
                self.peak_rss[pid] = max(self.peak_rss[pid], kb)
            self.samples += 1

    def stop(self) -> Usage:
        """Stop sampling; the peak per worker also counts what VmHWM saw between samples."""
        high_water = self.server.memory_kb("VmHWM")
        elapsed = time.monotonic() - self.began
        busy, total = (a - b for a, b in zip(machine_jiffies(), self.jiffies, strict=True))
        used = sum(process_cpu_seconds(pid) - start for pid, start in self.cpu.items())
        self.done.set()
        self.join(timeout=5)
        return Usage(
            peak_kb={pid: max(kb, high_water.get(pid, 0)) for pid, kb in self.peak_rss.items()},
            samples=self.samples,
            worker_cores=used / elapsed,
            machine_busy=busy / total if total else 0.0,
        )


def run_locust(base_url: str, fixtures_path: Path, work: Path) -> list[list]:
    samples = work / "samples.json"
    env = dict(os.environ, SOAK_FIXTURES=str(fixtures_path), SOAK_SAMPLES=str(samples))
    command = [
        str(Path(sys.executable).with_name("locust")),
        f"--locustfile={BASE_DIR / 'bench' / 'locustfile.py'}",
        "--headless",
        f"--users={USERS}",
        f"--spawn-rate={SPAWN_RATE}",
        f"--run-time={SECONDS}s",
        # People stop at their next pause; a request under way is finished and counted.
        "--stop-timeout=10",
        f"--host={base_url}",
        "--only-summary",
        "--loglevel=WARNING",
        "--exit-code-on-error=0",
    ]
    with (work / "locust.log").open("wb") as log:
        result = subprocess.run(  # noqa: S603 - a fixed command line, no shell
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=log, timeout=SECONDS + 120
        )
    if result.returncode != 0 or not samples.is_file():
        tail = (work / "locust.log").read_text(errors="replace").splitlines()[-20:]
        raise BenchError("locust failed:\n" + "\n".join(tail))
    return json.loads(samples.read_text())


# --- the report --------------------------------------------------------------------------------


@dataclass
class Step:
    name: str
    times: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile of the response times, in ms."""
        ordered = sorted(self.times)
        rank = max(1, math.ceil(round(len(ordered) * share, 6)))
        return ordered[rank - 1]

    def row(self) -> str:
        return (
            f"| {self.name} | {len(self.times)} | {len(self.failures)} "
            f"| {statistics.median(self.times):.0f} | {self.percentile(0.95):.0f} "
            f"| {self.percentile(0.99):.0f} | {max(self.times):.0f} |"
        )


@dataclass
class Report:
    prepared: Prepared
    counts: dict[str, int]
    cache: str
    upkeep: str
    samples: list[list]
    usage: Usage
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    removed: dict[str, int]
    log_dir: Path


def _load(figures: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.2f}" for x in figures)


def print_report(report: Report) -> bool:
    steps: dict[str, Step] = {}
    everything = Step("all requests")
    for name, _started, ms, failure in report.samples:
        step = steps.setdefault(name, Step(name))
        for target in (step, everything):
            target.times.append(ms)
            if failure:
                target.failures.append(failure)
    usage = report.usage
    if not everything.times:
        raise BenchError("locust made no requests: see its log in " + str(report.log_dir))
    first = min(s[1] for s in report.samples)
    last = max(s[1] + s[2] / 1000 for s in report.samples)
    duration = max(last - first, 1e-9)
    posted = {
        kind: [s for s in report.samples if s[0] == name] for kind, name in WRITE_STEPS.items()
    }
    counts = report.counts
    lines = [
        "## Soak",
        "",
        f"- Machine: {os.cpu_count()} cores; load average (1/5/15 min) "
        f"{_load(report.load_before)} before, {_load(report.load_after)} after",
        f"- Data: {counts['areas']:,} areas, {counts['pilots']:,} pilots, "
        f"{counts['indicators']:,} indicators, ~{counts['measurements']:,} measurements; "
        f"{report.upkeep}",
        f"- Server: gunicorn, {WORKERS} workers × {THREADS} threads, DJANGO_DEBUG=0, "
        f"cache {report.cache}",
        f"- Load: locust, {USERS} people ({USERS * 3 // 5} area staff, "
        f"{USERS - USERS * 3 // 5} officials) for {SECONDS} s, arriving {SPAWN_RATE} a second, "
        "1–5 s think time between requests; every session signed in before the run",
        "- Writes (posted / acknowledged / in the database at the end): "
        + "; ".join(
            f"{kind} {len(rows)} / {sum(1 for r in rows if not r[3])} / "
            f"{report.removed.get(kind, 0)}"
            for kind, rows in posted.items()
        )
        + f", on {len(report.prepared.pilot_ids)} synthetic pilots “Soak run "
        f"{report.prepared.run_id} … {SYNTHETIC_MARK}”, deleted afterwards with their "
        "history, the run's sessions and sign-in log entries"
        + (
            f" (and {report.prepared.leftovers} left by an interrupted earlier run)"
            if report.prepared.leftovers
            else ""
        ),
        "",
        "| step | requests | failures | median ms | p95 ms | p99 ms | max ms |",
        "|---|--:|--:|--:|--:|--:|--:|",
        *(steps[name].row() for name in sorted(steps)),
        everything.row().replace("| all requests |", "| **all requests** |"),
        "",
        f"- Throughput: {len(everything.times):,} requests in {duration:.0f} s = "
        f"{len(everything.times) / duration:.1f} req/s",
        f"- CPU during the run: the gunicorn workers used {usage.worker_cores:.2f} of "
        f"{os.cpu_count()} cores on average; the machine's cores were {usage.machine_busy:.0%} "
        "busy (everything: workers, PostgreSQL, locust and any other process)",
    ]
    if usage.peak_kb:
        per_worker = ", ".join(f"{kb / 1024:.0f} MB" for kb in sorted(usage.peak_kb.values()))
        lines.append(
            f"- Peak memory (RSS) of the gunicorn workers: {per_worker}; largest "
            f"{max(usage.peak_kb.values()) / 1024:.0f} MB ({usage.samples} samples of "
            f"/proc every {SAMPLE_EVERY_SECONDS} s, and VmHWM)"
        )
    if everything.failures:
        grouped: dict[str, int] = defaultdict(int)
        for name, _started, _ms, failure in report.samples:
            if failure:
                grouped[f"{name}: {failure[:160]}"] += 1
        lines.append("- Failures:")
        lines += [
            f"  - {n} × {text}" for text, n in sorted(grouped.items(), key=lambda x: -x[1])[:10]
        ]
    p95, p99 = everything.percentile(0.95), everything.percentile(0.99)
    checks = [
        (f"failures: {len(everything.failures)} (target 0)", not everything.failures),
        (f"p95 {p95:.0f} ms (target ≤ {P95_LIMIT_MS:.0f} ms)", p95 <= P95_LIMIT_MS),
        (f"p99 {p99:.0f} ms (target ≤ {P99_LIMIT_MS:.0f} ms)", p99 <= P99_LIMIT_MS),
    ]
    lines += [f"- {text} — {'PASS' if ok else 'FAIL'}" for text, ok in checks]
    passed = all(ok for _text, ok in checks)
    busy = max(report.load_before[0], 0) > 1.0
    lines += [
        "",
        f"Result: {'PASS' if passed else 'FAIL'}"
        + (" (other processes were busy before the run: see the load average)" if busy else ""),
    ]
    print("\n".join(lines))
    print(f"(gunicorn's and locust's logs: {report.log_dir})", file=sys.stderr)
    return passed


# --- the run -----------------------------------------------------------------------------------


def main() -> int:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql", "psql")):
        raise BenchError(
            "Set DATABASE_URL to the PostgreSQL database with the large data set, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/malmo_seed_bench make soak "
            "(fill it with `manage.py seed_demo --size large`)."
        )
    load_before = os.getloadavg()
    cache = loopback_redis(os.environ.get("SOAK_CACHE_URL", "redis://127.0.0.1:6379/14"))
    # Production shares one cache between the workers; without a Redis, the settings' default.
    env = production_environment(secrets.token_urlsafe(50), cache or "locmemcache://portal")
    setup_django(env)
    password = demo_password()
    leftovers = remove_leftovers()
    counts = check_database()
    print("Preparing: database upkeep, static files, synthetic pilots…", file=sys.stderr)
    upkeep = vacuum_if_needed()
    collect_static_if_changed()
    run_id = time.strftime("%Y%m%d-%H%M%S")
    prepared = prepare(run_id)
    prepared.leftovers = leftovers
    log_dir = Path(tempfile.mkdtemp(prefix="malmo-soak-"))
    sessions: list[str] = []
    removed: dict[str, int] = {}
    try:
        prepared.fixtures = choose_pages(prepared)
        from django.conf import settings
        from django.db import connection

        connection.close()  # leave the database to gunicorn during the run
        with gunicorn(env, log_dir / "gunicorn.log", workers=WORKERS, threads=THREADS) as server:
            print(f"Signing in {USERS} people…", file=sys.stderr, flush=True)
            people = sign_in_everyone(server.base_url, password, prepared)
            sessions = [p["session"] for role in people.values() for p in role]
            fixtures = {
                **prepared.fixtures,
                **people,
                "user_agent": prepared.user_agent,
                "session_cookie": settings.SESSION_COOKIE_NAME,
            }
            fixtures_path = log_dir / "fixtures.json"
            fixtures_path.write_text(json.dumps(fixtures))
            server.reset_peaks()
            sampler = Sampler(server)
            sampler.start()
            print(f"Running {USERS} people for {SECONDS} s…", file=sys.stderr, flush=True)
            try:
                samples = run_locust(server.base_url, fixtures_path, log_dir)
            finally:
                usage = sampler.stop()
        load_after = os.getloadavg()
    finally:
        removed = put_back(prepared, sessions)
    report = Report(
        prepared=prepared,
        counts=counts,
        cache=(cache.split(":")[0] + " on loopback (shared by the workers)")
        if cache
        else "local memory (no Redis answered on loopback)",
        upkeep=upkeep,
        samples=samples,
        usage=usage,
        load_before=load_before,
        load_after=load_after,
        removed=removed,
        log_dir=log_dir,
    )
    return 0 if print_report(report) else 1


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, terminate)
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"soak: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(
            "soak: interrupted; gunicorn is stopped and what the run wrote is removed",
            file=sys.stderr,
        )
        sys.exit(130)
