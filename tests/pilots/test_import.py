"""Importing measurements: preview first, nothing written until confirmed, then all or nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pilots import importing, services
from pilots.importing import MAX_DATA_ROWS, MAX_IMPORT_SIZE
from pilots.models import Measurement
from pilots.views.imports import FINISHED_KEY, SESSION_KEY
from tests.factories import (
    IndicatorDefinitionFactory,
    IndicatorFactory,
    MeasurementFactory,
    PilotFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot(seved):
    return PilotFactory(area=seved, slug="laxhjalp-seved")


@pytest.fixture
def participants(pilot):
    definition = IndicatorDefinitionFactory(code="import-participants", aggregation="latest")
    return IndicatorFactory(pilot=pilot, definition=definition)


@pytest.fixture
def jobs(pilot):
    definition = IndicatorDefinitionFactory(code="import-jobs", aggregation="sum")
    return IndicatorFactory(pilot=pilot, definition=definition)


@pytest.fixture
def staff(client, staff_seved, participants, jobs):
    """A client signed in as Seved staff, with English pages, on a pilot with two indicators."""
    client.force_login(staff_seved)
    return client


@pytest.fixture
def english_staff(english, staff):
    return staff


def upload(client, pilot, name, content):
    if isinstance(content, str):
        content = content.encode()
    return client.post(
        reverse("pilots:import", args=[pilot.slug]),
        {"file": SimpleUploadedFile(name, content)},
    )


def confirm(client, pilot, import_id):
    return client.post(
        reverse("pilots:import-confirm", args=[pilot.slug]), {"import_id": import_id}
    )


def workbook(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def actions(response):
    return [(row.line, row.code, row.action) for row in response.context["rows"]]


def reasons(response):
    return {row.line: " ".join(row.errors) for row in response.context["rows"]}


def test_the_upload_page_explains_the_format_and_lists_the_pilots_indicator_codes(
    english_staff, pilot
):
    response = english_staff.get(reverse("pilots:import", args=[pilot.slug]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "import-participants" in page
    assert "import-jobs" in page
    assert 'enctype="multipart/form-data"' in page


def test_a_comma_separated_file_is_previewed_and_nothing_is_written(staff, pilot):
    content = (
        "indicator,period_end,value,note\n"
        "import-participants,2025-01-31,12,January\n"
        "import-jobs,2025-01-31,3.5,\n"
    )

    response = upload(staff, pilot, "measurements.csv", content)

    assert response.status_code == 200
    assert response.templates[0].name == "pilots/measurement_import_preview.html"
    assert actions(response) == [
        (2, "import-participants", "create"),
        (3, "import-jobs", "create"),
    ]
    assert [row.value for row in response.context["rows"]] == [Decimal("12"), Decimal("3.5")]
    assert response.context["import_id"]
    assert Measurement.objects.count() == 0


def test_a_semicolon_file_with_swedish_headers_decimal_commas_and_a_bom_is_understood(staff, pilot):
    content = (
        "\ufeffIndikator;Periodslut;Värde;Anteckning\r\n"
        "import-participants;2025-03-31;1\u00a0234,5;Vårterminen – 12 nya\r\n"
        "IMPORT-JOBS;2025-03-31;-7;\r\n"
    ).encode("utf-8")

    response = upload(staff, pilot, "mätningar.csv", content)

    rows = response.context["rows"]
    assert [row.action for row in rows] == ["create", "create"]
    assert [row.value for row in rows] == [Decimal("1234.50"), Decimal("-7.00")]
    assert rows[0].note == "Vårterminen – 12 nya"
    assert rows[0].period_end == date(2025, 3, 31)


def test_a_windows_1252_file_from_older_excel_is_read(staff, pilot):
    content = "kod;datum;värde;kommentar\nimport-jobs;2025-04-30;4;Påsklov i Möllan\n"

    response = upload(staff, pilot, "export.csv", content.encode("cp1252"))

    [row] = response.context["rows"]
    assert row.action == "create"
    assert row.note == "Påsklov i Möllan"


def test_an_xlsx_workbook_with_date_cells_and_number_cells_is_previewed(staff, pilot):
    content = workbook(
        [
            ["Indicator", "Period end", "Value", "Note"],
            ["import-participants", datetime(2025, 5, 31), 14, "Maj"],
            [],
            ["import-jobs", date(2025, 5, 31), 2.25, None],
            ["import-jobs", "2025-06-30", "1 000,5", 42],
        ]
    )

    response = upload(staff, pilot, "mätningar.xlsx", content)

    assert actions(response) == [
        (2, "import-participants", "create"),
        (4, "import-jobs", "create"),
        (5, "import-jobs", "create"),
    ]
    rows = response.context["rows"]
    assert [row.value for row in rows] == [Decimal(14), Decimal("2.25"), Decimal("1000.5")]
    assert rows[1].period_end == date(2025, 5, 31)
    assert rows[2].note == "42"
    assert Measurement.objects.count() == 0


def test_excel_float_noise_is_read_as_the_cents_it_stands_for_but_real_decimals_are_not(
    english_staff, pilot
):
    content = workbook(
        [
            ["indicator", "period_end", "value"],
            ["import-jobs", date(2025, 1, 31), 0.1 + 0.2],
            ["import-jobs", date(2025, 2, 28), 11 * 1.1],
            ["import-jobs", date(2025, 3, 31), 1 / 3],
        ]
    )

    response = upload(english_staff, pilot, "m.xlsx", content)

    rows = response.context["rows"]
    assert [row.value for row in rows[:2]] == [Decimal("0.30"), Decimal("12.10")]
    assert "more than 2 decimals" in reasons(response)[4]


def test_line_numbers_count_the_header_blank_lines_and_the_excel_separator_hint(
    english_staff, pilot
):
    content = (
        "sep=;\n"
        "indicator;period_end;value;note\n"
        "\n"
        'import-jobs;2025-01-31;1;"two\nlines"\n'
        "import-jobs;2025-13-31;2;\n"
    )

    response = upload(english_staff, pilot, "m.csv", content)

    assert actions(response) == [(4, "import-jobs", "create"), (6, "import-jobs", "reject")]
    assert response.context["rows"][0].note == "two\nlines"


def test_a_period_that_already_has_a_value_is_shown_as_an_update_from_old_to_new(
    staff, pilot, participants
):
    MeasurementFactory(indicator=participants, period_end=date(2025, 1, 31), value=Decimal(9))

    response = upload(
        staff, pilot, "m.csv", "indicator,period_end,value\nimport-participants,2025-01-31,11\n"
    )

    [row] = response.context["rows"]
    assert row.action == "update"
    assert row.old_value == Decimal(9)
    assert row.value == Decimal(11)
    assert "9</span> → 11" in response.content.decode()


def test_confirming_writes_every_row_refreshes_the_indicators_and_says_how_many(
    english_staff, pilot, participants, jobs, staff_seved
):
    existing = MeasurementFactory(
        indicator=participants, period_end=date(2025, 1, 31), value=Decimal(9)
    )
    content = (
        "indicator;period_end;value;note\n"
        "import-participants;2025-01-31;11;rättad\n"
        "import-participants;2025-02-28;15;\n"
        "import-jobs;2025-02-28;2;två jobb\n"
    )
    preview = upload(english_staff, pilot, "m.csv", content)

    response = confirm(english_staff, pilot, preview.context["import_id"])

    assert response.status_code == 302
    assert response.url == pilot.get_absolute_url()
    existing.refresh_from_db()
    assert (existing.value, existing.note, existing.version) == (Decimal(11), "rättad", 2)
    assert existing.recorded_by == staff_seved
    assert Measurement.objects.filter(indicator__pilot=pilot).count() == 3
    participants.refresh_from_db()
    assert participants.current_value == Decimal(15)
    assert participants.measurement_count == 2
    jobs.refresh_from_db()
    assert jobs.current_value == Decimal(2)
    assert existing.history.count() == 2, "the update is in the history"
    assert existing.history.first().history_user == staff_seved
    assert Measurement.history.filter(history_type="+").count() == 3
    page = english_staff.get(response.url).content.decode()
    assert "3 measurements imported: 2 created, 1 updated." in page


def test_the_message_after_importing_one_measurement_speaks_of_one(english_staff, pilot):
    preview = upload(
        english_staff, pilot, "m.csv", "indicator,period_end,value\nimport-jobs,2025-01-31,1\n"
    )

    response = confirm(english_staff, pilot, preview.context["import_id"])

    page = english_staff.get(response.url).content.decode()
    assert "1 measurement imported: 1 created, 0 updated." in page


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("no-such-indicator,2025-01-31,1", "no indicator with the code “no-such-indicator”"),
        (",2025-01-31,1", "indicator code is missing"),
        ("import-jobs,2025-02-30,1", "not a real date"),
        ("import-jobs,31/01/2025,1", "YYYY-MM-DD"),
        ("import-jobs,,1", "period end is missing"),
        ("import-jobs,1850-01-31,1", "between the years 1900 and 2100"),
        ("import-jobs,2025-01-31,tolv", "not a number"),
        ("import-jobs,2025-01-31,NaN", "not a number"),
        ("import-jobs,2025-01-31,inf", "not a number"),
        ("import-jobs,2025-01-31,-Infinity", "not a number"),
        ('import-jobs,2025-01-31,"1,234.5"', "not a number"),
        ("import-jobs,2025-01-31,12 34", "not a number"),
        ("import-jobs,2025-01-31,1e5", "not a number"),
        ("import-jobs,2025-01-31,1234567890123", "too large"),
        ("import-jobs,2025-01-31,1.234", "more than 2 decimals"),
        ("import-jobs,2025-01-31,", "value is missing"),
        ("import-jobs,2025-01-31,١٢", "not a number"),
        ("import-jobs,2025-01-31,1," + "x" * 2001, "at most 2000 are allowed"),
    ],
)
def test_a_broken_row_is_rejected_with_its_reason(english_staff, pilot, line, reason):
    content = f"indicator,period_end,value,note\nimport-participants,2025-01-31,5\n{line}\n"

    response = upload(english_staff, pilot, "m.csv", content)

    assert response.status_code == 200
    assert actions(response)[1][2] == "reject"
    assert reason in reasons(response)[3]
    assert reason in response.content.decode().replace("&#x27;", "'")


def test_values_up_to_twelve_digits_and_two_decimals_are_accepted(staff, pilot):
    content = (
        "indicator,period_end,value\n"
        'import-jobs,2025-01-31,"999 999 999 999,99"\n'
        "import-jobs,2025-02-28,0001.500\n"
        "import-jobs,2025-03-31,\u22124\n"
    )

    response = upload(staff, pilot, "m.csv", content)

    assert [row.value for row in response.context["rows"]] == [
        Decimal("999999999999.99"),
        Decimal("1.50"),
        Decimal("-4.00"),
    ]


def test_the_same_indicator_and_period_twice_in_the_file_rejects_both_rows(english_staff, pilot):
    content = (
        "indicator,period_end,value\n"
        "import-jobs,2025-01-31,1\n"
        "import-participants,2025-01-31,2\n"
        "Import-Jobs,2025-01-31,3\n"
    )

    response = upload(english_staff, pilot, "m.csv", content)

    assert [action for _line, _code, action in actions(response)] == [
        "reject",
        "create",
        "reject",
    ]
    assert "appear twice in the file (lines 2, 4)" in reasons(response)[2]
    assert "appear twice in the file (lines 2, 4)" in reasons(response)[4]


def test_a_file_with_any_rejected_row_cannot_be_confirmed_and_says_to_fix_the_file(
    english_staff, pilot
):
    content = "indicator,period_end,value\nimport-jobs,2025-01-31,1\nimport-jobs,2025-13-01,2\n"

    response = upload(english_staff, pilot, "m.csv", content)

    page = response.content.decode()
    assert response.context["import_id"] is None
    assert reverse("pilots:import-confirm", args=[pilot.slug]) not in page
    assert "Fix the rows marked" in page
    assert not english_staff.session.get(SESSION_KEY)
    assert Measurement.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("m.csv", b"", "The submitted file is empty."),
        ("m.csv", b"\n \n", "The file is empty."),
        ("m.csv", b"indicator,period_end,value\n\n", "no measurements below it"),
        ("m.csv", b"indicator,value\nimport-jobs,1\n", "lacks the column(s) “period_end”"),
        ("m.csv", b"name;when;how much\nx;y;z\n", "“indicator”, “period_end”, “value”"),
        ("m.csv", b"kod,code,period,value\na,b,2025-01-31,1\n", "Two columns hold the same"),
        ("m.csv", bytes(range(256)) * 8, "not a readable CSV text file"),
        ("m.csv", b"indicator,period_end,value\n\x00\x01\x02", "not a readable CSV text file"),
        ("m.csv", workbook([["indicator"]]), "is an Excel workbook although"),
        ("m.xlsx", b"indicator,period_end,value\nimport-jobs,2025-01-31,1\n", "not an Excel"),
        ("m.xlsx", b"PK\x03\x04 broken zip", "not an Excel workbook"),
        ("m.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "Choose a CSV"),
        ("m.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old Excel file"),
        ("m.txt", b"indicator,period_end,value\n", "Choose a CSV (.csv) or Excel (.xlsx)"),
        ("m.csv", b'indicator,period_end,value\n"' + b"x" * 200_000, "quote that is never"),
    ],
)
def test_an_unusable_file_is_refused_with_a_clear_message(
    english_staff, pilot, name, content, message
):
    response = upload(english_staff, pilot, name, content)

    assert response.status_code == 200
    assert response.templates[0].name == "pilots/measurement_import.html"
    assert message in " ".join(response.context["form"].errors["file"])
    assert Measurement.objects.count() == 0


def test_a_file_over_two_megabytes_is_refused(english_staff, pilot):
    header = b"indicator,period_end,value,note\n"
    content = header + b"import-jobs,2025-01-31,1," + b"x" * (MAX_IMPORT_SIZE - len(header))

    response = upload(english_staff, pilot, "m.csv", content)

    assert "the largest file you can import is 2.0" in response.context["form"].errors["file"][0]


def test_more_than_five_thousand_rows_are_refused(english_staff, pilot):
    lines = [f"import-jobs,{date(2000, 1, 1) + timedelta(days=n)},1" for n in range(MAX_DATA_ROWS)]
    content = "indicator,period_end,value\n" + "\n".join(lines)

    accepted = upload(english_staff, pilot, "m.csv", content)
    refused = upload(english_staff, pilot, "m.csv", content + "\nimport-jobs,2030-01-01,1")

    assert len(accepted.context["rows"]) == MAX_DATA_ROWS
    assert "more than 5 000 rows" in refused.context["form"].errors["file"][0]


def test_an_xlsx_sheet_with_more_than_five_thousand_rows_is_refused(english_staff, pilot):
    rows = [["indicator", "period_end", "value"]]
    rows += [["import-jobs", date(2000, 1, 1) + timedelta(days=n), n] for n in range(5_001)]

    response = upload(english_staff, pilot, "m.xlsx", workbook(rows))

    assert "more than 5 000 rows" in response.context["form"].errors["file"][0]


def test_control_characters_are_stripped_and_html_is_shown_as_text(english_staff, pilot):
    content = (
        "indicator,period_end,value,note\n"
        'import-jobs,2025-01-31,1,"<script>alert(1)</script>\x07 rad\x1b ett\n'
        'rad två \u202bעברית"\n'
    )

    response = upload(english_staff, pilot, "m.csv", content)

    [row] = response.context["rows"]
    assert row.note == "<script>alert(1)</script> rad ett\nrad två \u202bעברית"
    assert "<script>alert(1)</script>" not in response.content.decode()
    confirm(english_staff, pilot, response.context["import_id"])
    assert Measurement.objects.get().note == row.note


def test_a_measurement_changed_between_preview_and_confirm_refuses_the_whole_import(
    english_staff, pilot, participants, staff_seved
):
    existing = MeasurementFactory(
        indicator=participants, period_end=date(2025, 1, 31), value=Decimal(9)
    )
    content = (
        "indicator,period_end,value\nimport-participants,2025-01-31,11\nimport-jobs,2025-01-31,1\n"
    )
    preview = upload(english_staff, pilot, "m.csv", content)
    services.measurement_record(
        indicator=participants,
        period_end=date(2025, 1, 31),
        value=Decimal(10),
        recorded_by=staff_seved,
    )

    response = confirm(english_staff, pilot, preview.context["import_id"])

    assert response.status_code == 302
    assert response.url == reverse("pilots:import", args=[pilot.slug])
    existing.refresh_from_db()
    assert existing.value == Decimal(10)
    assert Measurement.objects.count() == 1
    page = english_staff.get(response.url).content.decode()
    assert "changed after the preview, so nothing was imported" in page


def test_a_measurement_added_meanwhile_for_a_row_previewed_as_create_refuses_the_import(
    staff, pilot, jobs
):
    preview = upload(
        staff, pilot, "m.csv", "indicator,period_end,value\nimport-jobs,2025-01-31,1\n"
    )
    MeasurementFactory(indicator=jobs, period_end=date(2025, 1, 31), value=Decimal(5))

    confirm(staff, pilot, preview.context["import_id"])

    assert Measurement.objects.get().value == Decimal(5)


def test_an_indicator_deleted_between_preview_and_confirm_refuses_the_import(staff, pilot, jobs):
    content = (
        "indicator,period_end,value\nimport-participants,2025-01-31,1\nimport-jobs,2025-01-31,1\n"
    )
    preview = upload(staff, pilot, "m.csv", content)
    jobs.delete()

    confirm(staff, pilot, preview.context["import_id"])

    assert Measurement.objects.count() == 0


def test_a_failure_after_the_rows_are_written_rolls_all_of_them_back(
    staff, pilot, participants, monkeypatch
):
    existing = MeasurementFactory(
        indicator=participants, period_end=date(2025, 1, 31), value=Decimal(9)
    )
    content = (
        "indicator,period_end,value\nimport-participants,2025-01-31,1\nimport-jobs,2025-01-31,1\n"
    )
    rows = upload(staff, pilot, "m.csv", content).context["rows"]

    def refresh_fails(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_store_progress", refresh_fails)

    with pytest.raises(RuntimeError):
        services.measurements_import(pilot=pilot, rows=rows, recorded_by=None)
    assert Measurement.objects.count() == 1
    existing.refresh_from_db()
    assert (existing.value, existing.version) == (Decimal(9), 1)


def _single_row_preview(client, pilot):
    return upload(client, pilot, "m.csv", "indicator,period_end,value\nimport-jobs,2025-01-31,1\n")


def test_confirming_the_same_import_twice_writes_it_once_and_says_it_is_saved(english_staff, pilot):
    preview = _single_row_preview(english_staff, pilot)
    first = confirm(english_staff, pilot, preview.context["import_id"])

    again = confirm(english_staff, pilot, preview.context["import_id"])

    assert Measurement.objects.count() == 1
    assert again.status_code == 302
    assert again.url == first.url == pilot.get_absolute_url()
    page = english_staff.get(again.url).content.decode()
    assert "1 measurement imported" in page
    assert "This import has already been saved; nothing was saved twice." in page
    assert "no longer waiting" not in page
    assert "Nothing was imported" not in page


def test_a_second_confirmation_that_read_the_session_before_the_first_was_saved_writes_nothing(
    english_staff, pilot
):
    preview = _single_row_preview(english_staff, pilot)
    import_id = preview.context["import_id"]
    waiting = english_staff.session[SESSION_KEY][import_id]
    confirm(english_staff, pilot, import_id)
    # A double click: the second request saw the session as it was before the first finished.
    session = english_staff.session
    session[SESSION_KEY] = {import_id: waiting}
    del session[FINISHED_KEY]
    session.save()

    again = confirm(english_staff, pilot, import_id)

    assert Measurement.objects.count() == 1
    assert Measurement.objects.get().version == 1
    assert again.url == pilot.get_absolute_url()
    page = english_staff.get(again.url).content.decode()
    assert "This import has already been saved" in page
    assert "changed after the preview" not in page
    third = confirm(english_staff, pilot, import_id)
    assert third.url == pilot.get_absolute_url(), "it is remembered as finished"


def test_a_finished_import_posted_to_another_pilot_is_still_refused(english_staff, pilot, seved):
    other = PilotFactory(area=seved)
    preview = _single_row_preview(english_staff, pilot)
    confirm(english_staff, pilot, preview.context["import_id"])

    response = confirm(english_staff, other, preview.context["import_id"])

    assert response.url == reverse("pilots:import", args=[other.slug])
    assert "no longer waiting" in english_staff.get(response.url).content.decode()
    assert Measurement.objects.count() == 1


@pytest.mark.parametrize("import_id", ["", "made-up", "x" * 500])
def test_an_unknown_import_id_writes_nothing_and_says_so(english_staff, pilot, import_id):
    response = confirm(english_staff, pilot, import_id)

    assert response.url == reverse("pilots:import", args=[pilot.slug])
    assert "no longer waiting" in english_staff.get(response.url).content.decode()
    assert Measurement.objects.count() == 0


def test_an_import_previewed_for_another_pilot_cannot_be_confirmed_on_this_one(staff, pilot, seved):
    other = PilotFactory(area=seved)
    IndicatorFactory(pilot=other, definition=IndicatorDefinitionFactory(code="import-jobs"))
    preview = upload(
        staff, pilot, "m.csv", "indicator,period_end,value\nimport-jobs,2025-01-31,1\n"
    )

    confirm(staff, other, preview.context["import_id"])

    assert Measurement.objects.count() == 0
    confirm(staff, pilot, preview.context["import_id"])
    assert Measurement.objects.get().indicator.pilot == pilot, "it still waits for its own pilot"


def test_an_import_left_waiting_for_over_an_hour_has_expired(staff, pilot):
    preview = upload(
        staff, pilot, "m.csv", "indicator,period_end,value\nimport-jobs,2025-01-31,1\n"
    )
    import_id = preview.context["import_id"]
    session = staff.session
    session[SESSION_KEY][import_id]["created"] = (
        datetime.now().astimezone() - timedelta(hours=2)
    ).isoformat()
    session.save()

    confirm(staff, pilot, import_id)

    assert Measurement.objects.count() == 0


def test_tampered_session_rows_are_refused(staff, pilot):
    preview = upload(
        staff, pilot, "m.csv", "indicator,period_end,value\nimport-jobs,2025-01-31,1\n"
    )
    import_id = preview.context["import_id"]
    session = staff.session
    session[SESSION_KEY][import_id]["rows"][0]["value"] = "1000.00"
    session.save()

    confirm(staff, pilot, import_id)

    assert Measurement.objects.count() == 0


def test_only_a_few_previews_wait_in_the_session(staff, pilot):
    content = "indicator,period_end,value\nimport-jobs,2025-01-31,1\n"
    ids = [upload(staff, pilot, "m.csv", content).context["import_id"] for _ in range(5)]

    assert set(staff.session[SESSION_KEY]) == set(ids[-3:])


def test_opening_the_confirm_address_directly_leads_to_the_upload_page(staff, pilot):
    response = staff.get(reverse("pilots:import-confirm", args=[pilot.slug]))

    assert response.status_code == 302
    assert response.url == reverse("pilots:import", args=[pilot.slug])


@pytest.mark.parametrize("name", ["pilots:import", "pilots:import-confirm"])
def test_importing_requires_login(client, pilot, name):
    url = reverse(name, args=[pilot.slug])

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ["pilots:import", "pilots:import-confirm"])
@pytest.mark.parametrize("who", ["official", "staff_of_another_area"])
def test_importing_is_refused_to_anyone_outside_the_pilots_area(
    client, make_user, official, lindangen, pilot, participants, name, who
):
    user = official if who == "official" else make_user("staff-lindangen", area=lindangen)
    client.force_login(user)
    url = reverse(name, args=[pilot.slug])
    csv_file = SimpleUploadedFile(
        "m.csv", b"indicator,period_end,value\nimport-participants,2025-01-31,1\n"
    )

    assert client.get(url).status_code == 403
    assert client.post(url, {"file": csv_file, "import_id": "x"}).status_code == 403
    assert Measurement.objects.count() == 0


def test_importing_into_an_archived_pilot_is_refused(staff, pilot):
    pilot.archived_at = datetime.now().astimezone()
    pilot.save()

    assert staff.get(reverse("pilots:import", args=[pilot.slug])).status_code == 403


@pytest.mark.parametrize("name", ["pilots:import", "pilots:import-confirm"])
def test_importing_into_a_pilot_that_does_not_exist_answers_404(staff, name):
    assert staff.get(reverse(name, args=["no-such-pilot"])).status_code == 404


@given(text=st.text(max_size=40))
def test_parsing_any_text_as_a_value_gives_a_decimal_that_fits_or_a_reason(text):
    reason = ""
    try:
        value = importing.parse_value(text)
    except ValueError as error:
        value, reason = None, str(error)
    if value is None:
        assert reason
    else:
        assert value == value.quantize(Decimal("0.01"))
        assert abs(value) < Decimal(10) ** 12


INTERESTING_CELLS = [
    "import-jobs",
    "import-participants",
    "2025-01-31",
    "2025-02-29",
    "0000-00-00",
    "12",
    "1 234,56",
    "1\u00a0234.5",
    "-0",
    "NaN",
    "-inf",
    "1e999",
    "9" * 40,
    "0." + "0" * 30 + "1",
    "<script>alert('x')</script>",
    "\u202eevil\u202c",
    "مرحبا",
    "שלום",
    "åäö ÅÄÖ",
    '"',
    "\x00",
    "\x1b[31m",
    "\r",
    ";",
    ",",
]
cells = st.one_of(
    st.sampled_from(INTERESTING_CELLS),
    st.text(max_size=20),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
plausible_rows = st.tuples(
    st.one_of(st.sampled_from(["import-jobs", "import-participants"]), cells),
    st.one_of(st.dates(date(1890, 1, 1), date(2110, 12, 31)).map(date.isoformat), cells),
    st.one_of(
        st.decimals(-(10**13), 10**13, places=2).map(lambda value: str(value).replace(".", ",")),
        cells,
    ),
    st.text(max_size=60),
).map(list)
headers = st.one_of(
    st.just(["indicator", "period_end", "value", "note"]),
    st.just(["Indikator", "Periodslut", "Värde", "Anteckning"]),
    st.lists(st.one_of(st.sampled_from(["kod", "datum", "värde", "note"]), st.text(max_size=8))),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    header=headers,
    rows=st.lists(st.one_of(plausible_rows, st.lists(cells, max_size=6)), max_size=8),
    delimiter=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_any_csv_text_gets_a_preview_or_a_message_and_nothing_is_written(
    staff, pilot, header, rows, delimiter, encoding
):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)

    response = upload(staff, pilot, "m.csv", buffer.getvalue().encode(encoding))

    assert response.status_code == 200
    if "rows" in response.context:
        assert response.context["rows"], "a preview shows every row it read"
        event("preview with a row to create" if response.context["counts"]["create"] else "preview")
    else:
        event("refused")
        assert response.context["form"].errors["file"]
    assert Measurement.objects.count() == 0


def swedish_number(value: Decimal) -> str:
    whole, _dot, decimals = f"{value:,.2f}".partition(".")
    return whole.replace(",", "\u00a0") + "," + decimals


valid_rows = st.tuples(
    st.sampled_from(["import-jobs", "import-participants", "IMPORT-JOBS"]),
    st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat),
    st.decimals(-(10**12) + 1, 10**12 - 1, places=2).flatmap(
        lambda value: st.sampled_from([str(value), swedish_number(value)])
    ),
    st.text(max_size=60),
).map(list)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(st.one_of(valid_rows, plausible_rows), min_size=1, max_size=6),
    delimiter=st.sampled_from(",;"),
)
def test_confirming_any_previewed_file_writes_exactly_the_rows_it_showed(
    staff, pilot, rows, delimiter
):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["indikator", "periodslut", "värde", "anteckning"])
    writer.writerows(rows)
    preview = upload(staff, pilot, "m.csv", buffer.getvalue())
    if "rows" not in preview.context or not preview.context["import_id"]:
        event("refused or rejected")
        assert Measurement.objects.count() == 0
        return
    event("confirmed")

    confirm(staff, pilot, preview.context["import_id"])

    written = {
        (m.indicator.definition.code, m.period_end, m.value, m.note)
        for m in Measurement.objects.all()
    }
    shown = {
        (row.code.lower(), row.period_end, row.value, row.note) for row in preview.context["rows"]
    }
    assert written == shown
    Measurement.objects.all().delete()
