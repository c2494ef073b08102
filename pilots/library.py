"""The library of what worked: the readiness score, the register of stopped pilots, the search
and the open-data export of shared pilots.

The readiness score (0–100) is written once here, as database expressions, so the library can
rank and paginate any number of pilots in a fixed number of queries:

- Evidence: 8 points per Nesta evidence level (level 1 gives 8, level 5 gives 40).
- Results on track: 25 × the share of the pilot's indicators that are on track or have reached
  their target, rounded down; 0 without indicators.
- Adapted elsewhere: 5 points for each other area with an adaptation (not archived) of the pilot,
  at most 15.
- Data fresh: 10 points when the latest measurement period ended within 90 days, 5 within 180.
- Lessons written: 10 points when the pilot's lessons are filled in.

Four of these facts live in other rows (the indicators and the adaptations). Counting them for
every pilot on every request is too slow at city scale, so each pilot also stores them
(``Pilot.readiness_*``): pilots.services rewrites them on every write that changes them, and the
ranking sorts by them. The rows of a page count them again, so what the page shows is exact.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any, NamedTuple

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import (
    Case,
    Count,
    Exists,
    Expression,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from pilots.exports import EchoWriter, guard_formula
from pilots.models import (
    READINESS_FIELDS,
    Indicator,
    Measurement,
    Pilot,
    ShareLink,
    Stage,
    StageDecision,
)

TRANSFER_STAGES = (Stage.PROTOTYPE, Stage.PILOT, Stage.SCALING, Stage.MAINSTREAMED)
ON_TRACK_STATUSES = (Indicator.Status.ON_TRACK, Indicator.Status.REACHED)


@dataclass(frozen=True)
class ScoreRules:
    """The weights of the readiness score; the page explains the score from these numbers."""

    points_per_evidence_level: int = 8
    max_evidence: int = 40
    max_on_track: int = 25
    points_per_adapted_area: int = 5
    max_adapted: int = 15
    fresh_days: int = 90
    fresh_points: int = 10
    recent_days: int = 180
    recent_points: int = 5
    lessons_points: int = 10

    @property
    def max_total(self) -> int:
        parts = (self.max_evidence, self.max_on_track, self.max_adapted, self.fresh_points)
        return sum(parts) + self.lessons_points


SCORE = ScoreRules()

# The text a pilot is found by; the same fields on PostgreSQL and on SQLite.
SEARCH_FIELDS = ("title", "need", "summary", "approach", "lessons", "target_group")
SEARCH_CONFIG = "swedish"
MAX_SEARCH_WORDS = 8


class _Facts(NamedTuple):
    """Where a query finds the four facts of the score that live in other rows."""

    indicators: str
    on_track: str
    adapted_areas: str
    last_measured: str


# Counted from the indicators and adaptations: exact, for the few pilots a page shows.
COUNTED = _Facts("indicator_count", "on_track_count", "adapted_area_count", "last_measured")
# Stored on each pilot by pilots.services: the ranking sorts every candidate by its own columns.
STORED = _Facts(*READINESS_FIELDS)


def with_readiness(pilots: QuerySet[Pilot], *, today: dt.date | None = None) -> QuerySet[Pilot]:
    """Annotate each pilot with the facts behind its readiness score, counted from its
    indicators and adaptations, the points per part (``points_*``) and the total
    (``readiness``)."""
    # Aggregates over joins rather than correlated subqueries: PostgreSQL runs them in one pass,
    # and the subqueries' cost estimate makes it compile the query first (JIT). The adaptation
    # join repeats indicator rows, hence distinct; fine for a page of pilots, too slow for all.
    adaptation_elsewhere = Q(adaptations__archived_at__isnull=True) & ~Q(
        adaptations__area=F("area")
    )
    return (
        pilots.annotate(
            indicator_count=Count("indicators", distinct=True),
            on_track_count=Count(
                "indicators", filter=Q(indicators__status__in=ON_TRACK_STATUSES), distinct=True
            ),
            adapted_area_count=Count(
                "adaptations__area", filter=adaptation_elsewhere, distinct=True
            ),
            last_measured=Max("indicators__latest_period_end"),
        )
        .annotate(**_points(COUNTED, today or timezone.localdate()))
        .annotate(readiness=_total())
    )


def _points(facts: _Facts, today: dt.date) -> dict[str, Expression]:
    """The points of each part, from the pilot's own fields and the facts named."""
    integer = IntegerField()
    return {
        "points_evidence": F("evidence_level") * SCORE.points_per_evidence_level,
        # Integer division: the points are rounded down, the same on every database.
        "points_on_track": Case(
            When(
                **{f"{facts.indicators}__gt": 0},
                then=F(facts.on_track) * SCORE.max_on_track / F(facts.indicators),
            ),
            default=Value(0),
            output_field=integer,
        ),
        "points_adapted": Least(
            F(facts.adapted_areas) * SCORE.points_per_adapted_area,
            Value(SCORE.max_adapted),
            output_field=integer,
        ),
        "points_fresh": Case(
            When(
                **{f"{facts.last_measured}__gte": today - dt.timedelta(days=SCORE.fresh_days)},
                then=Value(SCORE.fresh_points),
            ),
            When(
                **{f"{facts.last_measured}__gte": today - dt.timedelta(days=SCORE.recent_days)},
                then=Value(SCORE.recent_points),
            ),
            default=Value(0),
            output_field=integer,
        ),
        "points_lessons": Case(
            When(~Q(lessons=""), then=Value(SCORE.lessons_points)),
            default=Value(0),
            output_field=integer,
        ),
    }


