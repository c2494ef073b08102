"""Writes that touch more than one row or model; views, admin and commands all call these."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from pilots import progress
from pilots.models import Indicator, Measurement


def indicator_refresh(*, indicator: Indicator) -> Indicator:
    """Recompute and store the indicator's current value, progress and status."""
    values = list(indicator.measurements.values_list("period_end", "value"))
    definition = indicator.definition
    outcome = progress.evaluate(
        values,
        aggregation=definition.aggregation,
        direction=definition.direction,
        baseline=indicator.baseline_value,
        target=indicator.target_value,
        baseline_date=indicator.baseline_date,
        target_date=indicator.target_date,
    )
    indicator.current_value = outcome.current_value
    indicator.latest_period_end = outcome.latest_period_end
    indicator.measurement_count = outcome.measurement_count
    indicator.progress = outcome.progress
    indicator.status = outcome.status
    Indicator.objects.filter(pk=indicator.pk).update(
        current_value=outcome.current_value,
        latest_period_end=outcome.latest_period_end,
        measurement_count=outcome.measurement_count,
        progress=outcome.progress,
        status=outcome.status,
    )
    return indicator


@transaction.atomic
def indicator_save(*, indicator: Indicator) -> Indicator:
    """Save an indicator's baseline and target, and the progress that follows from them."""
    indicator.full_clean()
    if indicator.pk:
        # Every saved change moves the version on, so concurrent editors notice each other.
        indicator.version += 1
    indicator.save()
    return indicator_refresh(indicator=indicator)


@transaction.atomic
def measurement_record(
    *,
    indicator: Indicator,
    period_end: date,
    value: Decimal,
    note: str = "",
    recorded_by: AbstractBaseUser | None = None,
) -> Measurement:
    """Record the value for a period (replacing one for the same period) and refresh progress."""
    measurement = (
        Measurement.objects.select_for_update()
        .filter(indicator=indicator, period_end=period_end)
        .first()
    )
    if measurement is None:
        measurement = Measurement.objects.create(
            indicator=indicator,
            period_end=period_end,
            value=value,
            note=note,
            recorded_by=recorded_by,
        )
    else:
        measurement.value = value
        measurement.note = note
        measurement.recorded_by = recorded_by
        measurement.version += 1
        measurement.save()
    indicator_refresh(indicator=indicator)
    return measurement


@transaction.atomic
def measurement_delete(*, measurement: Measurement) -> None:
    indicator = measurement.indicator
    measurement.delete()
    indicator_refresh(indicator=indicator)
