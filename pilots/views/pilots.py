"""Pilot pages: home, the list, one pilot, and creating, editing and archiving pilots."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from areas import roles
from areas.models import Area
from pilots import attention, services
from pilots import rules as pilot_rules
from pilots.filters import PilotFilter
from pilots.forms import ArchiveForm, PilotForm
from pilots.models import Pilot
from pilots.views import adapt, dashboard, decisions, indicators, journal
from pilots.views.access import get_pilot_for_archive, get_pilot_for_edit, get_pilot_for_view

PAGE_SIZE = 25
ATTENTION_LIMIT = 10


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    my_area_ids = set(roles.area_roles(request.user))
    if not my_area_ids and roles.is_official(request.user):
        # Officials belong to no area team: their start page is the city dashboard.
        return dashboard.city_dashboard(request)
    mine = Pilot.objects.active().in_areas(my_area_ids)
    today = timezone.localdate()
    stale = (
        attention.stale_pilots(mine, today)
        .select_related("area")
        .order_by("last_measured", "title")
    )
    overdue = attention.overdue_pilots(mine, today).select_related("area").order_by("end_date")
    incomplete = (
        attention.incomplete_indicators(mine)
        .select_related("pilot", "definition")
        .order_by("pilot__title", "definition__code")
    )
    return render(
        request,
        "pilots/home.html",
        {
            "my_areas": Area.objects.filter(pk__in=my_area_ids),
            "my_pilots": mine.select_related("area").order_by("-updated_at")[:20],
            "stale": stale[:ATTENTION_LIMIT],
            "overdue": overdue[:ATTENTION_LIMIT],
            "incomplete": incomplete[:ATTENTION_LIMIT],
            "is_official": roles.is_official(request.user),
            "can_create": request.user.has_perm("pilots.create_pilot"),
        },
    )


@require_safe
def pilot_list(request: HttpRequest) -> HttpResponse:
    pilots = Pilot.objects.active().select_related("area")
    filterset = PilotFilter(request.GET or None, queryset=pilots)
    results = filterset.qs
    # A stable tie-breaker keeps pages from repeating or skipping rows.
    ordering = (*(results.query.order_by or ["-updated_at"]), "pk")
    page = Paginator(results.order_by(*ordering).values("pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # The page's ids come from the index alone (a subquery), then only those rows are read: a
    # deep page no longer fetches every row it skips (page 400 of 20,000 pilots: 7.5 → 1.4 ms).
    page.object_list = (
        Pilot.objects.select_related("area").filter(pk__in=page.object_list).order_by(*ordering)
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pilots/pilot_list.html",
        {
            "page": page,
            "filter": filterset,
            "query_prefix": f"{query.urlencode()}&" if query else "",
            "can_create": request.user.has_perm("pilots.create_pilot"),
        },
    )


@require_safe
def pilot_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = get_pilot_for_view(request, slug)
    context = {
        "pilot": pilot,
        "themes": pilot.themes.all(),
        "partners": pilot.partners.all(),
        "can_edit": pilot_rules.can_edit(request.user, pilot),
        "can_decide": pilot_rules.can_decide(request.user, pilot),
        "can_archive": request.user.has_perm("pilots.archive_pilot", pilot),
        "can_adapt": request.user.has_perm("pilots.adapt_pilot", pilot),
        "can_share": request.user.has_perm("pilots.share_pilot", pilot),
    }
    context |= indicators.panel_context(request, pilot)
    context |= journal.panel_context(request, pilot)
    context |= decisions.panel_context(request, pilot)
    context |= adapt.panel_context(request, pilot)
    return render(request, "pilots/pilot_detail.html", context)


@require_http_methods(["GET", "POST"])
def pilot_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("pilots.create_pilot"):
        raise PermissionDenied
    # An empty post (or one sent as JSON) is still a post: it gets the form's messages.
    form = PilotForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        pilot = services.pilot_create(
            pilot=form.save(commit=False),
            themes=form.cleaned_data["themes"],
            partners=form.cleaned_data["partners"],
            user=request.user,
        )
        messages.success(request, _("The pilot “%(title)s” was created.") % {"title": pilot})
        return redirect(pilot)
    return render(request, "pilots/pilot_form.html", {"form": form, "pilot": None})


@require_http_methods(["GET", "POST"])
def pilot_edit(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = get_pilot_for_edit(request, slug)
    data = request.POST if request.method == "POST" else None
    form = PilotForm(data, instance=pilot, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.pilot_update(
                pilot=form.save(commit=False),
                expected_version=form.expected_version(),
                themes=form.cleaned_data["themes"],
                partners=form.cleaned_data["partners"],
            )
        except services.ConcurrentEditError:
            form.refuse_as_outdated(
                _(
                    "Someone else saved this pilot while you were editing it, so your changes "
                    "were not saved. Your text is still below: open the pilot in a new tab to "
                    "see their version, copy what you need, and save again."
                ),
                pilot,
            )
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect(pilot)
    return render(request, "pilots/pilot_form.html", {"form": form, "pilot": pilot})


@require_http_methods(["GET", "POST"])
def pilot_archive(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = get_pilot_for_archive(request, slug)
    if pilot.is_archived:
        messages.info(request, _("This pilot is already archived."))
        return redirect(pilot)
    form = ArchiveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.pilot_archive(pilot=pilot)
        messages.success(request, _("The pilot was archived. Its data and history are kept."))
        return redirect(pilot)
    return render(request, "pilots/pilot_archive.html", {"form": form, "pilot": pilot})