def _total() -> Expression:
    return (
        F("points_evidence")
        + F("points_on_track")
        + F("points_adapted")
        + F("points_fresh")
        + F("points_lessons")
    )


def readiness_facts() -> dict[str, Expression]:
    """The stored facts of each pilot, as expressions for ``QuerySet.update()``: the same
    counts as in with_readiness, one correlated subquery each."""
    indicators = Indicator.objects.filter(pilot=OuterRef("pk")).order_by().values("pilot")
    adaptations = (
        Pilot.objects.filter(adapted_from=OuterRef("pk"), archived_at__isnull=True)
        .exclude(area=OuterRef("area"))
        .order_by()
        .values("adapted_from")
    )

    def counted(rows: QuerySet, count: Count) -> Coalesce:
        return Coalesce(Subquery(rows.annotate(number=count).values("number")), 0)

    return {
        STORED.indicators: counted(indicators, Count("pk")),
        STORED.on_track: counted(indicators.filter(status__in=ON_TRACK_STATUSES), Count("pk")),
        STORED.adapted_areas: counted(adaptations, Count("area", distinct=True)),
        STORED.last_measured: Subquery(
            indicators.annotate(latest=Max("latest_period_end")).values("latest")
        ),
    }


def candidates(pilots: QuerySet[Pilot]) -> QuerySet[Pilot]:
    """The pilots the library ranks: not archived, past the idea stage and not stopped."""
    return pilots.active().filter(stage__in=TRANSFER_STAGES)


def ranking(pilots: QuerySet[Pilot], *, today: dt.date | None = None) -> QuerySet:
    """The candidates' ids, best readiness first, scored from the facts stored on each pilot.
    Only the ids, so the database sorts narrow rows; title and pk break ties, so pages neither
    repeat nor skip pilots."""
    return (
        candidates(pilots)
        .alias(**_points(STORED, today or timezone.localdate()))
        .alias(readiness=_total())
        .order_by("-readiness", "title", "pk")
        .values_list("pk", flat=True)
    )


def ranked_page(
    pilots: QuerySet[Pilot], number: object, *, per_page: int, today: dt.date | None = None
) -> Page:
    """One page of the ranking, with each pilot's area, themes and score parts.

    Four queries: the count, the page's ids, their pilots with the parts, their themes."""
    today = today or timezone.localdate()
    page = Paginator(ranking(pilots, today=today), per_page).get_page(number)
    ids = list(page.object_list)
    rows = (
        with_readiness(Pilot.objects.filter(pk__in=ids), today=today)
        .select_related("area")
        .prefetch_related("themes")
    )
    found = {pilot.pk: pilot for pilot in rows}
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


def stopped_register(pilots: QuerySet[Pilot]) -> QuerySet[Pilot]:
    """Active pilots that were stopped, with the rationale and date of their latest stop decision,
    most recently stopped first."""
    decision = StageDecision.objects.filter(pilot=OuterRef("pk"), to_stage=Stage.STOPPED).order_by(
        "-decided_at", "-pk"
    )
    return (
        pilots.active()
        .filter(stage=Stage.STOPPED)
        .annotate(
            stop_rationale=Subquery(decision.values("rationale")[:1]),
            stopped_at=Subquery(decision.values("decided_at")[:1]),
        )
        .order_by(F("stopped_at").desc(nulls_last=True), "title", "pk")
    )


def search(pilots: QuerySet[Pilot], text: str) -> QuerySet[Pilot]:
    """Pilots whose texts match: full-text search with Swedish stemming on PostgreSQL, every
    word contained in one of the fields elsewhere."""
    if not text.strip():
        return pilots
    if connections[pilots.db].vendor == "postgresql":
        return _search_postgresql(pilots, text)
    for word in text.split()[:MAX_SEARCH_WORDS]:
        pilots = pilots.filter(
            reduce(or_, (Q(**{f"{field}__icontains": word}) for field in SEARCH_FIELDS))
        )
    return pilots


