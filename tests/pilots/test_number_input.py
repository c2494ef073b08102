"""Numbers typed into the indicator and measurement forms: what the portal prints can be typed."""

from __future__ import annotations

import datetime as dt
import html as html_module
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import translation
from django.utils.formats import localize_input
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import strategies as st

from pilots import number_input
from pilots.dashboard import NumberText
from pilots.models import Measurement
from tests.factories import IndicatorDefinitionFactory, IndicatorFactory, PilotFactory

LANGUAGES = ("sv", "en")
# Every value the database's DecimalField(max_digits=14, decimal_places=2) can hold.
STORABLE = st.decimals(
    min_value=Decimal("-999999999999.99"),
    max_value=Decimal("999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
STYLES = [number_input.FILE_STYLE]
for language in LANGUAGES:
    with translation.override(language):
        STYLES.append(number_input.page_style())


# The parser ----------------------------------------------------------------------------------


NUMBER_LIKE = st.text(alphabet="0123456789 ,.-+'\u00a0\u202f\u2212eE", max_size=30)


@given(text=st.one_of(st.text(max_size=60), NUMBER_LIKE), style=st.sampled_from(STYLES))
def test_any_text_gives_a_number_that_fits_or_a_reason_and_never_another_exception(text, style):
    problem = None
    try:
        value = number_input.parse_number(text, style)
    except number_input.NumberError as error:
        problem = error.problem

    if problem is None:
        assert value == value.quantize(Decimal("0.01"))
        assert abs(value) < Decimal(10) ** 12
        assert number_input.parse_number(str(value), style) == value
    else:
        assert problem in set(number_input.Problem)


@pytest.mark.parametrize("language", LANGUAGES)
@given(value=STORABLE)
def test_every_way_the_portal_prints_a_number_reads_back_exactly(language, value):
    with translation.override(language):
        printed = [
            floatformat(value, "2g"),
            floatformat(value, "-2g"),
            floatformat(value, "2"),
            localize_input(value),
            NumberText()(value, 2),
            str(value),
        ]
        style = number_input.page_style()

    for text in printed:
        assert number_input.parse_number(text, style) == value, text


@given(value=STORABLE)
def test_swedish_numbers_typed_with_ordinary_spaces_read_back_exactly(value):
    with translation.override("sv"):
        typed = floatformat(value, "-2g").replace("\u00a0", " ")
        assert number_input.parse_number(typed, number_input.page_style()) == value


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("sv", "1 234,5", "1234.50"),
        ("sv", "1\u00a0234,5", "1234.50"),
        ("sv", "1\u202f234\u202f567,25", "1234567.25"),
        ("sv", "1234.5", "1234.50"),
        ("sv", "1234,5", "1234.50"),
        ("sv", "\u22123,25", "-3.25"),
        ("sv", " 12 ", "12.00"),
        ("en", "1,234.5", "1234.50"),
        ("en", "12,345,678.9", "12345678.90"),
        ("en", "1234.5", "1234.50"),
        ("en", "-0.5", "-0.50"),
        ("en", "999,999,999,999.99", "999999999999.99"),
    ],
)
def test_a_number_in_the_page_language_or_plain_is_read(language, text, expected):
    with translation.override(language):
        assert number_input.parse_number(text, number_input.page_style()) == Decimal(expected)


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("sv", "1,234.5", "invalid"),
        ("sv", "1.234,5", "invalid"),
        ("sv", "12 34", "invalid"),
        ("sv", "1 2345", "invalid"),
        ("sv", "1.234", "max_decimal_places"),
        ("en", "1,5", "invalid"),
        ("en", "12,34", "invalid"),
        ("en", "1 234,5", "invalid"),
        ("en", "1234,5", "invalid"),
        ("en", "1,2345.6", "invalid"),
        ("en", "1e5", "invalid"),
        ("en", "NaN", "invalid"),
        ("en", "١٢", "invalid"),
        ("en", "1,000,000,000,000", "max_whole_digits"),
        ("en", "0.001", "max_decimal_places"),
        ("en", "   ", "required"),
    ],
)
def test_anything_else_is_refused_with_its_reason(language, text, problem):
    with translation.override(language), pytest.raises(number_input.NumberError) as caught:
        number_input.parse_number(text, number_input.page_style())

    assert caught.value.problem == problem


