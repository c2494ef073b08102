"""Writes that touch more than one row or model; views, admin and commands all call these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from pilots import progress
from pilots.importing import Action, ImportRow
from pilots.models import Attachment, Indicator, Measurement, Pilot, PilotUpdate, Stage


class ConcurrentEditError(Exception):
    """Someone else saved the object after this user opened it; nothing was written."""


def _lock_indicator(indicator: Indicator) -> None:
    """Serialise writes to one indicator's measurements, so derived values see every write."""
    list(Indicator.objects.select_for_update().filter(pk=indicator.pk).values_list("pk"))


def _claim_version(model: type[models.Model], pk: int, expected_version: int) -> int:
    """Move the stored version on, but only if nobody else did since the form was opened."""
    claimed = model.objects.filter(pk=pk, version=expected_version).update(version=F("version") + 1)
    if not claimed:
        raise ConcurrentEditError
    return expected_version + 1


# Words the pilot URLs use for their own pages (/pilots/new/ …) cannot name a pilot.
RESERVED_SLUGS = {"new", "export", "import"}


def unique_pilot_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:200] or "pilot"
    if base in RESERVED_SLUGS:
        base = f"{base}-pilot"
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
        _lock_indicator(indicator)
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
    _lock_indicator(indicator)
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
    _lock_indicator(indicator)
    measurement.delete()
    indicator_refresh(indicator=indicator)


@transaction.atomic
def update_create(
    *, pilot: Pilot, author: AbstractBaseUser | None, kind: str, body: str
) -> PilotUpdate:
    """Write a journal entry on a pilot."""
    update = PilotUpdate(pilot=pilot, author=author, kind=kind, body=body)
    update.full_clean(exclude=["author"])
    update.save()
    return update


@transaction.atomic
def attachment_create(
    *,
    pilot: Pilot,
    file: File,
    title: str,
    is_public: bool = False,
    uploaded_by: AbstractBaseUser | None = None,
) -> Attachment:
    """Store a checked file on a pilot; if the row cannot be written, the file goes too."""
    attachment = Attachment(
        pilot=pilot, file=file, title=title, is_public=is_public, uploaded_by=uploaded_by
    )
    attachment.full_clean(exclude=["uploaded_by"])
    unsaved_name = attachment.file.name
    try:
        attachment.save()
    except BaseException:
        # The file reaches the disk before the row reaches the database: leave no orphan.
        if attachment.file.name != unsaved_name:
            attachment.file.delete(save=False)
        raise
    return attachment


class DuplicatePeriodError(Exception):
    """The indicator already has a measurement for this period end; nothing was written."""


class DuplicateIndicatorError(Exception):
    """The pilot already follows this catalogue indicator; nothing was written."""


@transaction.atomic
def indicator_create(*, indicator: Indicator) -> Indicator:
    """Add a catalogue indicator to a pilot; one per pilot and definition."""
    indicator.version = 1
    indicator.full_clean(validate_unique=False, validate_constraints=False)
    try:
        # The savepoint keeps the outer transaction usable when a parallel request won the race.
        with transaction.atomic():
            indicator.save()
    except IntegrityError as error:
        raise DuplicateIndicatorError from error
    return indicator_refresh(indicator=indicator)


@transaction.atomic
def indicator_update(*, indicator: Indicator, expected_version: int) -> Indicator:
    """Save a baseline or target edited on a copy opened at expected_version."""
    indicator.version = _claim_version(Indicator, indicator.pk, expected_version)
    indicator.full_clean(validate_unique=False, validate_constraints=False)
    indicator.save()
    return indicator_refresh(indicator=indicator)


@transaction.atomic
def indicator_delete(*, indicator: Indicator) -> None:
    """Remove an indicator from its pilot, together with all its measurements."""
    indicator.delete()


@transaction.atomic
def measurement_create(
    *,
    indicator: Indicator,
    period_end: date,
    value: Decimal,
    note: str = "",
    recorded_by: AbstractBaseUser | None = None,
) -> Measurement:
    """Record a new period; unlike measurement_record it never replaces an existing one."""
    measurement = Measurement(
        indicator=indicator,
        period_end=period_end,
        value=value,
        note=note,
        recorded_by=recorded_by,
    )
    measurement.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            measurement.save()
    except IntegrityError as error:
        raise DuplicatePeriodError from error
    indicator_refresh(indicator=indicator)
    return measurement


@transaction.atomic
def measurement_update(*, measurement: Measurement, expected_version: int) -> Measurement:
    """Save a measurement edited on a copy opened at expected_version, then refresh progress."""
    measurement.version = _claim_version(Measurement, measurement.pk, expected_version)
    measurement.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            measurement.save()
    except IntegrityError as error:
        raise DuplicatePeriodError from error
    indicator_refresh(indicator=measurement.indicator)
    return measurement


class ImportStaleError(Exception):
    """The measurements changed after the import preview was made; nothing was written."""


@transaction.atomic
def measurements_import(
    *, pilot: Pilot, rows: Iterable[ImportRow], recorded_by: AbstractBaseUser | None
) -> tuple[int, int]:
    """Write every previewed row or none, and refuse if anything changed since the preview.

    Returns how many measurements were created and how many were updated.
    """
    rows = list(rows)
    if not rows:
        return 0, 0
    if any(row.period_end is None or row.value is None for row in rows):
        raise ImportStaleError
    indicators = {
        indicator.pk: indicator
        for indicator in Indicator.objects.select_for_update(of=("self",))
        .select_related("definition")
        .filter(pilot=pilot)
    }
    periods = [row.period_end for row in rows]
    stored = {
        (measurement.indicator_id, measurement.period_end): measurement
        for measurement in Measurement.objects.select_for_update().filter(
            indicator__in=list(indicators), period_end__range=(min(periods), max(periods))
        )
    }
    seen: set[tuple[int | None, date | None]] = set()
    for row in rows:
        key = (row.indicator_id, row.period_end)
        current = stored.get(key)
        if row.action == Action.CREATE:
            unchanged = current is None
        elif row.action == Action.UPDATE:
            unchanged = current is not None and (current.pk, current.version, current.value) == (
                row.measurement_id,
                row.measurement_version,
                row.old_value,
            )
        else:
            unchanged = False
        if not unchanged or key in seen or row.indicator_id not in indicators:
            raise ImportStaleError
        seen.add(key)

    new, changed = [], []
    for row in rows:
        measurement = stored.get((row.indicator_id, row.period_end))
        if measurement is None:
            measurement = Measurement(indicator_id=row.indicator_id, period_end=row.period_end)
            new.append(measurement)
        else:
            measurement.version += 1
            changed.append(measurement)
        measurement.value = row.value
        measurement.note = row.note
        measurement.recorded_by = recorded_by
    # A file may hold thousands of rows: insert in bulk and update with one query per row
    # (Django's bulk_update is slower here), recording the same history as single saves.
    try:
        bulk_create_with_history(new, Measurement, batch_size=500, default_user=recorded_by)
        for measurement in changed:
            Measurement.objects.filter(pk=measurement.pk).update(
                value=measurement.value,
                note=measurement.note,
                recorded_by=recorded_by,
                version=measurement.version,
            )
        Measurement.history.bulk_history_create(
            changed, batch_size=500, update=True, default_user=recorded_by
        )
    except IntegrityError as error:
        # Someone recorded one of these periods in the moment between the check and the write.
        raise ImportStaleError from error
    for indicator_id in {row.indicator_id for row in rows}:
        indicator_refresh(indicator=indicators[indicator_id])
    return len(new), len(changed)
