"""The city dashboard: figures, filters, CSV downloads and caching."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilots import cache as dashboard_cache
from pilots import dashboard, services
from pilots.models import Indicator, PilotUpdate, Stage, Theme
from tests.factories import (
    AreaFactory,
    IndicatorFactory,
    PilotFactory,
    PilotUpdateFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard")
STATUSES = ("reached", "on_track", "off_track", "no_data")


def csv_url(table: str, query: str = "") -> str:
    return reverse("dashboard-table-csv", args=[table]) + (f"?{query}" if query else "")


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def area_row(board, slug: str) -> dict:
    return next(row for row in board.area_stage["rows"] if row["area"].slug == slug)


def stage_counts(board, slug: str) -> dict[str, int]:
    row = area_row(board, slug)
    return {
        stage.value: cell["count"]
        for stage, cell in zip(board.area_stage["stages"], row["cells"], strict=True)
    }


@pytest.fixture
def shared_cache(settings, tmp_path):
    """A cache that every process shares, as Redis is in production."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }


# Who may see it ---------------------------------------------------------------------------


def test_officials_see_the_dashboard_with_every_section(client, official, seved, english):
    PilotFactory(area=seved, stage=Stage.PILOT)
    client.force_login(official)

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "Pipeline: from idea to mainstream practice",
        "Pilots per area and stage",
        "Indicator progress per area",
        "Evidence levels",
        "Budget and participants reached per area",
        "Themes per area",
        "Pilots with stale data",
        "Latest updates and lessons",
        "How progress and status are worked out",
    ):
        assert heading in html
    assert "Target reached: progress is 100 % or more." in html, "the rules are on the page"
    assert 'id="pipeline-chart-data"' in html, "chart data travels as json_script"
    assert "<script>" not in html, "no inline script under the content security policy"


def test_area_staff_see_the_dashboard_too(client, staff_seved):
    client.force_login(staff_seved)
    assert client.get(DASHBOARD).status_code == 200


def test_the_dashboard_and_its_downloads_require_login(client):
    for url in (DASHBOARD, csv_url("pipeline"), csv_url("stale")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_dashboard_uses_the_same_queries_for_few_and_many_rows(
    client, official, seved, lindangen, django_assert_num_queries
):
    theme = ThemeFactory()
    third = AreaFactory()
    client.force_login(official)
    url = f"{DASHBOARD}?theme={theme.slug}&date_from=2000-01-01"

    def add_pilots(count: int) -> None:
        for number in range(count):
            pilot = PilotFactory(
                area=(seved, lindangen, third)[number % 3],
                stage=(Stage.PILOT, Stage.IDEA, Stage.SCALING)[number % 3],
                budget_sek=1000,
            )
            pilot.themes.add(theme)
            IndicatorFactory(pilot=pilot, status=STATUSES[number % 4])
            PilotUpdateFactory(pilot=pilot)

    add_pilots(2)
    # session, user, areas, themes; then area × stage × evidence, themes per area,
    # indicator status per area, stale pilots with their count, latest updates
    with django_assert_num_queries(9):
        client.get(url)
    add_pilots(28)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.context["board"].pipeline["total"] == 30


# Figures ----------------------------------------------------------------------------------


def test_area_stage_matrix_counts_active_pilots_and_links_to_the_filtered_list(
    client, official, seved, lindangen
):
    PilotFactory.create_batch(2, area=seved, stage=Stage.PILOT)
    PilotFactory(area=seved, stage=Stage.IDEA)
    PilotFactory(area=lindangen, stage=Stage.STOPPED)
    PilotFactory(area=seved, stage=Stage.PILOT, archived_at=timezone.now())
    client.force_login(official)

    response = client.get(DASHBOARD)

    board = response.context["board"]
    assert stage_counts(board, "seved") == {
        "idea": 1,
        "prototype": 0,
        "pilot": 2,
        "scaling": 0,
        "mainstreamed": 0,
        "stopped": 0,
    }, "archived pilots are left out"
    assert area_row(board, "seved")["total"] == 3
    assert [row["count"] for row in board.pipeline["rows"]] == [1, 0, 2, 0, 0, 1]
    assert f"{reverse('pilots:list')}?area=seved&amp;stage=pilot" in response.content.decode()
    assert {row["area"].slug for row in board.area_stage["rows"]} >= {
        "herrgarden",
        "holma-kroksback",
        "lindangen",
        "seved",
    }, "the programme areas are rows like any other, with zeros where nothing runs"


def test_indicator_progress_shares_add_up_to_100_per_area(client, official, seved, english):
    pilot = PilotFactory(area=seved)
    for status in ("reached", "on_track", "on_track", "off_track", "no_data", "no_data"):
        IndicatorFactory(pilot=pilot, status=status)
    client.force_login(official)

    progress = client.get(DASHBOARD).context["board"].progress

    row = next(row for row in progress["rows"] if row["area"] == seved)
    counts = {cell["status"]: cell["count"] for cell in row["cells"]}
    shares = [cell["share"] for cell in row["cells"]]
    assert counts == {"reached": 1, "on_track": 2, "off_track": 1, "no_data": 2}
    assert sum(shares) == 100
    assert shares == [Decimal("16.7"), Decimal("33.3"), Decimal("16.7"), Decimal("33.3")]
    assert progress["total"]["total"] == 6
    assert "16.7 % have reached their target" in progress["summary"]


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8))
def test_percentages_always_add_up_to_exactly_100_and_stay_near_the_exact_share(counts):
    shares = dashboard.percentages(counts)
    total = sum(counts)
    if total == 0:
        assert shares == [None] * len(counts)
        return
    assert sum(shares) == 100
    for count, share in zip(counts, shares, strict=True):
        assert abs(share - Decimal(count) * 100 / total) < Decimal("0.1")


