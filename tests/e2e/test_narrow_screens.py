"""A phone's screen (375 px) and a desktop's (1280 px): charts keep room for their plot, table
captions wrap within the part of the table that shows, long file names break, and the pilot card
fits the screen and still prints on one A4 page.

The screenshots land in the test-results folder (PORTAL_SCREENSHOTS), for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from pilots import services
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import (
    AttachmentFactory,
    IndicatorDefinitionFactory,
    IndicatorFactory,
    PilotFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
NARROWEST = {"width": 320, "height": 800}  # WCAG 1.4.10 (reflow)
DESKTOP = {"width": 1280, "height": 900}
# Room for the plot once the axis labels and the legend have theirs.
MIN_CHART_HEIGHT = 180
# Charts follow a new width in a resize observer's later frame; a busy machine needs longer.
SETTLE_MS = 3_000
FITS_THE_WIDTH = "() => document.documentElement.scrollWidth <= window.innerWidth"

CHART_SIZES = """() => [...document.querySelectorAll(
    'main canvas[data-chart-source], main canvas[data-compare-source]')].map(canvas => {
  const box = canvas.getBoundingClientRect();
  return {
    id: canvas.id,
    drawn: !canvas.hidden && Boolean(window.Chart && window.Chart.getChart(canvas)),
    width: Math.round(box.width),
    height: Math.round(box.height),
    figureWidth: Math.round(canvas.parentElement.getBoundingClientRect().width),
  };
})"""
ALL_DRAWN = """() => {
  const canvases = document.querySelectorAll(
    'main canvas[data-chart-source], main canvas[data-compare-source]');
  return canvases.length > 0 && [...canvases].every(
    canvas => !canvas.hidden && window.Chart && window.Chart.getChart(canvas));
}"""
SAME_SIZES = """(expected) => {
  const canvases = [...document.querySelectorAll(
    'main canvas[data-chart-source], main canvas[data-compare-source]')];
  return canvases.length === expected.length && canvases.every((canvas, index) => {
    const box = canvas.getBoundingClientRect();
    return Math.abs(box.width - expected[index].width) <= 2
      && Math.abs(box.height - expected[index].height) <= 2;
  });
}"""
# Captions a person can see: in a scroll box, neither hidden for screen readers only nor inside
# a closed <details>.
CAPTIONS = """() => [...document.querySelectorAll(
    '.table-responsive > table > caption, .table-responsive-lg > table > caption')]
  .filter(caption => caption.getBoundingClientRect().width > 1)
  .map(caption => {
    const box = caption.closest('.table-responsive, .table-responsive-lg');
    const own = caption.getBoundingClientRect();
    const shown = box.getBoundingClientRect();
    return {
      text: caption.textContent.trim().slice(0, 60),
      left: own.left - shown.left,
      right: own.right - (shown.left + box.clientWidth),
      scrolls: box.scrollWidth > box.clientWidth,
    };
  })"""
SCROLL_TABLES_TO_THE_END = """() => {
  for (const box of document.querySelectorAll('.table-responsive, .table-responsive-lg')) {
    box.scrollLeft = box.scrollWidth;
  }
}"""


@pytest.fixture
def two_pilots(seved, lindangen) -> list:
    """Two pilots of two areas on one indicator, with names long enough to fill a legend."""
    definition = IndicatorDefinitionFactory(
        code="eligibility-narrow",
        name="Elever med gymnasiebehörighet",
        name_en="Pupils eligible for upper secondary school",
        unit="%",
    )
    pilots = []
    for area, title, start in (
        (seved, "Läxhjälp tre kvällar i veckan på biblioteket i Seved", 55),
        (lindangen, "Läxhjälp med mentorer från gymnasiet och föräldraträffar", 62),
    ):
        pilot = PilotFactory(area=area, title=title)
        indicator = IndicatorFactory(
            pilot=pilot,
            definition=definition,
            baseline_value=start,
            baseline_date=dt.date(2025, 12, 31),
            target_value=start + 20,
            target_date=dt.date(2026, 12, 31),
        )
        for month, step in ((1, 2), (2, 5), (3, 7)):
            services.measurement_record(
                indicator=indicator,
                period_end=dt.date(2026, month, 28),
                value=Decimal(start + step),
            )
        pilots.append(pilot)
    return pilots


def _compare_path(pilots: list) -> str:
    return reverse("compare") + "?" + "&".join(f"pilots={pilot.slug}" for pilot in pilots)


def _goto_with_charts(page, path: str) -> list[dict]:
    page.goto(path)
    page.wait_for_function(ALL_DRAWN)
    return page.evaluate(CHART_SIZES)


def test_charts_keep_room_for_their_plot_on_a_phone(page, official, two_pilots):
    sign_in(page, official.username, TEST_PASSWORD)
    page.set_viewport_size(PHONE)

    for label, path in (
        ("pilot", two_pilots[0].get_absolute_url()),
        ("compare", _compare_path(two_pilots)),
    ):
        charts = _goto_with_charts(page, path)
        for chart in charts:
            assert chart["height"] >= MIN_CHART_HEIGHT, f"{label}: {chart}"
            assert chart["width"] <= chart["figureWidth"], f"{label}: {chart}"
        assert page.evaluate(FITS_THE_WIDTH), f"{label}: the page scrolls sideways"
        screenshot(page, f"narrow-{label}-charts-sv")

    # The compare page's legend is a list under the chart: long names wrap within the screen.
    legend = page.locator(".chart-legend").first
    for pilot in two_pilots:
        assert pilot.title in legend.inner_text()
    edges = legend.evaluate(
        "list => [...list.children].map(item => [item.getBoundingClientRect().left, "
        "item.getBoundingClientRect().right])"
    )
    assert len(edges) == 4, "each pilot's values and its baseline → target line"
    assert all(left >= 0 and right <= PHONE["width"] for left, right in edges), edges
    assert page.console_errors == []


def test_a_chart_has_the_size_of_the_window_it_is_in_not_of_the_one_it_was_drawn_in(
    page, official, two_pilots
):
    sign_in(page, official.username, TEST_PASSWORD)
    for path in (
        two_pilots[0].get_absolute_url(),
        _compare_path(two_pilots),
        reverse("dashboard"),
    ):
        page.set_viewport_size(DESKTOP)
        drawn_wide = _goto_with_charts(page, path)
        page.set_viewport_size(PHONE)
        _goto_with_charts(page, path)

        page.set_viewport_size(DESKTOP)
        try:
            page.wait_for_function(SAME_SIZES, arg=drawn_wide, timeout=SETTLE_MS)
        except PlaywrightTimeoutError:
            widened = page.evaluate(CHART_SIZES)
            pytest.fail(f"{path}: drawn at 1280 px {drawn_wide}, widened to it {widened}")
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["sv", "en"])
def test_captions_of_wide_tables_wrap_within_the_screen(page, official, two_pilots, language):
    sign_in(page, official.username, TEST_PASSWORD)
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
    page.set_viewport_size(PHONE)

    for label, path in (
        ("dashboard", reverse("dashboard")),
        ("compare", _compare_path(two_pilots)),
    ):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        screenshot(page, f"narrow-{label}-captions-{language}")
        captions = page.evaluate(CAPTIONS)
        assert any(caption["scrolls"] for caption in captions), f"{label}: no wide table"
        page.evaluate(SCROLL_TABLES_TO_THE_END)
        for caption in captions + page.evaluate(CAPTIONS):
            assert caption["left"] >= -1, f"{label}: {caption}"
            assert caption["right"] <= 1, f"{label}: {caption}"
    assert page.console_errors == []


def test_a_long_file_name_breaks_instead_of_pushing_columns_out_of_view(
    page, staff_seved, seved, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    pilot = PilotFactory(area=seved, title="Läxhjälp i Seved")
    name = "Slutrapport_utvardering_laxhjalp_Seved_2025_version_3_final_reviderad_v2_nya.pdf"
    assert len(name) == 80
    AttachmentFactory(pilot=pilot, title=name, uploaded_by=staff_seved)
    sign_in(page, staff_seved.username, TEST_PASSWORD)

    page.set_viewport_size(DESKTOP)
    page.goto(pilot.get_absolute_url())
    box = page.locator("#attachments .table-responsive")
    assert box.evaluate("box => box.scrollWidth <= box.clientWidth"), "no column out of view"
    assert page.get_by_role("link", name=name).is_visible()
    screenshot(page, "attachments-long-name-wide")

    page.set_viewport_size(PHONE)
    assert page.evaluate(FITS_THE_WIDTH)
    title_width = page.locator("#attachments td.attachment-title").evaluate(
        "cell => cell.getBoundingClientRect().width"
    )
    assert title_width < PHONE["width"] / 2, "the name breaks; the other columns keep room"
    screenshot(page, "attachments-long-name-narrow")


@pytest.fixture
def full_card_pilot(seved):
    """A pilot whose card is as full as it gets: long texts and the most indicators it shows."""
    lead = UserFactory(
        first_name="Lina", last_name="Ledarsson", email="lina.ledarsson.omradesprogram@example.test"
    )
    pilot = PilotFactory(
        area=seved,
        title="Läxhjälp tre kvällar i veckan på biblioteket i Seved",
        need="Många elever i årskurs 7–9 saknar studiero hemma. " * 15,
        approach="Lärarstudenter leder små grupper om högst sex elever. " * 20,
        lessons="Samma tid och samma handledare varje vecka betydde mer än upplägget. " * 12,
        participants_reached=310,
        lead=lead,
    )
    for code, name, name_en in (
        ("eligibility-card", "Elever med gymnasiebehörighet", "Pupils eligible for upper school"),
        ("attendance-card", "Närvaro i läxhjälpen", "Attendance at homework help"),
        ("grades-card", "Genomsnittligt meritvärde", "Average merit rating"),
        ("parents-card", "Föräldrar på föräldraträffarna", "Parents at the parents' evenings"),
        ("absence-card", "Ogiltig frånvaro i skolan", "Unexcused absence from school"),
        ("volunteers-card", "Volontärer som stannar terminen ut", "Volunteers who stay all term"),
        ("wellbeing-card", "Elever som trivs i skolan", "Pupils who feel well at school"),
    ):
        definition = IndicatorDefinitionFactory(code=code, name=name, name_en=name_en, unit="%")
        IndicatorFactory(
            pilot=pilot,
            definition=definition,
            baseline_value=Decimal("55.60"),
            target_value=Decimal("74.40"),
        )
    return pilot


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_pilot_card_fits_a_phone_and_prints_on_one_a4_page(
    page, official, full_card_pilot, language
):
    sign_in(page, official.username, TEST_PASSWORD)
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
    path = reverse("pilots:card", args=[full_card_pilot.slug])

    for size in (PHONE, NARROWEST):
        page.set_viewport_size(size)
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        assert page.evaluate(FITS_THE_WIDTH), f"the card scrolls sideways at {size['width']} px"
        screenshot(page, f"pilot-card-{size['width']}-{language}")

    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1, "one A4 page"
