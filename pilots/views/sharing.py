"""Sharing a pilot: share links for people without an account, and the printable pilot card.

A share link's token is a secret: it never goes into a message, a log line or a redirect that
the portal writes. (The web server's access log still records the paths of /s/<token>/ pages.)
The public page shows the pilot without internal notes, names of the team or private files, and
hides small counts of people so that no resident can be identified.
"""

from __future__ import annotations

import hmac
import logging
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from pilots import services
from pilots.forms_sharing import ShareLinkForm
from pilots.models import Attachment, Indicator, IndicatorDefinition, Measurement, Pilot, ShareLink
from pilots.views.access import get_pilot_for_view
from pilots.views.journal import CONTENT_TYPES, FALLBACK_CONTENT_TYPE

logger = logging.getLogger(__name__)

# The shape of every token the portal makes (secrets.token_urlsafe); anything else is looked up
# as a stand-in that no token can equal, so a malformed token costs the same work as a wrong one.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")
STAND_IN = "!"  # outside the token alphabet
SHOWN_ONCE_KEY = "share_link_created"

# Counts of people below this are shown as "fewer than 5" on the public page.
SMALL_COUNT_LIMIT = 5
# Indicator units that count people (compared case-insensitively); values of such indicators
# follow the small-count rule, like the pilot's participants reached.
PERSON_UNITS = frozenset(
    {
        "personer",
        "person",
        "persons",
        "people",
        "deltagare",
        "participants",
        "elever",
        "pupils",
        "students",
        "barn",
        "children",
        "unga",
        "ungdomar",
        "young people",
        "boende",
        "residents",
        "individer",
        "individuals",
        "hushåll",
        "households",
        "familjer",
        "families",
    }
)

CARD_TEXT_LIMITS = {"need": 550, "approach": 800, "lessons": 650}
CARD_INDICATOR_LIMIT = 6


# Managing links -----------------------------------------------------------------------------


def _get_pilot_for_share(request: HttpRequest, slug: str) -> Pilot:
    """A pilot the user may share: a member of its area. 404 if unknown, else 403."""
    pilot = get_object_or_404(Pilot.objects.select_related("area"), slug=slug)
    if not request.user.has_perm("pilots.share_pilot", pilot):
        raise PermissionDenied
    return pilot


def share_url(request: HttpRequest, link: ShareLink) -> str:
    return request.build_absolute_uri(reverse("share", kwargs={"token": link.token}))


