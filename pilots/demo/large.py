"""The scale data set: hundreds of areas, tens of thousands of pilots, millions of measurements.

Rows go in with ``bulk_create`` in batches, and the stored indicator results are computed in
Python with the same rules the services use, so nothing is queried or refreshed row by row.
``bulk_create`` writes no django-simple-history rows, which is what a benchmark data set wants.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.management.base import CommandError
from django.db import reset_queries

from areas.models import Area
from pilots import progress
from pilots.demo import BULK_PARTNER_PREFIX, SYNTHETIC_AREA_PREFIX, content, generate
from pilots.demo.seed import Log, aware, real_areas, seed_area_statistics
from pilots.models import (
    Indicator,
    IndicatorDefinition,
    Measurement,
    Partner,
    Pilot,
    PilotUpdate,
    Stage,
    StageDecision,
    Theme,
)
from pilots.services import pilot_readiness_refresh_all

MUNICIPALITIES = ["Exempelstad", "Påhittköping", "Demoby", "Fiktivhamn", "Testvik", "Låtsasås"]
STAGES = [
    Stage.IDEA,
    Stage.PROTOTYPE,
    Stage.PILOT,
    Stage.SCALING,
    Stage.MAINSTREAMED,
    Stage.STOPPED,
]
STAGE_WEIGHTS = [5, 20, 35, 15, 12, 13]
BULK_PARTNERS = 100
STALE_SHARE = 0.15
ADAPTED_SHARE = 0.10
ARCHIVED_SHARE_OF_STOPPED = 0.3
UNTARGETED_SHARE = 0.03


@dataclass(frozen=True)
class LargeSize:
    areas: int = 200
    pilots: int = 20_000
    indicators_per_pilot: int = 5
    measurements_per_indicator: int = 20
    pilots_per_batch: int = 1_000
    rows_per_insert: int = 10_000


@dataclass
class PhaseClock:
    """Wall-clock seconds per named phase, summed over every time the phase runs."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started


@dataclass(frozen=True)
class _AreaRow:
    pk: int
    name: str
    lead_id: int | None


@dataclass
class _Context:
    """What every batch needs, looked up once."""

    size: LargeSize
    rng: random.Random
    areas: list[_AreaRow]
    theme_ids: list[int]
    partner_ids: list[int]
    definitions: list[IndicatorDefinition]
    decider_id: int
    month_ends: list[dt.date]
    recorded_at: dict[dt.date, dt.datetime]
    pilot_ids: list[int] = field(default_factory=list)


def _synthetic_area(number: int, rng: random.Random) -> Area:
    return Area(
        name=f"Demoområde {number:03d}",
        slug=f"{SYNTHETIC_AREA_PREFIX}{number:03d}",
        municipality=rng.choice(MUNICIPALITIES),
        district=f"Distrikt {rng.randint(1, 12)}",
        description="Syntetiskt område för skalprov; inga verkliga uppgifter.",
        population=rng.randint(800, 15_000),
        colour=generate.colour(rng),
    )


def _create_areas(
    size: LargeSize, users: dict[str, AbstractUser], today: dt.date, rng: random.Random
) -> list[_AreaRow]:
    real = real_areas()
    if size.areas < len(real):
        raise CommandError(f"The large seed needs at least {len(real)} areas, not {size.areas}.")
    synthetic = [_synthetic_area(number, rng) for number in range(1, size.areas - len(real) + 1)]
    Area.objects.bulk_create(synthetic, batch_size=size.rows_per_insert)
    seed_area_statistics(areas=[*real.values(), *synthetic], today=today, rng=rng)
    rows = []
    for slug, area in real.items():
        lead = users.get("lead-seved" if slug == "seved" else f"staff-{slug}")
        rows.append(_AreaRow(area.pk, area.name, lead.pk if lead else None))
    rows += [_AreaRow(area.pk, area.name, None) for area in synthetic]
    return rows


def _create_partners(size: LargeSize) -> list[int]:
    kinds = list(Partner.Kind.values)
    partners = [
        Partner(name=f"{BULK_PARTNER_PREFIX}{number:03d}", kind=kinds[number % len(kinds)])
        for number in range(1, BULK_PARTNERS + 1)
    ]
    Partner.objects.bulk_create(partners, batch_size=size.rows_per_insert)
    return [partner.pk for partner in partners]


