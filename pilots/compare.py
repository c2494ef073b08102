"""Read-only selectors for the compare pages: pilots side by side, and areas on one indicator.

Every selector issues a fixed number of queries, whatever the number of pilots, indicators or
measurements: the pilots in one query (plus one for their themes), their indicators in one, and
the measurements of the indicators they share in one. Comparing areas on an indicator aggregates
in the database: one group-by for the per-area summary, one for the per-area trend (both kept in
the shared cache, when there is one, until the next write), one page of pilot rows.

Pilots are comparable only on the same catalogue definition. An indicator is *shared* when at
least two of the chosen pilots use it; it is then charted for those pilots only, and the page
says which chosen pilots do not use it. An indicator used by only one chosen pilot is listed as
not comparable and never plotted with the others.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncQuarter
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from pilots.cache import cached_figures
from pilots.filters import PilotFilter
from pilots.models import Indicator, IndicatorDefinition, Measurement, Pilot

MIN_PILOTS = 2
MAX_PILOTS = 6
ROWS_PER_PAGE = 25
TREND_AREAS = 6
SEARCH_RESULTS = 30

ON_TRACK = (Indicator.Status.ON_TRACK, Indicator.Status.REACHED)
ROW_FIELDS = (
    "pilot_id",
    "definition_id",
    "baseline_value",
    "target_value",
    "current_value",
    "latest_period_end",
    "progress",
    "status",
    "pilot__title",
    "pilot__slug",
    "pilot__stage",
    "pilot__area_id",
    "pilot__area__name",
    "pilot__area__slug",
)


# --- Pilots side by side -------------------------------------------------------------------


def pilots_by_slug(slugs: list[str]) -> dict[str, Pilot]:
    """The pilots with these slugs, archived ones included, with what the side-by-side shows."""
    pilots = (
        Pilot.objects.filter(slug__in=slugs)
        .select_related("area", "lead")
        .prefetch_related("themes")
    )
    return {pilot.slug: pilot for pilot in pilots}


@dataclass(frozen=True)
class PilotSeries:
    """One pilot's use of a shared indicator: its figures and what the chart draws."""

    pilot: Pilot
    style: int  # the pilot's position among the chosen: its colour, dash and point style
    indicator: Indicator
    points: list[tuple[date, float]]  # what is charted: running totals for sum indicators

    @property
    def progress_percent(self) -> int | None:
        progress = self.indicator.progress
        return None if progress is None else round(progress * 100)


@dataclass(frozen=True)
class SharedIndicator:
    definition: IndicatorDefinition
    series: list[PilotSeries]
    missing: list[Pilot]
    summary: str
    chart: dict[str, object]
    table: list[tuple[date, list[float | None]]]

    @property
    def is_running_total(self) -> bool:
        return self.definition.aggregation == IndicatorDefinition.Aggregation.SUM

    @property
    def chart_data_id(self) -> str:
        return f"compare-{self.definition.code}-data"


@dataclass(frozen=True)
class PilotComparison:
    pilots: list[Pilot]
    shared: list[SharedIndicator]
    not_comparable: list[tuple[Pilot, list[IndicatorDefinition]]]

    @property
    def has_archived(self) -> bool:
        return any(pilot.is_archived for pilot in self.pilots)


def pilot_comparison(pilots: list[Pilot]) -> PilotComparison:
    """The chosen pilots side by side, with a chart for every indicator two or more share."""
    indicators = list(
        Indicator.objects.filter(pilot__in=pilots)
        .select_related("definition")
        .order_by("definition__code", "pilot_id")
    )
    by_definition: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        by_definition[indicator.definition_id].append(indicator)
    shared_ids = [
        indicator.pk for group in by_definition.values() if len(group) > 1 for indicator in group
    ]
    values = _measurements(shared_ids)

    style_of = {pilot.pk: index for index, pilot in enumerate(pilots)}
    shared = []
    alone: dict[int, list[IndicatorDefinition]] = defaultdict(list)
    for group in by_definition.values():
        if len(group) == 1:
            alone[group[0].pilot_id].append(group[0].definition)
            continue
        group.sort(key=lambda indicator: style_of[indicator.pilot_id])
        shared.append(_shared_indicator(group, pilots, style_of, values))
    # Indicators every chosen pilot uses come first: they compare the whole selection.
    shared.sort(key=lambda item: (-len(item.series), item.definition.label.casefold()))
    return PilotComparison(
        pilots=pilots,
        shared=shared,
        not_comparable=[(pilot, alone[pilot.pk]) for pilot in pilots if alone[pilot.pk]],
    )


