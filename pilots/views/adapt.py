"""Adapt a pilot to one of my areas, and the lineage panel on every pilot's page.

Who may adapt: a member of an area team who has an active area other than the original's to
adapt it into (``rules.adapt_target_areas``: the permission, the link and the form agree). In
the original's own area a new iteration is a stage decision ("iterate") on the same pilot, not
a second pilot, so that area is not offered. Superusers may adapt into any active area. An
archived pilot may be adapted: what was learnt there is still knowledge worth carrying on; the
page says it is archived.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from areas import roles
from pilots import lineage, services
from pilots import rules as pilot_rules
from pilots.forms_adapt import AdaptForm
from pilots.models import Pilot
from pilots.views.access import DETAIL_RELATED


def get_pilot_for_adapt(request: HttpRequest, slug: str) -> Pilot:
    """A pilot the user may adapt: into another area of theirs (404 / 403 otherwise)."""
    pilot = get_object_or_404(Pilot.objects.select_related(*DETAIL_RELATED), slug=slug)
    if not request.user.has_perm("pilots.adapt_pilot", pilot):
        raise PermissionDenied
    return pilot


def _refuse_foreign_area(request: HttpRequest, my_area_ids: set[int]) -> None:
    """403 for a posted area where the user is not a member; bad values go to the form."""
    try:
        area_id = int(request.POST.get("area", ""))
    except ValueError:
        return
    if area_id not in my_area_ids:
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def pilot_adapt(request: HttpRequest, slug: str) -> HttpResponse:
    original = get_pilot_for_adapt(request, slug)
    my_area_ids = set(roles.area_roles(request.user))
    if request.method == "POST" and not request.user.is_superuser:
        _refuse_foreign_area(request, my_area_ids)
    areas = pilot_rules.adapt_target_areas(request.user, original)
    form = AdaptForm(
        request.POST if request.method == "POST" else None,
        original=original,
        areas=areas,
        partner_names=[partner.name for partner in original.partners.all()],
    )
    if request.method == "POST" and form.is_valid():
        try:
            pilot = services.pilot_adapt(
                original=original, user=request.user, **form.service_arguments()
            )
        except services.AdaptationRefusedError:
            form.add_error("area", form.fields["area"].error_messages["invalid_choice"])
        else:
            messages.success(
                request,
                _("“%(title)s” was adapted to %(area)s. Fill in your baselines and targets.")
                % {"title": original.title, "area": pilot.area.name},
            )
            return redirect(pilot)
    existing = original.adaptations.filter(area_id__in=my_area_ids).select_related("area")
    context = {
        "original": original,
        "form": form,
        "has_target_areas": areas.exists(),
        "existing_adaptations": existing.order_by("area__name", "-created_at"),
    }
    return render(request, "pilots/pilot_adapt.html", context)


def panel_context(request: HttpRequest, pilot: Pilot) -> dict[str, object]:
    """What the pilot page needs from this part, in a fixed number of queries (two)."""
    return {"lineage": lineage.lineage_for(pilot)}
