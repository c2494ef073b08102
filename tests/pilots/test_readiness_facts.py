"""The readiness facts stored on each pilot: the library ranks by them, so every write that
changes a pilot's indicators, area or adaptations must leave them equal to the facts counted
live, whether it comes from the portal's services, the admin, an import, a restore or the seed."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import random
import zipfile
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from pilots import backup, library, services
from pilots.demo.large import LargeSize, seed_large
from pilots.demo.seed import create_demo_users
from pilots.importing import Action, ImportRow
from pilots.models import READINESS_FIELDS, Indicator, Measurement, Pilot, Stage
from tests.factories import (
    AreaFactory,
    IndicatorDefinitionFactory,
    IndicatorFactory,
    PilotFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def counted() -> dict[int, tuple]:
    """Every pilot's facts as the library counts them live for the rows of a page."""
    return {
        pilot.pk: (
            pilot.indicator_count,
            pilot.on_track_count,
            pilot.adapted_area_count,
            pilot.last_measured,
        )
        for pilot in library.with_readiness(Pilot.objects.all())
    }


def stored() -> dict[int, tuple]:
    return {pk: tuple(facts) for pk, *facts in Pilot.objects.values_list("pk", *READINESS_FIELDS)}


def facts(pilot: Pilot) -> tuple:
    return Pilot.objects.values_list(*READINESS_FIELDS).get(pk=pilot.pk)


def assert_stored_facts_are_counted_facts() -> None:
    assert stored() == counted()


def live_ranking() -> list[int]:
    candidates = library.candidates(Pilot.objects.all())
    scored = library.with_readiness(candidates).order_by("-readiness", "title", "pk")
    return list(scored.values_list("pk", flat=True))


def varied_world(seed: int) -> None:
    """Pilots at every stage with every kind of indicator, adaptation and tie, made directly
    (not through the services), so the stored facts start out wrong."""
    rng = random.Random(seed)
    today = timezone.localdate()
    areas = AreaFactory.create_batch(5)
    definitions = IndicatorDefinitionFactory.create_batch(4)
    pilots = []
    for number in range(40):
        pilot = PilotFactory(
            area=rng.choice(areas),
            # Few titles and levels, so many pilots tie on score and title.
            title=f"Pilot {rng.randint(1, 6)}",
            stage=rng.choice(Stage.values),
            evidence_level=rng.randint(1, 5),
            lessons=rng.choice(["", "Börja smått."]),
            archived_at=timezone.now() if rng.random() < 0.15 else None,
            adapted_from=rng.choice(pilots) if pilots and rng.random() < 0.4 else None,
            slug=f"varied-{seed}-{number}",
        )
        for definition in rng.sample(definitions, rng.randint(0, len(definitions))):
            days = rng.choice([None, 0, 89, 90, 91, 179, 180, 181, 400])
            IndicatorFactory(
                pilot=pilot,
                definition=definition,
                status=rng.choice(Indicator.Status.values),
                latest_period_end=None if days is None else today - dt.timedelta(days=days),
            )
        pilots.append(pilot)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_ranking_by_stored_facts_is_the_ranking_by_facts_counted_live(seed):
    varied_world(seed)
    assert stored() != counted(), "the world must start with wrong stored facts"

    services.pilot_readiness_refresh_all()

    assert_stored_facts_are_counted_facts()
    ranking = list(library.ranking(Pilot.objects.all()))
    assert len(ranking) > 10
    assert ranking == live_ranking()


def test_the_migration_counts_the_facts_as_the_services_do():
    varied_world(4)
    migration = importlib.import_module("pilots.migrations.0009_pilot_readiness_facts")

    migration.fill_readiness_facts(apps, None)

    assert_stored_facts_are_counted_facts()
    assert any(value for row in stored().values() for value in row)


# The services ----------------------------------------------------------------------------------


@pytest.fixture
def pilot(seved) -> Pilot:
    return PilotFactory(area=seved, stage=Stage.PILOT)


