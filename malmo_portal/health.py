"""Liveness and readiness endpoints for operations; open without login."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """The process answers; touches no database, cache or file."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """The process can serve requests: the database answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


class HealthCheckMiddleware:
    """Answers the health checks before sessions, authentication and host checks run.

    A probe that carries a session cookie must not touch the database for liveness, and load
    balancers often call with an IP address as the host.
    """

    def __init__(self, get_response: Callable[[HttpRequest], JsonResponse]) -> None:
        self.get_response = get_response
        self.views = {"/healthz/live": live, "/healthz/ready": ready}

    def __call__(self, request: HttpRequest) -> JsonResponse:
        view = self.views.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)
