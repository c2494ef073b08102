"""A pilot's journal: updates, attachments and history."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from pilots.models import Pilot


def panel_context(request: HttpRequest, pilot: Pilot) -> dict[str, object]:
    """What the pilot page's journal and attachment panels need, in a fixed number of queries."""
    updates = pilot.updates.select_related("author").order_by("-created_at")[:20]
    return {"updates": updates}


def _not_built_yet(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


update_create = attachment_create = attachment_download = pilot_history = _not_built_yet