@pytest.fixture
def indicator(pilot) -> Indicator:
    definition = IndicatorDefinitionFactory(aggregation="latest", direction="increase")
    return services.indicator_create(
        indicator=Indicator(
            pilot=pilot, definition=definition, baseline_value=Decimal(0), target_value=Decimal(10)
        )
    )


def new_indicator(pilot: Pilot) -> Indicator:
    definition = IndicatorDefinitionFactory()
    return services.indicator_create(
        indicator=IndicatorFactory.build(pilot=pilot, definition=definition)
    )


def test_an_indicator_added_updated_and_removed_is_counted_each_time(pilot, indicator):
    assert facts(pilot) == (1, 0, 0, None)
    services.measurement_record(indicator=indicator, period_end=dt.date(2025, 1, 31), value=4)
    assert facts(pilot) == (1, 1, 0, dt.date(2025, 1, 31))

    indicator.refresh_from_db()
    indicator.target_value = Decimal(100)
    indicator.baseline_value = Decimal(50)
    services.indicator_update(indicator=indicator, expected_version=indicator.version)
    assert facts(pilot) == (1, 0, 0, dt.date(2025, 1, 31)), "below the baseline: off track"

    indicator.refresh_from_db()
    indicator.baseline_value = Decimal(0)
    indicator.target_value = Decimal(4)
    services.indicator_save(indicator=indicator)
    assert facts(pilot) == (1, 1, 0, dt.date(2025, 1, 31)), "the target is reached"

    services.indicator_delete(indicator=indicator)
    assert facts(pilot) == (0, 0, 0, None)


def test_measurements_recorded_changed_and_deleted_move_the_latest_period(pilot, indicator):
    first = services.measurement_create(
        indicator=indicator, period_end=dt.date(2025, 1, 31), value=Decimal(2)
    )
    second = services.measurement_create(
        indicator=indicator, period_end=dt.date(2025, 3, 31), value=Decimal(3)
    )
    assert facts(pilot) == (1, 1, 0, dt.date(2025, 3, 31))

    second.period_end = dt.date(2025, 2, 28)
    services.measurement_update(measurement=second, expected_version=second.version)
    assert facts(pilot)[3] == dt.date(2025, 2, 28)

    services.measurement_delete(measurement=Measurement.objects.get(pk=second.pk))
    assert facts(pilot)[3] == dt.date(2025, 1, 31)
    services.measurement_delete(measurement=first)
    assert facts(pilot) == (1, 0, 0, None)
    assert_stored_facts_are_counted_facts()


def test_an_import_stores_the_facts_once_its_rows_are_written(pilot, indicator):
    other = services.indicator_create(
        indicator=Indicator(
            pilot=pilot,
            definition=IndicatorDefinitionFactory(),
            baseline_value=Decimal(0),
            target_value=Decimal(10),
        )
    )
    rows = [
        ImportRow(
            line=number,
            code=row_indicator.definition.code,
            period_text=period.isoformat(),
            value_text=value,
            period_end=period,
            value=Decimal(value),
            action=Action.CREATE,
            indicator_id=row_indicator.pk,
        )
        for number, (row_indicator, period, value) in enumerate(
            [
                (indicator, dt.date(2025, 5, 31), "12"),
                (other, dt.date(2025, 4, 30), "1"),
            ],
            start=2,
        )
    ]

    services.measurements_import(pilot=pilot, rows=rows, recorded_by=None)

    assert facts(pilot) == (2, 2, 0, dt.date(2025, 5, 31))


def test_adapting_a_pilot_counts_the_new_area_for_the_original(pilot, indicator, lindangen):
    user = UserFactory()
    adapted = services.pilot_adapt(
        original=pilot,
        area=lindangen,
        user=user,
        title="Läxhjälp i Lindängen",
        need="Samma behov.",
        approach="Samma upplägg.",
        adaptation_notes="Kvällar i stället för eftermiddagar.",
        copy_partners=False,
    )

    assert facts(pilot)[2] == 1
    assert facts(adapted) == (1, 0, 0, None), "the copy follows the same indicators, unmeasured"
    assert_stored_facts_are_counted_facts()


