"""Writes that touch more than one row or model; views, admin and commands all call these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from pilots import library, progress
from pilots.cache import INDICATORS, UPDATES, bump_data_version
from pilots.importing import Action, ImportRow
from pilots.models import (
    Attachment,
    EvidenceLevel,
    EvidenceRecord,
    Indicator,
    Measurement,
    Pilot,
    PilotUpdate,
    ShareLink,
    Stage,
    StageDecision,
)


class ConcurrentEditError(Exception):
    """Someone else saved the object after this user opened it; nothing was written."""


def _lock_pilots(pilot_ids: Iterable[int | None]) -> None:
    """Serialise the writes that change these pilots' readiness facts, so that each write
    stores facts that include the others'.

    A write takes the pilot before any of its indicators or measurements: otherwise it could
    hold an indicator while waiting for the pilot, held by a write that wants that indicator
    next (an admin edit of the pilot and its indicators does exactly that). The lock leaves rows
    that only point at the pilot (a new indicator, a new adaptation) free to be written.
    """
    ids = sorted({pk for pk in pilot_ids if pk is not None})
    if ids:
        pilots = Pilot.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
        list(pilots.values_list("pk"))


def _lock_indicator(indicator: Indicator) -> None:
    """Serialise writes to one indicator's measurements, so derived values see every write."""
    _lock_pilots([indicator.pilot_id])
    # No key: a measurement being added holds a share lock on its indicator until it commits,
    # and its writer may be waiting for the pilot this transaction holds.
    locked = Indicator.objects.select_for_update(no_key=True).filter(pk=indicator.pk)
    list(locked.values_list("pk"))


@transaction.atomic
def pilot_readiness_refresh(*, pilot_ids: Iterable[int | None]) -> None:
    """Store the facts behind these pilots' readiness score (see pilots.library): their
    indicators, how many are on track, their latest measurement and the other areas with an
    adaptation."""
    ids = list(pilot_ids)
    _lock_pilots(ids)
    _store_readiness(ids)


def _store_readiness(pilot_ids: Iterable[int | None]) -> None:
    # An update rather than a save, so the pilots' history gets no entry for derived data.
    ids = {pk for pk in pilot_ids if pk is not None}
    if ids:
        Pilot.objects.filter(pk__in=ids).update(**library.readiness_facts())


@transaction.atomic
def pilot_readiness_refresh_all() -> None:
    """Store the readiness facts of every pilot, after writes in bulk (seeding, a restore)."""
    Pilot.objects.update(**library.readiness_facts())


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


SLUG_ATTEMPTS = 5


def _save_with_free_slug(pilot: Pilot) -> None:
    """Insert the pilot under the first free address for its title.

    Two people may create pilots with the same title at the same moment: both see the same
    address free, and the second insert breaks the unique constraint. It then takes the next
    free address instead of failing.
    """
    for attempt in range(1, SLUG_ATTEMPTS + 1):
        pilot.slug = unique_pilot_slug(pilot.title)
        try:
            with transaction.atomic():
                pilot.save()
        except IntegrityError:
            pilot.pk = None
            if attempt == SLUG_ATTEMPTS or not Pilot.objects.filter(slug=pilot.slug).exists():
                raise
        else:
            return


@transaction.atomic
def pilot_create(
    *,
    pilot: Pilot,
    themes: Iterable[models.Model] = (),
    partners: Iterable[models.Model] = (),
    user: AbstractBaseUser | None = None,
) -> Pilot:
    """Create a pilot from a filled-in (unsaved) instance; it starts as an idea."""
    bump_data_version()
    pilot.stage = Stage.IDEA
    pilot.version = 1
    if pilot.lead_id is None and user is not None:
        pilot.lead = user
    pilot.full_clean(exclude=["slug"])
    _save_with_free_slug(pilot)
    pilot.themes.set(themes)
    pilot.partners.set(partners)
    pilot_readiness_refresh(pilot_ids=[pilot.pk, pilot.adapted_from_id])
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
    bump_data_version()
    pilot.version = _claim_version(Pilot, pilot.pk, expected_version)
    pilot.full_clean()
    pilot.save()
    if themes is not None:
        pilot.themes.set(themes)
    if partners is not None:
        pilot.partners.set(partners)
    # The save wrote the facts as they were when the pilot was read, and a new area changes
    # which adaptations count, for this pilot and for the one it was adapted from.
    pilot_readiness_refresh(pilot_ids=[pilot.pk, pilot.adapted_from_id])
    return pilot


