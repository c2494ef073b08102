"""Import measurements from a CSV or XLSX file: preview first, then all or nothing.

The checked rows wait in the session between the preview and the confirmation, so the file is
uploaded once; the confirmation writes them only if the measurements are still as previewed.

A second confirmation of the same preview (a double click, a reload) must neither import twice
nor contradict the first one's success. Which case it meets depends on whether the first request
had saved the session before the second one read it:

- it had: the preview no longer waits, but its id is among the imports this session finished;
- it had not (the usual double click, while the first request is still writing): the preview
  still waits, the service refuses it as stale, and the database already holds exactly its rows.

Either way the answer is the pilot page, where the first confirmation leads too, with a notice
that the import is saved; nothing is written again.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from pilots import importing, services
from pilots.forms_import import MeasurementImportConfirmForm, MeasurementImportForm
from pilots.importing import ExistingMeasurement, ImportRow
from pilots.models import Measurement, Pilot
from pilots.views.access import get_pilot_for_edit

SESSION_KEY = "measurement_imports"
FINISHED_KEY = "measurement_imports_finished"
PENDING_LIFETIME = timedelta(hours=1)
# Each pending import can be large; a few open previews per session are plenty.
MAX_PENDING = 3


@require_http_methods(["GET", "POST"])
def measurement_import(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = get_pilot_for_edit(request, slug)
    if request.method == "POST":
        form = MeasurementImportForm(request.POST, request.FILES)
        if form.is_valid():
            rows = _plan(pilot, form.cleaned_data["rows"])
            counts = importing.action_counts(rows)
            can_confirm = not counts[importing.Action.REJECT]
            context = {
                "pilot": pilot,
                "rows": rows,
                "counts": counts,
                "import_id": _remember(request, pilot, rows) if can_confirm else None,
            }
            return render(request, "pilots/measurement_import_preview.html", context)
    else:
        form = MeasurementImportForm()
    indicators = pilot.indicators.select_related("definition").order_by("definition__code")
    return render(
        request,
        "pilots/measurement_import.html",
        {"pilot": pilot, "form": form, "indicators": indicators},
    )


@require_http_methods(["GET", "POST"])
def measurement_import_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = get_pilot_for_edit(request, slug)
    if request.method != "POST":
        # Nothing to confirm without the preview's form; start from the upload page.
        return redirect("pilots:import", slug=pilot.slug)
    form = MeasurementImportConfirmForm(request.POST)
    import_id = form.cleaned_data["import_id"] if form.is_valid() else ""
    rows = _take(request, pilot, import_id) if import_id else None
    if rows is None:
        if import_id and _was_imported(request, pilot, import_id):
            return _already_imported(request, pilot)
        messages.error(
            request,
            _(
                "This import is no longer waiting for confirmation: it was already confirmed, "
                "it expired, or it belongs to another pilot. Nothing was imported; upload the "
                "file again."
            ),
        )
        return redirect("pilots:import", slug=pilot.slug)
    try:
        created, updated = services.measurements_import(
            pilot=pilot, rows=rows, recorded_by=request.user
        )
    except services.ImportStaleError:
        if _already_written(pilot, rows):
            _remember_imported(request, pilot, import_id)
            return _already_imported(request, pilot)
        messages.error(
            request,
            _(
                "The pilot's indicators or measurements changed after the preview, so nothing "
                "was imported. Upload the file again to see the current state."
            ),
        )
        return redirect("pilots:import", slug=pilot.slug)
    _remember_imported(request, pilot, import_id)
    messages.success(request, _imported_message(created, updated))
    return redirect(pilot)


def _imported_message(created: int, updated: int) -> str:
    total = created + updated
    created_text = ngettext("%(count)d created", "%(count)d created", created)
    updated_text = ngettext("%(count)d updated", "%(count)d updated", updated)
    return ngettext(
        "%(count)d measurement imported: %(created)s, %(updated)s.",
        "%(count)d measurements imported: %(created)s, %(updated)s.",
        total,
    ) % {
        "count": total,
        "created": created_text % {"count": created},
        "updated": updated_text % {"count": updated},
    }


def _already_imported(request: HttpRequest, pilot: Pilot) -> HttpResponse:
    messages.info(request, _("This import has already been saved; nothing was saved twice."))
    return redirect(pilot)


def _remember_imported(request: HttpRequest, pilot: Pilot, import_id: str) -> None:
    finished = _finished(request)
    finished.pop(import_id, None)
    finished[import_id] = pilot.pk
    # The session's JSON keeps the order of insertion: the oldest ids go first.
    request.session[FINISHED_KEY] = dict(list(finished.items())[-MAX_PENDING:])


def _was_imported(request: HttpRequest, pilot: Pilot, import_id: str) -> bool:
    return _finished(request).get(import_id) == pilot.pk


def _finished(request: HttpRequest) -> dict[str, int]:
    finished = request.session.get(FINISHED_KEY)
    return dict(finished) if isinstance(finished, dict) else {}


def _already_written(pilot: Pilot, rows: list[ImportRow]) -> bool:
    """Whether every row's period already holds the row's value and note (one query)."""
    periods = [row.period_end for row in rows if row.period_end is not None]
    if not periods:
        return False
    stored = {
        (indicator_id, period_end): (value, note)
        for indicator_id, period_end, value, note in Measurement.objects.filter(
            indicator__pilot=pilot,
            indicator_id__in={row.indicator_id for row in rows},
            period_end__range=(min(periods), max(periods)),
        ).values_list("indicator_id", "period_end", "value", "note")
    }
    return all(
        stored.get((row.indicator_id, row.period_end)) == (row.value, row.note) for row in rows
    )


def _plan(pilot: Pilot, rows: list[ImportRow]) -> list[ImportRow]:
    """Judge the rows against this pilot's indicators and stored measurements (two queries)."""
    indicators = dict(pilot.indicators.values_list("definition__code", "pk"))
    periods = [row.period_end for row in rows if row.period_end is not None]
    existing: dict[Any, ExistingMeasurement] = {}
    if periods and indicators:
        stored = Measurement.objects.filter(
            indicator__pilot=pilot, period_end__range=(min(periods), max(periods))
        ).values_list("indicator_id", "period_end", "pk", "version", "value")
        existing = {
            (indicator_id, period_end): ExistingMeasurement(id=pk, version=version, value=value)
            for indicator_id, period_end, pk, version, value in stored
        }
    return importing.plan_rows(rows, indicators=indicators, existing=existing)


