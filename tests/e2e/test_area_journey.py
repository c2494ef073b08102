"""A staff member signs in, opens their area in Swedish and English, and the pages pass axe."""

from __future__ import annotations

import pytest

from areas.models import AreaStatistic, StatisticKind
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import assert_no_axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_member_reads_their_area_in_both_languages_without_accessibility_violations(
    page, staff_seved, seved
):
    kind = StatisticKind.objects.create(
        code="unemployment-test", name="Arbetslöshet", name_en="Unemployment rate", unit="%"
    )
    AreaStatistic.objects.create(
        area=seved, kind=kind, year=2024, value="31.5", source="Syntetiska demodata"
    )

    page.goto("/areas/seved/")
    assert "/accounts/login/" in page.url, "anonymous visitors are sent to the login page"
    assert_no_axe_violations(page, "login page (sv)")

    sign_in(page, staff_seved.username, TEST_PASSWORD)
    page.goto("/areas/seved/")
    assert page.get_by_role("heading", level=1).inner_text() == "Seved"
    assert page.get_by_text("Befolkningskontext").is_visible()
    assert page.get_by_role("cell", name="31,5").is_visible(), "Swedish decimal comma"
    assert page.locator("html").get_attribute("lang") == "sv"
    assert_no_axe_violations(page, "Seved area page (sv)")
    screenshot(page, "area-seved-sv")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.url.endswith("/areas/seved/"), "the language switch returns to the same page"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Population context").is_visible()
    assert page.get_by_role("cell", name="31.5").is_visible(), "English decimal point"
    assert page.get_by_role("rowheader", name="Unemployment rate (%)").is_visible()
    assert_no_axe_violations(page, "Seved area page (en)")
    screenshot(page, "area-seved-en")

    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_role("button", name="Show or hide the menu").click()
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Areas").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Areas"
    assert_no_axe_violations(page, "area list on a narrow screen (en)")
    screenshot(page, "area-list-narrow-en")
    assert page.console_errors == []