@transaction.atomic
def pilot_archive(*, pilot: Pilot) -> Pilot:
    """Archive: the pilot leaves lists and dashboards but keeps everything and its history."""
    bump_data_version()
    pilot.archived_at = timezone.now()
    pilot.version += 1
    pilot.save(update_fields=["archived_at", "version", "updated_at"])
    # An archived adaptation no longer counts for its original.
    pilot_readiness_refresh(pilot_ids=[pilot.adapted_from_id])
    return pilot


@transaction.atomic
def pilot_unarchive(*, pilot: Pilot) -> Pilot:
    bump_data_version()
    pilot.archived_at = None
    pilot.version += 1
    pilot.save(update_fields=["archived_at", "version", "updated_at"])
    pilot_readiness_refresh(pilot_ids=[pilot.adapted_from_id])
    return pilot


@transaction.atomic
def indicator_refresh(*, indicator: Indicator) -> Indicator:
    """Recompute and store the indicator's current value, progress and status, and its pilot's
    readiness facts."""
    _lock_pilots([indicator.pilot_id])
    _store_progress(indicator)
    _store_readiness([indicator.pilot_id])
    return indicator


def _store_progress(indicator: Indicator) -> None:
    bump_data_version(INDICATORS)
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


@transaction.atomic
def indicator_save(*, indicator: Indicator) -> Indicator:
    """Save an indicator's baseline and target, and the progress that follows from them."""
    indicator.full_clean()
    left = None
    if indicator.pk:
        # The admin can move an indicator to another pilot; the one it leaves counts it no more.
        stored = Indicator.objects.filter(pk=indicator.pk).values_list("pilot_id", flat=True)
        left = next((pk for pk in stored if pk != indicator.pilot_id), None)
        _lock_pilots([indicator.pilot_id, left])
        _lock_indicator(indicator)
        # Every saved change moves the version on, so concurrent editors notice each other.
        indicator.version += 1
    indicator.save()
    indicator = indicator_refresh(indicator=indicator)
    _store_readiness([left])
    return indicator


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
    bump_data_version(UPDATES)
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
    _lock_pilots([indicator.pilot_id])
    indicator.version = _claim_version(Indicator, indicator.pk, expected_version)
    indicator.full_clean(validate_unique=False, validate_constraints=False)
    indicator.save()
    return indicator_refresh(indicator=indicator)


@transaction.atomic
def indicator_delete(*, indicator: Indicator) -> None:
    """Remove an indicator from its pilot, together with all its measurements."""
    bump_data_version(INDICATORS)
    _lock_pilots([indicator.pilot_id])
    indicator.delete()
    _store_readiness([indicator.pilot_id])


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
    _lock_pilots([indicator.pilot_id])
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
    _lock_pilots([measurement.indicator.pilot_id])
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
    _lock_pilots([pilot.pk])
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
    # The pilot is locked above; its readiness facts are stored once, after every indicator.
    for indicator_id in {row.indicator_id for row in rows}:
        _store_progress(indicators[indicator_id])
    _store_readiness([pilot.pk])
    return len(new), len(changed)


class AdaptationRefusedError(ValueError):
    """An adaptation that breaks the transfer rules (the form says why); nothing was written."""


