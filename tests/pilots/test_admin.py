"""The admin for pilots, the indicator catalogue, indicators, measurements and sharing."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Model
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from areas.models import Area
from pilots.models import (
    Attachment,
    Indicator,
    IndicatorDefinition,
    Measurement,
    Partner,
    Pilot,
    PilotUpdate,
    ShareLink,
    Stage,
    StageDecision,
    Theme,
)
from pilots.services import indicator_refresh

pytestmark = pytest.mark.django_db

User = get_user_model()
_serial = itertools.count(1)


def _user() -> Model:
    return User.objects.create_user(username=f"pilot-admin-user-{next(_serial)}")


def _area() -> Area:
    n = next(_serial)
    return Area.objects.create(name=f"Testområde {n}", slug=f"testomrade-{n}")


def _theme() -> Theme:
    n = next(_serial)
    return Theme.objects.create(name=f"Tema {n}", name_en=f"Theme {n}", slug=f"tema-{n}")


def _partner() -> Partner:
    return Partner.objects.create(name=f"Förening {next(_serial)}", kind=Partner.Kind.NGO)


def _pilot(**fields: object) -> Pilot:
    n = next(_serial)
    defaults: dict[str, object] = {
        "title": f"Pilot {n}",
        "slug": f"pilot-{n}",
        "area": _area(),
        "need": "Unga saknar vägar till arbete.",
        "lead": _user(),
    }
    pilot = Pilot.objects.create(**(defaults | fields))
    pilot.themes.add(_theme())
    return pilot


def _definition(**fields: object) -> IndicatorDefinition:
    n = next(_serial)
    defaults: dict[str, object] = {
        "code": f"test-indicator-{n}",
        "name": f"Indikator {n}",
        "aggregation": IndicatorDefinition.Aggregation.LATEST,
    }
    return IndicatorDefinition.objects.create(**(defaults | fields))


def _indicator(**fields: object) -> Indicator:
    defaults: dict[str, object] = {
        "pilot": _pilot(),
        "definition": _definition(),
        "baseline_value": Decimal(0),
        "target_value": Decimal(10),
    }
    return Indicator.objects.create(**(defaults | fields))


def _measurement(indicator: Indicator | None = None, value: str = "5") -> Measurement:
    indicator = indicator or _indicator()
    measurement = Measurement.objects.create(
        indicator=indicator, period_end=dt.date(2024, 6, 30), value=Decimal(value)
    )
    indicator_refresh(indicator=indicator)
    return measurement


def _update() -> PilotUpdate:
    return PilotUpdate.objects.create(
        pilot=_pilot(), author=_user(), kind=PilotUpdate.Kind.LESSON, body="Börja smått."
    )


def _attachment() -> Attachment:
    return Attachment.objects.create(
        pilot=_pilot(),
        file=SimpleUploadedFile("rapport.txt", b"hello world", content_type="text/plain"),
        title="Slutrapport",
        uploaded_by=_user(),
    )


def _share_link() -> ShareLink:
    return ShareLink.objects.create(
        pilot=_pilot(), created_by=_user(), expires_at=timezone.now() + dt.timedelta(days=30)
    )


BUILDERS: dict[type[Model], Callable[[], Model]] = {
    Theme: _theme,
    Partner: _partner,
    Pilot: _pilot,
    IndicatorDefinition: _definition,
    Indicator: _indicator,
    Measurement: _measurement,
    PilotUpdate: _update,
    Attachment: _attachment,
    ShareLink: _share_link,
}

REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "pilots"),
    key=lambda model: model._meta.label,
)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    # Uploaded test files go to a temporary folder, not the project's media folder.
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def superuser(django_user_model: type[Model]) -> Model:
    return django_user_model.objects.create_superuser(
        username="superuser", email="superuser@example.test", password="not-used-by-force-login"
    )


@pytest.fixture
def admin_site_client(client: Client, superuser: Model) -> Client:
    # force_login, not login: django-axes needs a request to authenticate with a password.
    client.force_login(superuser)
    return client


def _url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def _management(prefix: str, total: int, initial: int) -> dict[str, str]:
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial)}


def _pilot_form(pilot: Pilot, **changes: object) -> dict[str, object]:
    """The pilot change form as the admin page would post it back, without inline rows."""
    data: dict[str, object] = {
        "title": pilot.title,
        "slug": pilot.slug,
        "area": pilot.area_id,
        "lead": pilot.lead_id or "",
        "evidence_level": pilot.evidence_level,
        "need": pilot.need,
        "summary": pilot.summary,
        "approach": pilot.approach,
        "target_group": pilot.target_group,
        "themes": [theme.pk for theme in pilot.themes.all()],
        "start_date": pilot.start_date or "",
        "end_date": pilot.end_date or "",
        "budget_sek": pilot.budget_sek or "",
        "participants_reached": pilot.participants_reached or "",
        "adapted_from": pilot.adapted_from_id or "",
        "adaptation_notes": pilot.adaptation_notes,
        "lessons": pilot.lessons,
        **_management("indicators", 0, 0),
        **_management("stage_decisions", 0, 0),
    }
    return data | changes


def _indicator_form(indicator: Indicator, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "pilot": indicator.pilot_id,
        "definition": indicator.definition_id,
        "baseline_value": indicator.baseline_value,
        "baseline_date": indicator.baseline_date or "",
        "target_value": indicator.target_value,
        "target_date": indicator.target_date or "",
        **_management("measurements", 0, 0),
    }
    return data | changes


def _definition_form(definition: IndicatorDefinition, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": definition.code,
        "name": definition.name,
        "name_en": definition.name_en,
        "description": definition.description,
        "unit": definition.unit,
        "direction": definition.direction,
        "aggregation": definition.aggregation,
        "is_active": "on",
    }
    return data | changes


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_superuser_opens_every_admin_page_of_each_registered_model(
    admin_site_client: Client, model: type[Model]
) -> None:
    obj = BUILDERS[model]()

    changelist = admin_site_client.get(_url(model, "changelist"))
    assert changelist.status_code == 200
    assert obj.pk in {row.pk for row in changelist.context["cl"].result_list}

    assert admin_site_client.get(_url(model, "add")).status_code == 200

    change = admin_site_client.get(_url(model, "change", obj.pk))
    assert change.status_code == 200
    assert change.context["original"] == obj

    assert admin_site_client.get(_url(model, "history", obj.pk)).status_code == 200
    assert admin_site_client.get(_url(model, "delete", obj.pk)).status_code == 200


@pytest.mark.parametrize(
    "model",
    [Pilot, Indicator, Measurement, PilotUpdate, Attachment, ShareLink],
    ids=lambda model: model.__name__,
)
def test_changelist_query_count_does_not_grow_with_rows(
    admin_site_client: Client, model: type[Model]
) -> None:
    url = _url(model, "changelist")
    admin_site_client.get(url)  # warm per-process caches so both counts measure the same work
    for _ in range(2):
        BUILDERS[model]()
    few = _queries_for(admin_site_client, url)
    for _ in range(28):
        BUILDERS[model]()

    many = _queries_for(admin_site_client, url)

    assert len(admin_site_client.get(url).context["cl"].result_list) == 30
    assert few == many


def test_pilot_changelist_search_finds_pilots_by_title_and_need(
    admin_site_client: Client,
) -> None:
    homework = _pilot(title="Läxhjälp på Seved")
    health = _pilot(title="Hälsoambassadörer", need="Kort medellivslängd i området.")
    _pilot(title="Jobbmatchning")
    url = _url(Pilot, "changelist")

    by_title = admin_site_client.get(url, {"q": "läxhjälp"}).context["cl"].result_list
    by_need = admin_site_client.get(url, {"q": "medellivslängd"}).context["cl"].result_list

    assert [pilot.pk for pilot in by_title] == [homework.pk]
    assert [pilot.pk for pilot in by_need] == [health.pk]


def test_archive_action_archives_only_the_selected_pilots_and_says_how_many(
    admin_site_client: Client,
) -> None:
    selected, other = _pilot(), _pilot()

    response = admin_site_client.post(
        _url(Pilot, "changelist"), {"action": "archive_selected", "_selected_action": [selected.pk]}
    )

    assert response.status_code == 302
    selected.refresh_from_db()
    other.refresh_from_db()
    assert selected.archived_at is not None
    assert selected.version == 2
    assert other.archived_at is None
    (message,) = get_messages(response.wsgi_request)
    assert message.level == messages.SUCCESS
    assert "1" in message.message
    assert selected.history.first().archived_at == selected.archived_at


def test_unarchive_action_brings_archived_pilots_back(admin_site_client: Client) -> None:
    pilot = _pilot(archived_at=timezone.now())

    admin_site_client.post(
        _url(Pilot, "changelist"), {"action": "unarchive_selected", "_selected_action": [pilot.pk]}
    )

    pilot.refresh_from_db()
    assert pilot.archived_at is None


def test_archived_filter_separates_archived_from_active_pilots(admin_site_client: Client) -> None:
    archived, active = _pilot(archived_at=timezone.now()), _pilot()
    url = _url(Pilot, "changelist")

    yes = admin_site_client.get(url, {"archived": "yes"}).context["cl"].result_list
    no = admin_site_client.get(url, {"archived": "no"}).context["cl"].result_list

    assert archived.pk in {pilot.pk for pilot in yes}
    assert active.pk not in {pilot.pk for pilot in yes}
    assert active.pk in {pilot.pk for pilot in no}
    assert archived.pk not in {pilot.pk for pilot in no}


def test_pilot_stage_cannot_be_changed_in_the_admin_without_a_decision(
    admin_site_client: Client,
) -> None:
    pilot = _pilot(stage=Stage.PROTOTYPE)

    response = admin_site_client.post(
        _url(Pilot, "change", pilot.pk), _pilot_form(pilot, title="Nytt namn", stage=Stage.SCALING)
    )

    assert response.status_code == 302
    pilot.refresh_from_db()
    assert pilot.title == "Nytt namn"
    assert pilot.stage == Stage.PROTOTYPE


def test_pilot_page_shows_stage_decisions_without_a_way_to_add_or_edit_them(
    admin_site_client: Client, superuser: Model
) -> None:
    pilot = _pilot(stage=Stage.PROTOTYPE)
    StageDecision.objects.create(
        pilot=pilot,
        from_stage=Stage.IDEA,
        to_stage=Stage.PROTOTYPE,
        decision=StageDecision.Decision.GO,
        rationale="Behovet är tydligt.",
        decided_by=superuser,
    )

    response = admin_site_client.get(_url(Pilot, "change", pilot.pk))

    (decisions,) = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is StageDecision
    ]
    assert not decisions.has_add_permission
    assert not decisions.has_change_permission
    assert "Behovet är tydligt." in response.content.decode()


def test_changing_an_indicator_target_on_the_pilot_page_refreshes_its_progress(
    admin_site_client: Client,
) -> None:
    measurement = _measurement(value="5")
    indicator = Indicator.objects.get(pk=measurement.indicator_id)
    assert indicator.progress == pytest.approx(0.5)
    pilot = indicator.pilot
    data = _pilot_form(
        pilot,
        **_management("indicators", 1, 1),
        **{
            "indicators-0-id": indicator.pk,
            "indicators-0-definition": indicator.definition_id,
            "indicators-0-baseline_value": "0",
            "indicators-0-target_value": "5",
        },
    )

    response = admin_site_client.post(_url(Pilot, "change", pilot.pk), data)

    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.target_value == Decimal(5)
    assert indicator.progress == pytest.approx(1.0)
    assert indicator.status == Indicator.Status.REACHED


def test_saving_a_measurement_through_the_indicator_admin_updates_the_stored_progress(
    admin_site_client: Client,
) -> None:
    indicator = _indicator(baseline_value=Decimal(0), target_value=Decimal(10))
    assert indicator.status == Indicator.Status.NO_DATA
    data = _indicator_form(
        indicator,
        **_management("measurements", 1, 0),
        **{"measurements-0-period_end": "2024-03-31", "measurements-0-value": "4"},
    )

    response = admin_site_client.post(_url(Indicator, "change", indicator.pk), data)

    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.current_value == Decimal(4)
    assert indicator.measurement_count == 1
    assert indicator.progress == pytest.approx(0.4)
    assert indicator.status == Indicator.Status.ON_TRACK
    assert indicator.measurements.get().recorded_by.username == "superuser"


def test_a_second_value_for_the_same_period_in_the_indicator_admin_is_refused_with_a_message(
    admin_site_client: Client,
) -> None:
    measurement = _measurement(value="5")
    indicator = Indicator.objects.get(pk=measurement.indicator_id)
    # Posted from a page opened before the first value was recorded (another tab, a colleague).
    data = _indicator_form(
        indicator,
        **_management("measurements", 1, 0),
        **{
            "measurements-0-period_end": measurement.period_end.isoformat(),
            "measurements-0-value": "9",
        },
    )

    response = admin_site_client.post(_url(Indicator, "change", indicator.pk), data)

    assert response.status_code == 200
    (formset,) = [inline.formset for inline in response.context["inline_admin_formsets"]]
    (error,) = formset.forms[0].non_field_errors()
    assert error in response.content.decode()
    assert list(indicator.measurements.values_list("value", flat=True)) == [Decimal(5)]


def test_adding_a_measurement_in_the_measurement_admin_refreshes_its_indicator(
    admin_site_client: Client,
) -> None:
    indicator = _indicator(baseline_value=Decimal(0), target_value=Decimal(10))
    data = {
        "indicator": indicator.pk,
        "period_end": "2024-12-31",
        "value": "12",
        "note": "",
        "recorded_at_0": "2025-01-02",
        "recorded_at_1": "10:00:00",
    }

    response = admin_site_client.post(_url(Measurement, "add"), data)

    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.current_value == Decimal(12)
    assert indicator.status == Indicator.Status.REACHED


def test_deleting_a_measurement_in_the_admin_refreshes_its_indicator(
    admin_site_client: Client,
) -> None:
    measurement = _measurement(value="5")

    response = admin_site_client.post(_url(Measurement, "delete", measurement.pk), {"post": "yes"})

    assert response.status_code == 302
    indicator = Indicator.objects.get(pk=measurement.indicator_id)
    assert indicator.measurement_count == 0
    assert indicator.current_value is None
    assert indicator.status == Indicator.Status.NO_DATA


def test_deleting_selected_measurements_refreshes_each_indicator(
    admin_site_client: Client,
) -> None:
    first, second = _measurement(value="5"), _measurement(value="7")
    kept = Measurement.objects.create(
        indicator=second.indicator, period_end=dt.date(2023, 12, 31), value=Decimal(3)
    )

    response = admin_site_client.post(
        _url(Measurement, "changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert list(Measurement.objects.filter(pk__in=[first.pk, second.pk])) == []
    assert Indicator.objects.get(pk=first.indicator_id).status == Indicator.Status.NO_DATA
    remaining = Indicator.objects.get(pk=kept.indicator_id)
    assert remaining.measurement_count == 1
    assert remaining.current_value == Decimal(3)


def test_changing_aggregation_of_a_definition_with_data_is_refused_with_a_message(
    admin_site_client: Client,
) -> None:
    definition = _definition(aggregation=IndicatorDefinition.Aggregation.LATEST)
    _measurement(indicator=_indicator(definition=definition))

    response = admin_site_client.post(
        _url(IndicatorDefinition, "change", definition.pk),
        _definition_form(definition, aggregation=IndicatorDefinition.Aggregation.SUM),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["aggregation"]
    assert errors
    assert errors[0] in response.content.decode()
    definition.refresh_from_db()
    assert definition.aggregation == IndicatorDefinition.Aggregation.LATEST


def test_changing_aggregation_of_a_definition_without_data_is_saved(
    admin_site_client: Client,
) -> None:
    definition = _definition(aggregation=IndicatorDefinition.Aggregation.LATEST)
    _indicator(definition=definition)

    response = admin_site_client.post(
        _url(IndicatorDefinition, "change", definition.pk),
        _definition_form(definition, aggregation=IndicatorDefinition.Aggregation.SUM),
    )

    assert response.status_code == 302
    definition.refresh_from_db()
    assert definition.aggregation == IndicatorDefinition.Aggregation.SUM


def test_share_link_list_shows_only_the_last_four_characters_of_each_token(
    admin_site_client: Client,
) -> None:
    link = _share_link()

    content = admin_site_client.get(_url(ShareLink, "changelist")).content.decode()

    assert link.token not in content
    assert link.token[:-4] not in content
    assert "…" + link.token[-4:] in content


def test_revoke_action_revokes_the_selected_share_links(admin_site_client: Client) -> None:
    selected, other = _share_link(), _share_link()

    response = admin_site_client.post(
        _url(ShareLink, "changelist"),
        {"action": "revoke_selected", "_selected_action": [selected.pk]},
    )

    selected.refresh_from_db()
    other.refresh_from_db()
    assert not selected.is_valid
    assert other.is_valid
    (message,) = get_messages(response.wsgi_request)
    assert "1" in message.message
    valid = admin_site_client.get(_url(ShareLink, "changelist"), {"valid": "yes"})
    assert [link.pk for link in valid.context["cl"].result_list] == [other.pk]


def test_attachment_list_shows_the_file_size(admin_site_client: Client) -> None:
    attachment = _attachment()

    response = admin_site_client.get(_url(Attachment, "changelist"))

    (row,) = response.context["cl"].result_list
    assert row.pk == attachment.pk
    assert response.context["cl"].model_admin.file_size(row) == filesizeformat(len(b"hello world"))
