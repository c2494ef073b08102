"""Indicators and measurements on a pilot's page: add, edit, remove, and record in two clicks.

Recording a measurement works as a plain form post (redirect back to the pilot page) and, with
htmx, as an in-place update of the one indicator's block. Every write goes through a service that
refreshes the indicator's stored progress.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pilots import rules as pilot_rules
from pilots import services
from pilots.forms_indicators import IndicatorForm, MeasurementForm
from pilots.models import Indicator, IndicatorDefinition, Measurement, Pilot
from pilots.views.access import get_pilot_for_edit


@dataclass
class IndicatorBlock:
    """One indicator as the pilot page shows it: figures, chart data, measurements, a form."""

    indicator: Indicator
    measurements: list[Measurement]  # latest first
    chart: dict[str, object]
    summary: str
    progress_percent: int | None
    form: MeasurementForm | None

    @property
    def chart_data_id(self) -> str:
        return f"indicator-{self.indicator.pk}-chart-data"

    @property
    def progress_bar(self) -> int:
        """The progress bar cannot show values beyond the baseline or the target."""
        return min(max(self.progress_percent or 0, 0), 100)


def _amount(value: object, unit: str) -> str:
    if value is None:
        return _("not set")
    number = floatformat(value, "-2g")
    return f"{number} {unit}" if unit else number


def _summary(indicator: Indicator, progress_percent: int | None) -> str:
    """One sentence with the same numbers as the chart, for everyone and for screen readers."""
    unit = indicator.definition.unit
    numbers = {
        "baseline": _amount(indicator.baseline_value, unit),
        "current": _amount(indicator.current_value, unit),
        "target": _amount(indicator.target_value, unit),
        "status": indicator.get_status_display(),
        "percent": floatformat(progress_percent, "0g"),
    }
    if indicator.measurement_count:
        text = _("Baseline %(baseline)s, now %(current)s, target %(target)s.") % numbers
    else:
        text = _("Baseline %(baseline)s, target %(target)s, no measurements yet.") % numbers
    if progress_percent is None:
        return text + " " + _("Status: %(status)s.") % numbers
    return text + " " + _("Status: %(status)s, %(percent)s %% of the way to the target.") % numbers


def _chart(indicator: Indicator, measurements: list[Measurement]) -> dict[str, object]:
    """Chart.js input: measurements over time, with the baseline and target as lines."""
    chronological = list(reversed(measurements))
    values = [float(measurement.value) for measurement in chronological]
    is_sum = indicator.definition.aggregation == IndicatorDefinition.Aggregation.SUM
    if is_sum:
        # A target for a sum is a total, so the chart shows the running total.
        running = 0.0
        values = [running := running + value for value in values]
    return {
        "labels": [formats.date_format(m.period_end, "SHORT_DATE_FORMAT") for m in chronological],
        "values": values,
        "baseline": None if indicator.baseline_value is None else float(indicator.baseline_value),
        "target": None if indicator.target_value is None else float(indicator.target_value),
        "names": {
            "values": _("Running total") if is_sum else _("Measured"),
            "baseline": _("Baseline"),
            "target": _("Target"),
        },
    }


def _block(
    indicator: Indicator,
    measurements: list[Measurement],
    form: MeasurementForm | None,
    *,
    focus: bool = False,
) -> IndicatorBlock:
    percent = None if indicator.progress is None else round(indicator.progress * 100)
    if form is not None:
        form.prepare_inline(focus=focus)
    return IndicatorBlock(
        indicator=indicator,
        measurements=measurements,
        chart=_chart(indicator, measurements),
        summary=_summary(indicator, percent),
        progress_percent=percent,
        form=form,
    )


def _new_measurement_form(indicator: Indicator, data: object = None) -> MeasurementForm:
    return MeasurementForm(data, indicator=indicator, prefix=f"m{indicator.pk}")


def panel_context(request: HttpRequest, pilot: Pilot) -> dict[str, object]:
    """What the pilot page's indicator panel needs, in a fixed number of queries.

    Two queries whatever the number of indicators and measurements: the indicators with their
    definitions, then all the pilot's measurements, grouped here.
    """
    indicators = list(pilot.indicators.select_related("definition").order_by("definition__code"))
    by_indicator: dict[int, list[Measurement]] = defaultdict(list)
    for measurement in Measurement.objects.filter(indicator__pilot=pilot).order_by(
        "-period_end", "-pk"
    ):
        by_indicator[measurement.indicator_id].append(measurement)
    can_edit = pilot_rules.can_edit(request.user, pilot)
    blocks = [
        _block(
            indicator,
            by_indicator[indicator.pk],
            _new_measurement_form(indicator) if can_edit else None,
        )
        for indicator in indicators
    ]
    return {"indicators": indicators, "indicator_blocks": blocks}


def _indicator_for_edit(request: HttpRequest, slug: str, pk: int) -> tuple[Pilot, Indicator]:
    """403 unless the user may edit the pilot; 404 unless the indicator belongs to it."""
    pilot = get_pilot_for_edit(request, slug)
    indicator = get_object_or_404(
        Indicator.objects.select_related("definition"), pk=pk, pilot=pilot
    )
    indicator.pilot = pilot
    return pilot, indicator


def _measurement_for_edit(request: HttpRequest, slug: str, pk: int) -> tuple[Pilot, Measurement]:
    pilot = get_pilot_for_edit(request, slug)
    measurement = get_object_or_404(
        Measurement.objects.select_related("indicator__definition"), pk=pk, indicator__pilot=pilot
    )
    measurement.indicator.pilot = pilot
    return pilot, measurement


def _back_to(pilot: Pilot, indicator: Indicator | None = None) -> str:
    anchor = f"#indicator-{indicator.pk}" if indicator else "#indicators-heading"
    return pilot.get_absolute_url() + anchor


def _conflict_message(model: type[Indicator] | type[Measurement]) -> str:
    if model is Indicator:
        return _(
            "Someone else saved this indicator while you were editing it, so your changes were "
            "not saved. What you typed is still below: compare it with the pilot page, then "
            "save again to keep your version."
        )
    return _(
        "Someone else saved this measurement while you were editing it, so your changes were "
        "not saved. What you typed is still below: compare it with the pilot page, then save "
        "again to keep your version."
    )


def _duplicate_period_message() -> str:
    return _(
        "There is already a measurement for this period end. Nothing was overwritten: edit the "
        "existing measurement or choose another date."
    )


@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = get_pilot_for_edit(request, slug)
    form = IndicatorForm(request.POST if request.method == "POST" else None, pilot=pilot)
    if form.is_bound and form.is_valid():
        try:
            indicator = services.indicator_create(indicator=form.save(commit=False))
        except services.DuplicateIndicatorError:
            form.add_error("definition", _("This pilot already follows this indicator."))
        else:
            messages.success(
                request, _("The indicator “%(name)s” was added.") % {"name": indicator.definition}
            )
            return redirect(_back_to(pilot, indicator))
    return render(
        request, "pilots/indicator_form.html", {"form": form, "pilot": pilot, "indicator": None}
    )


@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pilot, indicator = _indicator_for_edit(request, slug, pk)
    data = request.POST if request.method == "POST" else None
    form = IndicatorForm(data, instance=indicator, pilot=pilot)
    if form.is_bound and form.is_valid():
        try:
            services.indicator_update(
                indicator=form.save(commit=False), expected_version=form.expected_version()
            )
        except services.ConcurrentEditError:
            form.refuse_as_outdated(_conflict_message(Indicator), indicator)
        else:
            messages.success(request, _("The baseline and target were saved."))
            return redirect(_back_to(pilot, indicator))
    return render(
        request,
        "pilots/indicator_form.html",
        {"form": form, "pilot": pilot, "indicator": indicator},
    )


@require_http_methods(["GET", "POST"])
def indicator_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pilot, indicator = _indicator_for_edit(request, slug, pk)
    if request.method == "POST":
        services.indicator_delete(indicator=indicator)
        messages.success(
            request,
            _("The indicator “%(name)s” and its measurements were removed.")
            % {"name": indicator.definition},
        )
        return redirect(_back_to(pilot))
    return render(
        request, "pilots/indicator_confirm_delete.html", {"pilot": pilot, "indicator": indicator}
    )


def _indicator_block_response(
    request: HttpRequest,
    pilot: Pilot,
    indicator: Indicator,
    form: MeasurementForm | None = None,
    saved: str = "",
) -> HttpResponse:
    """The indicator's block alone, for htmx to swap in place of the old one."""
    measurements = list(indicator.measurements.order_by("-period_end", "-pk"))
    block = _block(indicator, measurements, form or _new_measurement_form(indicator), focus=True)
    announcement = saved or _("The measurement was not saved. Please correct the form.")
    context = {
        "pilot": pilot,
        "block": block,
        "can_edit": True,
        "saved": saved,
        "announcement": announcement,
        "swapped": True,
    }
    return render(request, "pilots/_indicator_block.html", context)


