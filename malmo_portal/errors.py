"""Error pages in the portal's layout and language."""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from malmo_portal.request_id import current_request_id

# While the database restarts or fails over, come back after this many seconds.
RETRY_AFTER_SECONDS = 5


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # The reason is for developers; users get a plain explanation in their language.
    return render(request, "403_csrf.html", status=403)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The bilingual 500 page, with the request id that the log line carries, and nothing else.

    When the database cannot be reached (the error was about the database and it does not answer
    now either), the answer is 503 with Retry-After instead: users and load balancers are told
    to come back. A missing table or a query timeout stays a 500: waiting would not mend it.
    Both pages are rendered without context processors: what broke may break them too.
    """
    context = {"request_id": current_request_id()}
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError) and not database_answers():
        response = HttpResponse(loader.get_template("503.html").render(context), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render(context))


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True
