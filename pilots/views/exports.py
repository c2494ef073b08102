"""Placeholder module; replaced by the exports pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def _not_built_yet(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


pilot_list_csv = pilot_list_xlsx = _not_built_yet
