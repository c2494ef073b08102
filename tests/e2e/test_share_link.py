"""A member shares a pilot by link; a stranger opens it without an account; revoking ends it."""

from __future__ import annotations

import pytest

from pilots import services
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import assert_no_axe_violations, screenshot, sign_in
from tests.factories import IndicatorFactory, MeasurementFactory, PilotFactory, PilotUpdateFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_shared_link_opens_without_login_in_both_languages_until_it_is_revoked(
    page, browser, live_server, staff_seved, seved
):
    pilot = PilotFactory(area=seved, title="Läxhjälp i Seved", participants_reached=4)
    indicator = IndicatorFactory(pilot=pilot)
    MeasurementFactory(indicator=indicator, value=14)
    services.indicator_refresh(indicator=indicator)
    PilotUpdateFactory(pilot=pilot, body="Intern anteckning som inte ska delas.")

    sign_in(page, staff_seved.username, TEST_PASSWORD)
    page.goto(f"/pilots/{pilot.slug}/share/")
    assert_no_axe_violations(page, "share page (sv)")
    page.locator("#create-share-link").click()
    page.wait_for_load_state()
    address = page.locator("#created-url").input_value()
    assert address.startswith(f"{live_server.url}/s/")
    assert_no_axe_violations(page, "share page with a new link (sv)")
    screenshot(page, "share-link-created-sv")

    stranger = browser.new_context(base_url=live_server.url, locale="sv-SE")
    stranger.set_default_timeout(10_000)
    public = stranger.new_page()
    response = public.goto(address)
    assert response.status == 200
    assert "/accounts/login/" not in public.url
    assert public.get_by_role("heading", level=1).inner_text() == "Läxhjälp i Seved"
    assert public.locator("html").get_attribute("lang") == "sv"
    assert "Intern anteckning" not in public.content()
    assert_no_axe_violations(public, "shared pilot page (sv)")
    screenshot(public, "shared-pilot-sv")

    public.get_by_role("button", name="English").click()
    public.wait_for_load_state()
    assert public.url == address, "the switch returns to the shared page"
    assert public.locator("html").get_attribute("lang") == "en"
    assert public.get_by_text("fewer than 5").first.is_visible()
    assert_no_axe_violations(public, "shared pilot page (en)")
    screenshot(public, "shared-pilot-en")
    public.get_by_role("button", name="Svenska").click()
    public.wait_for_load_state()
    assert public.locator("html").get_attribute("lang") == "sv"

    page.goto(f"/pilots/{pilot.slug}/share/")
    page.locator(".share-revoke").first.click()
    page.wait_for_load_state()
    page.locator("#confirm-revoke").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/pilots/{pilot.slug}/share/")

    response = public.goto(address)
    assert response.status == 404
    assert "Läxhjälp i Seved" not in public.content()
    assert_no_axe_violations(public, "revoked link (sv)")
    assert page.console_errors == []
    stranger.close()