def _search_postgresql(pilots: QuerySet[Pilot], text: str) -> QuerySet[Pilot]:
    # Imported here: the SQLite path never needs PostgreSQL's search module.
    from django.contrib.postgres.search import SearchQuery, SearchVector

    # websearch syntax accepts any input ("quotes", or, -minus) without syntax errors.
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    return pilots.alias(document=SearchVector(*SEARCH_FIELDS, config=SEARCH_CONFIG)).filter(
        document=query
    )


# Open data ----------------------------------------------------------------------------------

# Counts of people below this are withheld, so that no resident can be identified.
SMALL_COUNT = 5
# Indicator units that count people; their small values are withheld like participants_reached.
PERSON_UNITS = frozenset(
    {"personer", "person", "deltagare", "elever", "people", "persons", "participants", "pupils"}
)
CSV_HEADER = (
    "pilot_slug",
    "pilot_title",
    "area",
    "indicator_code",
    "unit",
    "period_end",
    "value",
    "value_fewer_than_5",
    "baseline_value",
    "baseline_value_fewer_than_5",
    "target_value",
)


def shared_pilots() -> QuerySet[Pilot]:
    """Pilots that somebody shares now: at least one share link neither revoked nor expired."""
    return Pilot.objects.filter(Exists(ShareLink.objects.valid().filter(pilot=OuterRef("pk"))))


def counts_people(unit: str) -> bool:
    return unit.strip().lower() in PERSON_UNITS


def withhold_small(value: int | Decimal | None, *, is_count: bool = True) -> tuple[Any, bool]:
    """The value to publish and whether it was withheld as fewer than 5."""
    if is_count and value is not None and value < SMALL_COUNT:
        return None, True
    return value, False


def _decimal(value: Decimal | None) -> str | None:
    # As text: JSON numbers would lose the precision of large sums.
    return None if value is None else str(value)


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _grouped(rows: Iterable[Any], key: Callable[[Any], Any]) -> Iterator[tuple[Any, list[Any]]]:
    return ((k, list(group)) for k, group in itertools.groupby(rows, key=key))


class _Children:
    """Rows of one child query, grouped by a parent key, read in the parents' order.

    Parents and children come sorted by the same integer key, so a parent's children are
    found by reading forward: one query per level and constant memory, however many pilots."""

    def __init__(self, rows: Iterable[Any], key: Callable[[Any], Any]) -> None:
        self._groups = _grouped(rows, key)
        self._next: tuple[Any, list[Any]] | None = next(self._groups, None)

    def of(self, parent_key: Any) -> list[Any]:
        while self._next is not None and self._next[0] < parent_key:
            self._next = next(self._groups, None)
        if self._next is not None and self._next[0] == parent_key:
            found = self._next[1]
            self._next = next(self._groups, None)
            return found
        return []


def open_data_pilots() -> Iterator[dict[str, Any]]:
    """The shared pilots as open-data records, read with four queries (pilots, themes,
    indicators, measurements) streamed side by side."""
    shared = shared_pilots()
    pilots = shared.select_related("area").order_by("pk")
    themes = (
        Pilot.themes.through.objects.filter(pilot__in=shared)
        .order_by("pilot_id", "theme_id")
        .values_list("pilot_id", "theme__slug", "theme__name", "theme__name_en")
    )
    indicators = (
        Indicator.objects.filter(pilot__in=shared)
        .select_related("definition")
        .order_by("pilot_id", "definition_id")
    )
    measurements = (
        Measurement.objects.filter(indicator__pilot__in=shared)
        .order_by("indicator__pilot_id", "indicator__definition_id", "period_end")
        .values_list("indicator__pilot_id", "indicator__definition_id", "period_end", "value")
    )
    themes_of = _Children(themes.iterator(), key=lambda row: row[0])
    indicators_of = _Children(indicators.iterator(), key=lambda row: row.pilot_id)
    measurements_of = _Children(measurements.iterator(), key=lambda row: row[:2])
    for pilot in pilots.iterator():
        records = []
        for indicator in indicators_of.of(pilot.pk):
            values = measurements_of.of((pilot.pk, indicator.definition_id))
            records.append(_indicator_record(indicator, values))
        yield _pilot_record(pilot, themes_of.of(pilot.pk), records)


