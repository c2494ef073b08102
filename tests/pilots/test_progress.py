"""The progress rules: aggregation, direction and status, by example and by property."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilots import progress

D = Decimal
JAN, FEB, MAR = date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)

decimals = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)
series = st.lists(
    st.tuples(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)), decimals),
    max_size=30,
    unique_by=lambda pair: pair[0],
)


@pytest.mark.parametrize(
    ("aggregation", "expected"), [("sum", D(60)), ("latest", D(30)), ("mean", D(20))]
)
def test_aggregation_combines_measurements_by_its_rule(aggregation, expected):
    values = [(FEB, D(20)), (MAR, D(30)), (JAN, D(10))]
    assert progress.aggregate(values, aggregation) == expected


def test_progress_is_measured_from_baseline_toward_target_in_either_direction():
    assert progress.progress_toward(D(25), D(10), D(40), "increase") == 0.5
    assert progress.progress_toward(D(25), D(40), D(10), "decrease") == 0.5
    assert progress.progress_toward(D(5), D(10), D(40), "increase") < 0


def test_a_target_equal_to_the_baseline_counts_as_reached_only_in_the_right_direction():
    assert progress.progress_toward(D(12), D(10), D(10), "increase") == 1.0
    assert progress.progress_toward(D(12), D(10), D(10), "decrease") == 0.0


def test_status_compares_progress_with_the_time_that_has_passed():
    outcome = progress.evaluate(
        [(date(2025, 7, 1), D(20))],
        aggregation="latest",
        direction="increase",
        baseline=D(0),
        target=D(100),
        baseline_date=date(2025, 1, 1),
        target_date=date(2026, 1, 1),
    )
    # Half the period has passed but only a fifth of the way is done.
    assert outcome.status == "off_track"
    assert outcome.progress == pytest.approx(0.2)


def test_no_measurements_or_no_target_means_no_data():
    assert (
        progress.evaluate(
            [],
            aggregation="sum",
            direction="increase",
            baseline=D(0),
            target=D(5),
            baseline_date=None,
            target_date=None,
        ).status
        == "no_data"
    )
    assert (
        progress.evaluate(
            [(JAN, D(3))],
            aggregation="sum",
            direction="increase",
            baseline=None,
            target=D(5),
            baseline_date=None,
            target_date=None,
        ).status
        == "no_data"
    )


@given(
    values=series,
    aggregation=st.sampled_from(["sum", "latest", "mean"]),
    direction=st.sampled_from(["increase", "decrease"]),
    baseline=st.none() | decimals,
    target=st.none() | decimals,
    start=st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
    length=st.integers(min_value=0, max_value=5000),
)
def test_evaluate_never_fails_and_is_consistent(
    values, aggregation, direction, baseline, target, start, length
):
    end = start + timedelta(days=length) if start else None
    outcome = progress.evaluate(
        values,
        aggregation=aggregation,
        direction=direction,
        baseline=baseline,
        target=target,
        baseline_date=start,
        target_date=end,
    )
    assert outcome.measurement_count == len(values)
    assert outcome.status in {"no_data", "on_track", "off_track", "reached"}
    if not values:
        assert outcome.current_value is None
        assert outcome.status == "no_data"
    else:
        assert outcome.latest_period_end == max(period for period, _ in values)
    if outcome.progress is not None and outcome.progress >= 1:
        assert outcome.status == "reached"
    if outcome.progress is not None and outcome.status != "reached":
        assert outcome.status in {"on_track", "off_track"}


@given(
    baseline=decimals,
    gap=st.decimals(min_value=1, max_value=10**6, places=2),
    first=st.floats(min_value=0, max_value=2),
    second=st.floats(min_value=0, max_value=2),
    direction=st.sampled_from(["increase", "decrease"]),
)
def test_progress_grows_as_the_value_moves_toward_the_target(
    baseline, gap, first, second, direction
):
    target = baseline + gap if direction == "increase" else baseline - gap
    nearer, farther = sorted([first, second], reverse=True)
    value_near = baseline + (target - baseline) * Decimal(str(nearer))
    value_far = baseline + (target - baseline) * Decimal(str(farther))
    near = progress.progress_toward(value_near, baseline, target, direction)
    far = progress.progress_toward(value_far, baseline, target, direction)
    assert near >= far
    assert progress.progress_toward(target, baseline, target, direction) == pytest.approx(1.0)
    assert progress.progress_toward(baseline, baseline, target, direction) == 0.0


@pytest.mark.parametrize(
    ("done", "expected_status"), [(0.41, "on_track"), (0.39, "off_track"), (1.0, "reached")]
)
def test_on_track_allows_ten_points_behind_the_time_that_has_passed(done, expected_status):
    assert progress.status_for(done, 3, expected=0.5) == expected_status