def test_per_thousand_residents_is_rounded_half_up_and_needs_a_population():
    assert dashboard.per_thousand(50, 2500) == Decimal("20.0")
    assert dashboard.per_thousand(1, 3) == Decimal("333.3")
    assert dashboard.per_thousand(1_000_000, 2500, places=0) == Decimal("400000")
    assert dashboard.per_thousand(1, 8000, places=3) == Decimal("0.125")
    assert dashboard.per_thousand(1, 16000, places=4) == Decimal("0.0625")
    assert dashboard.per_thousand(5, None) is None
    assert dashboard.per_thousand(5, 0) is None
    assert dashboard.per_thousand(None, 1000) is None


def test_budget_and_participants_per_area_also_per_1000_residents(
    client, official, seved, lindangen, english
):
    seved.population = 2500
    seved.save()
    PilotFactory(area=seved, budget_sek=600_000, participants_reached=30)
    PilotFactory(area=seved, budget_sek=400_000, participants_reached=20)
    PilotFactory(area=seved, budget_sek=None, participants_reached=None)
    PilotFactory(area=lindangen, budget_sek=10_000, participants_reached=7)
    client.force_login(official)

    response = client.get(DASHBOARD)

    budget = response.context["board"].budget
    rows = {row["area"].slug: row for row in budget["rows"]}
    assert rows["seved"]["budget"] == 1_000_000
    assert rows["seved"]["budget_known"] == 2, "a pilot without a budget is not counted"
    assert rows["seved"]["budget_per_1000"] == Decimal("400000")
    assert rows["seved"]["participants_per_1000"] == Decimal("20.0")
    assert rows["lindangen"]["participants"] == 7
    assert rows["lindangen"]["participants_per_1000"] is None, "population unknown"
    assert budget["total"]["budget"] == 1_010_000
    assert budget["total"]["participants_per_1000"] == Decimal("20.0"), (
        "the total per 1,000 counts only areas with a known population"
    )
    html = response.content.decode()
    assert "400,000" in html
    assert "population unknown" in html


def test_evidence_levels_are_counted(client, official, seved):
    PilotFactory.create_batch(3, area=seved, evidence_level=1)
    PilotFactory(area=seved, evidence_level=4)
    client.force_login(official)

    evidence = client.get(DASHBOARD).context["board"].evidence

    assert [row["count"] for row in evidence["rows"]] == [3, 0, 0, 1, 0]
    assert sum(row["share"] for row in evidence["rows"]) == 100