def _remember(request: HttpRequest, pilot: Pilot, rows: list[ImportRow]) -> str:
    """Keep the previewed rows in the session under a new random id, and return the id."""
    data = importing.rows_to_data(rows)
    pending = _pending(request)
    oldest_first = sorted(pending, key=lambda key: str(pending[key].get("created", "")))
    for old_id in oldest_first[: -MAX_PENDING + 1]:
        del pending[old_id]
    import_id = secrets.token_urlsafe(16)
    pending[import_id] = {
        "pilot_id": pilot.pk,
        "user_id": request.user.pk,
        "created": timezone.now().isoformat(),
        "digest": importing.data_digest(data),
        "rows": data,
    }
    request.session[SESSION_KEY] = pending
    return import_id


def _take(request: HttpRequest, pilot: Pilot, import_id: str) -> list[ImportRow] | None:
    """The rows waiting under import_id for this user and pilot, removed from the session."""
    pending = _pending(request)
    entry = pending.get(import_id)
    if not isinstance(entry, dict) or entry.get("pilot_id") != pilot.pk:
        return None
    del pending[import_id]
    request.session[SESSION_KEY] = pending
    try:
        created = datetime.fromisoformat(entry["created"])
        fresh = timezone.now() - created <= PENDING_LIFETIME
        if not fresh or entry["user_id"] != request.user.pk:
            return None
        if importing.data_digest(entry["rows"]) != entry["digest"]:
            return None
        return importing.rows_from_data(entry["rows"])
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None


def _pending(request: HttpRequest) -> dict[str, dict[str, Any]]:
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict):
        return {}
    return {key: entry for key, entry in pending.items() if isinstance(entry, dict)}