@transaction.atomic
def pilot_adapt(
    *,
    original: Pilot,
    area: models.Model,
    user: AbstractBaseUser,
    title: str,
    need: str,
    approach: str,
    adaptation_notes: str,
    copy_partners: bool,
    summary: str = "",
    target_group: str = "",
    themes: Iterable[models.Model] | None = None,
) -> Pilot:
    """Start a new pilot in another area from an existing one, with lineage.

    The new pilot is an idea led by the user, follows the original's indicator definitions
    with empty baselines and targets (the new area measures its own), takes the original's
    themes unless others are given, and its partners only when asked: every row or none.
    """
    bump_data_version()
    if area.pk == original.area_id:
        raise AdaptationRefusedError("An adaptation goes to another area than the original's.")
    if not adaptation_notes.strip():
        raise AdaptationRefusedError("An adaptation says what is kept, what changes and why.")
    pilot = pilot_create(
        pilot=Pilot(
            title=title,
            area=area,
            need=need,
            summary=summary,
            approach=approach,
            target_group=target_group,
            adapted_from=original,
            adaptation_notes=adaptation_notes,
            lead=user,
        ),
        themes=original.themes.all() if themes is None else themes,
        partners=original.partners.all() if copy_partners else (),
        user=user,
    )
    definition_ids = original.indicators.order_by("definition_id").values_list(
        "definition_id", flat=True
    )
    bulk_create_with_history(
        [Indicator(pilot=pilot, definition_id=pk) for pk in definition_ids],
        Indicator,
        default_user=user,
    )
    pilot_readiness_refresh(pilot_ids=[pilot.pk])
    return pilot


# Stage decisions and evidence ----------------------------------------------------------------
#
# The ladder rules live here, in one pure function, so the form, the page and the service
# agree on them:
# - "go" moves one step up the ladder (idea → prototype → pilot → scaling → mainstreamed), and
#   restarts a stopped pilot as an idea;
# - "iterate" keeps the pilot at its stage, or moves it one step back;
# - "stop" moves any pilot that is not yet mainstreamed to "stopped";
# - "mainstreamed" is final: the pilot has become regular practice;
# - moving up to "scaling" needs evidence level 2 or higher and an indicator with measurements.

STAGE_LADDER = (Stage.IDEA, Stage.PROTOTYPE, Stage.PILOT, Stage.SCALING, Stage.MAINSTREAMED)
SCALING_MIN_EVIDENCE = EvidenceLevel.DATA
RATIONALE_LIMIT = 5_000
METHOD_NOTE_LIMIT = 2_000
EVIDENCE_LINK_LIMIT = 10
_HTTP_URL = URLValidator(schemes=["http", "https"])
# Control characters other than tab and line breaks only ever arrive by accident or malice.
_CONTROL = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


