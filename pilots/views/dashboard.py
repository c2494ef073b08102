"""Placeholder module; replaced by the dashboard pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def _not_built_yet(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


city_dashboard = dashboard_table_csv = _not_built_yet
