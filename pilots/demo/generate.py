"""Pure generators of synthetic figures; no database access, so the bulk seed can call them freely.

All randomness comes from the ``random.Random`` passed in, which keeps the output reproducible.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from pilots.models import EvidenceLevel, Stage, StageDecision

LADDER = [Stage.IDEA, Stage.PROTOTYPE, Stage.PILOT, Stage.SCALING, Stage.MAINSTREAMED]

EVIDENCE_BY_STAGE: dict[str, tuple[int, int]] = {
    Stage.IDEA: (EvidenceLevel.DESCRIBED, EvidenceLevel.DESCRIBED),
    Stage.PROTOTYPE: (EvidenceLevel.DESCRIBED, EvidenceLevel.DATA),
    Stage.PILOT: (EvidenceLevel.DATA, EvidenceLevel.CAUSAL),
    Stage.SCALING: (EvidenceLevel.CAUSAL, EvidenceLevel.INDEPENDENT),
    Stage.MAINSTREAMED: (EvidenceLevel.CAUSAL, EvidenceLevel.INDEPENDENT),
    Stage.STOPPED: (EvidenceLevel.DESCRIBED, EvidenceLevel.DATA),
}

# code: (baseline range, target range, whole numbers). Sum indicators count from zero.
INDICATOR_RANGES: dict[str, tuple[tuple[float, float], tuple[float, float], bool]] = {
    "participants": ((0, 0), (60, 200), True),
    "into-work": ((0, 0), (10, 40), True),
    "into-work-share": ((15, 25), (35, 50), False),
    "homework-attendance": ((45, 60), (75, 85), False),
    "grade-eligibility": ((55, 65), (70, 80), False),
    "health-contacts": ((0, 0), (150, 400), True),
    "self-rated-health": ((45, 55), (60, 68), False),
    "felt-unsafe": ((40, 55), (25, 35), False),
    "vandalism-reports": ((50, 80), (30, 45), True),
    "youth-activities": ((40, 80), (100, 150), True),
    "resident-dialogues": ((0, 0), (8, 20), True),
    "waiting-days": ((25, 40), (10, 14), False),
}

# code: (first-year range, yearly drift range, decimals of noise). Invented, never real figures.
STATISTIC_RANGES: dict[str, tuple[tuple[float, float], tuple[float, float], float]] = {
    "unemployment-rate": ((25, 45), (-1.5, 0.3), 1.0),
    "employment-rate-20-64": ((40, 55), (-0.3, 1.5), 1.0),
    "life-expectancy": ((76, 79.5), (0.0, 0.25), 0.2),
    "upper-secondary-eligibility": ((55, 75), (-1.0, 1.5), 2.0),
    "income-support": ((15, 30), (-1.2, 0.2), 0.8),
}

CENT = Decimal("0.01")


@dataclass(frozen=True)
class IndicatorData:
    baseline_value: Decimal | None
    target_value: Decimal | None
    values: list[tuple[dt.date, Decimal]]


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def month_ends_until(last: dt.date, count: int, step: int = 1) -> list[dt.date]:
    """``count`` month ends, ``step`` months apart, the newest in ``last``'s month; oldest first."""
    first = last.replace(day=1)
    ends = []
    for back in range(count):
        day = add_months(first, -back * step)
        ends.append(month_end(day.year, day.month))
    return ends[::-1]


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def evidence_level(stage: str, rng: random.Random) -> int:
    low, high = EVIDENCE_BY_STAGE[stage]
    return rng.randint(low, high)