def _pilot_dates(
    stage: str, ctx: _Context
) -> tuple[dt.date, dt.date | None, list[dt.date], dt.datetime | None]:
    """Start, end, the measurement periods and, for some stopped pilots, when they were archived."""
    rng = ctx.rng
    count = ctx.size.measurements_per_indicator
    lag = rng.randint(4, 8) if rng.random() < STALE_SHARE else rng.randint(0, 1)
    if stage == Stage.STOPPED:
        lag += rng.randint(2, 6)
    last = len(ctx.month_ends) - 1 - lag
    periods = ctx.month_ends[max(last - count + 1, 0) : last + 1]
    start = generate.add_months(periods[0].replace(day=1), -rng.randint(1, 4))
    end: dt.date | None = generate.add_months(start, rng.randint(18, 48))
    archived_at = None
    if stage == Stage.MAINSTREAMED:
        end = None
    elif stage == Stage.STOPPED:
        end = periods[-1] + dt.timedelta(days=rng.randint(5, 40))
        if rng.random() < ARCHIVED_SHARE_OF_STOPPED:
            archived_at = aware(end + dt.timedelta(days=30))
    return start, end, periods, archived_at


def _build_pilot(number: int, ctx: _Context) -> tuple[Pilot, list[dt.date]]:
    rng = ctx.rng
    spec = rng.choice(content.PILOTS)
    area = rng.choice(ctx.areas)
    stage = rng.choices(STAGES, weights=STAGE_WEIGHTS)[0]
    start, end, periods, archived_at = _pilot_dates(stage, ctx)
    adapted_from_id = None
    adaptation_notes = ""
    if ctx.pilot_ids and rng.random() < ADAPTED_SHARE:
        adapted_from_id = rng.choice(ctx.pilot_ids)
        adaptation_notes = "Behöll kärnan i upplägget; ändrade tider och lokal efter området."
    pilot = Pilot(
        title=f"{spec.title} – {area.name} nr {number}",
        slug=f"{spec.key}-{number:05d}",
        area_id=area.pk,
        need=spec.need,
        summary=spec.summary,
        approach=spec.approach,
        target_group=spec.target_group,
        stage=stage,
        evidence_level=generate.evidence_level(stage, rng),
        start_date=start,
        end_date=end,
        budget_sek=rng.randrange(50_000, 3_000_000, 10_000),
        participants_reached=rng.randint(5, 800),
        lead_id=area.lead_id,
        adapted_from_id=adapted_from_id,
        adaptation_notes=adaptation_notes,
        lessons=spec.lessons,
        archived_at=archived_at,
        created_at=aware(start - dt.timedelta(days=30)),
    )
    return pilot, periods


