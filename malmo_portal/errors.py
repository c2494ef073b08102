"""Error pages in the portal's layout and language."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # The reason is for developers; users get a plain explanation in their language.
    return render(request, "403_csrf.html", status=403)
