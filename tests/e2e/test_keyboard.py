"""The main journeys with the keyboard alone: Tab, Enter, Space and typing, never the mouse.

Every stop on the way must show where the focus is, and every page starts with the skip link.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from pilots import services
from pilots.models import Measurement
from tests.conftest import TEST_PASSWORD
from tests.factories import IndicatorDefinitionFactory, IndicatorFactory, PilotFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the focused element looks like. The portal's focus ring is a 3 px outline; the 2 px floor
# refuses both a removed outline and Bootstrap's faint glow (a box shadow) in its place.
FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  return {
    description: `${element.tagName.toLowerCase()}#${element.id}.${element.className} ` +
      `"${(element.innerText || element.value || '').trim().slice(0, 40)}"`,
    ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    shown: box.width > 1 && box.height > 1,
    inMain: element.closest('main') !== null,
    // A date field that holds the focus without matching :focus has passed it to the browser's
    // own calendar button, which the browser rings itself.
    pickerButton: element.type === 'date' && !element.matches(':focus'),
  };
}"""


def _focus(page) -> dict:
    focused = page.evaluate(FOCUSED)
    assert focused is not None, f"the focus left the page on {page.url}"
    assert focused["shown"], f"the focus is on something that cannot be seen: {focused}"
    assert focused["ring"] or focused["pickerButton"], (
        f"the focus is not visible on {focused['description']} on {page.url}"
    )
    return focused


def _tab_to(page, selector: str, limit: int = 200) -> None:
    """Press Tab until the element matching selector has the focus, checking every stop."""
    for _stop in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
        _focus(page)
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")


def _starts_with_the_skip_link(page) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')"), (
        f"the first Tab stop on {page.url} is not the skip link"
    )
    _focus(page)


def _skip_to_main(page) -> None:
    _starts_with_the_skip_link(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert _focus(page)["inMain"], "after the skip link, Tab goes into the main content"


def _sign_in_by_keyboard(page, username: str) -> None:
    page.goto("/accounts/login/")
    # The login form puts the focus in the user name field (Django's autofocus), past the skip link.
    assert page.evaluate("document.activeElement.id") == "id_username"
    _focus(page)
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    _focus(page)
    page.keyboard.type(TEST_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_staff_record_a_measurement_with_the_keyboard_alone(page, staff_seved, seved):
    pilot = PilotFactory(area=seved, title="Läxhjälp i Seved")
    definition = IndicatorDefinitionFactory(code="homework-keys", name="Närvaro i läxhjälp")
    indicator = IndicatorFactory(pilot=pilot, definition=definition, baseline_value=30)
    services.measurement_record(
        indicator=indicator, period_end=dt.date(2026, 1, 31), value=Decimal(34)
    )

    _sign_in_by_keyboard(page, staff_seved.username)
    assert page.url.endswith("/"), "signed in, on the start page"

    _skip_to_main(page)
    _tab_to(page, f"main a[href='{pilot.get_absolute_url()}']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(pilot.get_absolute_url())

    _starts_with_the_skip_link(page)
    block = f"#indicator-{indicator.pk}"
    # The period end is today unless changed; the user keeps it and types the value.
    _tab_to(page, f"{block} input[name$='period_end']")
    _tab_to(page, f"{block} input[name$='value']")
    page.keyboard.type("41,5")
    with page.expect_response(lambda response: "/measurements/new/" in response.url):
        page.keyboard.press("Enter")
    page.locator(f"{block} .alert-success").filter(has_text="sparades").wait_for()

    measurement = Measurement.objects.get(indicator=indicator, period_end=timezone.localdate())
    assert measurement.value == Decimal("41.5")
    assert "41,5" in page.locator(block).inner_text(), "the new value is on the page"
    focused = _focus(page)
    assert page.evaluate(
        "b => document.querySelector(b).contains(document.activeElement)", block
    ), f"the focus stays in the indicator's block after saving, not on {focused['description']}"
    assert page.console_errors == [], "no script errors and no CSP violations"


def test_official_goes_from_the_dashboard_to_a_comparison_with_the_keyboard_alone(
    page, official, seved, lindangen
):
    definition = IndicatorDefinitionFactory(code="work-keys", name="Fick arbete", aggregation="sum")
    titles = []
    for area, title in ((seved, "Sommarjobb i Seved"), (lindangen, "Sommarjobb i Lindängen")):
        pilot = PilotFactory(area=area, title=title)
        indicator = IndicatorFactory(pilot=pilot, definition=definition, baseline_value=0)
        services.measurement_record(
            indicator=indicator, period_end=dt.date(2026, 1, 31), value=Decimal(5)
        )
        titles.append(title)

    _sign_in_by_keyboard(page, official.username)
    assert page.get_by_role("heading", level=1).count() == 1
    assert page.locator("main canvas").count() >= 1, "officials start on the city dashboard"

    _starts_with_the_skip_link(page)
    _tab_to(page, "nav a[href='/compare/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    _skip_to_main(page)
    _tab_to(page, "#compare-q")
    page.keyboard.type("Sommarjobb")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    _starts_with_the_skip_link(page)
    for _title in titles:
        _tab_to(page, "input[type=checkbox][name=pilots]:not(:checked)")
        page.keyboard.press("Space")
    _tab_to(page, "button[value=compare]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "/compare/" in page.url
    assert len(parse_qs(urlsplit(page.url).query)["pilots"]) == len(titles), "both were ticked"
    assert page.locator("main canvas").count() >= 1, "the shared indicator is charted"
    for title in titles:
        assert (
            page.get_by_role("columnheader", name=title).count() + page.get_by_text(title).count()
            > 0
        ), f"{title} is in the comparison"
    _starts_with_the_skip_link(page)
    assert page.console_errors == [], "no script errors and no CSP violations"