def test_stale_pilots_are_running_ones_without_a_recent_measurement(client, official, seved):
    today = timezone.localdate()
    never = PilotFactory(area=seved, stage=Stage.PILOT, title="Aldrig mätt")
    old = PilotFactory(area=seved, stage=Stage.SCALING, title="Gammal mätning")
    IndicatorFactory(pilot=old, latest_period_end=today - timedelta(days=200))
    fresh = PilotFactory(area=seved, stage=Stage.PILOT)
    IndicatorFactory(pilot=fresh, latest_period_end=today - timedelta(days=200))
    IndicatorFactory(pilot=fresh, latest_period_end=today - timedelta(days=10))
    PilotFactory(area=seved, stage=Stage.IDEA)
    PilotFactory(area=seved, stage=Stage.PILOT, archived_at=timezone.now())
    client.force_login(official)

    board = client.get(DASHBOARD).context["board"]

    assert board.stale_count == 2
    assert [row["slug"] for row in board.stale] == [never.slug, old.slug], "never measured first"
    assert board.stale[1]["last_measured"] == today - timedelta(days=200)


def test_stale_list_shows_the_first_ten_and_the_csv_has_them_all(client, official, seved):
    PilotFactory.create_batch(12, area=seved, stage=Stage.PILOT)
    client.force_login(official)

    board = client.get(DASHBOARD).context["board"]
    rows = read_csv(client.get(csv_url("stale")))

    assert board.stale_count == 12
    assert len(board.stale) == 10
    assert len(rows) == 13, "a header and every stale pilot"
    assert [row[0] for row in rows[1:11]] == [row["title"] for row in board.stale]
    assert rows[1][4].startswith("http://testserver/pilots/")


def test_latest_updates_and_lessons_link_to_their_pilots(client, official, seved, lindangen):
    now = timezone.now()
    kept = PilotFactory(area=seved, title="Läxhjälp")
    for days in range(12):
        PilotUpdateFactory(
            pilot=kept,
            kind=PilotUpdate.Kind.LESSON if days == 0 else PilotUpdate.Kind.PROGRESS,
            body=f"Anteckning {days}",
            created_at=now - timedelta(days=days),
        )
    archived = PilotFactory(area=lindangen, archived_at=now)
    PilotUpdateFactory(pilot=archived, body="Från ett arkiverat projekt", created_at=now)
    client.force_login(official)

    response = client.get(DASHBOARD)

    updates = response.context["board"].updates
    assert [update["excerpt"] for update in updates] == [f"Anteckning {n}" for n in range(10)]
    assert updates[0]["kind"] == "lesson"
    assert reverse("pilots:detail", args=[kept.slug]) in response.content.decode()


# Filters ----------------------------------------------------------------------------------


def test_theme_filter_counts_only_pilots_with_that_theme(client, official, seved):
    jobs, health = ThemeFactory(), ThemeFactory()
    both = PilotFactory(area=seved)
    both.themes.add(jobs, health)
    only_health = PilotFactory(area=seved)
    only_health.themes.add(health)
    IndicatorFactory(pilot=only_health, status="on_track")
    client.force_login(official)

    response = client.get(f"{DASHBOARD}?theme={jobs.slug}")

    board = response.context["board"]
    assert board.pipeline["total"] == 1
    assert board.progress["total"]["total"] == 0
    themes = {
        theme.slug: count
        for theme, count in zip(board.themes["themes"], board.themes["totals"], strict=True)
    }
    assert themes[jobs.slug] == 1
    assert themes[health.slug] == 1, "the filtered pilots' other themes still show"
    assert f"stage=pilot&amp;theme={jobs.slug}" in response.content.decode(), (
        "the links keep the theme"
    )


def test_municipality_filter_keeps_only_its_areas(client, official, seved):
    lund = AreaFactory(municipality="Lund")
    PilotFactory(area=lund)
    PilotFactory.create_batch(2, area=seved)
    client.force_login(official)

    board = client.get(f"{DASHBOARD}?municipality=Lund").context["board"]

    assert [row["area"] for row in board.area_stage["rows"]] == [lund]
    assert board.pipeline["total"] == 1
    assert "Lund" in " ".join(board.filter_descriptions)


