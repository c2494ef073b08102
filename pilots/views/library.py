"""Placeholder module; replaced by the library pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from pilots.models import Pilot


def panel_context(request: HttpRequest, pilot: Pilot) -> dict[str, object]:
    """What the pilot page needs from this part, in a fixed number of queries."""
    return {}


def _not_built_yet(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


library = library_export_json = library_export_csv = _not_built_yet