class StageMoveRefused(Exception):
    """The stage decision breaks the ladder rules; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def plain_text(value: str | None) -> str:
    """The text without control characters (other than tab and line breaks), trimmed."""
    return (value or "").translate(_CONTROL).strip()


def stage_moves(stage: str) -> list[tuple[str, str]]:
    """Every (decision, to_stage) the ladder allows from a stage, before the scaling checks."""
    if stage == Stage.STOPPED:
        return [(StageDecision.Decision.GO, Stage.IDEA)]
    if stage not in STAGE_LADDER or stage == Stage.MAINSTREAMED:
        return []
    step = STAGE_LADDER.index(stage)
    moves = [
        (StageDecision.Decision.GO, STAGE_LADDER[step + 1]),
        (StageDecision.Decision.ITERATE, stage),
    ]
    if step > 0:
        moves.append((StageDecision.Decision.ITERATE, STAGE_LADDER[step - 1]))
    moves.append((StageDecision.Decision.STOP, Stage.STOPPED))
    return moves


def _wrong_decision_problem(stage: str, decision: str) -> str:
    """Why this decision cannot lead to the chosen stage, saying what it does lead to."""
    names = {value: str(label) for value, label in Stage.choices}
    if stage == Stage.STOPPED:
        return _("A stopped pilot can only restart as an idea, with the decision “go”.")
    if decision == StageDecision.Decision.GO:
        target = STAGE_LADDER[STAGE_LADDER.index(stage) + 1]
        return _("“Go” moves the pilot to the next stage, which is %(stage)s.") % {
            "stage": names[target]
        }
    if decision == StageDecision.Decision.ITERATE:
        step = STAGE_LADDER.index(stage)
        if step == 0:
            return _("“Iterate” keeps the pilot at the stage %(stage)s.") % {"stage": names[stage]}
        return _(
            "“Iterate” keeps the pilot at the stage %(stage)s or moves it one step back, "
            "to %(previous)s."
        ) % {"stage": names[stage], "previous": names[STAGE_LADDER[step - 1]]}
    return _("“Stop” moves the pilot to the stage Stopped.")


def stage_move_problems(
    pilot: Pilot, to_stage: str, decision: str, has_indicator_data: bool
) -> list[str]:
    """Why this decision may not be recorded on the pilot as it is now; empty when it may."""
    if pilot.archived_at is not None:
        return [_("This pilot is archived: no stage decisions can be recorded on it.")]
    if decision not in StageDecision.Decision.values:
        return [_("Choose go, iterate or stop.")]
    if to_stage not in Stage.values:
        return [_("Choose a stage from the list.")]
    if pilot.stage == Stage.MAINSTREAMED:
        return [
            _(
                "This pilot is mainstreamed: it has become regular practice and its stage is "
                "final. Start a new pilot to try something else."
            )
        ]
    if (decision, to_stage) not in stage_moves(pilot.stage):
        return [_wrong_decision_problem(pilot.stage, decision)]
    problems = []
    if to_stage == Stage.SCALING and pilot.stage != Stage.SCALING:
        if pilot.evidence_level < SCALING_MIN_EVIDENCE:
            problems.append(
                _(
                    "Moving to scaling needs evidence level %(needed)d or higher (the pilot "
                    "captures data that shows positive change); this pilot is at level "
                    "%(level)d. Set the evidence level first."
                )
                % {"needed": SCALING_MIN_EVIDENCE, "level": pilot.evidence_level}
            )
        if not has_indicator_data:
            problems.append(
                _(
                    "Moving to scaling needs at least one indicator with measurements; this "
                    "pilot has none yet."
                )
            )
    return problems


def pilot_has_indicator_data(pilot: Pilot) -> bool:
    return Indicator.objects.filter(pilot=pilot, measurement_count__gt=0).exists()


@transaction.atomic
def pilot_decide_stage(
    *,
    pilot: Pilot,
    to_stage: str,
    decision: str,
    rationale: str,
    user: AbstractBaseUser | None,
    expected_version: int,
) -> StageDecision:
    """Record a stage decision and move the pilot's stage with it, or write nothing."""
    bump_data_version()
    version = _claim_version(Pilot, pilot.pk, expected_version)
    # Judge the pilot as stored now, not as the caller last saw it.
    pilot.refresh_from_db(fields=["stage", "evidence_level", "archived_at"])
    rationale = plain_text(rationale)
    problems = stage_move_problems(pilot, to_stage, decision, pilot_has_indicator_data(pilot))
    if not rationale:
        problems.append(_("Write the rationale: why this decision, on what grounds."))
    elif len(rationale) > RATIONALE_LIMIT:
        problems.append(
            _("Keep the rationale to at most %(limit)d characters.") % {"limit": RATIONALE_LIMIT}
        )
    if problems:
        raise StageMoveRefused(problems)
    record = StageDecision.objects.create(
        pilot=pilot,
        from_stage=pilot.stage,
        to_stage=to_stage,
        decision=decision,
        rationale=rationale,
        decided_by=user,
    )
    pilot.stage = to_stage
    _save_decided(pilot, version=version, user=user, field="stage")
    return record


