"""Area pages: the list of areas and one area's context statistics and pilots.

This app never imports ``pilots``: pilot figures come through the reverse relation
``Area.pilots`` and the ORM only.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from areas import roles
from areas.models import Area, AreaStatistic

ACTIVE_PILOTS = Q(pilots__archived_at__isnull=True)


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


def area_detail(request: HttpRequest, slug: str) -> HttpResponse:
    area = get_object_or_404(Area, slug=slug)
    pilots = area.pilots.filter(archived_at__isnull=True)
    stage_field = pilots.model._meta.get_field("stage")
    counts = dict(pilots.order_by().values_list("stage").annotate(n=Count("id")))
    stage_counts = [
        {"code": code, "label": label, "count": counts.get(code, 0)}
        for code, label in stage_field.flatchoices
    ]
    return render(
        request,
        "areas/area_detail.html",
        {
            "area": area,
            "statistics": _statistics_table(area),
            "stage_counts": stage_counts,
            "pilot_total": sum(counts.values()),
            "recent_pilots": pilots.select_related("area").order_by("-updated_at")[:10],
            "role": roles.area_roles(request.user).get(area.pk),
        },
    )


def _statistics_table(area: Area) -> dict[str, object]:
    """Context statistics as rows of kinds and columns of years."""
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
        }
        for entry in by_kind.values()
    ]
    sources = sorted({source for entry in by_kind.values() for source in entry["sources"]})
    return {"years": years, "rows": table, "sources": sources}
