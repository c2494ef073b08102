"""Indicators and measurements on the pilot page: add, edit, remove, record (htmx or not)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilots import services
from pilots.models import Indicator, Measurement
from tests.factories import (
    IndicatorDefinitionFactory,
    IndicatorFactory,
    MeasurementFactory,
    PilotFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def pilot(seved):
    return PilotFactory(area=seved, title="Läxhjälp i Seved")


@pytest.fixture
def indicator(pilot):
    definition = IndicatorDefinitionFactory(name="Deltagare", name_en="Participants", unit="pers.")
    return IndicatorFactory(
        pilot=pilot,
        definition=definition,
        baseline_value=Decimal("10"),
        baseline_date=dt.date(2024, 1, 1),
        target_value=Decimal("20"),
        target_date=dt.date(2026, 12, 31),
    )


@pytest.fixture
def measurement(indicator):
    made = MeasurementFactory(
        indicator=indicator, period_end=dt.date(2025, 3, 31), value=Decimal("14")
    )
    services.indicator_refresh(indicator=indicator)
    return made


def _measurement_data(indicator, **values):
    prefix = f"m{indicator.pk}"
    data = {"period_end": "2025-06-30", "value": "15", "note": ""} | values
    return {f"{prefix}-{name}": value for name, value in data.items()}


def _indicator_data(definition=None, **values):
    data = {
        "baseline_value": "5",
        "baseline_date": "2024-01-01",
        "target_value": "50",
        "target_date": "2025-12-31",
    }
    if definition is not None:
        data["definition"] = str(definition.pk)
    return data | values


# The pilot page ------------------------------------------------------------------------------


def test_pilot_page_shows_each_indicator_with_its_numbers_status_chart_data_and_table(
    client, staff_seved, pilot, indicator, measurement, english
):
    client.force_login(staff_seved)

    page = client.get(pilot.get_absolute_url()).content.decode()

    assert "Participants" in page
    assert "Baseline 10 pers., now 14 pers., target 20 pers." in page
    assert "On track" in page or "Off track" in page
    assert f'id="indicator-{indicator.pk}-chart-data" type="application/json"' in page
    assert '"values": [14.0]' in page
    assert '"baseline": 10.0' in page
    assert "<table" in page
    assert reverse("pilots:measurement-edit", args=[pilot.slug, measurement.pk]) in page
    assert f'name="m{indicator.pk}-value"' in page
    assert "js/pilot-charts.js" in page


def test_pilot_page_shows_no_edit_links_or_forms_to_readers(
    client, official, pilot, indicator, measurement
):
    client.force_login(official)

    page = client.get(pilot.get_absolute_url()).content.decode()

    assert f'id="indicator-{indicator.pk}"' in page
    assert reverse("pilots:measurement-edit", args=[pilot.slug, measurement.pk]) not in page
    assert reverse("pilots:indicator-create", args=[pilot.slug]) not in page
    assert f'name="m{indicator.pk}-value"' not in page


def test_pilot_page_formats_numbers_in_the_page_language(client, staff_seved, pilot, indicator):
    MeasurementFactory(
        indicator=indicator, period_end=dt.date(2025, 1, 31), value=Decimal("1234.5")
    )
    services.indicator_refresh(indicator=indicator)
    client.force_login(staff_seved)

    swedish = client.get(pilot.get_absolute_url()).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(pilot.get_absolute_url()).content.decode()

    assert "1\xa0234,5" in swedish
    assert "1,234.5" in english


def test_pilot_page_uses_the_same_queries_for_one_and_for_eight_indicators(
    client, staff_seved, pilot
):
    client.force_login(staff_seved)

    def add_indicator():
        indicator = IndicatorFactory(pilot=pilot)
        for month in range(12):
            MeasurementFactory(indicator=indicator, period_end=dt.date(2024, month + 1, 28))
        services.indicator_refresh(indicator=indicator)

    add_indicator()
    client.get(pilot.get_absolute_url())  # warm caches such as the session and content types
    with CaptureQueriesContext(connection) as few:
        client.get(pilot.get_absolute_url())
    for _ in range(7):
        add_indicator()
    with CaptureQueriesContext(connection) as many:
        response = client.get(pilot.get_absolute_url())

    assert len(response.context["indicator_blocks"]) == 8
    # The indicator panel adds two: the indicators with their definitions, then every
    # measurement of the pilot at once.
    assert len(many.captured_queries) == len(few.captured_queries)


# Adding, editing and removing an indicator ---------------------------------------------------


def test_add_indicator_offers_only_active_definitions_the_pilot_does_not_have_yet(
    client, staff_seved, pilot, indicator
):
    free = IndicatorDefinitionFactory(name="Fri indikator")
    retired = IndicatorDefinitionFactory(name="Avvecklad", is_active=False)
    client.force_login(staff_seved)

    response = client.get(reverse("pilots:indicator-create", args=[pilot.slug]))

    offered = {value for value, _ in response.context["form"].fields["definition"].choices}
    assert str(free.pk) in {str(value) for value in offered}
    assert str(indicator.definition.pk) not in {str(value) for value in offered}
    assert str(retired.pk) not in {str(value) for value in offered}


def test_staff_add_an_indicator_and_return_to_its_block_on_the_pilot_page(
    client, staff_seved, pilot
):
    definition = IndicatorDefinitionFactory()
    client.force_login(staff_seved)

    response = client.post(
        reverse("pilots:indicator-create", args=[pilot.slug]), _indicator_data(definition)
    )

    created = Indicator.objects.get(pilot=pilot, definition=definition)
    assert response.status_code == 302
    assert response.url == f"{pilot.get_absolute_url()}#indicator-{created.pk}"
    assert created.baseline_value == Decimal("5")
    assert created.status == Indicator.Status.NO_DATA
    assert created.version == 1


def test_adding_an_indicator_the_pilot_already_follows_is_refused_with_a_message(
    client, staff_seved, pilot, indicator, english
):
    client.force_login(staff_seved)

    response = client.post(
        reverse("pilots:indicator-create", args=[pilot.slug]),
        _indicator_data(indicator.definition),
    )

    assert response.status_code == 200
    assert "This pilot already follows this indicator" in response.content.decode()
    assert Indicator.objects.filter(pilot=pilot).count() == 1


def test_an_inactive_definition_cannot_be_added(client, staff_seved, pilot):
    retired = IndicatorDefinitionFactory(is_active=False)
    client.force_login(staff_seved)

    response = client.post(
        reverse("pilots:indicator-create", args=[pilot.slug]), _indicator_data(retired)
    )

    assert "definition" in response.context["form"].errors
    assert not Indicator.objects.filter(pilot=pilot).exists()


def test_a_target_date_before_the_baseline_date_is_refused_next_to_the_field(
    client, staff_seved, pilot, english
):
    definition = IndicatorDefinitionFactory()
    client.force_login(staff_seved)

    response = client.post(
        reverse("pilots:indicator-create", args=[pilot.slug]),
        _indicator_data(definition, baseline_date="2025-01-01", target_date="2024-01-01"),
    )

    assert "target_date" in response.context["form"].errors
    page = response.content.decode()
    assert "The target date cannot be before the baseline date." in page
    assert 'id="form-errors"' in page
    assert not Indicator.objects.filter(pilot=pilot).exists()


def test_editing_an_indicator_saves_baseline_and_target_and_refreshes_its_progress(
    client, staff_seved, pilot, indicator, measurement
):
    client.force_login(staff_seved)
    url = reverse("pilots:indicator-edit", args=[pilot.slug, indicator.pk])
    form = client.get(url).context["form"]
    assert form["version"].value() == 1

    response = client.post(url, _indicator_data(target_value="14", version="1"))

    indicator.refresh_from_db()
    assert response.status_code == 302
    assert indicator.target_value == Decimal("14")
    assert indicator.status == Indicator.Status.REACHED
    assert indicator.version == 2


def test_the_definition_of_an_indicator_cannot_be_changed(client, staff_seved, pilot, indicator):
    other = IndicatorDefinitionFactory()
    client.force_login(staff_seved)

    client.post(
        reverse("pilots:indicator-edit", args=[pilot.slug, indicator.pk]),
        _indicator_data(other, version="1"),
    )

    indicator.refresh_from_db()
    assert indicator.definition_id != other.pk


def test_the_second_of_two_concurrent_indicator_edits_is_refused_and_keeps_what_was_typed(
    client, staff_seved, lead_seved, pilot, indicator, english
):
    url = reverse("pilots:indicator-edit", args=[pilot.slug, indicator.pk])
    client.force_login(staff_seved)
    client.post(url, _indicator_data(target_value="30", version="1"))

    client.force_login(lead_seved)
    response = client.post(url, _indicator_data(target_value="99", version="1"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this indicator" in page
    assert 'value="99"' in page
    indicator.refresh_from_db()
    assert indicator.target_value == Decimal("30")
    assert indicator.version == 2
    # The form now carries the version it was compared with, so saving again is deliberate.
    assert response.context["form"]["version"].value() == "2"


def test_removing_an_indicator_asks_first_and_says_its_measurements_go_with_it(
    client, staff_seved, pilot, indicator, measurement, english
):
    client.force_login(staff_seved)
    url = reverse("pilots:indicator-delete", args=[pilot.slug, indicator.pk])

    confirm = client.get(url)

    assert "Its 1 measurement is deleted with it." in confirm.content.decode()
    assert Indicator.objects.filter(pk=indicator.pk).exists()

    response = client.post(url)

    assert response.status_code == 302
    assert response.url.startswith(pilot.get_absolute_url())
    assert not Indicator.objects.filter(pk=indicator.pk).exists()
    assert not Measurement.objects.filter(pk=measurement.pk).exists()


# Recording, editing and deleting measurements ------------------------------------------------


def test_recording_a_measurement_without_javascript_redirects_to_the_pilot_page_with_a_message(
    client, staff_seved, pilot, indicator, english
):
    client.force_login(staff_seved)

    response = client.post(
        reverse("pilots:measurement-create", args=[pilot.slug, indicator.pk]),
        _measurement_data(indicator, value="16.5", note="Från närvarolistorna"),
        follow=True,
    )

    assert response.redirect_chain == [
        (f"{pilot.get_absolute_url()}#indicator-{indicator.pk}", 302)
    ]
    assert "The measurement for 30 Jun 2025 was saved." in response.content.decode()
    saved = Measurement.objects.get(indicator=indicator)
    assert saved.value == Decimal("16.50")
    assert saved.recorded_by == staff_seved
    indicator.refresh_from_db()
    assert indicator.current_value == Decimal("16.50")
    assert indicator.measurement_count == 1


def test_recording_a_measurement_with_htmx_returns_the_refreshed_block_alone(
    client, staff_seved, pilot, indicator, measurement, english
):
    client.force_login(staff_seved)

    response = client.post(
        reverse("pilots:measurement-create", args=[pilot.slug, indicator.pk]),
        _measurement_data(indicator, value="18"),
        **HTMX,
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.count(f'<article id="indicator-{indicator.pk}"') == 1
    assert '"values": [14.0, 18.0]' in page
    assert "now 18 pers." in page
    assert 'hx-swap-oob="innerHTML"' in page
    assert "The measurement for 30 Jun 2025 was saved." in page
    assert "autofocus" in page
    assert Measurement.objects.filter(indicator=indicator).count() == 2


def test_a_measurement_with_errors_sent_by_htmx_comes_back_in_the_block_with_the_errors(
    client, staff_seved, pilot, indicator, english
):
    client.force_login(staff_seved)

    response = client.post(
        reverse("pilots:measurement-create", args=[pilot.slug, indicator.pk]),
        _measurement_data(indicator, value="lots", period_end=""),
        **HTMX,
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert "Enter a number" in page
    assert f'aria-describedby="id_m{indicator.pk}-value-error"' in page
    assert f'id="id_m{indicator.pk}-value-error"' in page
    assert 'value="lots"' in page
    assert not Measurement.objects.exists()


def test_a_second_value_for_the_same_period_is_refused_with_a_link_to_the_existing_one(
    client, staff_seved, pilot, indicator, measurement, english
):
    client.force_login(staff_seved)
    url = reverse("pilots:measurement-create", args=[pilot.slug, indicator.pk])
    data = _measurement_data(indicator, period_end="2025-03-31", value="99")
    edit_url = reverse("pilots:measurement-edit", args=[pilot.slug, measurement.pk])

    plain = client.post(url, data)
    htmx = client.post(url, data, **HTMX)

    for response in (plain, htmx):
        page = response.content.decode()
        assert response.status_code == 200
        assert "There is already a measurement for this period end" in page
        assert edit_url in page
    measurement.refresh_from_db()
    assert measurement.value == Decimal("14")
    assert Measurement.objects.filter(indicator=indicator).count() == 1


def test_the_same_period_on_another_indicator_is_fine(
    client, staff_seved, pilot, indicator, measurement
):
    other = IndicatorFactory(pilot=pilot)
    client.force_login(staff_seved)

    response = client.post(
        reverse("pilots:measurement-create", args=[pilot.slug, other.pk]),
        _measurement_data(other, period_end="2025-03-31"),
    )

    assert response.status_code == 302
    assert other.measurements.count() == 1


def test_the_measurement_page_works_without_javascript(
    client, staff_seved, pilot, indicator, english
):
    client.force_login(staff_seved)

    response = client.get(reverse("pilots:measurement-create", args=[pilot.slug, indicator.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert f'for="id_m{indicator.pk}-value"' in page
    assert "Value (pers.)" in page


def test_editing_a_measurement_saves_it_and_refreshes_the_indicator(
    client, staff_seved, pilot, indicator, measurement
):
    client.force_login(staff_seved)
    url = reverse("pilots:measurement-edit", args=[pilot.slug, measurement.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url, {"period_end": "2025-03-31", "value": "20", "note": "Rättat", "version": "1"}
    )

    assert response.status_code == 302
    assert response.url == f"{pilot.get_absolute_url()}#indicator-{indicator.pk}"
    measurement.refresh_from_db()
    indicator.refresh_from_db()
    assert (measurement.value, measurement.note, measurement.version) == (
        Decimal("20"),
        "Rättat",
        2,
    )
    assert indicator.current_value == Decimal("20")
    assert indicator.status == Indicator.Status.REACHED


def test_moving_a_measurement_onto_a_period_that_has_one_is_refused(
    client, staff_seved, pilot, indicator, measurement, english
):
    other = MeasurementFactory(indicator=indicator, period_end=dt.date(2025, 4, 30))
    client.force_login(staff_seved)

    response = client.post(
        reverse("pilots:measurement-edit", args=[pilot.slug, other.pk]),
        {"period_end": "2025-03-31", "value": "1", "version": "1"},
    )

    assert "There is already a measurement for this period end" in response.content.decode()
    other.refresh_from_db()
    assert other.period_end == dt.date(2025, 4, 30)


def test_the_second_of_two_concurrent_measurement_edits_is_refused_and_keeps_what_was_typed(
    client, staff_seved, lead_seved, pilot, indicator, measurement, english
):
    url = reverse("pilots:measurement-edit", args=[pilot.slug, measurement.pk])
    client.force_login(staff_seved)
    opened_first = client.get(url).context["form"]["version"].value()
    client.force_login(lead_seved)
    opened_second = client.get(url).context["form"]["version"].value()
    assert opened_first == opened_second == 1

    client.force_login(staff_seved)
    client.post(url, {"period_end": "2025-03-31", "value": "15", "version": "1"})
    client.force_login(lead_seved)
    response = client.post(
        url, {"period_end": "2025-03-31", "value": "77", "note": "Min siffra", "version": "1"}
    )

    page = response.content.decode()
    assert "Someone else saved this measurement" in page
    assert 'value="77"' in page
    assert "Min siffra" in page
    measurement.refresh_from_db()
    indicator.refresh_from_db()
    assert (measurement.value, measurement.version) == (Decimal("15"), 2)
    assert indicator.current_value == Decimal("15")


def test_deleting_a_measurement_asks_first_then_deletes_it_and_refreshes_the_indicator(
    client, staff_seved, pilot, indicator, measurement
):
    client.force_login(staff_seved)
    url = reverse("pilots:measurement-delete", args=[pilot.slug, measurement.pk])

    assert client.get(url).status_code == 200
    assert Measurement.objects.filter(pk=measurement.pk).exists()
    response = client.post(url)

    assert response.status_code == 302
    assert response.url == f"{pilot.get_absolute_url()}#indicator-{indicator.pk}"
    assert not Measurement.objects.filter(pk=measurement.pk).exists()
    indicator.refresh_from_db()
    assert (indicator.measurement_count, indicator.current_value) == (0, None)
    assert indicator.status == Indicator.Status.NO_DATA


# Who may do what -----------------------------------------------------------------------------

WRITE_URLS = [
    ("pilots:indicator-create", None),
    ("pilots:indicator-edit", "indicator"),
    ("pilots:indicator-delete", "indicator"),
    ("pilots:measurement-create", "indicator"),
    ("pilots:measurement-edit", "measurement"),
    ("pilots:measurement-delete", "measurement"),
]


def _url(name, pilot, target):
    args = [pilot.slug] if target is None else [pilot.slug, target.pk]
    return reverse(name, args=args)


@pytest.mark.parametrize(("name", "target"), WRITE_URLS)
def test_every_indicator_page_works_for_staff_of_the_pilots_area(
    client, staff_seved, pilot, indicator, measurement, name, target
):
    client.force_login(staff_seved)
    objects = {"indicator": indicator, "measurement": measurement, None: None}
    assert client.get(_url(name, pilot, objects[target])).status_code == 200


@pytest.mark.parametrize(("name", "target"), WRITE_URLS)
def test_every_indicator_page_requires_login(client, pilot, indicator, measurement, name, target):
    objects = {"indicator": indicator, "measurement": measurement, None: None}
    url = _url(name, pilot, objects[target])

    for response in (client.get(url), client.post(url, {})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert Measurement.objects.count() == 1
    assert Indicator.objects.count() == 1


@pytest.mark.parametrize("who", ["official", "staff_lindangen", "lead_seved_archived"])
@pytest.mark.parametrize(("name", "target"), WRITE_URLS)
def test_every_indicator_page_refuses_people_who_may_not_edit_the_pilot(
    client,
    make_user,
    official,
    lindangen,
    lead_seved,
    pilot,
    indicator,
    measurement,
    name,
    target,
    who,
):
    user = {
        "official": official,
        "staff_lindangen": make_user("staff-lindangen", area=lindangen),
        "lead_seved_archived": lead_seved,
    }[who]
    if who == "lead_seved_archived":
        pilot.archived_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        pilot.save()
    client.force_login(user)
    objects = {"indicator": indicator, "measurement": measurement, None: None}
    url = _url(name, pilot, objects[target])

    assert client.get(url).status_code == 403
    post = client.post(url, _measurement_data(indicator) | _indicator_data())
    assert post.status_code == 403
    assert Measurement.objects.count() == 1
    assert Indicator.objects.filter(pk=indicator.pk).exists()


@pytest.mark.parametrize(("name", "target"), WRITE_URLS[1:])
def test_an_indicator_or_measurement_of_another_pilot_answers_404(
    client, staff_seved, seved, pilot, name, target
):
    elsewhere = MeasurementFactory(indicator=IndicatorFactory(pilot=PilotFactory(area=seved)))
    objects = {"indicator": elsewhere.indicator, "measurement": elsewhere}
    client.force_login(staff_seved)

    assert client.get(_url(name, pilot, objects[target])).status_code == 404
    assert client.post(_url(name, pilot, objects[target]), {}).status_code == 404
    assert Measurement.objects.filter(pk=elsewhere.pk).exists()


@pytest.mark.parametrize(("name", "target"), WRITE_URLS[1:])
def test_unknown_pilots_indicators_and_measurements_answer_404(
    client, staff_seved, pilot, name, target
):
    client.force_login(staff_seved)
    assert client.get(reverse(name, args=[pilot.slug, 987654])).status_code == 404
    assert client.get(reverse(name, args=[pilot.slug, 10**30])).status_code == 404
    assert client.get(reverse(name, args=["no-such-pilot", 1])).status_code == 404


# Bad input -----------------------------------------------------------------------------------


def test_empty_posts_show_errors_and_write_nothing(
    client, staff_seved, pilot, indicator, measurement, english
):
    client.force_login(staff_seved)
    before = (Indicator.objects.count(), Measurement.objects.count())

    for name, target in [
        ("pilots:indicator-create", None),
        ("pilots:measurement-create", indicator),
        ("pilots:measurement-edit", measurement),
    ]:
        response = client.post(_url(name, pilot, target), {})
        assert response.status_code == 200
        assert "This field is required." in response.content.decode()

    assert (Indicator.objects.count(), Measurement.objects.count()) == before
    measurement.refresh_from_db()
    assert measurement.value == Decimal("14")


@pytest.mark.parametrize(
    "value",
    [
        "NaN",
        "Infinity",
        "-inf",
        "1e999999",
        "1000000000000",
        "0.001",
        "1 00",
        "1,234.5",
        "<b>1</b>",
        "",
    ],
)
def test_numbers_that_do_not_fit_are_refused_not_rounded(
    client, staff_seved, pilot, indicator, value
):
    client.force_login(staff_seved)

    response = client.post(
        reverse("pilots:measurement-create", args=[pilot.slug, indicator.pk]),
        _measurement_data(indicator, value=value),
    )

    assert response.status_code == 200
    assert "value" in response.context["form"].errors
    assert not Measurement.objects.exists()


def test_swedish_pages_take_a_decimal_comma_and_negative_and_largest_values(
    client, staff_seved, pilot, indicator
):
    client.force_login(staff_seved)
    url = reverse("pilots:measurement-create", args=[pilot.slug, indicator.pk])

    client.post(url, _measurement_data(indicator, period_end="2025-01-31", value="-3,25"))
    client.post(url, _measurement_data(indicator, period_end="2025-02-28", value="999999999999.99"))

    assert sorted(indicator.measurements.values_list("value", flat=True)) == [
        Decimal("-3.25"),
        Decimal("999999999999.99"),
    ]


def test_dates_outside_a_sensible_range_are_refused(client, staff_seved, pilot, indicator):
    client.force_login(staff_seved)
    url = reverse("pilots:measurement-create", args=[pilot.slug, indicator.pk])

    for period_end in ["0001-01-01", "2999-12-31", "2025-02-30", "10000-01-01"]:
        response = client.post(url, _measurement_data(indicator, period_end=period_end))
        assert "period_end" in response.context["form"].errors

    assert not Measurement.objects.exists()


def test_script_and_right_to_left_text_in_a_note_is_stored_as_text_and_escaped(
    client, staff_seved, pilot, indicator
):
    client.force_login(staff_seved)
    note = "<script>alert('x')</script> \u202eمرحبا åäö"

    client.post(
        reverse("pilots:measurement-create", args=[pilot.slug, indicator.pk]),
        _measurement_data(indicator, note=note),
    )

    assert Measurement.objects.get().note == note
    page = client.get(pilot.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_a_forged_version_number_is_answered_with_a_message(
    client, staff_seved, pilot, indicator, measurement
):
    client.force_login(staff_seved)

    for version in ["abc", "-1", str(10**30)]:
        response = client.post(
            reverse("pilots:measurement-edit", args=[pilot.slug, measurement.pk]),
            {"period_end": "2025-03-31", "value": "1", "version": version},
        )
        assert response.status_code == 200

    measurement.refresh_from_db()
    assert (measurement.value, measurement.version) == (Decimal("14"), 1)


HOSTILE = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "NaN",
            "sNaN",
            "-Infinity",
            "1e999999999",
            "-1e-999999999",
            "9" * 40,
            "999999999999.99",
            "-999999999999.999",
            "12,5",
            "1 000",
            "0x10",
            "١٢",
            "<script>alert(1)</script>",
            "\u202eטקסט",
            "åäö ÅÄÖ",
            "\x00",
            "2024-02-30",
            "0000-00-00",
            "10000-01-01",
            "2025-06-30",
            "2020-01-01",
        ]
    ),
    st.text(max_size=40),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
    st.integers().map(str),
)
HYPOTHESIS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@HYPOTHESIS
@given(
    definition=st.one_of(HOSTILE, st.just("VALID")),
    baseline_value=HOSTILE,
    baseline_date=HOSTILE,
    target_value=HOSTILE,
    target_date=HOSTILE,
)
def test_the_indicator_form_answers_hostile_input_with_a_message_and_never_half_writes(
    client, staff_seved, pilot, definition, baseline_value, baseline_date, target_value, target_date
):
    client.force_login(staff_seved)
    free = IndicatorDefinitionFactory(code="hypothesis-free")
    if definition == "VALID":
        definition = str(free.pk)
    before = Indicator.objects.count()

    response = client.post(
        reverse("pilots:indicator-create", args=[pilot.slug]),
        {
            "definition": definition,
            "baseline_value": baseline_value,
            "baseline_date": baseline_date,
            "target_value": target_value,
            "target_date": target_date,
        },
    )

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors
        assert Indicator.objects.count() == before
    else:
        assert Indicator.objects.count() == before + 1
        Indicator.objects.filter(pilot=pilot).delete()


@HYPOTHESIS
@given(period_end=HOSTILE, value=HOSTILE, note=HOSTILE, htmx=st.booleans())
def test_the_measurement_form_answers_hostile_input_with_a_message_and_never_half_writes(
    client, staff_seved, pilot, indicator, period_end, value, note, htmx
):
    client.force_login(staff_seved)
    before = Measurement.objects.count()
    indicator.refresh_from_db()
    derived_before = (indicator.measurement_count, indicator.current_value, indicator.status)

    response = client.post(
        reverse("pilots:measurement-create", args=[pilot.slug, indicator.pk]),
        _measurement_data(indicator, period_end=period_end, value=value, note=note),
        **(HTMX if htmx else {}),
    )

    indicator.refresh_from_db()
    written = Measurement.objects.count() - before
    assert response.status_code in (200, 302)
    assert written in (0, 1)
    if written:
        assert indicator.measurement_count == before + 1
    else:
        assert response.context["form"].errors
        derived_after = (indicator.measurement_count, indicator.current_value, indicator.status)
        assert derived_after == derived_before


# The services' database backstops ------------------------------------------------------------


def test_the_database_refuses_a_second_measurement_for_a_period_even_past_the_form(indicator):
    period = dt.date(2025, 1, 31)
    services.measurement_create(indicator=indicator, period_end=period, value=Decimal(1))

    with pytest.raises(services.DuplicatePeriodError):
        services.measurement_create(indicator=indicator, period_end=period, value=Decimal(2))

    assert indicator.measurements.get().value == Decimal(1)


def test_the_database_refuses_a_second_indicator_on_the_same_definition(indicator):
    duplicate = Indicator(pilot=indicator.pilot, definition=indicator.definition)

    with pytest.raises(services.DuplicateIndicatorError):
        services.indicator_create(indicator=duplicate)

    assert Indicator.objects.filter(pilot=indicator.pilot).count() == 1
