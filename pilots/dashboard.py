"""The city dashboard's figures: grouped queries in the database, pivoted in Python.

``figures()`` runs a fixed set of grouped queries, the same number whatever the data size, and
returns plain numbers keyed by ids and codes. They read the same in every language, so they can be
cached (``pilots.cache``). ``build()`` turns them into the tables the page and the CSV downloads
show, with the names of areas and themes read fresh on every request: a renamed area, a changed
population or an area moved to another municipality shows at once, cached figures or not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from urllib.parse import urlencode

from django import forms
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum, Window
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format, number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from areas.models import Area
from pilots import cache
from pilots.attention import STALE_AFTER
from pilots.models import (
    RUNNING_STAGES,
    EvidenceLevel,
    Indicator,
    Pilot,
    PilotUpdate,
    Stage,
    Theme,
)

LIST_LIMIT = 10
CHART_AREA_LIMIT = 20
EXCERPT_LENGTH = 240
# The order of the stacked bars and table columns: best first, so order also carries meaning.
STATUS_ORDER = (
    Indicator.Status.REACHED,
    Indicator.Status.ON_TRACK,
    Indicator.Status.OFF_TRACK,
    Indicator.Status.NO_DATA,
)
TABLES = ("area-stage", "pipeline", "themes", "budget", "progress", "evidence", "stale", "updates")


# Filters ------------------------------------------------------------------------------------


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, read from the URL; what cannot be understood is ignored."""

    date_from = forms.DateField(
        label=gettext_lazy("Running on or after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("Running on or before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    theme = forms.ChoiceField(label=gettext_lazy("Theme"), required=False)
    municipality = forms.ChoiceField(label=gettext_lazy("Municipality"), required=False)

    def __init__(
        self, data: object, *, themes: Sequence[Theme], municipalities: Sequence[str]
    ) -> None:
        super().__init__(data)
        self.fields["theme"].choices = [
            ("", _("All themes")),
            *((theme.slug, theme.label) for theme in themes),
        ]
        self.fields["municipality"].choices = [
            ("", _("All municipalities")),
            *((name, name) for name in municipalities),
        ]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            cleaned.pop("date_from")
            self.add_error(
                "date_to",
                _("The end of the period cannot be before its start (%(start)s).")
                % {"start": start.isoformat()},
            )
        return cleaned


@dataclass(frozen=True)
class Filters:
    """The active filters, resolved to ids: pilots running in the period, with the theme, in the
    areas (None: every area)."""

    date_from: date | None = None
    date_to: date | None = None
    theme_id: int | None = None
    theme_slug: str = ""
    municipality: str = ""
    area_ids: tuple[int, ...] | None = None

    def key(self) -> str:
        areas = "*" if self.area_ids is None else ",".join(map(str, self.area_ids))
        return f"{self.date_from}|{self.date_to}|{self.theme_id}|{areas}"

    def pilots(self, prefix: str = "") -> Q:
        """The pilots these filters select, as a condition on a model ``prefix`` away from Pilot."""

        def lookup(name: str, value: object) -> Q:
            return Q(**{prefix + name: value})

        condition = lookup("archived_at__isnull", True)
        if self.area_ids is not None:
            condition &= lookup("area__in", self.area_ids)
        if self.theme_id is not None:
            condition &= lookup("themes", self.theme_id)
        # A pilot without an end is still running; one without a start has always been.
        if self.date_from is not None:
            condition &= lookup("end_date__gte", self.date_from) | lookup("end_date__isnull", True)
        if self.date_to is not None:
            condition &= lookup("start_date__lte", self.date_to) | lookup(
                "start_date__isnull", True
            )
        return condition


def filters_from(
    form: DashboardFilterForm, areas: Sequence[Area], themes: Sequence[Theme]
) -> Filters:
    """The filters the form's valid fields ask for; invalid ones are left out."""
    if not form.is_bound:
        return Filters()
    form.is_valid()
    data = form.cleaned_data
    theme = next((theme for theme in themes if theme.slug == data.get("theme")), None)
    municipality = data.get("municipality")
    area_ids = None
    if municipality:
        area_ids = tuple(sorted(area.pk for area in areas if area.municipality == municipality))
    return Filters(
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        theme_id=theme.pk if theme else None,
        theme_slug=theme.slug if theme else "",
        municipality=municipality or "",
        area_ids=area_ids,
    )


# Figures: the queries ------------------------------------------------------------------------


@dataclass
class Figures:
    """The dashboard's numbers by area id, stage, status and theme id; no names, no language."""

    area_stage: list[dict] = field(default_factory=list)
    themes: list[dict] = field(default_factory=list)
    progress: list[dict] = field(default_factory=list)
    stale_count: int = 0
    stale: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)


def stale_pilots(filters: Filters, today: date) -> QuerySet[Pilot]:
    """Running pilots with no indicator measured in the last 90 days (or never), stalest first.

    Each row also carries ``total``, the number of such pilots, so that one query gives both the
    count and the first rows.
    """
    recent = Indicator.objects.filter(
        pilot=OuterRef("pk"), latest_period_end__gte=today - STALE_AFTER
    )
    return (
        Pilot.objects.filter(filters.pilots(), stage__in=RUNNING_STAGES)
        .filter(~Exists(recent))
        .annotate(last_measured=Max("indicators__latest_period_end"), total=Window(Count("pk")))
        .order_by(F("last_measured").asc(nulls_first=True), "title", "pk")
        .values("pk", "slug", "title", "area_id", "stage", "last_measured", "total")
    )


def figures(filters: Filters, today: date) -> Figures:
    """Every dashboard figure for the filters: five grouped queries, whatever the data size."""
    return _assemble(
        _pilot_figures(filters), _indicator_figures(filters, today), _updates_of(filters)
    )


def cached_figures(filters: Filters, today: date) -> Figures:
    """The same figures, each part cached apart under the kinds of data it is made from, so a
    measurement or a journal entry leaves the pilot counts cached."""
    key = filters.key()
    return _assemble(
        cache.cached_figures(
            "dashboard-pilots", key, lambda: _pilot_figures(filters), scopes=(cache.PILOTS,)
        ),
        cache.cached_figures(
            "dashboard-indicators",
            f"{today}|{key}",
            lambda: _indicator_figures(filters, today),
            scopes=(cache.PILOTS, cache.INDICATORS),
        ),
        cache.cached_figures(
            "dashboard-updates",
            key,
            lambda: _updates_of(filters),
            scopes=(cache.PILOTS, cache.UPDATES),
        ),
    )


def _assemble(
    pilot_part: tuple[list[dict], list[dict]],
    indicator_part: tuple[list[dict], list[dict], int],
    updates: list[dict],
) -> Figures:
    result = Figures(updates=updates)
    result.area_stage, result.themes = pilot_part
    result.progress, result.stale, result.stale_count = indicator_part
    return result


def _pilot_figures(filters: Filters) -> tuple[list[dict], list[dict]]:
    area_stage = list(
        Pilot.objects.filter(filters.pilots())
        .values("area_id", "stage", "evidence_level")
        .annotate(
            pilots=Count("id"),
            budget=Sum("budget_sek"),
            budget_known=Count("budget_sek"),
            participants=Sum("participants_reached"),
            participants_known=Count("participants_reached"),
        )
        .order_by()
    )
    themes = list(
        Pilot.themes.through.objects.filter(filters.pilots("pilot__"))
        .values("theme_id", area_id=F("pilot__area_id"))
        .annotate(pilots=Count("pilot_id"))
        .order_by()
    )
    return area_stage, themes


def _indicator_figures(filters: Filters, today: date) -> tuple[list[dict], list[dict], int]:
    progress = list(
        Indicator.objects.filter(filters.pilots("pilot__"))
        .values("status", area_id=F("pilot__area_id"))
        .annotate(indicators=Count("id"))
        .order_by()
    )
    stale = list(stale_pilots(filters, today)[:LIST_LIMIT])
    return progress, stale, stale[0]["total"] if stale else 0


def _updates_of(filters: Filters) -> list[dict]:
    # The newest ten are found on the narrow sort key first; only they are then read in full.
    newest = (
        PilotUpdate.objects.filter(filters.pilots("pilot__"))
        .order_by("-created_at", "-pk")
        .values("pk")[:LIST_LIMIT]
    )
    return list(
        PilotUpdate.objects.filter(pk__in=newest)
        .order_by("-created_at", "-pk")
        .values(
            "pk",
            "kind",
            "created_at",
            "pilot__slug",
            "pilot__title",
            "pilot__area_id",
            excerpt=Substr("body", 1, EXCERPT_LENGTH + 1),
        )
    )


# Arithmetic ---------------------------------------------------------------------------------


def per_thousand(value: int | None, population: int | None, places: int = 1) -> Decimal | None:
    """value per 1,000 residents, rounded half up; None without a value or a population."""
    if value is None or not population:
        return None
    exponent = Decimal(1).scaleb(-places)
    return (Decimal(value) * 1000 / Decimal(population)).quantize(exponent, ROUND_HALF_UP)


def percentages(counts: Sequence[int], places: int = 1) -> list[Decimal | None]:
    """Shares of the total in per cent that add up to exactly 100 (largest remainders).

    Rounding each share on its own can give 99.9 or 100.1; the rounding units left over go to the
    shares that lost most to rounding. Without a total there are no shares.
    """
    total = sum(counts)
    if total == 0:
        return [None] * len(counts)
    units = 100 * 10**places
    exact = [Decimal(count) * units / total for count in counts]
    floors = [int(value) for value in exact]
    left = units - sum(floors)
    by_remainder = sorted(range(len(counts)), key=lambda i: (floors[i] - exact[i], i))
    for index in by_remainder[:left]:
        floors[index] += 1
    return [Decimal(value).scaleb(-places) for value in floors]


def cells(contents: Iterable[object], css: str = "text-end") -> SafeString:
    """The number cells of one table row, escaped as a template would escape them.

    Built here rather than in a template loop: the city-wide tables have some 6,000 cells, and
    both a template loop and format_html spend about 8 µs on each, a sixth of the page's time
    budget in all; this takes under 1 µs.
    """
    opening = f'<td class="{escape(css)}">'
    row = "".join(
        f"{opening}{item if isinstance(item, int | SafeString) else escape(str(item))}</td>"
        for item in contents
    )
    return mark_safe(row)  # noqa: S308 - every part is escaped, a number or already safe


class NumberText:
    """Numbers written as the active language writes them, grouped by thousands; None as "–".

    Django's floatformat filter does the same, but is too slow for the thousands of cells of
    city-wide tables: here the separators are looked up once per page.
    """

    def __init__(self) -> None:
        self.separators = str.maketrans(
            {",": str(get_format("THOUSAND_SEPARATOR")), ".": str(get_format("DECIMAL_SEPARATOR"))}
        )

    def __call__(self, value: int | Decimal | None, places: int = 0) -> str:
        if value is None:
            return "–"
        if isinstance(value, int) and -1000 < value < 1000 and places == 0:
            return str(value)
        return f"{value:,.{places}f}".translate(self.separators)

    def share(self, value: Decimal | None) -> str:
        return "–" if value is None else f"{self(value, 1)} %"


# Tables: figures with names, for the page and the CSV downloads -----------------------------


def _list_url(base: str, **params: str) -> str:
    query = {name: value for name, value in params.items() if value}
    return f"{base}?{urlencode(query)}" if query else base


def _shown_areas(areas: Sequence[Area], filters: Filters, with_pilots: set[int]) -> list[Area]:
    """Areas in the filter's scope: every active one, and inactive ones that still have pilots."""
    scope = None if filters.area_ids is None else set(filters.area_ids)
    return [
        area
        for area in areas
        if (scope is None or area.pk in scope) and (area.is_active or area.pk in with_pilots)
    ]


def _linked_cells(counts: list[dict]) -> SafeString:
    row = "".join(
        f'<td class="text-end"><a href="{escape(cell["url"])}">{cell["count"]}</a></td>'
        if cell["url"]
        else f'<td class="text-end">{cell["count"]}</td>'
        for cell in counts
    )
    return mark_safe(row)  # noqa: S308 - the addresses are escaped, the counts are numbers


def _area_stage(
    figures: Figures, areas: list[Area], filters: Filters, links: dict[int, str]
) -> dict:
    list_url = reverse("pilots:list")
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in figures.area_stage:
        counts[row["area_id"]][row["stage"]] += row["pilots"]
    stages = list(Stage)
    theme = f"&theme={filters.theme_slug}" if filters.theme_slug else ""
    rows = []
    for area in areas:
        by_stage = counts.get(area.pk, {})
        # Slugs and stage codes need no quoting: the addresses are put together directly, and
        # only where there is something to open (this runs for every area and stage).
        stage_cells = [
            {
                "count": by_stage.get(stage, 0),
                "url": f"{list_url}?area={area.slug}&stage={stage.value}{theme}"
                if by_stage.get(stage)
                else "",
            }
            for stage in stages
        ]
        total = sum(by_stage.values())
        url = _list_url(list_url, area=area.slug, theme=filters.theme_slug)
        linked = [*stage_cells, {"count": total, "url": url if total else ""}]
        rows.append(
            {
                "area": area,
                "area_url": links[area.pk],
                "cells": stage_cells,
                "total": total,
                "html": _linked_cells(linked),
            }
        )
    stage_totals = [
        {
            "stage": stage,
            "count": sum(row["cells"][index]["count"] for row in rows),
            "url": _list_url(list_url, stage=stage.value, theme=filters.theme_slug),
        }
        for index, stage in enumerate(stages)
    ]
    return {
        "stages": stages,
        "rows": rows,
        "totals": stage_totals,
        "total": sum(cell["count"] for cell in stage_totals),
    }


def _pipeline(area_stage: dict) -> dict:
    totals = area_stage["totals"]
    total = area_stage["total"]
    shares = percentages([cell["count"] for cell in totals])
    rows = [
        {"stage": cell["stage"], "count": cell["count"], "share": share, "url": cell["url"]}
        for cell, share in zip(totals, shares, strict=True)
    ]
    counts = {cell["stage"]: cell["count"] for cell in totals}
    if total:
        busiest = max(totals, key=lambda cell: cell["count"])
        summary = ngettext(
            "%(total)s active pilot matches the filters.",
            "%(total)s active pilots match the filters.",
            total,
        ) % {"total": number_format(total, force_grouping=True)}
        summary += " " + _(
            "Most are at the stage %(stage)s (%(count)s). Mainstream practice: %(mainstreamed)s; "
            "stopped: %(stopped)s."
        ) % {
            "stage": busiest["stage"].label,
            "count": number_format(busiest["count"], force_grouping=True),
            "mainstreamed": number_format(counts[Stage.MAINSTREAMED], force_grouping=True),
            "stopped": number_format(counts[Stage.STOPPED], force_grouping=True),
        }
    else:
        summary = _("No active pilots match the filters.")
    chart = {
        "kind": "bar",
        "labels": [str(cell["stage"].label) for cell in totals],
        "keys": [cell["stage"].value for cell in totals],
        "series": [
            {"key": "pilots", "label": _("Pilots"), "values": [cell["count"] for cell in totals]}
        ],
        "axis": _("Pilots"),
    }
    return {"rows": rows, "total": total, "summary": summary, "chart": chart}


def _themes(
    figures: Figures,
    areas: list[Area],
    themes: Sequence[Theme],
    pilots: dict,
    links: dict[int, str],
    text: NumberText,
) -> dict:
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for row in figures.themes:
        counts[row["area_id"]][row["theme_id"]] = row["pilots"]
    rows = [
        {
            "area": area,
            "area_url": links[area.pk],
            "pilots": pilots.get(area.pk, 0),
            "cells": [counts.get(area.pk, {}).get(theme.pk, 0) for theme in themes],
        }
        for area in areas
    ]
    for row in rows:
        row["html"] = cells(row["cells"])
    totals = [sum(row["cells"][index] for row in rows) for index in range(len(themes))]
    pilot_total = sum(row["pilots"] for row in rows)
    return {
        "themes": themes,
        "rows": rows,
        "totals": totals,
        "totals_text": [text(total) for total in totals],
        "pilots": pilot_total,
        "pilots_text": text(pilot_total),
    }


def _budget(figures: Figures, areas: list[Area], links: dict[int, str], text: NumberText) -> dict:
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in figures.area_stage:
        entry = sums[row["area_id"]]
        for name in ("pilots", "budget", "budget_known", "participants", "participants_known"):
            entry[name] += row[name] or 0
    rows = []
    for area in areas:
        entry = sums.get(area.pk, {})
        budget = entry.get("budget") if entry.get("budget_known") else None
        participants = entry.get("participants") if entry.get("participants_known") else None
        rows.append(
            {
                "area": area,
                "area_url": links[area.pk],
                "pilots": entry.get("pilots", 0),
                "budget": budget,
                "budget_known": entry.get("budget_known", 0),
                "budget_per_1000": per_thousand(budget, area.population, places=0),
                "participants": participants,
                "participants_known": entry.get("participants_known", 0),
                "participants_per_1000": per_thousand(participants, area.population),
                "population": area.population,
            }
        )
    known = [row for row in rows if row["population"]]
    population = sum(row["population"] for row in known)
    budget_known = sum(row["budget"] or 0 for row in known)
    participants_known = sum(row["participants"] or 0 for row in known)
    total = {
        "pilots": sum(row["pilots"] for row in rows),
        "budget": sum(row["budget"] or 0 for row in rows),
        "budget_known": sum(row["budget_known"] for row in rows),
        "budget_per_1000": per_thousand(budget_known, population, places=0),
        "participants": sum(row["participants"] or 0 for row in rows),
        "participants_known": sum(row["participants_known"] for row in rows),
        "participants_per_1000": per_thousand(participants_known, population),
        "population": population or None,
    }
    unknown = format_html(
        '<span aria-hidden="true">–</span><span class="visually-hidden">{}</span>',
        _("population unknown"),
    )
    for row in [*rows, total]:
        has_population = bool(row["population"])
        row["html"] = cells(
            [
                text(row["pilots"]),
                text(row["budget"] or 0),
                text(row["budget_per_1000"]) if has_population else unknown,
                text(row["participants"] or 0),
                text(row["participants_per_1000"], 1) if has_population else unknown,
                text(row["population"]) if has_population else unknown,
            ]
        )
    return {"rows": rows, "total": total, "missing_population": len(rows) - len(known)}


def _progress(figures: Figures, areas: list[Area], links: dict[int, str], text: NumberText) -> dict:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in figures.progress:
        counts[row["area_id"]][row["status"]] = row["indicators"]

    def line(label: str, by_status: dict[str, int], area: Area | None = None) -> dict:
        numbers = [by_status.get(status, 0) for status in STATUS_ORDER]
        shares = percentages(numbers)
        return {
            "area": area,
            "area_url": links[area.pk] if area else "",
            "label": label,
            "total": sum(numbers),
            "cells": [
                {"status": status, "count": count, "share": share}
                for status, count, share in zip(STATUS_ORDER, numbers, shares, strict=True)
            ],
            "html": cells(
                [
                    text(sum(numbers)),
                    *(
                        f"{text(count)} ({text.share(share)})"
                        for count, share in zip(numbers, shares, strict=True)
                    ),
                ],
                "text-end text-nowrap",
            ),
        }

    rows = [line(area.name, counts.get(area.pk, {}), area) for area in areas]
    everywhere: dict[str, int] = defaultdict(int)
    for row in rows:
        for cell in row["cells"]:
            everywhere[cell["status"]] += cell["count"]
    total = line(_("All areas shown"), everywhere)
    charted = sorted(
        (row for row in rows if row["total"]), key=lambda row: (-row["total"], row["label"])
    )[:CHART_AREA_LIMIT]
    chart = {
        "kind": "bar",
        "horizontal": True,
        "stacked": True,
        "percent": True,
        "labels": [total["label"], *(row["label"] for row in charted)],
        "series": [
            {
                "key": status.value,
                "label": str(status.label),
                "values": [float(row["cells"][index]["share"] or 0) for row in (total, *charted)],
            }
            for index, status in enumerate(STATUS_ORDER)
        ],
        "axis": _("Share of indicators (%)"),
    }
    return {
        "rows": rows,
        "total": total,
        "chart": chart,
        "summary": _progress_summary(total),
        "charted": len(charted),
        "all_charted": len(charted) == sum(1 for row in rows if row["total"]),
    }


def _progress_summary(total: dict) -> str:
    if not total["total"]:
        return _("No indicators belong to the pilots that match the filters.")
    shares = {cell["status"]: number_format(cell["share"], 1) for cell in total["cells"]}
    return ngettext(
        "Of %(total)s indicator in the areas shown, %(reached)s %% have reached their target, "
        "%(on_track)s %% are on track, %(off_track)s %% are off track and %(no_data)s %% have "
        "no data yet.",
        "Of %(total)s indicators in the areas shown, %(reached)s %% have reached their target, "
        "%(on_track)s %% are on track, %(off_track)s %% are off track and %(no_data)s %% have "
        "no data yet.",
        total["total"],
    ) % {"total": number_format(total["total"], force_grouping=True), **shares}


def _evidence(figures: Figures) -> dict:
    levels = list(EvidenceLevel)
    by_level: dict[int, int] = defaultdict(int)
    for row in figures.area_stage:
        by_level[row["evidence_level"]] += row["pilots"]
    counts = [by_level[level.value] for level in levels]
    shares = percentages(counts)
    rows = [
        {"level": level, "count": count, "share": share}
        for level, count, share in zip(levels, counts, shares, strict=True)
    ]
    total = sum(counts)
    if total:
        strong = sum(counts[2:])
        common = max(rows, key=lambda row: row["count"])
        summary = _(
            "%(strong)s of %(total)s pilots (%(share)s %%) can show causality or better (level 3 "
            "to 5). The most common level is %(level)s."
        ) % {
            "strong": number_format(strong, force_grouping=True),
            "total": number_format(total, force_grouping=True),
            "share": number_format(sum(shares[2:]), 1),
            "level": common["level"].value,
        }
    else:
        summary = _("No active pilots match the filters.")
    chart = {
        "kind": "bar",
        "labels": [_("Level %(level)s") % {"level": level.value} for level in levels],
        "keys": [f"level-{level.value}" for level in levels],
        "series": [{"key": "pilots", "label": _("Pilots"), "values": counts}],
        "axis": _("Pilots"),
    }
    return {"rows": rows, "total": total, "summary": summary, "chart": chart}


def _stale_rows(figures: Figures, areas_by_id: dict[int, Area]) -> list[dict]:
    stages = dict(Stage.choices)
    return [
        {
            **row,
            "area": areas_by_id.get(row["area_id"]),
            "stage_label": stages.get(row["stage"], row["stage"]),
        }
        for row in figures.stale
    ]


def _describe(filters: Filters, themes: Sequence[Theme]) -> list[str]:
    """The active filters in words, for the printed page."""
    descriptions = []
    if filters.date_from or filters.date_to:
        descriptions.append(
            _("running between %(start)s and %(end)s")
            % {
                "start": filters.date_from.isoformat() if filters.date_from else "…",
                "end": filters.date_to.isoformat() if filters.date_to else "…",
            }
        )
    theme = next((theme for theme in themes if theme.pk == filters.theme_id), None)
    if theme is not None:
        descriptions.append(_("theme %(theme)s") % {"theme": theme.label})
    if filters.municipality:
        descriptions.append(_("municipality %(name)s") % {"name": filters.municipality})
    return descriptions


def _updates(figures: Figures, areas_by_id: dict[int, Area]) -> list[dict]:
    kinds = dict(PilotUpdate.Kind.choices)
    return [
        {
            "kind": row["kind"],
            "kind_label": kinds.get(row["kind"], row["kind"]),
            "created_at": row["created_at"],
            "slug": row["pilot__slug"],
            "title": row["pilot__title"],
            "area": areas_by_id.get(row["pilot__area_id"]),
            "excerpt": row["excerpt"][:EXCERPT_LENGTH]
            + ("…" if len(row["excerpt"]) > EXCERPT_LENGTH else ""),
        }
        for row in figures.updates
    ]


@dataclass
class Dashboard:
    """Everything the page shows, by table."""

    filters: Filters
    filter_descriptions: list[str]
    today: date
    area_stage: dict
    pipeline: dict
    themes: dict
    budget: dict
    progress: dict
    evidence: dict
    stale: list[dict]
    stale_count: int
    updates: list[dict]


def build(
    figures: Figures,
    *,
    areas: Sequence[Area],
    themes: Sequence[Theme],
    filters: Filters,
    today: date,
) -> Dashboard:
    with_pilots = {row["area_id"] for row in figures.area_stage}
    with_pilots |= {row["area_id"] for row in figures.progress}
    shown = _shown_areas(areas, filters, with_pilots)
    areas_by_id = {area.pk: area for area in areas}
    text = NumberText()
    # One address per area, shared by the four tables that list every area.
    links = {area.pk: area.get_absolute_url() for area in shown}
    area_stage = _area_stage(figures, shown, filters, links)
    pilots_by_area = {row["area"].pk: row["total"] for row in area_stage["rows"]}
    return Dashboard(
        filters=filters,
        filter_descriptions=_describe(filters, themes),
        today=today,
        area_stage=area_stage,
        pipeline=_pipeline(area_stage),
        themes=_themes(figures, shown, themes, pilots_by_area, links, text),
        budget=_budget(figures, shown, links, text),
        progress=_progress(figures, shown, links, text),
        evidence=_evidence(figures),
        stale=_stale_rows(figures, areas_by_id),
        stale_count=figures.stale_count,
        updates=_updates(figures, areas_by_id),
    )


# CSV: the same rows as the page's tables -----------------------------------------------------


def _blank(value: object) -> object:
    return "" if value is None else value


def csv_rows(table: str, dashboard: Dashboard) -> Iterator[list[object]]:
    """The header and rows of one dashboard table, as on the page (numbers unformatted)."""
    if table == "area-stage":
        data = dashboard.area_stage
        yield [_("Area"), *(stage.label for stage in data["stages"]), _("Total")]
        for row in data["rows"]:
            yield [row["area"].name, *(cell["count"] for cell in row["cells"]), row["total"]]
        yield [_("All areas shown"), *(cell["count"] for cell in data["totals"]), data["total"]]
    elif table == "pipeline":
        yield [_("Stage"), _("Pilots"), _("Share (%)")]
        for row in dashboard.pipeline["rows"]:
            yield [row["stage"].label, row["count"], _blank(row["share"])]
        yield [_("Total"), dashboard.pipeline["total"], ""]
    elif table == "themes":
        data = dashboard.themes
        yield [_("Area"), _("Pilots"), *(theme.label for theme in data["themes"])]
        for row in data["rows"]:
            yield [row["area"].name, row["pilots"], *row["cells"]]
        yield [_("All areas shown"), data["pilots"], *data["totals"]]
    elif table == "budget":
        yield from _budget_csv(dashboard.budget)
    elif table == "progress":
        data = dashboard.progress
        header = [_("Area"), _("Indicators")]
        for status in STATUS_ORDER:
            header += [status.label, _("%(status)s (%%)") % {"status": status.label}]
        yield header
        for row in [*data["rows"], data["total"]]:
            cells = [
                value for cell in row["cells"] for value in (cell["count"], _blank(cell["share"]))
            ]
            yield [row["label"], row["total"], *cells]
    elif table == "evidence":
        yield [_("Evidence level"), _("Pilots"), _("Share (%)")]
        for row in dashboard.evidence["rows"]:
            yield [row["level"].label, row["count"], _blank(row["share"])]
        yield [_("Total"), dashboard.evidence["total"], ""]
    elif table == "updates":
        yield [_("Date"), _("Kind"), _("Pilot"), _("Area"), _("Text")]
        for row in dashboard.updates:
            area = row["area"].name if row["area"] else ""
            day = timezone.localtime(row["created_at"]).date().isoformat()
            yield [day, row["kind_label"], row["title"], area, row["excerpt"]]
    else:
        raise ValueError(table)


def _budget_csv(data: dict) -> Iterator[list[object]]:
    yield [
        _("Area"),
        _("Pilots"),
        _("Budget (SEK)"),
        _("Pilots with a budget"),
        _("Budget per 1,000 residents (SEK)"),
        _("Participants reached"),
        _("Pilots with participants"),
        _("Participants per 1,000 residents"),
        _("Population"),
    ]
    labelled = [(row["area"].name, row) for row in data["rows"]]
    for label, row in [*labelled, (_("All areas shown"), data["total"])]:
        yield [
            label,
            row["pilots"],
            _blank(row["budget"]),
            row["budget_known"],
            _blank(row["budget_per_1000"]),
            _blank(row["participants"]),
            row["participants_known"],
            _blank(row["participants_per_1000"]),
            _blank(row["population"]),
        ]


def stale_csv_rows(
    filters: Filters,
    today: date,
    areas_by_id: dict[int, Area],
    absolute: Callable[[str], str],
) -> Iterator[list]:
    """Every stale pilot, not only the first ten the page lists; streamed from the database."""
    stages = dict(Stage.choices)
    yield [_("Pilot"), _("Area"), _("Stage"), _("Latest measurement"), _("Address")]
    for row in stale_pilots(filters, today).iterator(chunk_size=2000):
        area = areas_by_id.get(row["area_id"])
        yield [
            row["title"],
            area.name if area else "",
            stages.get(row["stage"], row["stage"]),
            row["last_measured"].isoformat() if row["last_measured"] else "",
            absolute(reverse("pilots:detail", kwargs={"slug": row["slug"]})),
        ]
