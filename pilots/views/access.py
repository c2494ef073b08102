"""Lookups that carry the permission check, so a view cannot forget it.

Each answers 404 for a pilot that does not exist and 403 for one the user may not act on.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from pilots import rules as pilot_rules
from pilots.models import Pilot

DETAIL_RELATED = ("area", "lead", "adapted_from", "adapted_from__area")


def get_pilot_for_view(request: HttpRequest, slug: str) -> Pilot:
    pilot = get_object_or_404(Pilot.objects.select_related(*DETAIL_RELATED), slug=slug)
    if not pilot_rules.can_view(request.user, pilot):
        raise PermissionDenied
    return pilot


def get_pilot_for_edit(request: HttpRequest, slug: str) -> Pilot:
    """A pilot the user may change: a member of its area, and the pilot is not archived."""
    pilot = get_object_or_404(Pilot.objects.select_related(*DETAIL_RELATED), slug=slug)
    if not pilot_rules.can_edit(request.user, pilot):
        raise PermissionDenied
    return pilot


def get_pilot_for_decision(request: HttpRequest, slug: str) -> Pilot:
    """A pilot the user may decide on: a lead of its area."""
    pilot = get_object_or_404(Pilot.objects.select_related(*DETAIL_RELATED), slug=slug)
    if not pilot_rules.can_decide(request.user, pilot):
        raise PermissionDenied
    return pilot


def get_pilot_for_archive(request: HttpRequest, slug: str) -> Pilot:
    pilot = get_object_or_404(Pilot.objects.select_related(*DETAIL_RELATED), slug=slug)
    if not request.user.has_perm("pilots.archive_pilot", pilot):
        raise PermissionDenied
    return pilot
