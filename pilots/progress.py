"""The rules that turn an indicator's measurements into a current value, progress and status.

Written once here; services store the results when a measurement or an indicator is written, so
pages never recompute them row by row.

- Current value: by the definition's aggregation: ``sum`` adds all measurements, ``latest`` takes
  the one with the latest period end, ``mean`` averages them.
- Progress: 0 at the baseline and 1 at the target, whichever way the target lies; a value beyond
  the target is above 1, a value moving away from it below 0. Without a baseline or a target there
  is no progress.
- Status: *no data* without measurements or without baseline and target; *target reached* at
  progress 1 or more; *on track* when progress is at least the share of the baseline→target
  period that had passed at the latest measurement, less a tolerance of 10 percentage points
  (without both dates: when progress is above 0); otherwise *off track*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

TOLERANCE = 0.10


@dataclass(frozen=True)
class Outcome:
    current_value: Decimal | None
    latest_period_end: date | None
    measurement_count: int
    progress: float | None
    status: str


def aggregate(values: list[tuple[date, Decimal]], aggregation: str) -> Decimal | None:
    """Combine (period_end, value) pairs by the aggregation rule."""
    if not values:
        return None
    if aggregation == "sum":
        return sum((value for _, value in values), Decimal(0))
    if aggregation == "mean":
        total = sum((value for _, value in values), Decimal(0))
        return (total / len(values)).quantize(Decimal("0.01"))
    if aggregation == "latest":
        return max(values, key=lambda pair: pair[0])[1]
    raise ValueError(f"Unknown aggregation {aggregation!r}")


def progress_toward(
    current: Decimal | None, baseline: Decimal | None, target: Decimal | None, direction: str
) -> float | None:
    """Share of the way from baseline to target; 1.0 means the target is reached."""
    if current is None or baseline is None or target is None:
        return None
    if target == baseline:
        better = current >= target if direction == "increase" else current <= target
        return 1.0 if better else 0.0
    return float((current - baseline) / (target - baseline))


def expected_share(
    today: date, baseline_date: date | None, target_date: date | None
) -> float | None:
    """How much of the baseline→target period has passed, from 0 to 1."""
    if baseline_date is None or target_date is None or target_date <= baseline_date:
        return None
    elapsed = (today - baseline_date).days / (target_date - baseline_date).days
    return min(max(elapsed, 0.0), 1.0)


def status_for(progress: float | None, count: int, expected: float | None) -> str:
    if count == 0 or progress is None:
        return "no_data"
    if progress >= 1.0:
        return "reached"
    if expected is None:
        return "on_track" if progress > 0 else "off_track"
    return "on_track" if progress >= expected - TOLERANCE else "off_track"


def evaluate(
    values: list[tuple[date, Decimal]],
    *,
    aggregation: str,
    direction: str,
    baseline: Decimal | None,
    target: Decimal | None,
    baseline_date: date | None,
    target_date: date | None,
) -> Outcome:
    """Everything stored on an indicator, from its measurements and definition."""
    current = aggregate(values, aggregation)
    latest = max((period for period, _ in values), default=None)
    progress = progress_toward(current, baseline, target, direction)
    expected = expected_share(latest, baseline_date, target_date) if latest else None
    return Outcome(
        current_value=current,
        latest_period_end=latest,
        measurement_count=len(values),
        progress=progress,
        status=status_for(progress, len(values), expected),
    )