def _measurements(indicator_ids: list[int]) -> dict[int, list[tuple[date, Decimal]]]:
    """Every measurement of these indicators, oldest first, in one query."""
    values: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    rows = (
        Measurement.objects.filter(indicator_id__in=indicator_ids)
        .order_by("indicator_id", "period_end")
        .values_list("indicator_id", "period_end", "value")
    )
    for indicator_id, period_end, value in rows:
        values[indicator_id].append((period_end, value))
    return values


def _charted_points(
    indicator: Indicator, values: list[tuple[date, Decimal]]
) -> list[tuple[date, float]]:
    if indicator.definition.aggregation != IndicatorDefinition.Aggregation.SUM:
        return [(period, float(value)) for period, value in values]
    # A target for a sum is a total, so the chart shows the running total (as on a pilot page).
    running = Decimal(0)
    points = []
    for period, value in values:
        running += value
        points.append((period, float(running)))
    return points


def _shared_indicator(
    group: list[Indicator],
    pilots: list[Pilot],
    style_of: dict[int, int],
    values: dict[int, list[tuple[date, Decimal]]],
) -> SharedIndicator:
    pilot_by_id = {pilot.pk: pilot for pilot in pilots}
    series = [
        PilotSeries(
            pilot=pilot_by_id[indicator.pilot_id],
            style=style_of[indicator.pilot_id],
            indicator=indicator,
            points=_charted_points(indicator, values.get(indicator.pk, [])),
        )
        for indicator in group
    ]
    using = {indicator.pilot_id for indicator in group}
    periods = sorted({period for item in series for period, _value in item.points})
    lookup = [dict(item.points) for item in series]
    return SharedIndicator(
        definition=group[0].definition,
        series=series,
        missing=[pilot for pilot in pilots if pilot.pk not in using],
        summary=closest_to_target_summary(series),
        chart=_comparison_chart(group[0].definition, series),
        table=[(period, [points.get(period) for points in lookup]) for period in periods],
    )


def pilot_label(pilot: Pilot) -> str:
    """Adapted pilots often keep their title, so the area tells them apart."""
    return f"{pilot.title} ({pilot.area.name})"


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _comparison_chart(
    definition: IndicatorDefinition, series: list[PilotSeries]
) -> dict[str, object]:
    """Chart.js input: a line per pilot; its baseline and target as a dotted reference line.

    Without a baseline or target date, the reference point sits at the first or last
    measurement, so it still shows on the time axis.
    """
    data = []
    for item in series:
        indicator = item.indicator
        first = item.points[0][0] if item.points else None
        last = item.points[-1][0] if item.points else None
        baseline_day = indicator.baseline_date or first
        target_day = indicator.target_date or last
        references = []
        if indicator.baseline_value is not None and baseline_day:
            references.append([_iso(baseline_day), _number(indicator.baseline_value)])
        if indicator.target_value is not None and target_day:
            references.append([_iso(target_day), _number(indicator.target_value)])
        label = pilot_label(item.pilot)
        data.append(
            {
                "label": label,
                "style": item.style,
                "points": [[_iso(period), value] for period, value in item.points],
                "references": references,
                "referenceLabel": _("%(pilot)s: baseline → target") % {"pilot": label},
            }
        )
    return {"unit": definition.unit, "series": data}


def closest_to_target_summary(series: list[PilotSeries]) -> str:
    """One sentence on who is closest to the target, with the same figures as the table."""
    ranked = sorted(
        (item for item in series if item.progress_percent is not None),
        key=lambda item: -item.progress_percent,
    )
    without = [pilot_label(item.pilot) for item in series if item.progress_percent is None]
    if not ranked:
        return _("None of these pilots has progress toward a target yet.")
    best = ranked[0]
    parts = [
        _("Closest to the target: %(pilot)s, %(percent)s %% of the way (%(status)s).")
        % {
            "pilot": pilot_label(best.pilot),
            "percent": floatformat(best.progress_percent, "0g"),
            "status": best.indicator.get_status_display(),
        }
    ]
    if len(ranked) > 1:
        others = "; ".join(
            _("%(pilot)s %(percent)s %%")
            % {
                "pilot": pilot_label(item.pilot),
                "percent": floatformat(item.progress_percent, "0g"),
            }
            for item in ranked[1:]
        )
        parts.append(_("Then: %(others)s.") % {"others": others})
    if without:
        parts.append(_("No progress yet: %(pilots)s.") % {"pilots": "; ".join(without)})
    return " ".join(parts)


