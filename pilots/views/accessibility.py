"""The accessibility statement that Swedish law requires of public-sector sites, open to all."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

# The statement must say when the site was last assessed and when the text last changed:
# move these dates on whenever the assessment is redone or the statement is edited.
ASSESSED_ON = date(2026, 11, 25)
UPDATED_ON = date(2026, 11, 25)
DIGG_REPORT_URL = "https://www.digg.se/tdosanmalan"
CITY_URL = "https://malmo.se/"


@login_not_required
@require_safe
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    context = {
        "assessed_on": ASSESSED_ON,
        "updated_on": UPDATED_ON,
        "digg_report_url": DIGG_REPORT_URL,
        "city_url": CITY_URL,
    }
    return render(request, "accessibility.html", context)
