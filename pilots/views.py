"""Pilot pages: home, the list of pilots and one pilot."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from areas import roles
from areas.models import Area
from pilots import rules as pilot_rules
from pilots.models import Pilot, Stage

PAGE_SIZE = 25


def home(request: HttpRequest) -> HttpResponse:
    my_area_ids = set(roles.area_roles(request.user))
    my_pilots = (
        Pilot.objects.active()
        .in_areas(my_area_ids)
        .select_related("area")
        .order_by("-updated_at")[:20]
    )
    return render(
        request,
        "pilots/home.html",
        {
            "my_areas": Area.objects.filter(pk__in=my_area_ids),
            "my_pilots": my_pilots,
            "is_official": roles.is_official(request.user),
        },
    )


def pilot_list(request: HttpRequest) -> HttpResponse:
    pilots = Pilot.objects.active().select_related("area").order_by("-updated_at", "pk")
    area = None
    if area_slug := request.GET.get("area"):
        area = Area.objects.filter(slug=area_slug).first()
        pilots = pilots.filter(area=area) if area else pilots.none()
    if (stage := request.GET.get("stage")) in Stage.values:
        pilots = pilots.filter(stage=stage)
    page = Paginator(pilots, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pilots/pilot_list.html",
        {"page": page, "area": area, "query_prefix": f"{query.urlencode()}&" if query else ""},
    )


def _get_pilot_for_view(request: HttpRequest, slug: str) -> Pilot:
    pilot = get_object_or_404(
        Pilot.objects.select_related("area", "lead", "adapted_from"), slug=slug
    )
    # Every signed-in user may read every pilot; the check stays here so it cannot be skipped.
    if not pilot_rules.can_view(request.user, pilot):
        raise PermissionDenied
    return pilot


def pilot_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = _get_pilot_for_view(request, slug)
    indicators = pilot.indicators.select_related("definition").order_by("definition__code")
    updates = pilot.updates.select_related("author").order_by("-created_at")[:20]
    return render(
        request,
        "pilots/pilot_detail.html",
        {
            "pilot": pilot,
            "indicators": indicators,
            "updates": updates,
            "themes": pilot.themes.all(),
            "partners": pilot.partners.all(),
            "adaptations": pilot.adaptations.active().select_related("area"),
            "can_edit": pilot_rules.can_edit(request.user, pilot),
        },
    )
