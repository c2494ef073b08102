"""Indicators and measurements on a pilot's page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from pilots.models import Pilot


def panel_context(request: HttpRequest, pilot: Pilot) -> dict[str, object]:
    """What the pilot page's indicator panel needs, in a fixed number of queries."""
    indicators = pilot.indicators.select_related("definition").order_by("definition__code")
    return {"indicators": indicators}


def _not_built_yet(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


indicator_create = indicator_edit = indicator_delete = _not_built_yet
measurement_create = measurement_edit = measurement_delete = _not_built_yet