def _save_decided(pilot: Pilot, *, version: int, user: AbstractBaseUser | None, field: str) -> None:
    """Store a decided field at the version claimed for it, with the decider in the history."""
    pilot.version = version
    if user is not None:
        pilot._history_user = user
    pilot.save(update_fields=[field, "version", "updated_at"])


def evidence_links_from_text(text: str | Iterable[str]) -> list[str]:
    """The web addresses in the text, one per line, checked; raises ValidationError."""
    lines = text.splitlines() if isinstance(text, str) else list(text)
    links: list[str] = []
    for number, line in enumerate(lines, start=1):
        link = plain_text(line)
        if not link or link in links:
            continue
        try:
            _HTTP_URL(link)
        except ValidationError as error:
            shown = link if len(link) <= 80 else link[:77] + "…"
            raise ValidationError(
                _(
                    "Line %(number)d is not a web address starting with https:// or http://: "
                    "%(link)s"
                )
                % {"number": number, "link": shown},
                code="invalid_link",
            ) from error
        links.append(link)
    if len(links) > EVIDENCE_LINK_LIMIT:
        raise ValidationError(
            _("Give at most %(limit)d links; there are %(count)d.")
            % {"limit": EVIDENCE_LINK_LIMIT, "count": len(links)},
            code="too_many_links",
        )
    return links


@transaction.atomic
def pilot_set_evidence(
    *,
    pilot: Pilot,
    level: int,
    method_note: str,
    evidence_links: str | Iterable[str],
    user: AbstractBaseUser | None,
    expected_version: int,
    attachment: Attachment | None = None,
) -> EvidenceRecord:
    """Set the pilot's evidence level with the evidence behind it, or write nothing.

    Raises ValidationError keyed by the evidence form's field names.
    """
    bump_data_version()
    version = _claim_version(Pilot, pilot.pk, expected_version)
    pilot.refresh_from_db(fields=["evidence_level", "archived_at"])
    if pilot.archived_at is not None:
        raise ValidationError(_("This pilot is archived: its evidence level cannot change."))
    errors: dict[str, list[str]] = {}
    note = plain_text(method_note)
    if level not in EvidenceLevel.values:
        errors["evidence_level"] = [_("Choose a level from 1 to 5.")]
    elif level > pilot.evidence_level and not note:
        errors["method_note"] = [_("Say how the evidence was gathered when raising the level.")]
    if len(note) > METHOD_NOTE_LIMIT:
        errors["method_note"] = [
            _("Keep the method note to at most %(limit)d characters.")
            % {"limit": METHOD_NOTE_LIMIT}
        ]
    try:
        links = evidence_links_from_text(evidence_links)
    except ValidationError as error:
        errors["evidence_links"] = error.messages
    if attachment is not None and attachment.pilot_id != pilot.pk:
        errors["attachment"] = [_("Choose one of this pilot's files.")]
    if errors:
        raise ValidationError(errors)
    record = EvidenceRecord.objects.create(
        pilot=pilot,
        level=level,
        previous_level=pilot.evidence_level,
        method_note=note,
        links="\n".join(links),
        attachment=attachment,
        set_by=user,
    )
    pilot.evidence_level = level
    _save_decided(pilot, version=version, user=user, field="evidence_level")
    return record


@transaction.atomic
def share_link_create(
    *, pilot: Pilot, user: AbstractBaseUser | None, expires_at: datetime
) -> ShareLink:
    """A new read-only link to the pilot; the token comes from the model's random default."""
    return ShareLink.objects.create(pilot=pilot, created_by=user, expires_at=expires_at)


@transaction.atomic
def share_link_revoke(*, link: ShareLink) -> ShareLink:
    """Stop the link from working; revoking twice keeps the first time."""
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    link.refresh_from_db(fields=["revoked_at"])
    return link
