"""Transfer journey: a Seved staff member adapts a Lindängen pilot, records a measurement, and the
original's page shows Seved in its lineage and its outcome comparison. Axe in both languages."""

from __future__ import annotations

from datetime import date

import pytest

from pilots import services
from pilots.models import Pilot
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import assert_no_axe_violations, screenshot, sign_in
from tests.factories import IndicatorDefinitionFactory, IndicatorFactory, PilotFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_adapt_a_pilot_from_another_area_and_the_original_shows_the_lineage(
    page, staff_seved, lindangen
):
    definition = IndicatorDefinitionFactory(
        code="homework-e2e", name="Närvaro i läxhjälp", name_en="Homework attendance"
    )
    original = PilotFactory(
        area=lindangen, title="Läxhjälp i Lindängen", stage="pilot", evidence_level=3
    )
    indicator = IndicatorFactory(
        pilot=original, definition=definition, baseline_value=40, target_value=80
    )
    services.measurement_record(indicator=indicator, period_end=date(2026, 1, 31), value=55)
    visited: list[str] = []

    def scan(label: str) -> None:
        visited.append(page.url)
        assert_no_axe_violations(page, f"{label} (sv)")

    sign_in(page, staff_seved.username, TEST_PASSWORD)
    page.goto(original.get_absolute_url())
    scan("the Lindängen original")

    page.get_by_role("link", name="Anpassa till mitt område").click()
    page.wait_for_load_state()
    scan("adapt form")
    page.locator("#id_adaptation_notes").fill(
        "Behåller: samma upplägg. Ändrar: biblioteket i stället för skolan. Varför: närmare."
    )
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    adaptation = Pilot.objects.get(adapted_from=original)
    assert adaptation.area.slug == "seved"
    assert page.url.endswith(adaptation.get_absolute_url())
    scan("the new Seved pilot")

    adapted_indicator = adaptation.indicators.get(definition=definition)
    block = page.locator(f"#indicator-{adapted_indicator.pk}")
    block.locator("input[name$='period_end']").fill("2026-02-28")
    block.locator("input[name$='value']").fill("61")
    with page.expect_response(lambda response: "/measurements/new/" in response.url):
        block.get_by_role("button", name="Spara").click()
    page.locator(f"#indicator-{adapted_indicator.pk}").wait_for()
    assert adapted_indicator.measurements.count() == 1

    page.goto(original.get_absolute_url())
    lineage = page.locator(f"a[href='{adaptation.get_absolute_url()}']")
    assert lineage.count() >= 1, "the adaptation is in the original's lineage"
    assert "Seved" in lineage.first.locator("xpath=ancestor::li[1]").inner_text()
    compare_link = page.locator(f"a[href*='/compare/?pilots='][href*='{adaptation.slug}']").first
    scan("the original with its lineage")
    screenshot(page, "transfer-original-lineage-sv")

    compare_link.click()
    page.wait_for_load_state()
    assert page.locator("canvas").count() >= 1, "the shared indicator is compared"
    assert "Seved" in page.locator("main").inner_text()
    scan("comparison of the original and its adaptation")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    for url in dict.fromkeys(visited):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "en"
        assert_no_axe_violations(page, f"{url} (en)")
    assert page.console_errors == [], "no script errors and no CSP violations"