def decision_chain(stage: str, rng: random.Random) -> list[tuple[str, str, str]]:
    """(from, to, decision) steps that lead from an idea to ``stage``, oldest first.

    The last step always ends in ``stage``, so the recorded decisions explain where the pilot is.
    """
    if stage == Stage.STOPPED:
        stopped_at = rng.choice([Stage.PROTOTYPE, Stage.PILOT])
        steps = decision_chain(stopped_at, rng)
        return [*steps, (stopped_at, Stage.STOPPED, StageDecision.Decision.STOP)]
    reached = LADDER.index(stage)
    steps: list[tuple[str, str, str]] = []
    for index in range(reached):
        steps.append((LADDER[index], LADDER[index + 1], StageDecision.Decision.GO))
        if LADDER[index + 1] in (Stage.PROTOTYPE, Stage.PILOT) and rng.random() < 0.3:
            here = LADDER[index + 1]
            steps.append((here, here, StageDecision.Decision.ITERATE))
    return steps


def spread_dates(first: dt.date, last: dt.date, count: int) -> list[dt.date]:
    """``count`` dates from ``first`` to ``last``, evenly spaced, oldest first."""
    if count <= 1:
        return [first] * count
    span = max((last - first).days, 0)
    return [first + dt.timedelta(days=span * i // (count - 1)) for i in range(count)]


def _decimal(number: float, whole: bool) -> Decimal:
    # Going through text keeps binary float noise out of the stored decimals.
    return Decimal(f"{number:.0f}") if whole else Decimal(f"{number:.1f}")


def indicator_data(
    *,
    code: str,
    direction: str,
    aggregation: str,
    periods: list[dt.date],
    baseline_date: dt.date,
    target_date: dt.date,
    rng: random.Random,
    with_target: bool = True,
) -> IndicatorData:
    """A baseline, a target and a measurement series that drifts toward the target.

    How far it gets varies by a random "performance" factor, so the statuses spread over
    on track, off track and reached.
    """
    default_range = (
        ((10, 20), (25, 40), False) if direction == "increase" else ((25, 40), (10, 20), False)
    )
    (base_low, base_high), (target_low, target_high), whole = INDICATOR_RANGES.get(
        code, default_range
    )
    baseline = rng.uniform(base_low, base_high)
    target = rng.uniform(target_low, target_high)
    performance = rng.uniform(0.3, 1.4)
    total_days = max((target_date - baseline_date).days, 1)
    values: list[tuple[dt.date, Decimal]] = []
    if aggregation == "sum":
        # Counts per period; for "decrease" sums the baseline is the total expected without
        # the pilot, so each period's count stays below its share of it.
        per_day = (
            (target - baseline) * performance / total_days
            if direction == "increase"
            else baseline * (1 - 0.3 * performance) / total_days
        )
        previous = baseline_date
        for period in periods:
            days = max((period - previous).days, 1)
            previous = period
            values.append((period, _decimal(max(per_day * days * rng.uniform(0.6, 1.4), 0), whole)))
    else:
        spread = abs(target - baseline) * 0.08
        for period in periods:
            share = min(max((period - baseline_date).days / total_days, 0.0), 1.0)
            level = baseline + (target - baseline) * performance * share + rng.gauss(0, spread)
            values.append((period, _decimal(max(level, 0), whole)))
    if not with_target:
        return IndicatorData(baseline_value=None, target_value=None, values=values)
    return IndicatorData(
        baseline_value=_decimal(baseline, whole),
        target_value=_decimal(target, whole),
        values=values,
    )


def statistic_series(code: str, years: list[int], rng: random.Random) -> list[Decimal]:
    """One synthetic yearly series for an area; unknown kinds get a plain percentage walk."""
    (low, high), (drift_low, drift_high), noise = STATISTIC_RANGES.get(
        code, ((10, 90), (-1.0, 1.0), 1.0)
    )
    level = rng.uniform(low, high)
    drift = rng.uniform(drift_low, drift_high)
    series = []
    for _year in years:
        series.append(Decimal(f"{max(level + rng.gauss(0, noise), 0):.2f}"))
        level += drift
    return series


def colour(rng: random.Random) -> str:
    # Dark enough for white text and chart labels on a light background.
    return "#" + "".join(f"{rng.randint(0x10, 0x90):02x}" for _ in range(3))