# --- Areas on one indicator ------------------------------------------------------------------


@dataclass
class AreaSummary:
    """One area's pilots on the indicator, counted in the database."""

    area_id: int
    name: str
    slug: str
    count: int
    on_track: int
    off_track: int
    no_data: int
    with_progress: int
    mean_progress: float | None

    @property
    def on_track_percent(self) -> int:
        return round(100 * self.on_track / self.count) if self.count else 0

    @property
    def mean_progress_percent(self) -> int | None:
        return None if self.mean_progress is None else round(self.mean_progress * 100)


@dataclass
class IndicatorComparison:
    definition: IndicatorDefinition
    areas: list[AreaSummary]
    total: AreaSummary
    page: Page
    area: AreaSummary | None  # the area the pilot rows are limited to, if any
    trend: dict[str, object]
    trend_table: list[tuple[str, list[float | None]]]
    trend_areas: list[AreaSummary] = field(default_factory=list)

    @property
    def trend_data_id(self) -> str:
        return f"compare-trend-{self.definition.code}-data"


def indicator_uses(definition: IndicatorDefinition) -> QuerySet[Indicator]:
    """The definition's uses by pilots that lists and dashboards show (not archived)."""
    return Indicator.objects.filter(definition=definition, pilot__archived_at__isnull=True)


def area_summaries(definition: IndicatorDefinition) -> list[AreaSummary]:
    rows = (
        indicator_uses(definition)
        .values("pilot__area_id", "pilot__area__name", "pilot__area__slug")
        .annotate(
            count=Count("id"),
            on_track=Count("id", filter=Q(status__in=ON_TRACK)),
            off_track=Count("id", filter=Q(status=Indicator.Status.OFF_TRACK)),
            no_data=Count("id", filter=Q(status=Indicator.Status.NO_DATA)),
            with_progress=Count("progress"),
            mean_progress=Avg("progress"),
        )
        .order_by("pilot__area__name", "pilot__area_id")
    )
    return [
        AreaSummary(
            area_id=row["pilot__area_id"],
            name=row["pilot__area__name"],
            slug=row["pilot__area__slug"],
            count=row["count"],
            on_track=row["on_track"],
            off_track=row["off_track"],
            no_data=row["no_data"],
            with_progress=row["with_progress"],
            mean_progress=row["mean_progress"],
        )
        for row in rows
    ]


def _total(areas: list[AreaSummary]) -> AreaSummary:
    with_progress = sum(area.with_progress for area in areas)
    weighted = sum((area.mean_progress or 0) * area.with_progress for area in areas)
    return AreaSummary(
        area_id=0,
        name=_("All areas"),
        slug="",
        count=sum(area.count for area in areas),
        on_track=sum(area.on_track for area in areas),
        off_track=sum(area.off_track for area in areas),
        no_data=sum(area.no_data for area in areas),
        with_progress=with_progress,
        mean_progress=weighted / with_progress if with_progress else None,
    )


def indicator_comparison(
    definition: IndicatorDefinition, *, area_slug: str = "", page_number: object = None
) -> IndicatorComparison:
    """Every non-archived pilot using the definition, summed up per area, rows paginated.

    Raises ``LookupError`` for an area that has no pilot using the definition.
    """
    # Cached only in a cache shared by every worker, under the data version every write moves.
    areas = cached_figures("compare-areas", str(definition.pk), lambda: area_summaries(definition))
    area = None
    if area_slug:
        area = next((item for item in areas if item.slug == area_slug), None)
        if area is None:
            raise LookupError(area_slug)
    listed = [area] if area else areas
    paginator = Paginator(indicator_uses(definition), ROWS_PER_PAGE)
    # The summary has already counted the rows: spare the paginator its COUNT query.
    paginator.count = sum(item.count for item in listed)
    page = paginator.get_page(page_number)
    page.object_list = _page_rows(definition, listed, page)
    trend_areas = [area] if area else sorted(areas, key=lambda item: -item.count)[:TREND_AREAS]
    quarters, means = cached_figures(
        "compare-trend-quarters",
        f"{definition.pk}:{','.join(str(item.area_id) for item in trend_areas)}",
        lambda: _area_trend(definition, trend_areas),
    )
    trend, trend_table = _trend_chart(definition, trend_areas, quarters, means)
    return IndicatorComparison(
        definition=definition,
        areas=areas,
        total=_total(areas),
        page=page,
        area=area,
        trend=trend,
        trend_table=trend_table,
        trend_areas=trend_areas,
    )


