"""An area's dashboard: its context statistics over time beside its pilots' progress."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AreaStatisticFactory,
    IndicatorFactory,
    PilotFactory,
    PilotUpdateFactory,
    StatisticKindFactory,
)

pytestmark = pytest.mark.django_db


def chart_data(html: str, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert match, f"no chart data {element_id}"
    return json.loads(match.group(1))


def test_each_statistic_gets_a_line_chart_over_the_years_with_a_summary(
    client, official, seved, english
):
    unemployment = StatisticKindFactory(
        code="unemployment", name="Arbetslöshet", name_en="Unemployment rate", unit="%"
    )
    life = StatisticKindFactory(
        code="life-expectancy", name="Medellivslängd", name_en="Life expectancy", unit="år"
    )
    for year, value in ((2021, "35.20"), (2022, "33.10"), (2023, "30.40")):
        AreaStatisticFactory(area=seved, kind=unemployment, year=year, value=value)
    AreaStatisticFactory(area=seved, kind=life, year=2022, value="76.50")
    client.force_login(official)

    response = client.get(reverse("areas:detail", args=["seved"]))

    html = response.content.decode()
    data = chart_data(html, "statistic-data-unemployment")
    assert data["kind"] == "line"
    assert data["labels"] == ["2021", "2022", "2023"]
    assert data["series"][0]["values"] == [35.2, 33.1, 30.4]
    assert data["series"][0]["label"] == "Unemployment rate (%)"
    assert chart_data(html, "statistic-data-life-expectancy")["labels"] == ["2022"]
    assert "Unemployment rate went from 35.2 % in 2021 to 30.4 % in 2023." in html
    assert "Life expectancy: 76.5 år in 2022." in html
    assert "not results of any pilot" in html, "still marked as population context"
    assert 'data-chart-download="statistic-chart-unemployment"' in html
    assert "js/dashboard-charts.js" in html


def test_an_area_without_statistics_loads_no_chart_code(client, official, seved):
    client.force_login(official)
    html = client.get(reverse("areas:detail", args=["seved"])).content.decode()
    assert "chart.umd" not in html


def test_the_area_page_counts_its_pilots_indicators_by_status(
    client, official, seved, lindangen, english
):
    pilot = PilotFactory(area=seved)
    for status in ("reached", "on_track", "on_track", "no_data"):
        IndicatorFactory(pilot=pilot, status=status)
    other = PilotFactory(area=seved, stage="idea")
    IndicatorFactory(pilot=other, status="off_track")
    IndicatorFactory(pilot=PilotFactory(area=seved, archived_at=timezone.now()), status="reached")
    IndicatorFactory(pilot=PilotFactory(area=lindangen), status="reached")
    client.force_login(official)

    response = client.get(reverse("areas:detail", args=["seved"]))

    counts = {row["code"]: row["count"] for row in response.context["status_counts"]}
    assert counts == {"reached": 1, "on_track": 2, "off_track": 1, "no_data": 1}
    assert response.context["indicator_total"] == 5
    assert response.context["pilot_total"] == 2, "a pilot with several indicators counts once"
    html = response.content.decode()
    assert f"{reverse('pilots:list')}?area=seved" in html
    assert f"{reverse('dashboard')}#progress-rules" in html
    assert "Target reached" in html


def test_the_area_page_says_when_no_indicators_are_followed(client, official, seved, english):
    PilotFactory(area=seved)
    client.force_login(official)
    html = client.get(reverse("areas:detail", args=["seved"])).content.decode()
    assert "follow no indicators yet" in html


def test_the_area_dashboard_uses_the_same_queries_for_few_and_many_rows(
    client, staff_seved, seved, django_assert_num_queries
):
    kinds = [StatisticKindFactory() for _ in range(3)]
    client.force_login(staff_seved)

    def add_rows(pilots: int, years: range) -> None:
        for number in range(pilots):
            pilot = PilotFactory(area=seved, stage=("pilot", "idea", "scaling")[number % 3])
            IndicatorFactory(pilot=pilot, status=("reached", "no_data")[number % 2])
            PilotUpdateFactory(pilot=pilot)
        for kind in kinds:
            for year in years:
                AreaStatisticFactory(area=seved, kind=kind, year=year)

    add_rows(2, range(2020, 2022))
    # session, user, area, pilots by stage with their indicators by status, statistics,
    # recent pilots, memberships
    with django_assert_num_queries(7):
        client.get(reverse("areas:detail", args=["seved"]))
    add_rows(30, range(2000, 2020))
    with django_assert_num_queries(7):
        response = client.get(reverse("areas:detail", args=["seved"]))
    assert response.context["pilot_total"] == 32
    assert response.context["indicator_total"] == 32


def test_the_area_dashboard_requires_login(client, seved):
    response = client.get(reverse("areas:detail", args=["seved"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
