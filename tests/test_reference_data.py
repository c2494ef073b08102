"""The data migrations create the reference data once and leave existing rows alone."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from areas.models import Area, StatisticKind
from pilots.models import IndicatorDefinition, Theme

pytestmark = pytest.mark.django_db

areas_seed = importlib.import_module("areas.migrations.0002_seed_reference_data")
pilots_seed = importlib.import_module("pilots.migrations.0002_seed_reference_data")


def test_reference_data_exists_after_migrating():
    assert set(Area.objects.values_list("slug", flat=True)) >= {
        "herrgarden",
        "holma-kroksback",
        "lindangen",
        "seved",
    }
    assert Group.objects.filter(name__in=["City officials", "Portal admins"]).count() == 2
    assert Theme.objects.count() >= 8
    assert IndicatorDefinition.objects.filter(direction="decrease").exists()
    assert StatisticKind.objects.filter(code="unemployment-rate").exists()


def test_running_the_data_migrations_again_changes_nothing_and_keeps_edits():
    seved = Area.objects.get(slug="seved")
    seved.description = "Redigerad av en administratör"
    seved.population = 4321
    seved.save()
    counts = [model.objects.count() for model in (Area, Theme, IndicatorDefinition, Group)]

    areas_seed.forwards(apps, None)
    pilots_seed.forwards(apps, None)

    assert [model.objects.count() for model in (Area, Theme, IndicatorDefinition, Group)] == counts
    seved.refresh_from_db()
    assert seved.description == "Redigerad av en administratör"
    assert seved.population == 4321
