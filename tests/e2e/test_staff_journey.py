"""Staff journey: from the urgent need to indicators, two measurements, a lesson and the trend.

Every page on the way is scanned with axe in Swedish and then again in English.
"""

from __future__ import annotations

import pytest

from pilots.models import Measurement, Pilot, PilotUpdate
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import assert_no_axe_violations, screenshot, sign_in
from tests.factories import IndicatorDefinitionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_member_logs_a_pilot_and_sees_its_trend(page, staff_seved):
    definition = IndicatorDefinitionFactory(
        code="youth-activities-e2e",
        name="Unga i fritidsaktiviteter",
        name_en="Young people in leisure activities",
        unit="personer",
        aggregation="latest",
        direction="increase",
    )
    visited: list[str] = []

    def scan(label: str) -> None:
        visited.append(page.url)
        assert_no_axe_violations(page, f"{label} (sv)")

    sign_in(page, staff_seved.username, TEST_PASSWORD)
    scan("start page")

    page.get_by_role("link", name="Ny pilot").first.click()
    page.wait_for_load_state()
    scan("new pilot form")
    page.locator("#id_title").fill("Fredagsfotboll i Seved")
    page.locator("#id_need").fill("Unga har ingenstans att vara på fredagskvällar.")
    page.locator("#id_start_date").fill("2026-01-01")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    pilot = Pilot.objects.get(title="Fredagsfotboll i Seved")
    assert page.url.endswith(pilot.get_absolute_url())
    scan("new pilot's page")

    page.get_by_role("link", name="Lägg till indikator").first.click()
    page.wait_for_load_state()
    scan("add indicator form")
    page.locator("#id_definition").select_option(str(definition.pk))
    page.locator("#id_baseline_value").fill("10")
    page.locator("#id_baseline_date").fill("2026-01-01")
    page.locator("#id_target_value").fill("40")
    page.locator("#id_target_date").fill("2026-12-31")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    indicator = pilot.indicators.get()

    # Two measurements straight from the pilot page, without a full reload.
    page.evaluate("window.journeyMarker = 'still the same page'")
    for period_end, value in (("2026-01-31", "15"), ("2026-02-28", "22,5")):
        block = page.locator(f"#indicator-{indicator.pk}")
        block.locator("input[name$='period_end']").fill(period_end)
        block.locator("input[name$='value']").fill(value)
        with page.expect_response(lambda response: "/measurements/new/" in response.url):
            block.get_by_role("button", name="Spara").click()
        page.locator(f"#indicator-{indicator.pk}").wait_for()
    assert page.evaluate("window.journeyMarker") == "still the same page"
    assert Measurement.objects.filter(indicator=indicator).count() == 2
    block = page.locator(f"#indicator-{indicator.pk}")
    assert block.locator("canvas").count() == 1, "the trend chart"
    assert "22,5" in block.inner_text()
    scan("pilot page with measurements")
    screenshot(page, "journey-pilot-trend-sv")

    page.get_by_role("link", name="Skriv en uppdatering").first.click()
    page.wait_for_load_state()
    scan("update form")
    page.locator("input[name=kind][value=lesson]").check()
    page.locator("#id_body").fill("Börja i liten skala – en hall, en tränare.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert PilotUpdate.objects.filter(pilot=pilot, kind="lesson").exists()
    assert page.get_by_text("Börja i liten skala – en hall, en tränare.").is_visible()
    scan("pilot page with the lesson")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    for url in dict.fromkeys(visited):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "en"
        assert_no_axe_violations(page, f"{url} (en)")
    page.goto(pilot.get_absolute_url())
    assert "22.5" in page.locator(f"#indicator-{indicator.pk}").inner_text()
    page.set_viewport_size({"width": 375, "height": 800})
    assert_no_axe_violations(page, "pilot page on a narrow screen (en)")
    screenshot(page, "journey-pilot-narrow-en")
    assert page.console_errors == [], "no script errors and no CSP violations"
