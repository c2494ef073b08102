"""Writes that touch more than one row or model; views, admin and commands all call these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from pilots import progress
from pilots.models import Indicator, Measurement, Pilot, Stage


class ConcurrentEditError(Exception):
    """Someone else saved the object after this user opened it; nothing was written."""


def _claim_version(model: type[models.Model], pk: int, expected_version: int) -> int:
    """Move the stored version on, but only if nobody else did since the form was opened."""
    claimed = model.objects.filter(pk=pk, version=expected_version).update(version=F("version") + 1)
    if not claimed:
        raise ConcurrentEditError
    return expected_version + 1


def unique_pilot_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:200] or "pilot"
    taken = set(
        Pilot.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


@transaction.atomic
def pilot_create(
    *,
    pilot: Pilot,
    themes: Iterable[models.Model] = (),
    partners: Iterable[models.Model] = (),
    user: AbstractBaseUser | None = None,
) -> Pilot:
    """Create a pilot from a filled-in (unsaved) instance; it starts as an idea."""
    pilot.slug = unique_pilot_slug(pilot.title)
    pilot.stage = Stage.IDEA
    pilot.version = 1
    if pilot.lead_id is None and user is not None:
        pilot.lead = user
    pilot.full_clean()
    pilot.save()
    pilot.themes.set(themes)
    pilot.partners.set(partners)
    return pilot


@transaction.atomic
def pilot_update(
    *,
    pilot: Pilot,
    expected_version: int,
    themes: Iterable[models.Model] | None = None,
    partners: Iterable[models.Model] | None = None,
) -> Pilot:
    """Save edits made on a copy opened at expected_version; refuse if someone saved since."""
    pilot.version = _claim_version(Pilot, pilot.pk, expected_version)
    pilot.full_clean()
    pilot.save()
    if themes is not None:
        pilot.themes.set(themes)
    if partners is not None:
        pilot.partners.set(partners)
    return pilot


@transaction.atomic
def pilot_archive(*, pilot: Pilot) -> Pilot:
    """Archive: the pilot leaves lists and dashboards but keeps everything and its history."""
    pilot.archived_at = timezone.now()
    pilot.version += 1
    pilot.save(update_fields=["archived_at", "version", "updated_at"])
    return pilot


@transaction.atomic
def pilot_unarchive(*, pilot: Pilot) -> Pilot:
    pilot.archived_at = None
    pilot.version += 1
    pilot.save(update_fields=["archived_at", "version", "updated_at"])
    return pilot


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
