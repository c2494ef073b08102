"""Request ids: every request gets one, every log line and the error page show it."""

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# An id from a trusted proxy is kept only if it looks like one; anything else is replaced.
_REQUEST_ID_SHAPE = re.compile(r"[A-Za-z0-9._-]{8,64}")
_request_id: ContextVar[str] = ContextVar("request_id", default="-")


def current_request_id() -> str:
    """The id of the request being served in this thread or task, "-" outside requests."""
    return _request_id.get()


class RequestIdMiddleware:
    """Gives every request an id, sends it back in X-Request-ID and puts it in every log line.

    With DJANGO_PROXY_COUNT set, an id that the proxy sent is kept so that its logs and ours
    can be joined; otherwise the portal makes its own.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(REQUEST_ID_HEADER, "") if settings.PROXY_COUNT else ""
        request_id = offered if _REQUEST_ID_SHAPE.fullmatch(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response
