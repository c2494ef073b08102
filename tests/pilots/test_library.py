"""The library: readiness ranking with its parts, the stopped register, search and filters on
both databases, flat query counts, and the open-data exports of shared pilots."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilots import library
from pilots.exports import guard_formula
from pilots.models import Indicator, Pilot, Stage, StageDecision
from tests.factories import (
    AreaFactory,
    IndicatorDefinitionFactory,
    IndicatorFactory,
    MeasurementFactory,
    PilotFactory,
    PilotUpdateFactory,
    ShareLinkFactory,
    StageDecisionFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ON_TRACK = Indicator.Status.ON_TRACK
OFF_TRACK = Indicator.Status.OFF_TRACK
REACHED = Indicator.Status.REACHED


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def indicators(pilot: Pilot, *statuses: str, measured_days_ago: int | None = None) -> None:
    """Indicators with stored statuses, as the services leave them after a measurement."""
    latest = None if measured_days_ago is None else days_ago(measured_days_ago)
    for status in statuses:
        IndicatorFactory(pilot=pilot, status=status, latest_period_end=latest)


def adapt(pilot: Pilot, *areas, archived: bool = False) -> None:
    for area in areas:
        PilotFactory(
            area=area,
            adapted_from=pilot,
            stage=Stage.IDEA,
            archived_at=timezone.now() if archived else None,
        )


def ranked_page(client, **query) -> list[Pilot]:
    response = client.get(reverse("library"), query)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def parts(pilot: Pilot) -> tuple[int, ...]:
    return (
        pilot.points_evidence,
        pilot.points_on_track,
        pilot.points_adapted,
        pilot.points_fresh,
        pilot.points_lessons,
        pilot.readiness,
    )


# The ranking ----------------------------------------------------------------------------------


def test_library_ranks_transfer_ready_pilots_by_readiness_and_shows_each_part(
    client, official, seved, lindangen, english
):
    others = AreaFactory.create_batch(4)
    strong = PilotFactory(area=seved, stage=Stage.SCALING, evidence_level=5, lessons="Start small.")
    indicators(strong, ON_TRACK, OFF_TRACK, measured_days_ago=30)
    adapt(strong, lindangen, others[0])
    adapt(strong, seved)  # the same area: not "elsewhere"
    adapt(strong, others[1], archived=True)  # archived adaptations do not count
    middle = PilotFactory(area=seved, stage=Stage.PILOT, evidence_level=3, lessons="")
    indicators(middle, REACHED, REACHED, ON_TRACK, measured_days_ago=120)
    weak = PilotFactory(area=lindangen, stage=Stage.PROTOTYPE, evidence_level=1, lessons="Ja.")
    adapt(weak, seved, *others)  # five other areas, capped at three
    hidden = [
        PilotFactory(stage=Stage.IDEA, evidence_level=5),
        PilotFactory(stage=Stage.STOPPED, evidence_level=5),
        PilotFactory(stage=Stage.MAINSTREAMED, evidence_level=5, archived_at=timezone.now()),
    ]
    client.force_login(official)

    response = client.get(reverse("library"))

    ranking = list(response.context["page"].object_list)
    assert ranking == [strong, middle, weak]
    assert not set(hidden) & set(ranking)
    assert parts(ranking[0]) == (40, 12, 10, 10, 10, 82)
    assert parts(ranking[1]) == (24, 25, 0, 5, 0, 54)
    assert parts(ranking[2]) == (8, 0, 15, 0, 10, 33)
    html = response.content.decode()
    assert '<td class="text-end fw-bold">82</td>' in html
    assert "Results on track (of 25)" in html
    assert "1 of 2 indicators" in html
    assert "2 other areas" in html
    assert "level 5" in html
    assert "How the readiness score (0–100) is counted" in html


def test_results_on_track_are_rounded_down_and_zero_without_indicators(seved):
    third = PilotFactory(area=seved)
    indicators(third, ON_TRACK, OFF_TRACK, OFF_TRACK)
    none = PilotFactory(area=seved)
    scored = {pilot.pk: pilot for pilot in library.with_readiness(Pilot.objects.all())}
    assert scored[third.pk].points_on_track == 8  # 25 × 1/3 = 8.33
    assert scored[none.pk].points_on_track == 0
    assert scored[none.pk].indicator_count == 0


@pytest.mark.parametrize(
    ("measured_days_ago", "points"),
    [(0, 10), (90, 10), (91, 5), (180, 5), (181, 0), (None, 0)],
)
def test_data_freshness_counts_the_latest_measurement_of_any_indicator(
    seved, measured_days_ago, points
):
    pilot = PilotFactory(area=seved)
    indicators(pilot, OFF_TRACK, measured_days_ago=measured_days_ago)
    indicators(pilot, OFF_TRACK, measured_days_ago=400)
    scored = library.with_readiness(Pilot.objects.all()).get(pk=pilot.pk)
    assert scored.points_fresh == points


def test_ranking_breaks_ties_by_title_and_paginates_without_repeats(client, official, seved):
    for number in range(30):
        PilotFactory(area=seved, title=f"Pilot {number:02}", evidence_level=2)
    client.force_login(official)

    first = ranked_page(client)
    second = ranked_page(client, page="2")

    assert [pilot.title for pilot in first] == [f"Pilot {n:02}" for n in range(25)]
    assert [pilot.title for pilot in second] == [f"Pilot {n:02}" for n in range(25, 30)]
    assert ranked_page(client, page="nonsense") == first


# The register of what was stopped ------------------------------------------------------------


def test_stopped_register_shows_the_latest_stop_decisions_rationale_area_and_lessons(
    client, official, lindangen, english
):
    pilot = PilotFactory(area=lindangen, stage=Stage.STOPPED, lessons="Fråga föräldrarna först.")
    stop = {"to_stage": Stage.STOPPED, "decision": StageDecision.Decision.STOP}
    StageDecisionFactory(
        pilot=pilot, rationale="Första stoppet.", decided_at=timezone.now() - dt.timedelta(days=9)
    )
    StageDecisionFactory(
        pilot=pilot,
        rationale="Nya stoppet.",
        decided_at=timezone.now() - dt.timedelta(days=2),
        **stop,
    )
    StageDecisionFactory(
        pilot=pilot,
        rationale="Gamla stoppet.",
        decided_at=timezone.now() - dt.timedelta(days=5),
        **stop,
    )
    undecided = PilotFactory(stage=Stage.STOPPED)
    PilotFactory(stage=Stage.STOPPED, archived_at=timezone.now())
    client.force_login(official)

    response = client.get(reverse("library"))

    register = list(response.context["stopped_page"].object_list)
    assert register == [pilot, undecided], "most recently stopped first, undated last"
    assert register[0].stop_rationale == "Nya stoppet."
    assert register[0].stopped_at.date() == (timezone.now() - dt.timedelta(days=2)).date()
    assert register[1].stop_rationale is None
    html = response.content.decode()
    assert "Nya stoppet." in html
    assert "Gamla stoppet." not in html
    assert "Fråga föräldrarna först." in html
    assert "Lindängen" in html
    assert "No stop decision recorded" in html
    assert pilot not in response.context["page"].object_list


def test_stopped_register_has_its_own_pages(client, official, seved):
    for number in range(27):
        PilotFactory(area=seved, stage=Stage.STOPPED, title=f"Stoppad {number:02}")
    PilotFactory.create_batch(3, area=seved, stage=Stage.PILOT)
    client.force_login(official)

    response = client.get(reverse("library"), {"stopped_page": "2", "area": "seved"})

    assert len(response.context["stopped_page"].object_list) == 2
    assert response.context["page"].number == 1
    assert len(response.context["page"].object_list) == 3
    assert "?area=seved&amp;stopped_page=1#stopped-heading" in response.content.decode()


# Search and filters ---------------------------------------------------------------------------


def test_filters_by_theme_area_and_target_group_together(client, official, seved, lindangen):
    theme = ThemeFactory(slug="jobb-test")
    match = PilotFactory(area=seved, target_group="Unga vuxna 18–24 år")
    match.themes.add(theme)
    other_area = PilotFactory(area=lindangen, target_group="Unga vuxna")
    other_area.themes.add(theme)
    other_group = PilotFactory(area=seved, target_group="Föräldrar")
    other_group.themes.add(theme)
    no_theme = PilotFactory(area=seved, target_group="Unga vuxna")
    stopped = PilotFactory(area=seved, stage=Stage.STOPPED, target_group="unga VUXNA")
    stopped.themes.add(theme)
    client.force_login(official)

    query = {"theme": "jobb-test", "area": "seved", "target_group": "unga vuxna"}
    response = client.get(reverse("library"), query)

    assert list(response.context["page"].object_list) == [match]
    assert list(response.context["stopped_page"].object_list) == [stopped]
    assert no_theme not in response.context["page"].object_list


def test_free_text_search_needs_every_word_in_some_field(client, official, seved):
    plain = {"area": seved, "need": "Ett behov", "summary": ""}
    both = PilotFactory(title="Läxhjälp på biblioteket", approach="Studenter hjälper", **plain)
    one_word = PilotFactory(title="Läxhjälp i skolan", approach="Lärare", **plain)
    elsewhere = PilotFactory(title="Jobbcoach", lessons="Studenter var bra", **plain)
    client.force_login(official)

    assert ranked_page(client, q="läxhjälp studenter") == [both]
    assert set(ranked_page(client, q="läxhjälp")) == {both, one_word}
    assert set(ranked_page(client, q="studenter")) == {both, elsewhere}


def test_search_takes_full_text_on_postgresql_and_the_simple_fallback_elsewhere(
    client, official, seved
):
    pilot = PilotFactory(
        area=seved,
        title="Hälsoambassadörer i Seved",
        need="Många invånare når inte vården.",
    )
    client.force_login(official)

    with CaptureQueriesContext(connection) as queries:
        found = ranked_page(client, q="hälsoambassadörer")
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    inflected = ranked_page(client, q="hälsoambassadören")

    assert found == [pilot]
    if connection.vendor == "postgresql":
        assert "websearch_to_tsquery" in sql
        assert "swedish" in sql
        assert inflected == [pilot], "Swedish stemming finds other forms of a word"
        assert ranked_page(client, q='"når inte" -hemtjänst') == [pilot]
    else:
        assert connection.vendor == "sqlite"
        assert "to_tsvector" not in sql
        assert "LIKE" in sql
        assert inflected == [], "the fallback matches the letters as written"


@pytest.mark.parametrize(
    "query",
    [
        {"area": "atlantis"},
        {"theme": "finns-inte"},
        {"q": "x" * 201},
        {"target_group": "a\x00b"},
        {"q": "a\x00b"},
    ],
)
def test_filters_that_are_not_understood_give_a_message_and_the_rest_applies(
    client, official, seved, query, english
):
    pilot = PilotFactory(area=seved)
    client.force_login(official)

    response = client.get(reverse("library"), query)

    assert response.status_code == 200
    assert "Some of the search was not understood" in response.content.decode()
    assert list(response.context["page"].object_list) == [pilot]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    query=st.dictionaries(
        st.sampled_from(["q", "theme", "area", "target_group", "page", "stopped_page", "sort"]),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=60),
        max_size=6,
    )
)
def test_any_library_query_string_answers_without_a_server_error(client, official, query):
    client.force_login(official)
    assert client.get(reverse("library"), query).status_code == 200


# Query counts ---------------------------------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def library_world(area, other_areas, *, size: int) -> None:
    theme = ThemeFactory()
    for _ in range(size):
        pilot = PilotFactory(area=area, lessons="Lärdom")
        pilot.themes.add(theme)
        indicators(pilot, ON_TRACK, OFF_TRACK, measured_days_ago=10)
        adapt(pilot, *other_areas[:size])
        stopped = PilotFactory(area=area, stage=Stage.STOPPED)
        StageDecisionFactory(pilot=stopped, to_stage=Stage.STOPPED, decision="stop")


def test_library_uses_the_same_queries_for_few_and_many_pilots_and_adaptations(
    client, official, seved
):
    other_areas = AreaFactory.create_batch(4)
    client.force_login(official)
    url = reverse("library") + "?target_group=&page=1"
    library_world(seved, other_areas, size=1)
    # session, user; themes and areas for the filter form; the ranking's count, the page's ids,
    # those pilots with their score parts and their themes; the stopped register's count and page
    few = count_queries(client, url)
    assert few == 10

    library_world(seved, other_areas, size=4)
    PilotFactory.create_batch(30, area=seved, stage=Stage.PILOT)

    assert count_queries(client, url) == few


# Open data ------------------------------------------------------------------------------------


@pytest.fixture
def shared_world(seved, lindangen):
    lead = UserFactory(first_name="Hemlig", last_name="Ledarsson")
    pilot = PilotFactory(
        area=seved,
        slug="halsoambassadorer",
        title="Hälsoambassadörer",
        lead=lead,
        participants_reached=3,
        adaptation_notes="Internt: bytte lokal",
        lessons="Börja litet.",
    )
    pilot.themes.add(ThemeFactory(slug="halsa-test"))
    ShareLinkFactory(pilot=pilot, created_by=lead)
    people = IndicatorDefinitionFactory(code="test-people", unit="personer")
    share = IndicatorDefinitionFactory(code="test-share", unit="%")
    counted = IndicatorFactory(pilot=pilot, definition=people, baseline_value=Decimal("2.00"))
    MeasurementFactory(
        indicator=counted,
        period_end=dt.date(2024, 1, 31),
        value=Decimal("3.00"),
        note="Anteckning om Kalle",
        recorded_by=lead,
    )
    MeasurementFactory(indicator=counted, period_end=dt.date(2024, 2, 29), value=Decimal("12.00"))
    percent = IndicatorFactory(pilot=pilot, definition=share)
    MeasurementFactory(indicator=percent, period_end=dt.date(2024, 1, 31), value=Decimal("3.50"))
    PilotUpdateFactory(pilot=pilot, body="Journalanteckning", author=lead)

    injected = PilotFactory(area=lindangen, title='=HYPERLINK("http://x")', slug="injected")
    ShareLinkFactory(pilot=injected)
    MeasurementFactory(indicator=IndicatorFactory(pilot=injected, definition=share))

    revoked = PilotFactory(area=seved, title="Återkallad delning")
    ShareLinkFactory(pilot=revoked, revoked_at=timezone.now())
    MeasurementFactory(indicator=IndicatorFactory(pilot=revoked, definition=share))
    expired = PilotFactory(area=seved, title="Utgången delning")
    ShareLinkFactory(pilot=expired, expires_at=timezone.now() - dt.timedelta(minutes=1))
    MeasurementFactory(indicator=IndicatorFactory(pilot=expired, definition=share))
    PilotFactory(area=seved, title="Aldrig delad")
    return pilot


def export_json(client) -> dict:
    response = client.get(reverse("library-export-json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(b"".join(response.streaming_content))


def export_csv(client) -> tuple[str, list[list[str]]]:
    response = client.get(reverse("library-export-csv"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    return text, list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_json_export_holds_only_shared_pilots_in_the_documented_structure(
    client, official, shared_world
):
    client.force_login(official)

    document = export_json(client)

    assert set(document) == {"generated_at", "licence_note", "pilots"}
    assert [pilot["slug"] for pilot in document["pilots"]] == ["halsoambassadorer", "injected"]
    pilot = document["pilots"][0]
    assert pilot["area"] == "Seved"
    assert pilot["municipality"] == "Malmö"
    assert pilot["stage"] == "pilot"
    assert pilot["lessons"] == "Börja litet."
    assert pilot["themes"][0]["slug"] == "halsa-test"
    assert {
        "slug", "title", "area", "municipality", "stage", "evidence_level", "need", "summary",
        "approach", "lessons", "themes", "indicators",
    } <= set(pilot)  # fmt: skip
    people, percent = pilot["indicators"]
    assert people["code"] == "test-people"
    assert {
        "code", "name", "unit", "direction", "aggregation", "baseline_value", "baseline_date",
        "target_value", "target_date", "current_value", "status", "measurements",
    } <= set(people)  # fmt: skip
    assert people["measurements"] == [
        {"period_end": "2024-01-31", "value": None, "value_fewer_than_5": True},
        {"period_end": "2024-02-29", "value": "12.00", "value_fewer_than_5": False},
    ]
    assert percent["measurements"] == [
        {"period_end": "2024-01-31", "value": "3.50", "value_fewer_than_5": False}
    ]


def test_json_export_gives_each_pilot_its_own_indicators_and_measurements(client, official):
    definitions = [IndicatorDefinitionFactory(unit="%") for _ in range(2)]
    pilots = [PilotFactory() for _ in range(4)]
    for pilot in (pilots[0], pilots[2], pilots[3]):
        ShareLinkFactory(pilot=pilot)
    # Created out of order, with an unshared pilot in between and an indicator without data.
    for number, (pilot, definition) in enumerate(
        [(pilots[3], 1), (pilots[1], 0), (pilots[0], 1), (pilots[3], 0), (pilots[0], 0)]
    ):
        indicator = IndicatorFactory(pilot=pilot, definition=definitions[definition])
        MeasurementFactory(indicator=indicator, value=Decimal(100 + number))
    IndicatorFactory(pilot=pilots[2], definition=definitions[0])
    client.force_login(official)

    document = export_json(client)

    values = {
        pilot["slug"]: {
            indicator["code"]: [m["value"] for m in indicator["measurements"]]
            for indicator in pilot["indicators"]
        }
        for pilot in document["pilots"]
    }
    first, second = (definition.code for definition in definitions)
    assert values == {
        pilots[0].slug: {first: ["104.00"], second: ["102.00"]},
        pilots[2].slug: {first: []},
        pilots[3].slug: {first: ["103.00"], second: ["100.00"]},
    }


def test_exports_withhold_small_counts_and_carry_no_personal_data(client, official, shared_world):
    client.force_login(official)

    document = export_json(client)
    text, _rows = export_csv(client)

    pilot = document["pilots"][0]
    assert pilot["participants_reached"] is None
    assert pilot["participants_reached_fewer_than_5"] is True
    assert pilot["indicators"][0]["baseline_value"] is None
    assert pilot["indicators"][0]["baseline_value_fewer_than_5"] is True
    raw = json.dumps(document, ensure_ascii=False)
    token = shared_world.share_links.get().token
    for secret in ("Hemlig", "Ledarsson", "Kalle", "Journalanteckning", "Internt", token):
        assert secret not in raw
        assert secret not in text
    assert "lead" not in pilot
    assert "adaptation_notes" not in pilot


def test_csv_export_has_a_bom_a_header_one_row_per_measurement_and_a_formula_guard(
    client, official, shared_world
):
    client.force_login(official)

    text, rows = export_csv(client)

    assert text.startswith("\ufeffpilot_slug,")
    assert rows[0] == list(library.CSV_HEADER)
    assert [row[0] for row in rows[1:]] == ["halsoambassadorer"] * 3 + ["injected"]
    withheld, counted, percent = rows[1:4]
    assert withheld[3:11] == [
        "test-people",
        "personer",
        "2024-01-31",
        "",
        "true",
        "",
        "true",
        "20.00",
    ]
    assert counted[6:8] == ["12.00", "false"]
    assert percent[3] == "test-share"
    assert percent[6] == "3.50"
    assert rows[4][1] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+46", "'+46"), ("-x", "'-x"), ("@SUM", "'@SUM"), ("Seved", "Seved")],
)
def test_formula_guard_prefixes_cells_a_spreadsheet_would_run(value, expected):
    assert guard_formula(value) == expected


@pytest.mark.parametrize(
    ("url_name", "extension"),
    [("library-export-json", "json"), ("library-export-csv", "csv")],
)
def test_exports_are_downloads_with_a_dated_name_and_flat_query_counts(
    client, staff_seved, seved, url_name, extension
):
    client.force_login(staff_seved)
    url = reverse(url_name)

    def shared_pilot() -> None:
        pilot = PilotFactory(area=seved)
        pilot.themes.add(ThemeFactory())
        ShareLinkFactory(pilot=pilot)
        MeasurementFactory(indicator=IndicatorFactory(pilot=pilot))

    shared_pilot()
    response = client.get(url)
    b"".join(response.streaming_content)
    today = timezone.localdate().isoformat()
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="pilot-library-open-data-{today}.{extension}"'
    )

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            b"".join(client.get(url).streaming_content)
        return len(context.captured_queries)

    few = count()
    for _ in range(5):
        shared_pilot()
    assert count() == few


@pytest.mark.parametrize("url_name", ["library", "library-export-json", "library-export-csv"])
def test_library_and_exports_need_a_signed_in_user(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_search_index_exists_exactly_where_full_text_search_runs():
    from django.db import connection

    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "pilots_pilot")
    assert ("pilot_search_swedish_idx" in indexes) is (connection.vendor == "postgresql")