@require_http_methods(["GET", "POST"])
def measurement_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pilot, indicator = _indicator_for_edit(request, slug, pk)
    form = _new_measurement_form(indicator, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            measurement = services.measurement_create(
                indicator=indicator, recorded_by=request.user, **form.cleaned_data_for_service()
            )
        except services.DuplicatePeriodError:
            form.add_error("period_end", _duplicate_period_message())
        else:
            saved = _("The measurement for %(date)s was saved.") % {
                "date": formats.date_format(measurement.period_end, "SHORT_DATE_FORMAT")
            }
            if request.htmx:
                return _indicator_block_response(request, pilot, indicator, saved=saved)
            messages.success(request, saved)
            return redirect(_back_to(pilot, indicator))
    if request.htmx:
        return _indicator_block_response(request, pilot, indicator, form=form)
    context = {"form": form, "pilot": pilot, "indicator": indicator, "measurement": None}
    return render(request, "pilots/measurement_form.html", context)


@require_http_methods(["GET", "POST"])
def measurement_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pilot, measurement = _measurement_for_edit(request, slug, pk)
    indicator = measurement.indicator
    data = request.POST if request.method == "POST" else None
    form = MeasurementForm(data, instance=measurement, indicator=indicator)
    if form.is_bound and form.is_valid():
        try:
            services.measurement_update(
                measurement=form.save(commit=False), expected_version=form.expected_version()
            )
        except services.ConcurrentEditError:
            form.refuse_as_outdated(_conflict_message(Measurement), measurement)
        except services.DuplicatePeriodError:
            form.add_error("period_end", _duplicate_period_message())
        else:
            messages.success(request, _("The measurement was saved."))
            return redirect(_back_to(pilot, indicator))
    context = {"form": form, "pilot": pilot, "indicator": indicator, "measurement": measurement}
    return render(request, "pilots/measurement_form.html", context)


@require_http_methods(["GET", "POST"])
def measurement_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pilot, measurement = _measurement_for_edit(request, slug, pk)
    if request.method == "POST":
        services.measurement_delete(measurement=measurement)
        messages.success(request, _("The measurement was deleted."))
        return redirect(_back_to(pilot, measurement.indicator))
    return render(
        request,
        "pilots/measurement_confirm_delete.html",
        {"pilot": pilot, "indicator": measurement.indicator, "measurement": measurement},
    )
