"""Error pages in the portal's layout and language."""

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from malmo_portal.request_id import current_request_id


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # The reason is for developers; users get a plain explanation in their language.
    return render(request, "403_csrf.html", status=403)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The bilingual 500 page, with the request id that the log line carries, and nothing else.

    It is rendered without context processors: whatever broke the page may break them too.
    """
    html = loader.get_template("500.html").render({"request_id": current_request_id()})
    return HttpResponseServerError(html)
