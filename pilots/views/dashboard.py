"""The city dashboard and its tables as CSV; everyone signed in may read them."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from areas.models import Area
from pilots import dashboard, progress
from pilots.dashboard import DashboardFilterForm, Filters
from pilots.exports import EchoWriter, guard_formula
from pilots.models import Theme

AREA_FIELDS = ("id", "name", "slug", "municipality", "population", "is_active")
# A spreadsheet would run a cell that starts like a formula; people's text must stay text.


@dataclass
class DashboardInput:
    """What every dashboard response reads first: names, the filter form and the filters."""

    areas: list[Area]
    themes: list[Theme]
    form: DashboardFilterForm
    filters: Filters
    today: date


def _read_filters(request: HttpRequest) -> DashboardInput:
    areas = list(Area.objects.only(*AREA_FIELDS).order_by("name", "pk"))
    themes = list(Theme.objects.order_by("name", "pk"))
    municipalities = sorted({area.municipality for area in areas})
    form = DashboardFilterForm(request.GET or None, themes=themes, municipalities=municipalities)
    filters = dashboard.filters_from(form, areas, themes)
    return DashboardInput(areas, themes, form, filters, timezone.localdate())


def _build(read: DashboardInput) -> dashboard.Dashboard:
    figures = dashboard.cached_figures(read.filters, read.today)
    return dashboard.build(
        figures, areas=read.areas, themes=read.themes, filters=read.filters, today=read.today
    )


@require_safe
def city_dashboard(request: HttpRequest) -> HttpResponse:
    read = _read_filters(request)
    return render(
        request,
        "pilots/dashboard.html",
        {
            "form": read.form,
            "board": _build(read),
            "query": request.GET.urlencode(),
            "tolerance": round(progress.TOLERANCE * 100),
            "stale_days": dashboard.STALE_AFTER.days,
            "list_limit": dashboard.LIST_LIMIT,
        },
    )


def _lines(rows: Iterable[list[object]]) -> Iterator[str]:
    writer = csv.writer(EchoWriter())
    yield "\ufeff"  # so that spreadsheets read the file as UTF-8 (å, ä, ö)
    for row in rows:
        yield writer.writerow([guard_formula(value) for value in row])


@require_safe
def dashboard_table_csv(request: HttpRequest, table: str) -> HttpResponseBase:
    if table not in dashboard.TABLES:
        raise Http404
    read = _read_filters(request)
    if table == "stale":
        # The page lists the first ten; the download has every one, streamed.
        areas_by_id = {area.pk: area for area in read.areas}
        rows = dashboard.stale_csv_rows(
            read.filters, read.today, areas_by_id, request.build_absolute_uri
        )
        response: HttpResponseBase = StreamingHttpResponse(_lines(rows))
    else:
        response = HttpResponse("".join(_lines(dashboard.csv_rows(table, _build(read)))))
    response["Content-Type"] = "text/csv; charset=utf-8"
    filename = f"dashboard-{table}-{read.today.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