# The forms -----------------------------------------------------------------------------------


@pytest.fixture
def indicator(seved):
    return IndicatorFactory(
        pilot=PilotFactory(area=seved),
        definition=IndicatorDefinitionFactory(unit="pers."),
        baseline_value=Decimal("1234.5"),
        baseline_date=dt.date(2024, 1, 1),
        target_value=None,
        target_date=None,
    )


def _record(client, indicator, value, **headers):
    return client.post(
        reverse("pilots:measurement-create", args=[indicator.pilot.slug, indicator.pk]),
        {
            f"m{indicator.pk}-period_end": "2025-06-30",
            f"m{indicator.pk}-value": value,
            f"m{indicator.pk}-note": "",
        },
        **headers,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "typed"),
    [("sv", "1 234,5"), ("sv", "1\u00a0234,5"), ("sv", "1234.5"), ("en", "1,234.5")],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_the_measurement_form_takes_a_number_as_the_page_prints_it(
    client, staff_seved, indicator, language, typed, htmx
):
    client.force_login(staff_seved)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    _record(client, indicator, typed, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))

    assert Measurement.objects.get().value == Decimal("1234.5")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "typed"), [("en", "1 234,5"), ("en", "1,5"), ("sv", "1.234,5"), ("sv", "12 34")]
)
def test_a_number_in_another_style_is_refused_with_an_example_and_nothing_is_saved(
    client, staff_seved, indicator, language, typed
):
    client.force_login(staff_seved)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = _record(client, indicator, typed)

    assert response.status_code == 200
    if language == "en":
        assert "Enter a number, e.g. 1234.5 or 1,234.5." in response.content.decode()
    with translation.override(language):
        expected = gettext("Enter a number, e.g. 1234.5 or 1,234.5.")
    assert response.context["form"].errors["value"] == [expected]
    assert not Measurement.objects.exists()


def _input_tag(html, name):
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert match, name
    return match.group(0)


def _input_value(html, name):
    return html_module.unescape(re.search(r'value="([^"]*)"', _input_tag(html, name)).group(1))


@pytest.mark.django_db
def test_the_number_inputs_are_text_inputs_that_ask_phones_for_a_decimal_keyboard(
    client, staff_seved, indicator
):
    client.force_login(staff_seved)
    pilot = indicator.pilot
    pages = [
        (pilot.get_absolute_url(), f"m{indicator.pk}-value"),
        (
            reverse("pilots:measurement-create", args=[pilot.slug, indicator.pk]),
            f"m{indicator.pk}-value",
        ),
        (reverse("pilots:indicator-edit", args=[pilot.slug, indicator.pk]), "baseline_value"),
        (reverse("pilots:indicator-create", args=[pilot.slug]), "target_value"),
    ]

    for url, name in pages:
        tag = _input_tag(client.get(url).content.decode(), name)
        assert 'type="text"' in tag
        assert 'inputmode="decimal"' in tag


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "baseline", "target"),
    [("sv", "1 000,5", "2\u00a0000\u00a0000"), ("en", "1,000.5", "2,000,000")],
)
def test_the_indicator_form_takes_grouped_numbers_and_takes_back_what_it_shows(
    client, staff_seved, indicator, language, baseline, target
):
    client.force_login(staff_seved)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("pilots:indicator-edit", args=[indicator.pilot.slug, indicator.pk])
    data = {
        "baseline_value": baseline,
        "baseline_date": "2024-01-01",
        "target_value": target,
        "target_date": "2025-12-31",
        "version": "1",
    }
    expected = (Decimal("1000.5"), Decimal("2000000"))

    assert client.post(url, data).status_code == 302
    indicator.refresh_from_db()
    assert (indicator.baseline_value, indicator.target_value) == expected

    page = client.get(url).content.decode()
    shown = {name: _input_value(page, name) for name in ("baseline_value", "target_value")}
    assert client.post(url, data | shown | {"version": "2"}).status_code == 302
    indicator.refresh_from_db()
    assert (indicator.baseline_value, indicator.target_value) == expected
    assert indicator.version == 3