def _insert_pilots(numbers: range, ctx: _Context) -> list[tuple[Pilot, list[dt.date]]]:
    """Pilots with their themes, partners, stage decisions and updates."""
    rng = ctx.rng
    built = [_build_pilot(number, ctx) for number in numbers]
    Pilot.objects.bulk_create([pilot for pilot, _ in built], batch_size=ctx.size.rows_per_insert)
    themes, partners, decisions, updates = [], [], [], []
    for pilot, periods in built:
        for theme_id in rng.sample(ctx.theme_ids, rng.randint(1, min(3, len(ctx.theme_ids)))):
            themes.append(Pilot.themes.through(pilot_id=pilot.pk, theme_id=theme_id))
        for partner_id in rng.sample(ctx.partner_ids, rng.randint(0, 2)):
            partners.append(Pilot.partners.through(pilot_id=pilot.pk, partner_id=partner_id))
        chain = generate.decision_chain(pilot.stage, rng)
        for (from_stage, to_stage, decision), day in zip(
            chain, generate.spread_dates(pilot.start_date, periods[-1], len(chain)), strict=True
        ):
            decisions.append(
                StageDecision(
                    pilot_id=pilot.pk,
                    from_stage=from_stage,
                    to_stage=to_stage,
                    decision=decision,
                    rationale=rng.choice(content.DECISION_RATIONALES[decision]),
                    decided_by_id=ctx.decider_id,
                    decided_at=aware(day, 14),
                )
            )
        for kind, day in (("progress", periods[len(periods) // 2]), ("lesson", periods[-1])):
            updates.append(
                PilotUpdate(
                    pilot_id=pilot.pk,
                    author_id=pilot.lead_id,
                    kind=kind,
                    body=rng.choice(content.UPDATES[kind]),
                    created_at=aware(day, 16),
                )
            )
    batch = ctx.size.rows_per_insert
    Pilot.themes.through.objects.bulk_create(themes, batch_size=batch)
    Pilot.partners.through.objects.bulk_create(partners, batch_size=batch)
    StageDecision.objects.bulk_create(decisions, batch_size=batch)
    PilotUpdate.objects.bulk_create(updates, batch_size=batch)
    ctx.pilot_ids.extend(pilot.pk for pilot, _ in built)
    return built


def _build_indicators(
    built: list[tuple[Pilot, list[dt.date]]], ctx: _Context
) -> list[tuple[Indicator, list[tuple[dt.date, Decimal]]]]:
    """Indicators with their results already computed from the series generated for them."""
    rng = ctx.rng
    rows = []
    for pilot, periods in built:
        for definition in rng.sample(ctx.definitions, ctx.size.indicators_per_pilot):
            target_date = generate.add_months(pilot.start_date, rng.randint(24, 36))
            data = generate.indicator_data(
                code=definition.code,
                direction=definition.direction,
                aggregation=definition.aggregation,
                periods=periods,
                baseline_date=pilot.start_date,
                target_date=target_date,
                rng=rng,
                with_target=rng.random() >= UNTARGETED_SHARE,
            )
            has_target = data.target_value is not None
            outcome = progress.evaluate(
                data.values,
                aggregation=definition.aggregation,
                direction=definition.direction,
                baseline=data.baseline_value,
                target=data.target_value,
                baseline_date=pilot.start_date if has_target else None,
                target_date=target_date if has_target else None,
            )
            indicator = Indicator(
                pilot_id=pilot.pk,
                definition_id=definition.pk,
                baseline_value=data.baseline_value,
                baseline_date=pilot.start_date if has_target else None,
                target_value=data.target_value,
                target_date=target_date if has_target else None,
                current_value=outcome.current_value,
                latest_period_end=outcome.latest_period_end,
                measurement_count=outcome.measurement_count,
                progress=outcome.progress,
                status=outcome.status,
            )
            rows.append((indicator, data.values))
    return rows


def _insert_measurements(
    rows: list[tuple[Indicator, list[tuple[dt.date, Decimal]]]],
    lead_by_pilot: dict[int, int | None],
    ctx: _Context,
) -> int:
    # Built and inserted a chunk at a time so memory stays flat however large the run.
    chunk: list[Measurement] = []
    inserted = 0
    for indicator, values in rows:
        recorded_by_id = lead_by_pilot[indicator.pilot_id]
        for period, value in values:
            chunk.append(
                Measurement(
                    indicator_id=indicator.pk,
                    period_end=period,
                    value=value,
                    recorded_by_id=recorded_by_id,
                    recorded_at=ctx.recorded_at[period],
                )
            )
            if len(chunk) >= ctx.size.rows_per_insert:
                Measurement.objects.bulk_create(chunk)
                inserted += len(chunk)
                chunk = []
    Measurement.objects.bulk_create(chunk)
    return inserted + len(chunk)


def seed_large(
    *,
    users: dict[str, AbstractUser],
    today: dt.date,
    rng: random.Random,
    log: Log,
    size: LargeSize | None = None,
    clock: PhaseClock | None = None,
) -> dict[str, int]:
    """The scale data set of DESIGN.md; ``size`` lets tests run a miniature of it."""
    size = size or LargeSize()
    clock = clock or PhaseClock()
    definitions = list(IndicatorDefinition.objects.active().order_by("code"))
    if size.indicators_per_pilot > len(definitions):
        raise CommandError(
            f"{size.indicators_per_pilot} indicators per pilot need as many active definitions; "
            f"the catalogue has {len(definitions)}."
        )
    with clock.phase("areas and statistics"):
        areas = _create_areas(size, users, today, rng)
    with clock.phase("partners"):
        partner_ids = _create_partners(size)
    # Enough month ends that even stale, stopped pilots get a full series.
    month_ends = generate.month_ends_until(
        generate.add_months(today.replace(day=1), -1), size.measurements_per_indicator + 20
    )
    ctx = _Context(
        size=size,
        rng=rng,
        areas=areas,
        theme_ids=list(Theme.objects.order_by("slug").values_list("pk", flat=True)),
        partner_ids=partner_ids,
        definitions=definitions,
        decider_id=users["admin"].pk,
        month_ends=month_ends,
        recorded_at={day: aware(day + dt.timedelta(days=5)) for day in month_ends},
    )
    totals = {"areas": len(areas), "pilots": 0, "indicators": 0, "measurements": 0}
    for first in range(0, size.pilots, size.pilots_per_batch):
        numbers = range(first + 1, min(first + size.pilots_per_batch, size.pilots) + 1)
        with clock.phase("pilots, decisions, updates"):
            built = _insert_pilots(numbers, ctx)
        with clock.phase("indicator series and results (Python)"):
            rows = _build_indicators(built, ctx)
        with clock.phase("indicators insert"):
            Indicator.objects.bulk_create(
                [indicator for indicator, _ in rows], batch_size=size.rows_per_insert
            )
        with clock.phase("measurements insert"):
            lead_by_pilot = {pilot.pk: pilot.lead_id for pilot, _ in built}
            totals["measurements"] += _insert_measurements(rows, lead_by_pilot, ctx)
        # With DEBUG on, Django keeps every SQL string it ran; here that would be hundreds of MB.
        reset_queries()
        totals["pilots"] += len(built)
        totals["indicators"] += len(rows)
        log(
            f"  {totals['pilots']:>6} pilots, {totals['indicators']:>7} indicators, "
            f"{totals['measurements']:>9} measurements"
        )
    with clock.phase("readiness facts"):
        pilot_readiness_refresh_all()
    return totals