def _page_rows(
    definition: IndicatorDefinition, areas: list[AreaSummary], page: Page
) -> list[Indicator]:
    """One page of rows, ordered by area as the summary is, then by pilot title.

    The summary's counts tell which areas the page spans, so the database sorts only their
    rows instead of every pilot using the definition before an OFFSET.
    """
    start = (page.number - 1) * ROWS_PER_PAGE
    end = start + ROWS_PER_PAGE
    spanned: list[int] = []
    skipped = seen = 0
    for area in areas:
        if seen < end and seen + area.count > start:
            if not spanned:
                skipped = seen
            spanned.append(area.area_id)
        seen += area.count
    rows = (
        indicator_uses(definition)
        .filter(pilot__area_id__in=spanned)
        .select_related("pilot", "pilot__area")
        .only(*ROW_FIELDS)
        .order_by("pilot__area__name", "pilot__area_id", "pilot__title", "pk")
    )
    return list(rows[start - skipped : end - skipped])


def _quarter_label(day: date) -> str:
    # Translators: a quarter of a year on a chart axis and in its table, e.g. "2025 Q3".
    return _("%(year)d Q%(quarter)d") % {"year": day.year, "quarter": (day.month - 1) // 3 + 1}


def _area_trend(
    definition: IndicatorDefinition, areas: list[AreaSummary]
) -> tuple[list[date], dict[tuple[int, date], float]]:
    """Mean measured value per pilot, area and quarter, from one group-by.

    No text in any language: the result is cached for pages in every language.
    """
    rows = (
        Measurement.objects.filter(
            indicator__definition=definition,
            indicator__pilot__archived_at__isnull=True,
            indicator__pilot__area_id__in=[area.area_id for area in areas],
        )
        .annotate(quarter=TruncQuarter("period_end"))
        .values("indicator__pilot__area_id", "quarter")
        .annotate(mean=Avg("value"))
        .order_by("quarter")
    )
    means: dict[tuple[int, date], float] = {}
    quarters: list[date] = []
    for row in rows:
        quarter = row["quarter"]
        if not quarters or quarters[-1] != quarter:
            quarters.append(quarter)
        means[row["indicator__pilot__area_id"], quarter] = round(float(row["mean"]), 2)
    return quarters, means


def _trend_chart(
    definition: IndicatorDefinition,
    areas: list[AreaSummary],
    quarters: list[date],
    means: dict[tuple[int, date], float],
) -> tuple[dict[str, object], list[tuple[str, list[float | None]]]]:
    """The trend as Chart.js input and as the table beside it, labelled in the page's language."""
    labels = [_quarter_label(quarter) for quarter in quarters]
    chart = {
        "unit": definition.unit,
        "labels": labels,
        "series": [
            {
                "label": area.name,
                "style": index,
                "values": [means.get((area.area_id, quarter)) for quarter in quarters],
            }
            for index, area in enumerate(areas)
        ],
    }
    table = [
        (label, [means.get((area.area_id, quarter)) for area in areas])
        for label, quarter in zip(labels, quarters, strict=True)
    ]
    return chart, table


# --- Choosing ----------------------------------------------------------------------------------


def pilot_search(query: str, *, exclude: list[int]) -> list[Pilot]:
    """Pilots matching the words, archived ones included; one more than shown, to tell."""
    found = PilotFilter({"q": query}, queryset=Pilot.objects.select_related("area")).qs
    return list(found.exclude(pk__in=exclude).order_by("title", "pk")[: SEARCH_RESULTS + 1])


def catalogue() -> QuerySet[IndicatorDefinition]:
    return IndicatorDefinition.objects.active().order_by("name", "code")