def test_archiving_an_adaptation_takes_it_off_its_originals_count(pilot, lindangen):
    adaptation = PilotFactory(area=lindangen, adapted_from=pilot)
    services.pilot_readiness_refresh(pilot_ids=[pilot.pk])
    assert facts(pilot)[2] == 1

    services.pilot_archive(pilot=adaptation)
    assert facts(pilot)[2] == 0

    services.pilot_unarchive(pilot=adaptation)
    assert facts(pilot)[2] == 1


def test_moving_either_pilot_into_the_other_ones_area_takes_the_adaptation_off(
    pilot, seved, lindangen
):
    adaptation = PilotFactory(area=lindangen, adapted_from=pilot)
    services.pilot_readiness_refresh(pilot_ids=[pilot.pk])

    adaptation.area = seved
    services.pilot_update(pilot=adaptation, expected_version=adaptation.version)
    assert facts(pilot)[2] == 0

    pilot.refresh_from_db()
    pilot.area = lindangen
    services.pilot_update(pilot=pilot, expected_version=pilot.version)
    assert facts(pilot)[2] == 1


def test_a_pilot_edited_from_an_old_copy_keeps_facts_written_meanwhile(pilot, indicator):
    opened = Pilot.objects.get(pk=pilot.pk)  # the edit form, opened before the measurement
    services.measurement_record(indicator=indicator, period_end=dt.date(2025, 1, 31), value=4)

    opened.summary = "Ny sammanfattning."
    services.pilot_update(pilot=opened, expected_version=opened.version)

    assert facts(pilot) == (1, 1, 0, dt.date(2025, 1, 31))


def test_a_new_pilot_adapted_from_another_counts_for_it(pilot, lindangen):
    services.pilot_create(
        pilot=Pilot(title="Ny", area=lindangen, need="Ett behov.", adapted_from=pilot)
    )

    assert facts(pilot)[2] == 1


# The admin ----------------------------------------------------------------------------------


@pytest.fixture
def admin_site(client):
    client.force_login(
        get_user_model().objects.create_superuser(username="superuser", password="not-used")
    )
    return client


def admin_url(model, view: str, *args: object) -> str:
    return reverse(f"admin:pilots_{model._meta.model_name}_{view}", args=args)


def pilot_form(pilot: Pilot, **changes: object) -> dict[str, object]:
    """The admin's pilot change form as the page posts it back, without inline rows."""
    data = {
        "title": pilot.title,
        "slug": pilot.slug,
        "area": pilot.area_id,
        "lead": pilot.lead_id or "",
        "need": pilot.need,
        "summary": pilot.summary,
        "approach": pilot.approach,
        "target_group": pilot.target_group,
        "adapted_from": pilot.adapted_from_id or "",
        "adaptation_notes": pilot.adaptation_notes,
        "lessons": pilot.lessons,
        "indicators-TOTAL_FORMS": "0",
        "indicators-INITIAL_FORMS": "0",
        "stage_decisions-TOTAL_FORMS": "0",
        "stage_decisions-INITIAL_FORMS": "0",
    }
    return data | changes


@pytest.fixture
def lineage(seved, lindangen) -> tuple[Pilot, Pilot, Pilot]:
    """Two originals in Seved and an adaptation of the first in Lindängen, facts stored."""
    first, second = PilotFactory(area=seved), PilotFactory(area=seved)
    adaptation = PilotFactory(area=lindangen, adapted_from=first)
    services.pilot_readiness_refresh_all()
    assert (facts(first)[2], facts(second)[2]) == (1, 0)
    return first, second, adaptation


def test_the_admin_moving_an_adaptation_to_another_original_counts_it_there(admin_site, lineage):
    first, second, adaptation = lineage

    response = admin_site.post(
        admin_url(Pilot, "change", adaptation.pk), pilot_form(adaptation, adapted_from=second.pk)
    )

    assert response.status_code == 302
    assert (facts(first)[2], facts(second)[2]) == (0, 1)


