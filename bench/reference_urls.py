"""The portal's URLs, then two reference pages that only `make bench` serves.

They bound what any signed-in page can reach on the machine: `/bench/empty` answers an empty
body (no query of its own, no template), `/bench/layout` the portal's layout with no content.
They come after the portal's patterns, so no portal page resolves any differently.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from malmo_portal.urls import handler500  # noqa: F401 - the portal's error page, here too
from malmo_portal.urls import urlpatterns as portal_urlpatterns


@require_safe
def empty(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"", content_type="text/plain")


@require_safe
def layout(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


urlpatterns = [
    *portal_urlpatterns,
    # bench/run.py measures them by these paths.
    path("bench/empty", empty),
    path("bench/layout", layout),
]
