"""The library of what worked: transfer-ready pilots by readiness, the register of what was
stopped and why, and the open-data exports of shared pilots."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from pilots import library as selectors
from pilots.filters_library import LibraryFilter
from pilots.models import Pilot

PAGE_SIZE = 25


@require_safe
def library(request: HttpRequest) -> HttpResponse:
    filterset = LibraryFilter(request.GET or None, queryset=Pilot.objects.select_related("area"))
    found = filterset.qs
    page = selectors.ranked_page(found, request.GET.get("page"), per_page=PAGE_SIZE)
    stopped = selectors.stopped_register(found)
    stopped_page = Paginator(stopped, PAGE_SIZE).get_page(request.GET.get("stopped_page"))
    return render(
        request,
        "pilots/library.html",
        {
            "filter": filterset,
            "page": page,
            "stopped_page": stopped_page,
            "page_prefix": _query_without(request, "page"),
            "stopped_prefix": _query_without(request, "stopped_page"),
            "score": selectors.SCORE,
            "is_filtered": any(request.GET.get(name) for name in filterset.filters),
        },
    )


def _query_without(request: HttpRequest, name: str) -> str:
    """The current query string without one page number, ready to take a new one."""
    query = request.GET.copy()
    query.pop(name, None)
    return f"{query.urlencode()}&" if query else ""


@require_safe
def library_export_json(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        selectors.open_data_json(), content_type="application/json; charset=utf-8"
    )
    return _as_download(response, "json")


@require_safe
def library_export_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        selectors.open_data_csv(), content_type="text/csv; charset=utf-8"
    )
    return _as_download(response, "csv")


def _as_download(response: StreamingHttpResponse, extension: str) -> StreamingHttpResponse:
    filename = f"pilot-library-open-data-{timezone.localdate():%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
