"""The compare page: pilots side by side, areas on one indicator, choosing, and bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilots import compare, services
from pilots.models import Indicator, IndicatorDefinition
from tests.factories import (
    AreaFactory,
    IndicatorDefinitionFactory,
    IndicatorFactory,
    MeasurementFactory,
    PilotFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

URL = "/compare/"


def _measured(pilot, definition, values, **indicator_fields):
    """An indicator with monthly measurements and its stored progress refreshed."""
    indicator = IndicatorFactory(pilot=pilot, definition=definition, **indicator_fields)
    start = dt.date(2024, 1, 31)
    for month, value in enumerate(values):
        MeasurementFactory(
            indicator=indicator,
            period_end=start + dt.timedelta(days=31 * month),
            value=Decimal(value),
        )
    return services.indicator_refresh(indicator=indicator)


def _compare(client, *slugs, **extra):
    return client.get(URL, [("pilots", slug) for slug in slugs] + list(extra.items()))


# --- Pilots side by side --------------------------------------------------------------------


def test_compare_puts_two_pilots_from_different_areas_side_by_side(
    client, official, seved, lindangen, english
):
    theme = ThemeFactory(name_en="Schooling")
    homework = PilotFactory(
        area=seved, title="Homework club", need="Nowhere quiet to study", evidence_level=2
    )
    homework.themes.add(theme)
    tutoring = PilotFactory(area=lindangen, title="Tutoring", budget_sek=125000)
    shared = IndicatorDefinitionFactory(name_en="Attendance")
    _measured(homework, shared, ["12", "15"])
    _measured(tutoring, shared, ["11"])
    client.force_login(official)

    response = _compare(client, homework.slug, tutoring.slug)

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Homework club", "Tutoring", "Nowhere quiet to study", "Schooling", "125,000 kr"):
        assert text in html
    assert "2 – We capture data that shows positive change" in html, "the level's meaning"
    comparison = response.context["comparison"]
    assert comparison.pilots == [homework, tutoring], "in the order chosen"
    assert [item.definition for item in comparison.shared] == [shared]
    assert "Attendance" in html
    assert 'data-compare-kind="pilots"' in html
    assert "compare-charts.js" in html


def test_compare_accepts_six_pilots(client, official):
    pilots = PilotFactory.create_batch(6)
    client.force_login(official)
    response = _compare(client, *(pilot.slug for pilot in pilots))
    assert response.status_code == 200
    assert response.context["comparison"].pilots == pilots


@pytest.mark.parametrize(
    ("count", "action"), [(0, "compare"), (1, "compare"), (7, ""), (7, "compare")]
)
def test_compare_refuses_fewer_than_two_or_more_than_six_pilots(
    client, official, english, count, action
):
    pilots = PilotFactory.create_batch(count)
    client.force_login(official)

    response = _compare(client, *(pilot.slug for pilot in pilots), action=action)

    assert response.status_code == 400
    html = response.content.decode()
    assert f"Choose from 2 to 6 pilots to compare; you chose {count}." in html
    assert "comparison" not in response.context
    for pilot in pilots:
        assert f'value="{pilot.slug}" id="chosen-{pilot.pk}" checked' in html, "the choice is kept"


def test_compare_with_one_pilot_from_its_page_asks_for_more(client, official, english):
    pilot = PilotFactory()
    client.force_login(official)

    response = _compare(client, pilot.slug)

    assert response.status_code == 200
    assert "comparison" not in response.context
    assert response.context["selected"] == [pilot]
    assert "Choose at least one more pilot to compare with." in response.content.decode()


def test_compare_names_unknown_pilots(client, official, english):
    pilot = PilotFactory()
    client.force_login(official)

    response = _compare(client, pilot.slug, "no-such-pilot")

    assert response.status_code == 400
    assert "These pilots were not found: no-such-pilot." in response.content.decode()


def test_compare_refuses_a_pilot_chosen_twice(client, official, english):
    pilot, other = PilotFactory.create_batch(2)
    client.force_login(official)

    response = _compare(client, pilot.slug, other.slug, pilot.slug)

    assert response.status_code == 400
    assert "Each pilot can be chosen only once" in response.content.decode()


def test_compare_refuses_pilots_and_an_indicator_at_once(client, official, english):
    pilot, other = PilotFactory.create_batch(2)
    definition = IndicatorDefinitionFactory()
    client.force_login(official)

    response = _compare(client, pilot.slug, other.slug, indicator=definition.code)

    assert response.status_code == 400
    assert "Choose either pilots or an indicator to compare, not both." in (
        response.content.decode()
    )


def test_compare_charts_shared_indicators_and_lists_the_others_as_not_comparable(
    client, official, english
):
    first, second, third = PilotFactory.create_batch(3)
    everyone = IndicatorDefinitionFactory(name_en="Used by all")
    two = IndicatorDefinitionFactory(name_en="Used by two")
    only_third = IndicatorDefinitionFactory(name_en="Only the third")
    for pilot in (first, second, third):
        _measured(pilot, everyone, ["11"])
    _measured(first, two, ["5"])
    _measured(second, two, ["6"])
    _measured(third, only_third, ["1", "2"])
    client.force_login(official)

    response = _compare(client, first.slug, second.slug, third.slug)

    comparison = response.context["comparison"]
    assert [item.definition for item in comparison.shared] == [everyone, two], "all first"
    assert [series.pilot for series in comparison.shared[1].series] == [first, second]
    assert comparison.shared[1].missing == [third]
    assert comparison.not_comparable == [(third, [only_third])]
    charted = {
        series["label"].split(" (")[0]
        for item in comparison.shared
        for series in item.chart["series"]
    }
    assert charted == {first.title, second.title, third.title}
    assert all(len(item.chart["series"]) == len(item.series) for item in comparison.shared), (
        "a chart holds one definition's series only"
    )
    html = response.content.decode()
    assert "Only the third (personer) – not comparable" in html
    assert html.count('data-compare-kind="pilots"') == 2, "nothing charted for only_third"


def test_compare_says_who_is_closest_to_the_target(client, official, seved, lindangen, english):
    ahead = PilotFactory(area=seved, title="Ahead")
    behind = PilotFactory(area=lindangen, title="Behind")
    definition = IndicatorDefinitionFactory()
    # Baseline 10, target 20: 18 is 80 % of the way, 12 is 20 %.
    _measured(ahead, definition, ["18"])
    _measured(behind, definition, ["12"])
    client.force_login(official)

    response = _compare(client, behind.slug, ahead.slug)

    summary = response.context["comparison"].shared[0].summary
    assert summary.startswith("Closest to the target: Ahead (Seved), 80 % of the way")
    assert "Behind (Lindängen) 20 %" in summary
    assert summary in response.content.decode()


def test_compare_charts_running_totals_for_sum_indicators_with_baseline_and_target(
    client, official
):
    first, second = PilotFactory.create_batch(2)
    definition = IndicatorDefinitionFactory(aggregation=IndicatorDefinition.Aggregation.SUM)
    _measured(first, definition, ["3", "4", "5"], baseline_value=0, target_value=30)
    _measured(second, definition, ["1"], baseline_value=0, target_value=10)
    client.force_login(official)

    response = _compare(client, first.slug, second.slug)

    series = response.context["comparison"].shared[0].chart["series"][0]
    assert [value for _day, value in series["points"]] == [3.0, 7.0, 12.0]
    assert [value for _day, value in series["references"]] == [0.0, 30.0]
    assert series["style"] == 0
    assert response.context["comparison"].shared[0].chart["series"][1]["style"] == 1


def test_compare_marks_archived_pilots(client, official, english):
    archived = PilotFactory(archived_at=timezone.now())
    active = PilotFactory()
    client.force_login(official)

    response = _compare(client, archived.slug, active.slug)

    assert response.status_code == 200
    assert response.context["comparison"].has_archived
    assert "Archived" in response.content.decode()


def test_compare_requires_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def _pilots_with_measurements(count: int, per_indicator: int):
    pilots = PilotFactory.create_batch(count)
    shared = IndicatorDefinitionFactory()
    for pilot in pilots:
        _measured(pilot, shared, ["12"] * per_indicator)
        _measured(pilot, IndicatorDefinitionFactory(), ["1"])  # not comparable
        pilot.themes.add(ThemeFactory())
    return pilots


# Session, user, pilots, their themes, their indicators, the shared indicators' measurements.
PILOT_COMPARISON_QUERIES = 6


def test_compare_pilots_uses_the_same_queries_for_few_and_many_measurements_and_pilots(
    client, official, django_assert_num_queries
):
    client.force_login(official)
    few = _pilots_with_measurements(2, per_indicator=1)
    many = _pilots_with_measurements(6, per_indicator=12)

    with django_assert_num_queries(PILOT_COMPARISON_QUERIES):
        assert _compare(client, *(pilot.slug for pilot in few)).status_code == 200
    with django_assert_num_queries(PILOT_COMPARISON_QUERIES):
        assert _compare(client, *(pilot.slug for pilot in many)).status_code == 200


# --- Areas on one indicator -----------------------------------------------------------------


def test_compare_areas_groups_pilots_by_area_with_a_summary_and_a_trend(
    client, official, seved, lindangen, english
):
    definition = IndicatorDefinitionFactory(name_en="Into work")
    on_track = _measured(PilotFactory(area=seved, title="Job coach"), definition, ["19"])
    _measured(PilotFactory(area=seved, title="CV club"), definition, ["8"])
    _measured(PilotFactory(area=lindangen, title="Job fair"), definition, ["15"])
    IndicatorFactory(pilot=PilotFactory(area=lindangen, title="No data yet"), definition=definition)
    _measured(
        PilotFactory(area=seved, title="Archived one", archived_at=timezone.now()),
        definition,
        ["20"],
    )
    client.force_login(official)

    response = client.get(URL, {"indicator": definition.code})

    assert response.status_code == 200
    result = response.context["indicator_result"]
    by_area = {area.name: area for area in result.areas}
    assert set(by_area) == {"Seved", "Lindängen"}
    assert (by_area["Seved"].count, by_area["Seved"].on_track) == (2, 1), "archived left out"
    assert (by_area["Lindängen"].count, by_area["Lindängen"].no_data) == (2, 1)
    assert by_area["Seved"].mean_progress_percent == round(100 * (0.9 + -0.2) / 2)
    assert result.total.count == 4
    assert [row.pilot.area for row in result.page.object_list] == [
        lindangen,
        lindangen,
        seved,
        seved,
    ]
    assert on_track in result.page.object_list
    assert {series["label"] for series in result.trend["series"]} == {"Seved", "Lindängen"}
    assert result.trend["labels"] == ["2024 Q1"]
    html = response.content.decode()
    assert "Archived one" not in html
    assert 'scope="rowgroup"' in html


def test_compare_areas_labels_quarters_in_the_page_language_even_from_a_shared_cache(
    client, official, settings, tmp_path, monkeypatch
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    # A stand-in catalogue that marks every text with the language it was translated into.
    real_gettext = compare._
    monkeypatch.setattr(
        compare, "_", lambda text: f"[{translation.get_language()}] {real_gettext(text)}"
    )
    definition = IndicatorDefinitionFactory()
    _measured(PilotFactory(), definition, ["12", "13", "14", "15"])
    client.force_login(official)

    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(URL, {"indicator": definition.code}).context["indicator_result"]
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "sv"
    swedish = client.get(URL, {"indicator": definition.code}).context["indicator_result"]

    assert english.trend["labels"] == ["[en] 2024 Q1", "[en] 2024 Q2"]
    assert swedish.trend["labels"][0].startswith("[sv] 2024")
    assert [label for label, _values in swedish.trend_table] == swedish.trend["labels"]


def test_compare_areas_paginates_pilot_rows_and_filters_by_area(client, official, seved, lindangen):
    definition = IndicatorDefinitionFactory()
    for pilot in PilotFactory.create_batch(27, area=seved):
        IndicatorFactory(pilot=pilot, definition=definition)
    IndicatorFactory(pilot=PilotFactory(area=lindangen), definition=definition)
    client.force_login(official)

    first = client.get(URL, {"indicator": definition.code})
    assert len(first.context["indicator_result"].page.object_list) == 25
    assert f"?indicator={definition.code}&amp;page=2" in first.content.decode()
    second = client.get(URL, {"indicator": definition.code, "page": "2"})
    assert len(second.context["indicator_result"].page.object_list) == 3
    only_seved = client.get(URL, {"indicator": definition.code, "area": "seved", "page": "2"})
    rows = only_seved.context["indicator_result"].page.object_list
    assert len(rows) == 2
    assert {row.pilot.area for row in rows} == {seved}
    junk_page = client.get(URL, {"indicator": definition.code, "page": "<script>"})
    assert junk_page.status_code == 200


def test_compare_areas_pages_follow_the_areas_and_titles_without_gaps_or_repeats(client, official):
    definition = IndicatorDefinitionFactory()
    # 11 + 30 + 19 rows: pages start and end inside areas and span up to two of them.
    for size, name in ((30, "Bäckahagen"), (11, "Annelund"), (19, "Centrum")):
        area = AreaFactory(name=name)
        for pilot in PilotFactory.create_batch(size, area=area):
            IndicatorFactory(pilot=pilot, definition=definition)
    client.force_login(official)

    seen = []
    for number in (1, 2, 3):
        response = client.get(URL, {"indicator": definition.code, "page": number})
        seen += response.context["indicator_result"].page.object_list

    expected = list(
        Indicator.objects.filter(definition=definition).order_by(
            "pilot__area__name", "pilot__area_id", "pilot__title", "pk"
        )
    )
    assert seen == expected
    assert [row.pilot.area.name for row in seen[:12]] == ["Annelund"] * 11 + ["Bäckahagen"]


def test_compare_areas_names_an_unknown_indicator_or_area(client, official, english):
    definition = IndicatorDefinitionFactory()
    client.force_login(official)

    unknown = client.get(URL, {"indicator": "no-such-code"})
    assert unknown.status_code == 400
    assert "There is no indicator with the code “no-such-code”" in unknown.content.decode()

    no_area = client.get(URL, {"indicator": definition.code, "area": "atlantis"})
    assert no_area.status_code == 400
    assert "No pilot in that area uses this indicator." in no_area.content.decode()


def test_compare_areas_says_when_no_pilot_uses_the_indicator(client, official, english):
    definition = IndicatorDefinitionFactory()
    client.force_login(official)
    response = client.get(URL, {"indicator": definition.code})
    assert response.status_code == 200
    assert "No pilot uses this indicator yet" in response.content.decode()


# Session, user, the definition, the per-area summary, the per-area trend, one page of rows,
# the catalogue for choosing another indicator. The row count comes from the summary.
INDICATOR_COMPARISON_QUERIES = 7


def test_compare_areas_uses_the_same_queries_for_few_and_many_pilots(
    client, official, django_assert_num_queries
):
    definition = IndicatorDefinitionFactory()
    client.force_login(official)
    _measured(PilotFactory(), definition, ["12"])
    with django_assert_num_queries(INDICATOR_COMPARISON_QUERIES):
        client.get(URL, {"indicator": definition.code})

    for area in AreaFactory.create_batch(8):
        for pilot in PilotFactory.create_batch(5, area=area):
            _measured(pilot, definition, ["12", "13"])
    with django_assert_num_queries(INDICATOR_COMPARISON_QUERIES):
        response = client.get(URL, {"indicator": definition.code})
    assert len(response.context["indicator_result"].trend["series"]) == 6, "capped"


def test_compare_areas_reuses_shared_cached_figures_until_the_next_write(
    client,
    official,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    definition = IndicatorDefinitionFactory()
    pilot = PilotFactory()
    _measured(pilot, definition, ["12"])
    client.force_login(official)
    client.get(URL, {"indicator": definition.code})

    # Session, user, the definition, one page of rows, the catalogue: no summary, no trend.
    with django_assert_num_queries(5):
        cached = client.get(URL, {"indicator": definition.code})
    assert cached.context["indicator_result"].total.count == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.pilot_archive(pilot=pilot)
    fresh = client.get(URL, {"indicator": definition.code})
    assert fresh.context["indicator_result"].total.count == 0, "the write invalidated it"


# --- Choosing and bad input -----------------------------------------------------------------


def test_compare_without_parameters_offers_both_forms(client, official, english):
    definition = IndicatorDefinitionFactory(name_en="Homework attendance")
    client.force_login(official)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="q"' in html
    assert 'name="indicator"' in html
    assert f'value="{definition.code}"' in html
    assert "Compare the chosen pilots" in html


def test_compare_search_finds_pilots_and_keeps_the_ticked_ones(client, official, english):
    ticked = PilotFactory(title="Läxhjälp i Seved")
    found = PilotFactory(title="Sommarjobb för unga")
    PilotFactory(title="Hälsoambassadörer")
    client.force_login(official)

    response = client.get(URL, {"q": "sommarjobb", "action": "search", "pilots": ticked.slug})

    assert response.status_code == 200
    assert response.context["selected"] == [ticked]
    assert response.context["results"] == [found]
    html = response.content.decode()
    assert f'value="{ticked.slug}" id="chosen-{ticked.pk}" checked' in html
    assert "Hälsoambassadörer" not in html


@pytest.fixture
def known_pilots():
    # Made once per test, not once per example: the examples share one transaction.
    return [PilotFactory(slug="known-a"), PilotFactory(slug="known-b")]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    params=st.lists(
        st.tuples(
            st.sampled_from(["pilots", "indicator", "area", "q", "action", "page", "x"]),
            st.one_of(
                st.text(max_size=80),
                st.sampled_from(["search", "compare", "known-a", "known-b", "participants"]),
            ),
        ),
        max_size=12,
    ),
    tail=st.text(max_size=30),
)
def test_compare_never_fails_on_junk_query_strings(client, official, known_pilots, params, tail):
    client.force_login(official)

    response = client.get(f"{URL}?{urlencode(params)}&{tail}")

    assert response.status_code in (200, 400)


# --- Links from other pages ------------------------------------------------------------------


def test_pilot_list_links_to_exports_with_the_filters_and_offers_a_compare_form(
    client, official, seved, english
):
    pilot = PilotFactory(area=seved)
    client.force_login(official)

    html = client.get(reverse("pilots:list"), {"area": "seved", "page": "1"}).content.decode()

    assert f'{reverse("pilots:export-csv")}?area=seved"' in html
    assert f'{reverse("pilots:export-xlsx")}?area=seved"' in html
    assert f'action="{URL}"' in html
    assert f'name="pilots" value="{pilot.slug}"' in html


def test_pilot_page_links_to_compare_with_the_pilot_chosen(client, official, english):
    pilot = PilotFactory()
    client.force_login(official)
    html = client.get(pilot.get_absolute_url()).content.decode()
    assert f"{URL}?pilots={pilot.slug}" in html
