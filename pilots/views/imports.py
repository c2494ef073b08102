"""Import measurements from a CSV or XLSX file: preview first, then all or nothing."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def _not_built_yet(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


measurement_import = measurement_import_confirm = _not_built_yet