def test_the_admin_moving_an_adaptation_into_its_originals_area_takes_it_off(
    admin_site, lineage, seved
):
    first, _second, adaptation = lineage

    admin_site.post(
        admin_url(Pilot, "change", adaptation.pk), pilot_form(adaptation, area=seved.pk)
    )

    assert facts(first)[2] == 0


def test_the_admin_adding_an_adaptation_counts_it(admin_site, lineage, lindangen):
    _first, second, _adaptation = lineage
    new = PilotFactory.build(area=lindangen, adapted_from=second, slug="ny-anpassning")

    response = admin_site.post(admin_url(Pilot, "add"), pilot_form(new, stage=Stage.IDEA))

    assert response.status_code == 302
    assert facts(second)[2] == 1


def test_the_admin_deleting_adaptations_takes_them_off(admin_site, lineage, lindangen):
    first, second, adaptation = lineage
    other = PilotFactory(area=lindangen, adapted_from=second)
    services.pilot_readiness_refresh(pilot_ids=[second.pk])

    admin_site.post(admin_url(Pilot, "delete", adaptation.pk), {"post": "yes"})
    admin_site.post(
        admin_url(Pilot, "changelist"),
        {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"},
    )

    assert not Pilot.objects.filter(pk__in=[adaptation.pk, other.pk]).exists()
    assert (facts(first)[2], facts(second)[2]) == (0, 0)


def test_the_admin_archive_actions_move_the_originals_count(admin_site, lineage):
    first, _second, adaptation = lineage
    url = admin_url(Pilot, "changelist")

    admin_site.post(url, {"action": "archive_selected", "_selected_action": [adaptation.pk]})
    assert facts(first)[2] == 0

    admin_site.post(url, {"action": "unarchive_selected", "_selected_action": [adaptation.pk]})
    assert facts(first)[2] == 1


def test_the_admin_deleting_an_indicator_on_the_pilot_page_counts_one_fewer(admin_site, pilot):
    kept, removed = (new_indicator(pilot) for _ in range(2))
    assert facts(pilot)[0] == 2
    data = pilot_form(
        pilot,
        **{
            "indicators-TOTAL_FORMS": "2",
            "indicators-INITIAL_FORMS": "2",
            **{
                f"indicators-{row}-{name}": value
                for row, indicator in enumerate([kept, removed])
                for name, value in {
                    "id": indicator.pk,
                    "pilot": pilot.pk,
                    "definition": indicator.definition_id,
                    "baseline_value": indicator.baseline_value,
                    "target_value": indicator.target_value,
                }.items()
            },
            "indicators-1-DELETE": "on",
        },
    )

    response = admin_site.post(admin_url(Pilot, "change", pilot.pk), data)

    assert response.status_code == 302
    assert list(pilot.indicators.all()) == [kept]
    assert facts(pilot)[0] == 1


def indicator_form(indicator: Indicator, **changes: object) -> dict[str, object]:
    data = {
        "pilot": indicator.pilot_id,
        "definition": indicator.definition_id,
        "baseline_value": indicator.baseline_value,
        "baseline_date": indicator.baseline_date or "",
        "target_value": indicator.target_value,
        "target_date": indicator.target_date or "",
        "measurements-TOTAL_FORMS": "0",
        "measurements-INITIAL_FORMS": "0",
    }
    return data | changes


def test_the_admin_moving_an_indicator_to_another_pilot_counts_it_there_only(
    admin_site, pilot, indicator, seved
):
    services.measurement_record(indicator=indicator, period_end=dt.date(2025, 1, 31), value=4)
    other = PilotFactory(area=seved)

    response = admin_site.post(
        admin_url(Indicator, "change", indicator.pk), indicator_form(indicator, pilot=other.pk)
    )

    assert response.status_code == 302
    assert facts(pilot) == (0, 0, 0, None)
    assert facts(other) == (1, 1, 0, dt.date(2025, 1, 31))


def test_the_admin_measurement_pages_keep_the_latest_period(admin_site, pilot, indicator):
    response = admin_site.post(
        admin_url(Indicator, "change", indicator.pk),
        indicator_form(
            indicator,
            **{
                "measurements-TOTAL_FORMS": "1",
                "measurements-0-period_end": "2025-02-28",
                "measurements-0-value": "3",
            },
        ),
    )
    assert response.status_code == 302
    assert facts(pilot) == (1, 1, 0, dt.date(2025, 2, 28))

    admin_site.post(
        admin_url(Measurement, "add"),
        {
            "indicator": indicator.pk,
            "period_end": "2025-04-30",
            "value": "20",
            "note": "",
            "recorded_at_0": "2025-05-02",
            "recorded_at_1": "10:00:00",
        },
    )
    assert facts(pilot) == (1, 1, 0, dt.date(2025, 4, 30))

    latest = indicator.measurements.get(period_end=dt.date(2025, 4, 30))
    admin_site.post(admin_url(Measurement, "delete", latest.pk), {"post": "yes"})
    assert facts(pilot)[3] == dt.date(2025, 2, 28)

    admin_site.post(
        admin_url(Measurement, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(indicator.measurements.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert facts(pilot) == (1, 0, 0, None)


def test_the_admin_deleting_indicators_counts_fewer(admin_site, pilot, indicator):
    second, third = (new_indicator(pilot) for _ in range(2))
    assert facts(pilot)[0] == 3

    admin_site.post(admin_url(Indicator, "delete", indicator.pk), {"post": "yes"})
    assert facts(pilot)[0] == 2

    admin_site.post(
        admin_url(Indicator, "changelist"),
        {"action": "delete_selected", "_selected_action": [second.pk, third.pk], "post": "yes"},
    )
    assert facts(pilot)[0] == 0


# Writes in bulk -----------------------------------------------------------------------------


@pytest.fixture
def demo_settings(settings, tmp_path):
    settings.DEMO_PASSWORD = "demo-lösenord-fakta"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def test_the_small_seed_stores_every_pilots_facts(demo_settings):
    call_command("seed_demo", stdout=StringIO())

    assert_stored_facts_are_counted_facts()
    assert any(row[2] for row in stored().values()), "the demo has adaptations in other areas"


def test_the_large_seed_stores_every_pilots_facts(demo_settings):
    size = LargeSize(areas=6, pilots=30, indicators_per_pilot=3, measurements_per_indicator=4)

    seed_large(
        users=create_demo_users(password="demo-lösenord-fakta"),
        today=timezone.localdate(),
        rng=random.Random(2),
        log=lambda _: None,
        size=size,
    )

    assert_stored_facts_are_counted_facts()


def test_a_restore_counts_the_facts_again_rather_than_trusting_the_archive(demo_settings, tmp_path):
    call_command("seed_demo", stdout=StringIO())
    before = stored()
    archive, tampered = tmp_path / "backup.zip", tmp_path / "tampered.zip"
    call_command("export_all", str(archive), stdout=StringIO(), stderr=StringIO())
    zeroed(archive, tampered)
    emptied_for_a_restore()

    call_command("import_all", str(tampered), stdout=StringIO())

    assert stored() == before
    assert_stored_facts_are_counted_facts()


def zeroed(source: Path, target: Path) -> None:
    """A copy of the archive whose pilots claim no indicators, adaptations or measurements."""
    entry = f"tables/{Pilot._meta.label}.jsonl"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == entry:
                rows = [json.loads(line) for line in data.splitlines()]
                for row in rows:
                    row.update(dict.fromkeys(READINESS_FIELDS[:3], 0), readiness_last_measured=None)
                data = "".join(json.dumps(row) + "\n" for row in rows).encode()
            new.writestr(info.filename, data)


def emptied_for_a_restore() -> None:
    """Every table of the backup emptied, as a restore into a new database expects."""
    tables = [model._meta.db_table for model in backup.backup_tables()]
    connection.check_constraints()
    connection.ops.execute_sql_flush(
        connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    )
