"""Official's journey: dashboard → filter by theme → compare two pilots of two areas → export CSV.

Every page on the way is scanned with axe in Swedish and then again in English.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pilots import services
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import assert_no_axe_violations, screenshot, sign_in
from tests.factories import (
    IndicatorDefinitionFactory,
    IndicatorFactory,
    PilotFactory,
    ThemeFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_official_reads_the_dashboard_compares_two_areas_and_exports(
    page, official, seved, lindangen
):
    theme = ThemeFactory(slug="sommarjobb-e2e", name="Sommarjobb", name_en="Summer jobs")
    definition = IndicatorDefinitionFactory(
        code="into-work-e2e", name="Fick arbete", name_en="Found work", aggregation="sum"
    )
    pilots = []
    for area, title, values in (
        (seved, "Sommarjobb i Seved", (4, 6)),
        (lindangen, "Sommarjobb i Lindängen", (3, 9)),
    ):
        pilot = PilotFactory(area=area, title=title, stage="pilot")
        pilot.themes.add(theme)
        indicator = IndicatorFactory(
            pilot=pilot, definition=definition, baseline_value=0, target_value=20
        )
        for month, value in zip((1, 2), values, strict=True):
            services.measurement_record(
                indicator=indicator, period_end=date(2026, month, 28), value=value
            )
        pilots.append(pilot)
    PilotFactory(area=seved, title="Läxhjälp utan tema", stage="idea")
    visited: list[str] = []

    def scan(label: str) -> None:
        visited.append(page.url)
        assert_no_axe_violations(page, f"{label} (sv)")

    sign_in(page, official.username, TEST_PASSWORD)
    page.goto("/dashboard/")
    scan("city dashboard")

    page.locator("#id_theme").select_option(theme.slug)
    page.locator("form.dashboard-filters button[type=submit]").click()
    page.wait_for_load_state()
    assert f"theme={theme.slug}" in page.url
    scan("dashboard filtered by theme")
    screenshot(page, "official-dashboard-sv")

    page.goto(f"/pilots/?theme={theme.slug}")
    scan("pilot list filtered by theme")
    page.locator("details summary").filter(has_text="Jämför").click()
    for pilot in pilots:
        page.locator(f"#compare-{pilot.pk}").check()
    page.get_by_role("button", name="Jämför de förkryssade piloterna").click()
    page.wait_for_load_state()
    assert "/compare/" in page.url
    assert page.locator("canvas").count() >= 1, "the shared indicator is charted"
    assert page.get_by_text("Sommarjobb i Lindängen").first.is_visible()
    scan("comparison of two pilots")
    screenshot(page, "official-compare-sv")

    page.goto(f"/pilots/?theme={theme.slug}")
    with page.expect_download() as download_info:
        page.locator("a[href*='export.csv']").first.click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert "Sommarjobb i Seved" in content
    assert "Sommarjobb i Lindängen" in content
    assert "Läxhjälp utan tema" not in content, "the export keeps the filter"

    page.goto("/dashboard/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    for url in dict.fromkeys(visited):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "en"
        assert_no_axe_violations(page, f"{url} (en)")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(visited[0])
    assert_no_axe_violations(page, "dashboard on a narrow screen (en)")
    screenshot(page, "official-dashboard-narrow-en")
    assert page.console_errors == [], "no script errors and no CSP violations"