def _pilot_record(pilot: Pilot, themes: list[tuple], indicators: list[dict]) -> dict[str, Any]:
    participants, participants_withheld = withhold_small(pilot.participants_reached)
    return {
        "slug": pilot.slug,
        "title": pilot.title,
        "area": pilot.area.name,
        "area_slug": pilot.area.slug,
        "municipality": pilot.area.municipality,
        "stage": pilot.stage,
        "evidence_level": pilot.evidence_level,
        "start_date": _date(pilot.start_date),
        "end_date": _date(pilot.end_date),
        "need": pilot.need,
        "summary": pilot.summary,
        "approach": pilot.approach,
        "target_group": pilot.target_group,
        "lessons": pilot.lessons,
        "participants_reached": participants,
        "participants_reached_fewer_than_5": participants_withheld,
        "themes": sorted(
            ({"slug": slug, "name": name, "name_en": name_en} for _, slug, name, name_en in themes),
            key=lambda theme: theme["slug"],
        ),
        "indicators": sorted(indicators, key=lambda indicator: indicator["code"]),
    }


def _indicator_record(indicator: Indicator, values: list[tuple]) -> dict[str, Any]:
    definition = indicator.definition
    is_count = counts_people(definition.unit)
    baseline, baseline_withheld = withhold_small(indicator.baseline_value, is_count=is_count)
    current, current_withheld = withhold_small(indicator.current_value, is_count=is_count)
    measurements = []
    for _pilot, _definition, period_end, value in values:
        published, withheld = withhold_small(value, is_count=is_count)
        measurements.append(
            {
                "period_end": _date(period_end),
                "value": _decimal(published),
                "value_fewer_than_5": withheld,
            }
        )
    return {
        "code": definition.code,
        "name": definition.name,
        "name_en": definition.name_en,
        "unit": definition.unit,
        "direction": definition.direction,
        "aggregation": definition.aggregation,
        "baseline_value": _decimal(baseline),
        "baseline_value_fewer_than_5": baseline_withheld,
        "baseline_date": _date(indicator.baseline_date),
        "target_value": _decimal(indicator.target_value),
        "target_date": _date(indicator.target_date),
        "current_value": _decimal(current),
        "current_value_fewer_than_5": current_withheld,
        "status": indicator.status,
        "measurements": measurements,
    }


def open_data_json() -> Iterator[str]:
    """The JSON document, in pieces: the head, one pilot at a time, the tail. The head is made
    at once, in the request's language; the pilots are read while the response streams."""
    head = {
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "licence_note": _(
            "Open data from the Malmö Pilot Portal: pilots that their teams share by link, with "
            "their indicators and measurements. Free to reuse; please name the source. Counts "
            "of people below 5 are withheld (null, with a *_fewer_than_5 flag) so that no "
            "resident can be identified. Decimal values are given as text."
        ),
    }
    return _json_pieces(head)


def _json_pieces(head: dict[str, str]) -> Iterator[str]:
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "pilots": ['
    for index, record in enumerate(open_data_pilots()):
        yield ("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]}\n"


def open_data_csv(*, rows_per_chunk: int = 1000) -> Iterator[str]:
    """One row per measurement of a shared pilot, from one streamed query, in chunks of rows;
    UTF-8 with a BOM so that spreadsheets read å, ä and ö."""
    lines = _csv_lines()
    yield "\ufeff" + next(lines)
    while chunk := "".join(itertools.islice(lines, rows_per_chunk)):
        yield chunk


def _csv_lines() -> Iterator[str]:
    rows = (
        Measurement.objects.filter(indicator__pilot__in=shared_pilots())
        .order_by("indicator__pilot__slug", "indicator__definition__code", "period_end")
        .values_list(
            "indicator__pilot__slug",
            "indicator__pilot__title",
            "indicator__pilot__area__name",
            "indicator__definition__code",
            "indicator__definition__unit",
            "period_end",
            "value",
            "indicator__baseline_value",
            "indicator__target_value",
        )
    )
    writer = csv.writer(EchoWriter())
    yield writer.writerow(CSV_HEADER)
    for slug, title, area, code, unit, period_end, value, baseline, target in rows.iterator():
        is_count = counts_people(unit)
        value, value_withheld = withhold_small(value, is_count=is_count)
        baseline, baseline_withheld = withhold_small(baseline, is_count=is_count)
        yield writer.writerow(
            [
                guard_formula(slug),
                guard_formula(title),
                guard_formula(area),
                guard_formula(code),
                guard_formula(unit),
                period_end.isoformat(),
                "" if value is None else value,
                "true" if value_withheld else "false",
                "" if baseline is None else baseline,
                "true" if baseline_withheld else "false",
                "" if target is None else target,
            ]
        )
