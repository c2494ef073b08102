"""`make bench`: the portal under gunicorn with production settings, measured page by page.

Needs DATABASE_URL pointing at PostgreSQL filled by `manage.py seed_demo --size large`, with
every migration applied, and the demo users' password in DEMO_PASSWORD (or .demo_password).
Prints the machine, then one Markdown table: per page the status, SQL queries, median and p95
latency for one client, requests per second for one client and for four connections, the ratios
to /healthz/live and to the pilots' admin changelist, the workers' peak memory, and the targets
from DESIGN.md with PASS or FAIL. Then the CSV export's memory: flat, or not.

All traffic stays on 127.0.0.1. The whole run is bounded (BENCH_SECONDS per load run, 10 by
default) and gunicorn is always stopped at the end. Pages still under construction are measured
by URL like the rest: their status column says what they answer today.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from common import (
    BASE_DIR,
    HEALTH_PATH,
    HOST,
    BenchError,
    Server,
    check_database,
    collect_static,
    demo_password,
    forget_sessions,
    gunicorn,
    http_status,
    login,
    loopback_redis,
    no_redirect_opener,
    production_environment,
    setup_django,
    terminate,
    vacuum_if_needed,
)

WORKERS = 2
THREADS = 2
CONNECTIONS = 4
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
# Stop starting new load runs once this much time has gone, so the bench ends within ~10 min.
BUDGET_SECONDS = int(os.environ.get("BENCH_BUDGET_SECONDS", "540"))
FLAT_MEMORY_MB = 10.0
ADMIN_LIST_PATH = "/admin/pilots/pilot/"
# The portal's production settings plus the two reference pages (bench/reference_urls.py).
REFERENCE_SETTINGS = "bench.reference_settings"
EMPTY_PATH = "/bench/empty"
LAYOUT_PATH = "/bench/layout"
OFFICIAL = "official"
STAFF = "lead-seved"
ADMIN = "admin"


# --- what is measured --------------------------------------------------------------------------


@dataclass
class Page:
    label: str
    path: str
    user: str | None
    # "page": p95 ≤ 100 ms (lists, details); "dashboard": p95 ≤ 300 ms; None: no latency target.
    target: str | None = None
    throughput: bool = True  # exports are measured by one client only
    status: int | None = None
    queries: int | str = "–"
    one: dict[str, float] | None = None
    many: dict[str, float] | None = None
    peak_rss_mb: float | None = None
    note: str = ""

    @property
    def rps(self) -> float | None:
        run = self.many or self.one
        return run["rps"] if run else None


@dataclass
class Fixtures:
    pilot_slug: str
    other_pilot_slug: str
    area_slug: str
    theme_slug: str
    indicator_code: str
    search_word: str
    counts: dict[str, int] = field(default_factory=dict)


def pages_for(fx: Fixtures) -> list[Page]:
    compare_query = urllib.parse.urlencode(
        [("pilots", fx.pilot_slug), ("pilots", fx.other_pilot_slug)]
    )
    return [
        Page("/healthz/live", HEALTH_PATH, None),
        # What any signed-in page costs at least: the middleware, the session and the user.
        Page("reference: empty signed-in page", EMPTY_PATH, OFFICIAL),
        Page("reference: the layout alone, signed in", LAYOUT_PATH, OFFICIAL),
        # An official's start page is the city dashboard (DESIGN.md), so its target too.
        Page("home (official: city dashboard)", "/", OFFICIAL, "dashboard"),
        Page(f"home ({STAFF})", "/", STAFF, "page"),
        Page("pilot list", "/pilots/", OFFICIAL, "page"),
        Page("pilot list, page 400", "/pilots/?page=400", OFFICIAL, "page"),
        Page("pilot list, sorted by title", "/pilots/?sort=title", OFFICIAL, "page"),
        Page(
            "pilot list, area + stage",
            f"/pilots/?area={fx.area_slug}&stage=pilot",
            OFFICIAL,
            "page",
        ),
        Page("pilot list, theme", f"/pilots/?theme={fx.theme_slug}", OFFICIAL, "page"),
        Page(
            f"pilot list, search “{fx.search_word}”",
            "/pilots/?" + urllib.parse.urlencode({"q": fx.search_word}),
            OFFICIAL,
            "page",
        ),
        Page("pilot page (5 indicators × 20)", f"/pilots/{fx.pilot_slug}/", OFFICIAL, "page"),
        Page("library of what worked", "/library/", OFFICIAL, "page"),
        Page("library, page 50", "/library/?page=50", OFFICIAL, "page"),
        Page(
            f"library, search “{fx.search_word}”",
            "/library/?" + urllib.parse.urlencode({"q": fx.search_word}),
            OFFICIAL,
            "page",
        ),
        Page("areas", "/areas/", OFFICIAL, "page"),
        Page("area page (largest area)", f"/areas/{fx.area_slug}/", OFFICIAL, "page"),
        Page("admin changelist of pilots", ADMIN_LIST_PATH, ADMIN),
        Page("dashboard", "/dashboard/", OFFICIAL, "dashboard"),
        Page("compare 2 pilots", f"/compare/?{compare_query}", OFFICIAL, "page"),
        Page(
            f"compare areas on “{fx.indicator_code}”",
            f"/compare/?indicator={fx.indicator_code}",
            OFFICIAL,
            "dashboard",
        ),
        Page("export CSV (all pilots)", "/pilots/export.csv", OFFICIAL, throughput=False),
        Page("export XLSX (all pilots)", "/pilots/export.xlsx", OFFICIAL, throughput=False),
    ]


# --- Django, in this process: checks, fixtures, query counts ------------------------------------


def choose_fixtures(counts: dict[str, int]) -> Fixtures:
    """Realistic worst cases, chosen the same way on every run of the same data."""
    from django.db.models import Count, Q

    from areas.models import Area
    from pilots.models import Indicator, Pilot, Theme

    active = Pilot.objects.active()
    full = Q(indicators__measurement_count__gte=20)
    pilot = (
        active.annotate(full=Count("indicators", filter=full))
        .filter(full__gte=5)
        .order_by("pk")
        .first()
    ) or active.order_by("pk").first()
    if pilot is None:
        raise BenchError("The database has no active pilots: load `seed_demo --size large`.")
    definitions = pilot.indicators.values("definition")
    other = (
        active.exclude(area_id=pilot.area_id)
        .filter(indicators__definition__in=definitions)
        .order_by("pk")
        .first()
    ) or active.exclude(pk=pilot.pk).order_by("pk").first()
    area = (
        Area.objects.annotate(n=Count("pilots", filter=Q(pilots__archived_at__isnull=True)))
        .order_by("-n", "slug")
        .first()
    )
    theme = Theme.objects.annotate(n=Count("pilots")).order_by("-n", "slug").first()
    code = (
        Indicator.objects.filter(pilot__archived_at__isnull=True)
        .values_list("definition__code")
        .annotate(n=Count("id"))
        .order_by("-n", "definition__code")
        .first()
    )
    word = re.split(r"\W+", pilot.title.lower())[0] or "hälsa"
    return Fixtures(
        pilot_slug=pilot.slug,
        other_pilot_slug=other.slug if other else pilot.slug,
        area_slug=area.slug if area else "seved",
        theme_slug=theme.slug if theme else "health",
        indicator_code=code[0] if code else "into-work",
        search_word=word,
        counts=counts,
    )


def count_queries(pages: list[Page]) -> None:
    """Each page once through Django's test client, with the queries captured."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # Pages under construction may fail here; their status column says so, not a traceback.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=_users(pages))}
    clients: dict[str | None, Client] = {}
    for page in pages:
        client = clients.get(page.user)
        if client is None:
            client = Client(HTTP_HOST=HOST, raise_request_exception=False)
            if page.user:
                if page.user not in users:
                    page.note = f"no user {page.user}"
                    continue
                client.force_login(users[page.user])
            clients[page.user] = client
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.path)
            if response.streaming:
                for _chunk in response.streaming_content:
                    pass
            response.close()
        page.queries = len(captured.captured_queries)
    for client in clients.values():
        client.logout()


