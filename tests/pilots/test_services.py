"""Services store derived indicator values and move versions on when they write."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pilots import services
from pilots.models import Measurement
from tests.factories import IndicatorDefinitionFactory, IndicatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator():
    definition = IndicatorDefinitionFactory(aggregation="sum", direction="increase")
    return IndicatorFactory(
        definition=definition, baseline_value=Decimal(0), target_value=Decimal(100)
    )


def test_recording_measurements_stores_the_current_value_progress_and_status(indicator):
    services.measurement_record(indicator=indicator, period_end=date(2025, 1, 31), value=40)
    services.measurement_record(indicator=indicator, period_end=date(2025, 2, 28), value=70)

    indicator.refresh_from_db()
    assert indicator.current_value == Decimal(110)
    assert indicator.measurement_count == 2
    assert indicator.latest_period_end == date(2025, 2, 28)
    assert indicator.progress == pytest.approx(1.1)
    assert indicator.status == "reached"


def test_recording_the_same_period_again_replaces_the_value_and_moves_the_version(indicator):
    first = services.measurement_record(indicator=indicator, period_end=date(2025, 1, 31), value=5)
    second = services.measurement_record(
        indicator=indicator, period_end=date(2025, 1, 31), value=8, note="rättad"
    )

    assert first.pk == second.pk
    assert Measurement.objects.filter(indicator=indicator).count() == 1
    assert second.version == first.version + 1
    indicator.refresh_from_db()
    assert indicator.current_value == Decimal(8)


def test_deleting_a_measurement_refreshes_the_indicator(indicator):
    measurement = services.measurement_record(
        indicator=indicator, period_end=date(2025, 1, 31), value=5
    )
    services.measurement_delete(measurement=measurement)
    indicator.refresh_from_db()
    assert indicator.current_value is None
    assert indicator.status == "no_data"


def test_changing_the_target_recomputes_progress_and_moves_the_version(indicator):
    services.measurement_record(indicator=indicator, period_end=date(2025, 1, 31), value=50)
    version = indicator.version
    indicator.target_value = Decimal(50)
    services.indicator_save(indicator=indicator)
    indicator.refresh_from_db()
    assert indicator.status == "reached"
    assert indicator.version == version + 1
