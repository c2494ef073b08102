"""Area pages: the list of areas and one area's context statistics and pilots.

This app never imports ``pilots``: pilot figures come through the reverse relation
``Area.pilots`` and the ORM only.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from areas import roles
from areas.models import Area, AreaStatistic, StatisticKind

ACTIVE_PILOTS = Q(pilots__archived_at__isnull=True)


@require_safe
def area_list(request: HttpRequest) -> HttpResponse:
    areas = (
        Area.objects.active()
        .annotate(
            pilot_count=Count("pilots", filter=ACTIVE_PILOTS),
            participants=Sum("pilots__participants_reached", filter=ACTIVE_PILOTS),
        )
        .order_by("municipality", "name")
    )
    return render(
        request,
        "areas/area_list.html",
        {"areas": areas, "my_area_ids": set(roles.area_roles(request.user))},
    )


# Best first, as on the city dashboard. The codes are the pilots app's Indicator.Status values,
# named here because this app reads them through the ORM only and never imports pilots.
STATUS_ORDER = ("reached", "on_track", "off_track", "no_data")


@require_safe
def area_detail(request: HttpRequest, slug: str) -> HttpResponse:
    area = get_object_or_404(Area, slug=slug)
    pilots = area.pilots.filter(archived_at__isnull=True)
    stage_counts, status_counts = _pilot_counts(pilots)
    return render(
        request,
        "areas/area_detail.html",
        {
            "area": area,
            "statistics": _statistics_table(area),
            "stage_counts": stage_counts,
            "pilot_total": sum(row["count"] for row in stage_counts),
            "status_counts": status_counts,
            "indicator_total": sum(row["count"] for row in status_counts),
            "recent_pilots": pilots.select_related("area").order_by("-updated_at")[:10],
            "role": roles.area_roles(request.user).get(area.pk),
        },
    )


def _pilot_counts(pilots: QuerySet) -> tuple[list[dict], list[dict]]:
    """Pilots by stage and their indicators by status, in one grouped query."""
    stage_field = pilots.model._meta.get_field("stage")
    indicator_model = pilots.model._meta.get_field("indicators").related_model
    status_labels = dict(indicator_model._meta.get_field("status").flatchoices)
    statuses = [code for code in STATUS_ORDER if code in status_labels]
    rows = (
        pilots.order_by()
        .values("stage")
        .annotate(
            pilot_count=Count("id", distinct=True),
            **{
                f"status_{code}": Count("indicators", filter=Q(indicators__status=code))
                for code in statuses
            },
        )
    )
    by_stage = {row["stage"]: row for row in rows}
    stage_counts = [
        {"code": code, "label": label, "count": by_stage.get(code, {}).get("pilot_count", 0)}
        for code, label in stage_field.flatchoices
    ]
    status_counts = [
        {
            "code": code,
            "label": status_labels[code],
            "count": sum(row[f"status_{code}"] for row in by_stage.values()),
        }
        for code in statuses
    ]
    return stage_counts, status_counts


def _statistics_table(area: Area) -> dict[str, object]:
    """Context statistics as rows of kinds and columns of years, and a line chart per kind."""
    rows = (
        AreaStatistic.objects.filter(area=area)
        .select_related("kind")
        .order_by("kind__name", "year")
    )
    years = sorted({row.year for row in rows})
    by_kind: dict[int, dict] = {}
    for row in rows:
        entry = by_kind.setdefault(row.kind_id, {"kind": row.kind, "values": {}, "sources": set()})
        entry["values"][row.year] = row.value
        if row.source:
            entry["sources"].add(row.source)
    table = [
        {
            "kind": entry["kind"],
            "cells": [entry["values"].get(year) for year in years],
            "sources": sorted(entry["sources"]),
            "chart": _statistic_chart(entry["kind"], entry["values"]),
            "summary": _statistic_summary(entry["kind"], entry["values"]),
        }
        for entry in by_kind.values()
    ]
    sources = sorted({source for entry in by_kind.values() for source in entry["sources"]})
    return {"years": years, "rows": table, "sources": sources}


def _statistic_chart(kind: StatisticKind, values: dict[int, Decimal]) -> dict[str, object]:
    label = f"{kind.label} ({kind.unit})" if kind.unit else kind.label
    return {
        "kind": "line",
        "labels": [str(year) for year in values],
        "series": [
            {"key": "value", "label": label, "values": [float(value) for value in values.values()]}
        ],
        "axis": kind.unit,
    }


def _number(value: Decimal) -> str:
    # Written as in the table beside the charts: at most one decimal.
    return floatformat(value, "-1g")


def _statistic_summary(kind: StatisticKind, values: dict[int, Decimal]) -> str:
    years = list(values)
    first_year, last_year = years[0], years[-1]
    unit = f" {kind.unit}" if kind.unit else ""
    if first_year == last_year:
        return _("%(name)s: %(value)s%(unit)s in %(year)s.") % {
            "name": kind.label,
            "value": _number(values[first_year]),
            "unit": unit,
            "year": first_year,
        }
    return _(
        "%(name)s went from %(first)s%(unit)s in %(first_year)s "
        "to %(last)s%(unit)s in %(last_year)s."
    ) % {
        "name": kind.label,
        "first": _number(values[first_year]),
        "last": _number(values[last_year]),
        "unit": unit,
        "first_year": first_year,
        "last_year": last_year,
    }