def _users(pages: list[Page]) -> set[str]:
    return {page.user for page in pages if page.user}


# --- HTTP to the server: downloads, wrk ---------------------------------------------------------


def download(url: str, headers: dict[str, str]) -> tuple[int, int, int, float]:
    """Read a whole response in chunks; return status, bytes, lines and seconds."""
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - always http://127.0.0.1
    started = time.perf_counter()
    size = lines = 0
    try:
        with no_redirect_opener().open(request, timeout=300) as response:
            while chunk := response.read(65536):
                size += len(chunk)
                lines += chunk.count(b"\n")
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, size, lines, time.perf_counter() - started


def run_wrk(url: str, headers: dict[str, str], connections: int, seconds: int) -> dict:
    command = [
        shutil.which("wrk") or "wrk",
        "--threads=1",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=30s",
        f"--script={BASE_DIR / 'bench' / 'report.lua'}",
    ]
    for name, value in headers.items():
        command.append(f"--header={name}: {value}")
    command.append(url)
    result = subprocess.run(  # noqa: S603 - a fixed command line, no shell
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH-JSON ")), None)
    if line is None:
        raise BenchError(f"wrk failed: {result.stdout}\n{result.stderr}")
    figures = json.loads(line.removeprefix("BENCH-JSON "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


# --- the run -----------------------------------------------------------------------------------


@dataclass
class ExportMemory:
    label: str
    status: int
    megabytes: float = 0.0
    lines: int = 0
    seconds: float = 0.0
    rss_before_mb: float = 0.0
    peak_after_mb: float = 0.0

    @property
    def growth_mb(self) -> float:
        return self.peak_after_mb - self.rss_before_mb


def measure_export_memory(server: Server, page: Page, headers: dict[str, str]) -> ExportMemory:
    """The workers' peak RSS before and after one full export, on workers not yet exporting."""
    before = server.memory_kb("VmRSS")
    if not server.reset_peaks():
        before = server.memory_kb("VmHWM")
    status, size, lines, seconds = download(server.base_url + page.path, headers)
    after = server.memory_kb("VmHWM")
    # The worker that served the export is the one whose peak grew most.
    pid = max(after, key=lambda p: after[p] - before.get(p, after[p]))
    return ExportMemory(
        label=page.label,
        status=status,
        megabytes=size / 1e6,
        lines=lines,
        seconds=seconds,
        rss_before_mb=before.get(pid, after[pid]) / 1024,
        peak_after_mb=after[pid] / 1024,
    )


def measure_page(server: Server, page: Page, headers: dict[str, str], throughput: bool) -> None:
    url = server.base_url + page.path
    page.status = http_status(url, headers)
    for _ in range(2):  # warm both workers' templates and connections
        http_status(url, headers)
    server.reset_peaks()
    page.one = run_wrk(url, headers, 1, SECONDS)
    if throughput and page.throughput:
        page.many = run_wrk(url, headers, CONNECTIONS, SECONDS)
    peaks = server.memory_kb("VmHWM")
    page.peak_rss_mb = max(peaks.values()) / 1024 if peaks else None
    errors = sum(run["non_2xx_3xx"] + run["timeouts"] for run in (page.one, page.many) if run)
    if errors and page.status == 200:
        page.note = f"{errors} errors under load"


def main() -> int:
    started = time.monotonic()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql", "psql")):
        raise BenchError(
            "Set DATABASE_URL to the PostgreSQL database with the large data set, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/malmo_seed_bench make bench "
            "(fill it with `manage.py seed_demo --size large`)."
        )
    if not shutil.which("wrk"):
        raise BenchError("The load generator wrk is missing: apt-get install wrk.")
    load_before = os.getloadavg()[0]
    secret_key = secrets.token_urlsafe(50)
    env = production_environment(secret_key, "dummycache://")
    env["DJANGO_SETTINGS_MODULE"] = REFERENCE_SETTINGS
    setup_django(env)
    counts = check_database()
    password = demo_password()
    print("Preparing: database upkeep, static files, query counts…", file=sys.stderr, flush=True)
    upkeep = vacuum_if_needed()
    collect_static()
    fixtures = choose_fixtures(counts)
    pages = selected(pages_for(fixtures))
    count_queries(pages)
    from django.db import connection

    connection.close()  # the in-process work is done; leave the database to gunicorn

    exports: list[ExportMemory] = []
    cached: list[Page] = []
    log_dir = Path(tempfile.mkdtemp(prefix="malmo-bench-"))
    sessions: dict[str, str] = {}

    def headers_for(user: str | None) -> dict[str, str]:
        return {"Cookie": f"sessionid={sessions[user]}"} if user else {}

    try:
        with gunicorn(env, log_dir / "gunicorn.log", workers=WORKERS, threads=THREADS) as server:
            sessions.update({u: login(server.base_url, u, password) for u in _users(pages)})
            for page in pages:  # every worker has served the ordinary pages once
                if page.throughput:
                    http_status(server.base_url + page.path, headers_for(page.user))
            # Exports first, on workers that have not exported yet: memory a worker freed after
            # an earlier export would hide the growth of the one measured.
            for page in pages:
                if not page.throughput:
                    exports.append(measure_export_memory(server, page, headers_for(page.user)))
            for page in pages:
                needed = SECONDS * (2 if page.throughput else 1) + 5
                if time.monotonic() - started + needed > BUDGET_SECONDS:
                    page.note = "skipped: time budget"
                    continue
                print(f"  {page.label}…", file=sys.stderr, flush=True)
                measure_page(server, page, headers_for(page.user), throughput=True)
        cache_url = shared_cache_url()
        to_cache = [p for p in pages if p.target == "dashboard" and p.status == 200]
        if cache_url and to_cache:
            with gunicorn(
                production_environment(secret_key, cache_url)
                | {"DJANGO_SETTINGS_MODULE": REFERENCE_SETTINGS},
                log_dir / "g2.log",
                workers=WORKERS,
                threads=THREADS,
            ) as server:
                for page in to_cache:
                    if time.monotonic() - started + SECONDS + 5 > BUDGET_SECONDS:
                        break
                    print(f"  {page.label}, cached…", file=sys.stderr, flush=True)
                    again = Page(
                        f"{page.label}, cached ({cache_url.split(':')[0]})", page.path, page.user
                    )
                    measure_page(server, again, headers_for(page.user), throughput=False)
                    cached.append(again)
    finally:
        forget_sessions(list(sessions.values()))
    elapsed = time.monotonic() - started
    context = RunContext(fixtures, upkeep, load_before, os.getloadavg()[0], elapsed, log_dir)
    print_report(pages, cached, exports, context)
    return 0


@dataclass
class RunContext:
    fixtures: Fixtures
    upkeep: str
    load_before: float
    load_after: float
    elapsed: float
    log_dir: Path


def selected(pages: list[Page]) -> list[Page]:
    """BENCH_PAGES=list,dashboard measures only pages whose label has one of these words."""
    words = [w.strip().lower() for w in os.environ.get("BENCH_PAGES", "").split(",") if w.strip()]
    if not words:
        return pages
    # The references stay: the ratios need them.
    keep = {HEALTH_PATH, EMPTY_PATH, LAYOUT_PATH, ADMIN_LIST_PATH}
    return [p for p in pages if p.path in keep or any(w in p.label.lower() for w in words)]


def shared_cache_url() -> str | None:
    """The cache for the second pass over the dashboards: Redis on loopback, when it answers.

    The dashboards cache only in a cache every worker shares (pilots.cache); a local-memory
    cache is never used for them, so it would measure nothing.
    """
    return loopback_redis(os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/15"))


# --- the report --------------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = "unknown CPU"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "?"
    with suppress(OSError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    from django import get_version
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    wrk = subprocess.run(  # noqa: S603 - a fixed command line, no shell
        [shutil.which("wrk") or "wrk", "--version"], capture_output=True, text=True, check=False
    ).stdout.split(" [")[0]
    return [
        f"- Machine: {cpu}, {os.cpu_count()} cores, {memory} memory; "
        f"{platform.system()} {platform.release()}",
        f"- Software: Python {platform.python_version()}, Django {get_version()}, "
        f"PostgreSQL {postgres} on the same machine, {wrk}",
    ]


def _ms(run: dict | None, key: str) -> str:
    return f"{run[key] / 1000:.1f}" if run else "–"


def _ratio(value: float | None, reference: float | None) -> str:
    if not value or not reference:
        return "–"
    return f"{value / reference:.2f}"


def _verdict(page: Page) -> tuple[str, str]:
    limits = {"page": 100.0, "dashboard": 300.0}
    if page.target is None:
        return "", ""
    goal = f"p95 ≤ {limits[page.target]:.0f} ms"
    if page.one is None:
        return goal, "–"
    if page.status != 200:
        return goal, f"FAIL (HTTP {page.status})"
    return goal, "PASS" if page.one["p95_us"] / 1000 <= limits[page.target] else "FAIL"


def print_report(
    pages: list[Page], cached: list[Page], exports: list[ExportMemory], run: RunContext
) -> None:
    fx = run.fixtures
    health = next(p for p in pages if p.path == HEALTH_PATH)
    admin = next(p for p in pages if p.path == ADMIN_LIST_PATH)
    # The bench itself raises the load average; only the figure before it says whether other
    # processes were competing for the cores.
    busy = (
        " — other processes were busy, so the figures are lower than on a quiet machine"
        if run.load_before > 1.0
        else ""
    )
    lines = [
        "## Benchmark",
        "",
        *machine(),
        f"- Load average: {run.load_before:.2f} before the run{busy}; "
        f"{run.load_after:.2f} at its end (the bench's own load included)",
        f"- Data: {fx.counts['areas']:,} areas, {fx.counts['pilots']:,} pilots, "
        f"{fx.counts['indicators']:,} indicators, ~{fx.counts['measurements']:,} measurements "
        f"(`seed_demo --size large`); {run.upkeep}",
        f"- Server: gunicorn, {WORKERS} workers × {THREADS} threads, DJANGO_DEBUG=0, "
        "CACHE_URL=dummycache:// (nothing cached); the cached rows ran on a second gunicorn "
        "with Redis",
        f"- Load: wrk on loopback, {SECONDS} s per run: one client (1 connection) for latency, "
        f"then {CONNECTIONS} connections for requests/s; signed in as `{OFFICIAL}` "
        f"(home also as `{STAFF}`, the admin changelist as `{ADMIN}`)",
        "- Queries: one request in-process through Django's test client; "
        f"the whole run took {run.elapsed:.0f} s",
        "",
        "| page | status | queries | median ms | p95 ms | req/s 1 client "
        f"| req/s {CONNECTIONS} conns | × /healthz/live | × admin | peak RSS MB "
        "| target | result |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for page in [*pages, *cached]:
        goal, result = _verdict(page)
        if page.note:
            result = f"{result} ({page.note})".strip()
        lines.append(
            f"| {page.label} | {page.status or '–'} | {page.queries} | {_ms(page.one, 'p50_us')} "
            f"| {_ms(page.one, 'p95_us')} | {_rate(page.one)} | {_rate(page.many)} "
            f"| {_ratio(page.rps, health.rps)} | {_ratio(page.rps, admin.rps)} "
            f"| {_mb(page.peak_rss_mb)} | {goal} | {result} |"
        )
    lines += ["", *throughput_checks(pages, health, admin), *export_lines(exports)]
    lines += ["", "Pages measured:", *(f"- {p.label}: `{p.path}`" for p in pages)]
    print("\n".join(lines))
    print(f"(gunicorn's logs: {run.log_dir})", file=sys.stderr)
    out = BASE_DIR / "bench-results"
    with suppress(OSError):
        out.mkdir(exist_ok=True)
        (out / "latest.md").write_text("\n".join(lines) + "\n")


def _rate(run: dict | None) -> str:
    return f"{run['rps']:.1f}" if run else "–"


def _mb(value: float | None) -> str:
    return f"{value:.0f}" if value else "–"


def throughput_checks(pages: list[Page], health: Page, admin: Page) -> list[str]:
    pilot_list = next((p for p in pages if p.path == "/pilots/"), None)
    detail = next((p for p in pages if p.label.startswith("pilot page")), None)
    lines = []
    if pilot_list and pilot_list.rps and admin.rps:
        ok = pilot_list.status == 200 and pilot_list.rps >= admin.rps
        lines.append(
            f"- Pilot list throughput ≥ admin changelist: {pilot_list.rps:.1f} vs "
            f"{admin.rps:.1f} req/s — {'PASS' if ok else 'FAIL'}"
        )
    if detail and detail.rps and health.rps:
        ok = detail.status == 200 and detail.rps >= 0.25 * health.rps
        lines.append(
            f"- Pilot page throughput ≥ 25 % of /healthz/live: {detail.rps:.1f} vs "
            f"{0.25 * health.rps:.1f} req/s — {'PASS' if ok else 'FAIL'}"
        )
        lines += reference_lines(pages, health, detail)
    latency = [p for p in pages if p.target and p.one]
    failed = [p.label for p in latency if _verdict(p)[1] != "PASS"]
    lines.append(
        f"- Latency targets met on {len(latency) - len(failed)} of {len(latency)} pages"
        + (f"; not met: {', '.join(failed)}" if failed else "")
    )
    return lines


def reference_lines(pages: list[Page], health: Page, detail: Page) -> list[str]:
    """How far the pilot page's ratio could go: what an empty signed-in page and the bare
    layout reach on the same server, as shares of /healthz/live, which answers before the
    middleware runs."""
    empty = next((p for p in pages if p.path == EMPTY_PATH and p.rps), None)
    layout = next((p for p in pages if p.path == LAYOUT_PATH and p.rps), None)
    if not (empty and health.rps and detail.rps):
        return []
    lines = [
        f"  - For scale: an empty signed-in page (no query of its own, no template) serves "
        f"{empty.rps:.1f} req/s, {empty.rps / health.rps:.1%} of /healthz/live"
    ]
    if layout:
        lines.append(
            f"  - the portal's layout alone, signed in: {layout.rps:.1f} req/s, "
            f"{layout.rps / health.rps:.1%} of /healthz/live"
        )
    lines.append(
        f"  - the pilot page: {detail.rps / empty.rps:.1%} of the empty signed-in page's throughput"
    )
    return lines


def export_lines(exports: list[ExportMemory]) -> list[str]:
    lines = []
    for export in exports:
        if export.status != 200:
            lines.append(f"- {export.label}: HTTP {export.status}, memory not measured — FAIL")
            continue
        flat = export.growth_mb <= FLAT_MEMORY_MB
        verdict = "PASS" if flat else "FAIL"
        if "CSV" not in export.label:
            verdict = f"{verdict} (informative; the target is for CSV)"
        rows = f"{export.lines:,} lines, " if "CSV" in export.label else ""
        lines.append(
            f"- {export.label}: {rows}{export.megabytes:.1f} MB in "
            f"{export.seconds:.1f} s; worker RSS {export.rss_before_mb:.0f} MB before, peak "
            f"{export.peak_after_mb:.0f} MB during (+{export.growth_mb:.1f} MB; flat means "
            f"≤ {FLAT_MEMORY_MB:.0f} MB) — {verdict}"
        )
    return lines


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, terminate)
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        sys.exit(2)