def test_period_filter_keeps_pilots_that_run_at_some_time_within_it(client, official, seved):
    def pilot(start: date | None, end: date | None) -> None:
        PilotFactory(area=seved, start_date=start, end_date=end)

    pilot(date(2024, 1, 1), date(2024, 6, 30))  # overlaps the start of the period
    pilot(date(2024, 5, 1), date(2024, 5, 31))  # inside
    pilot(date(2025, 1, 1), None)  # starts after the period
    pilot(date(2023, 1, 1), date(2024, 2, 29))  # ended before the period
    pilot(None, None)  # no dates: counted as running
    pilot(date(2020, 1, 1), None)  # started before, still running
    client.force_login(official)

    def total(query: str) -> int:
        return client.get(f"{DASHBOARD}?{query}").context["board"].pipeline["total"]

    assert total("date_from=2024-03-01&date_to=2024-12-31") == 4
    assert total("date_from=2025-06-01") == 3
    assert total("date_to=2023-12-31") == 3
    assert total("") == 6


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2024-13-45", "Enter a valid date."),
        ("date_to=yesterday", "Enter a valid date."),
        ("theme=no-such-theme", "Select a valid choice."),
        ("municipality=Atlantis", "Select a valid choice."),
        ("date_from=2024-12-31&date_to=2024-01-01", "cannot be before its start"),
    ],
)
def test_malformed_filters_are_ignored_with_a_message(
    client, official, seved, english, query, message
):
    PilotFactory(area=seved, start_date=date(2024, 6, 1), end_date=date(2024, 6, 30))
    PilotFactory(area=seved, start_date=date(2020, 1, 1), end_date=date(2020, 2, 1))
    client.force_login(official)

    response = client.get(f"{DASHBOARD}?{query}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters were not understood and were ignored" in html
    assert message in html
    assert response.context["board"].pipeline["total"] == 2, "the bad filter is ignored"


def test_a_valid_filter_still_applies_beside_a_malformed_one(client, official, seved):
    theme = ThemeFactory()
    PilotFactory(area=seved).themes.add(theme)
    PilotFactory(area=seved)
    client.force_login(official)

    response = client.get(f"{DASHBOARD}?theme={theme.slug}&date_from=31/02/2024")

    assert response.context["form"].errors
    assert response.context["board"].pipeline["total"] == 1


filter_text = st.text(max_size=30) | st.dates().map(date.isoformat) | st.sampled_from(["", "0"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(date_from=filter_text, date_to=filter_text, theme=filter_text, municipality=filter_text)
def test_filter_parsing_never_fails_whatever_the_input(date_from, date_to, theme, municipality):
    themes = [Theme(pk=1, slug="jobb", name="Jobb")]
    areas = [AreaFactory.build(pk=7, municipality="Malmö")]
    form = dashboard.DashboardFilterForm(
        {
            "date_from": date_from,
            "date_to": date_to,
            "theme": theme,
            "municipality": municipality,
        },
        themes=themes,
        municipalities=["Malmö"],
    )

    filters = dashboard.filters_from(form, areas, themes)

    assert filters.theme_id in (None, 1)
    assert filters.area_ids in (None, (7,))
    if filters.date_from and filters.date_to:
        assert filters.date_from <= filters.date_to
    if theme not in ("", "jobb"):
        assert "theme" in form.errors


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    query=st.dictionaries(
        st.sampled_from(["date_from", "date_to", "theme", "municipality", "other"]),
        st.text(max_size=20),
        max_size=4,
    )
)
def test_the_page_and_its_downloads_answer_200_to_any_filter_values(client, official, query):
    client.force_login(official)
    assert client.get(DASHBOARD, query).status_code == 200
    assert client.get(csv_url("progress"), query).status_code == 200


# CSV downloads ----------------------------------------------------------------------------


def test_each_table_downloads_as_csv_with_the_rows_of_the_page(client, official, seved, english):
    pilot = PilotFactory(area=seved, stage=Stage.PILOT, budget_sek=5000, participants_reached=3)
    IndicatorFactory(pilot=pilot, status="on_track")
    PilotUpdateFactory(pilot=pilot, body="=SUM(A1:A9) är inte en formel här")
    client.force_login(official)
    board = client.get(DASHBOARD).context["board"]

    for table in dashboard.TABLES:
        response = client.get(csv_url(table))
        assert response.status_code == 200, table
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert f'filename="dashboard-{table}-' in response["Content-Disposition"]
        assert read_csv(response)[0], f"{table} has a header row"

    rows = read_csv(client.get(csv_url("area-stage")))
    stages = ["Idea", "Prototype", "Pilot", "Scaling", "Mainstreamed", "Stopped"]
    assert rows[0] == ["Area", *stages, "Total"]
    page_rows = [
        [row["area"].name, *(str(cell["count"]) for cell in row["cells"]), str(row["total"])]
        for row in board.area_stage["rows"]
    ]
    assert rows[1:-1] == page_rows
    assert rows[-1][0] == "All areas shown"

    progress = read_csv(client.get(csv_url("progress")))
    seved_row = next(row for row in progress if row[0] == "Seved")
    assert seved_row[:4] == ["Seved", "1", "0", "0.0"]
    assert seved_row[4:6] == ["1", "100.0"], "on track: count and share"

    updates = read_csv(client.get(csv_url("updates")))
    assert updates[1][4].startswith("'=SUM"), "text that looks like a formula stays text"


def test_csv_downloads_apply_the_same_filters(client, official, seved):
    theme = ThemeFactory()
    PilotFactory(area=seved, stage=Stage.PILOT).themes.add(theme)
    PilotFactory.create_batch(2, area=seved, stage=Stage.PILOT)
    client.force_login(official)

    pipeline = read_csv(client.get(csv_url("pipeline", f"theme={theme.slug}")))
    unfiltered = read_csv(client.get(csv_url("pipeline")))

    assert pipeline[3][:2] == [str(Stage.PILOT.label), "1"]
    assert unfiltered[3][:2] == [str(Stage.PILOT.label), "3"]


def test_an_unknown_table_is_404(client, official):
    client.force_login(official)
    assert client.get(csv_url("passwords")).status_code == 404


# Caching ----------------------------------------------------------------------------------


def test_a_cached_dashboard_shows_a_service_write_at_once(
    client,
    official,
    staff_seved,
    seved,
    shared_cache,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    pilot = PilotFactory(area=seved)
    indicator = IndicatorFactory(pilot=pilot)
    client.force_login(official)

    def reached() -> int:
        total = client.get(DASHBOARD).context["board"].progress["total"]
        return next(cell["count"] for cell in total["cells"] if cell["status"] == "reached")

    assert reached() == 0
    # Served from the cache: session, user, areas and themes only.
    with django_assert_num_queries(4):
        assert reached() == 0

    with django_capture_on_commit_callbacks(execute=True):
        services.measurement_record(
            indicator=Indicator.objects.select_related("definition").get(pk=indicator.pk),
            period_end=timezone.localdate(),
            value=Decimal("25"),
            recorded_by=staff_seved,
        )

    assert reached() == 1


def test_a_new_update_shows_on_the_cached_dashboard(
    client, official, staff_seved, seved, shared_cache, django_capture_on_commit_callbacks
):
    pilot = PilotFactory(area=seved)
    client.force_login(official)
    assert client.get(DASHBOARD).context["board"].updates == []

    with django_capture_on_commit_callbacks(execute=True):
        services.update_create(pilot=pilot, author=staff_seved, kind="lesson", body="Lärdom")

    assert [u["excerpt"] for u in client.get(DASHBOARD).context["board"].updates] == ["Lärdom"]


def test_cached_figures_are_kept_apart_by_filter(client, official, seved, shared_cache):
    theme = ThemeFactory()
    PilotFactory(area=seved).themes.add(theme)
    PilotFactory(area=seved)
    client.force_login(official)

    assert client.get(DASHBOARD).context["board"].pipeline["total"] == 2
    response = client.get(f"{DASHBOARD}?theme={theme.slug}")
    assert response.context["board"].pipeline["total"] == 1


def test_names_and_populations_are_read_fresh_even_from_cached_figures(
    client, official, seved, shared_cache
):
    PilotFactory(area=seved, participants_reached=10)
    client.force_login(official)
    client.get(DASHBOARD)

    seved.name = "Seved (nytt namn)"
    seved.population = 1000
    seved.save()

    board = client.get(DASHBOARD).context["board"]
    row = next(row for row in board.budget["rows"] if row["area"].pk == seved.pk)
    assert row["area"].name == "Seved (nytt namn)"
    assert row["participants_per_1000"] == Decimal("10.0")


def test_a_per_process_cache_is_not_used_for_the_figures(client, official, seved):
    # Local memory belongs to one worker: another worker's write could not invalidate it.
    assert not dashboard_cache.is_shared()
    client.force_login(official)
    client.get(DASHBOARD)

    PilotFactory(area=seved)  # written without a service, so nothing is bumped

    assert client.get(DASHBOARD).context["board"].pipeline["total"] == 1


def test_the_data_version_moves_on_after_commit_and_restarts_from_the_clock_when_lost(
    shared_cache, django_capture_on_commit_callbacks
):
    first = dashboard_cache.data_version(dashboard_cache.PILOTS)
    with django_capture_on_commit_callbacks() as callbacks:
        dashboard_cache.bump_data_version()
    assert dashboard_cache.data_version(dashboard_cache.PILOTS) == first, "nothing before commit"
    for callback in callbacks:
        callback()
    assert dashboard_cache.data_version(dashboard_cache.PILOTS) == first + 1

    dashboard_cache._cache().delete(dashboard_cache._key(dashboard_cache.PILOTS))
    assert dashboard_cache.data_version(dashboard_cache.PILOTS) > first + 1, "never reused"


def test_a_measurement_moves_on_only_the_indicator_figures(
    shared_cache, django_capture_on_commit_callbacks
):
    before = {scope: dashboard_cache.data_version(scope) for scope in dashboard_cache.SCOPES}

    with django_capture_on_commit_callbacks(execute=True):
        dashboard_cache.bump_data_version(dashboard_cache.INDICATORS)

    after = {scope: dashboard_cache.data_version(scope) for scope in dashboard_cache.SCOPES}
    assert after[dashboard_cache.INDICATORS] == before[dashboard_cache.INDICATORS] + 1
    assert after[dashboard_cache.PILOTS] == before[dashboard_cache.PILOTS]
    assert after[dashboard_cache.UPDATES] == before[dashboard_cache.UPDATES]


def test_after_a_measurement_only_the_indicator_figures_are_computed_again(
    client,
    official,
    staff_seved,
    seved,
    shared_cache,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    indicator = IndicatorFactory(pilot=PilotFactory(area=seved))
    client.force_login(official)
    client.get(DASHBOARD)

    with django_capture_on_commit_callbacks(execute=True):
        services.measurement_record(
            indicator=Indicator.objects.select_related("definition").get(pk=indicator.pk),
            period_end=timezone.localdate(),
            value=Decimal("25"),
            recorded_by=staff_seved,
        )

    # Session, user, areas and themes; then progress and stale pilots. The pilot counts and
    # the journal come from the cache.
    with django_assert_num_queries(6):
        board = client.get(DASHBOARD).context["board"]
    assert next(c["count"] for c in board.progress["total"]["cells"] if c["status"] == "reached")


@pytest.mark.parametrize("url", [DASHBOARD, csv_url("themes"), csv_url("stale")])
def test_the_dashboard_and_its_downloads_refuse_a_post_and_change_nothing(
    client, lead_seved, seved, url
):
    pilot = PilotFactory(area=seved, stage=Stage.PILOT)
    client.force_login(lead_seved)
    before = (pilot.history.count(), PilotUpdate.objects.count(), Theme.objects.count())

    response = client.post(url, {"stage": Stage.STOPPED, "name": "Ny", "body": "Hej"})

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "Content-Disposition" not in response
    pilot.refresh_from_db()
    assert pilot.stage == Stage.PILOT
    assert (pilot.history.count(), PilotUpdate.objects.count(), Theme.objects.count()) == before