@never_cache  # the page may show a new link's address: no copy of it in any cache
@require_http_methods(["GET", "POST"])
def pilot_share(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = _get_pilot_for_share(request, slug)
    form = ShareLinkForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        link = services.share_link_create(
            pilot=pilot, user=request.user, expires_at=form.cleaned_data["expires_at"]
        )
        # The address is shown once, on the page after the redirect; never in a message.
        request.session[SHOWN_ONCE_KEY] = link.pk
        messages.success(request, _("The share link was created. Copy it now: it is shown once."))
        return redirect("pilots:share", slug=pilot.slug)
    links = list(pilot.share_links.select_related("created_by").order_by("-created_at", "-pk"))
    created_pk = None if form.is_bound else request.session.pop(SHOWN_ONCE_KEY, None)
    created = next((link for link in links if link.pk == created_pk and link.is_valid), None)
    context = {
        "pilot": pilot,
        "form": form,
        "links": links,
        "created_link": created,
        "created_url": share_url(request, created) if created else "",
    }
    return render(request, "pilots/pilot_share.html", context)


@require_http_methods(["GET", "POST"])
def share_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pilot = _get_pilot_for_share(request, slug)
    link = get_object_or_404(pilot.share_links.select_related("created_by"), pk=pk)
    if request.method == "POST":
        services.share_link_revoke(link=link)
        messages.success(request, _("The link was revoked: it no longer opens the pilot."))
        return redirect("pilots:share", slug=pilot.slug)
    return render(request, "pilots/sharelink_confirm_revoke.html", {"pilot": pilot, "link": link})


# The public page ----------------------------------------------------------------------------


def _valid_link(token: str) -> ShareLink | None:
    """The link for this token if it works, else None; the same steps whatever the reason.

    One indexed equality query finds the candidate; a constant-time comparison confirms it, so
    neither a database's collation nor an early exit in a string comparison can tell apart
    tokens that almost match.
    """
    candidate = token if TOKEN_SHAPE.fullmatch(token) else STAND_IN
    link = ShareLink.objects.select_related("pilot__area").filter(token=candidate).first()
    stored = link.token if link is not None else STAND_IN
    matches = hmac.compare_digest(stored.encode(), candidate.encode())
    if link is None or not matches or not link.is_valid:
        return None
    return link


def _private(response: HttpResponse) -> HttpResponse:
    """Keep share pages out of search engines, caches and other sites' Referer headers."""
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    patch_cache_control(response, private=True, no_store=True)
    return response


def _unavailable(request: HttpRequest) -> HttpResponse:
    """One answer for unknown, revoked and expired links alike: nothing tells them apart."""
    response = render(request, "pilots/shared_pilot_unavailable.html", status=404)
    # Django logs every 404 with its path, and this path holds a token, perhaps a working one
    # with a typo: log the event without it, and mark the response as logged.
    logger.warning("A share link that does not work was opened.")
    response._has_been_logged = True
    return _private(response)


def counts_people(definition: IndicatorDefinition) -> bool:
    return definition.unit.strip().casefold() in PERSON_UNITS


def is_small(value: Decimal | int | None) -> bool:
    return value is not None and value < SMALL_COUNT_LIMIT


def shown_count(value: Decimal | int | None, *, people: bool = True) -> str:
    """A number as the public page shows it: small counts of people are not given exactly."""
    if value is None:
        return "–"
    if people and is_small(value):
        return _("fewer than 5")
    return floatformat(value, "-2g")


@dataclass
class PublicIndicator:
    """An indicator as the public page shows it, every number already passed through the rule."""

    indicator: Indicator
    baseline: str
    current: str
    target: str
    rows: list[tuple[date, str]]  # (period end, value), latest first
    counts_people: bool


def _public_indicator(indicator: Indicator, measurements: list[Measurement]) -> PublicIndicator:
    people = counts_people(indicator.definition)
    current = shown_count(indicator.current_value, people=people)
    combines = indicator.definition.aggregation != IndicatorDefinition.Aggregation.LATEST
    if people and combines and any(is_small(m.value) for m in measurements):
        # A total or mean beside the other, exact values would give the small one away.
        current = _("not shown")
    return PublicIndicator(
        indicator=indicator,
        baseline=shown_count(indicator.baseline_value, people=people),
        current=current,
        target=shown_count(indicator.target_value, people=people),
        rows=[(m.period_end, shown_count(m.value, people=people)) for m in measurements],
        counts_people=people,
    )


def _public_indicators(pilot: Pilot) -> list[PublicIndicator]:
    """Two queries whatever the number of indicators and measurements."""
    indicators = list(pilot.indicators.select_related("definition").order_by("definition__code"))
    by_indicator: dict[int, list[Measurement]] = {indicator.pk: [] for indicator in indicators}
    for measurement in Measurement.objects.filter(indicator__pilot=pilot).order_by(
        "-period_end", "-pk"
    ):
        by_indicator[measurement.indicator_id].append(measurement)
    return [_public_indicator(indicator, by_indicator[indicator.pk]) for indicator in indicators]


def _language_switched(request: HttpRequest, language: str) -> HttpResponse:
    """Back to the same page in the chosen language, as Django's set_language would answer.

    Share pages send no Referer, so browsers post their forms with an Origin of "null", which
    the CSRF check refuses; the share page's language buttons therefore come here by GET.
    """
    response = redirect(request.path)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return _private(response)


@login_not_required
@require_GET
def shared_pilot(request: HttpRequest, token: str) -> HttpResponse:
    link = _valid_link(token)
    if link is None:
        return _unavailable(request)
    language = request.GET.get("language", "")
    if language in dict(settings.LANGUAGES):
        return _language_switched(request, language)
    pilot = link.pilot
    attachments = pilot.attachments.filter(is_public=True).order_by("-uploaded_at", "-pk")
    context = {
        "pilot": pilot,
        "link": link,
        "participants": shown_count(pilot.participants_reached),
        "themes": pilot.themes.all(),
        "partners": pilot.partners.all(),
        "indicators": _public_indicators(pilot),
        "attachments": [
            (attachment, PurePath(attachment.file.name).suffix.lstrip(".").upper())
            for attachment in attachments
        ],
    }
    return _private(render(request, "pilots/shared_pilot.html", context))


@login_not_required
@require_GET
def shared_attachment(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    """A public file of the shared pilot; private files and other pilots' files answer 404."""
    link = _valid_link(token)
    public_files = Attachment.objects.filter(is_public=True)
    attachment = None if link is None else public_files.filter(pk=pk, pilot=link.pilot).first()
    if attachment is None:
        return _unavailable(request)
    try:
        handle = attachment.file.open("rb")
    except (OSError, ValueError):
        return _unavailable(request)
    name = PurePath(attachment.file.name).name
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES.get(PurePath(name).suffix.lower(), FALLBACK_CONTENT_TYPE),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)


# The pilot card -----------------------------------------------------------------------------


def _clipped(text: str, limit: int) -> tuple[str, bool]:
    """The text on one paragraph, shortened at a word to fit the card; and whether it was cut.

    Line breaks go too: a text of many short lines would otherwise spill onto a second page.
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat, False
    cut = flat[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:–-") + "…", True


@require_GET
def pilot_card(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = get_pilot_for_view(request, slug)
    texts = {name: _clipped(getattr(pilot, name), cut) for name, cut in CARD_TEXT_LIMITS.items()}
    indicators = list(
        pilot.indicators.select_related("definition").order_by("definition__code")[
            : CARD_INDICATOR_LIMIT + 1
        ]
    )
    context = {
        "pilot": pilot,
        "need": texts["need"][0],
        "approach": texts["approach"][0],
        "lessons": texts["lessons"][0],
        "shortened": any(cut for _text, cut in texts.values()),
        "indicators": indicators[:CARD_INDICATOR_LIMIT],
        "more_indicators": len(indicators) > CARD_INDICATOR_LIMIT,
        "pilot_url": request.build_absolute_uri(pilot.get_absolute_url()),
    }
    return render(request, "pilots/pilot_card.html", context)
