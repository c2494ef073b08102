"""The pilot list as CSV and XLSX: the list's filters, safe cells, streaming, flat queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import PilotFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db

CSV_URL = "/pilots/export.csv"
XLSX_URL = "/pilots/export.xlsx"


def _csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "a byte order mark, so Excel reads å ä ö"
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def _xlsx(response) -> list[tuple]:
    assert isinstance(response, FileResponse)
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


def test_urls_are_the_contract():
    assert reverse("pilots:export-csv") == CSV_URL
    assert reverse("pilots:export-xlsx") == XLSX_URL


def test_csv_export_has_a_header_the_filtered_rows_and_a_dated_attachment_name(
    client, official, seved, lindangen, english
):
    lead = UserFactory(first_name="Amina", last_name="Öberg")
    pilot = PilotFactory(
        area=seved,
        title="Läxhjälp på Seved",
        stage="pilot",
        budget_sek=250000,
        participants_reached=42,
        lead=lead,
    )
    pilot.themes.add(
        ThemeFactory(name="Skola", name_en="Schooling"),
        ThemeFactory(name="Hälsa", name_en="Health"),
    )
    PilotFactory(area=seved, stage="idea")
    PilotFactory(area=lindangen, stage="pilot")
    PilotFactory(area=seved, stage="pilot", archived_at=timezone.now())
    client.force_login(official)

    response = client.get(CSV_URL, {"area": "seved", "stage": "pilot", "page": "3"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="pilots-{today}.csv"'
    header, *rows = _csv(response)
    assert header == [
        "Slug",
        "Title",
        "Area",
        "Municipality",
        "Stage",
        "Evidence level",
        "Start date",
        "End date",
        "Budget (SEK)",
        "Participants reached",
        "Themes",
        "Lead",
        "Updated",
    ]
    assert len(rows) == 1, "other areas, other stages and archived pilots are left out"
    row = dict(zip(header, rows[0], strict=True))
    assert row["Title"] == "Läxhjälp på Seved"
    assert row["Area"] == "Seved"
    assert row["Stage"] == "Pilot"
    assert row["Budget (SEK)"] == "250000"
    assert row["Participants reached"] == "42"
    assert row["Themes"] == "Health, Schooling"
    assert row["Lead"] == "Amina Öberg"
    assert row["Start date"] == pilot.start_date.isoformat()


def test_csv_export_labels_columns_and_themes_in_swedish_by_default(client, official):
    PilotFactory().themes.add(ThemeFactory(name="Skola", name_en="Schooling"))
    client.force_login(official)

    header, row = _csv(client.get(CSV_URL))

    assert header[:2] == ["Kortnamn", "Titel"]
    assert "Skola" in row


def test_csv_export_neutralises_cells_a_spreadsheet_would_run_as_formulas(client, official):
    for title in ("=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tTab", "\rReturn", "Plain - text"):
        PilotFactory(title=title)
    client.force_login(official)

    _header, *rows = _csv(client.get(CSV_URL, {"sort": "title"}))

    titles = {row[1] for row in rows}
    assert titles == {
        "'=HYPERLINK(1)",
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tTab",
        "'\rReturn",
        "Plain - text",
    }


def test_csv_export_ignores_filters_the_list_does_not_understand(client, official):
    PilotFactory.create_batch(2)
    client.force_login(official)
    response = client.get(CSV_URL, {"area": "atlantis", "evidence_level": "nine", "sort": "x"})
    assert response.status_code == 200
    assert len(_csv(response)) == 3


def test_xlsx_export_opens_with_the_header_and_the_filtered_rows(client, official, seved, english):
    PilotFactory(area=seved, title="Läxhjälp", budget_sek=1000)
    PilotFactory(area=seved, title="=1+1")
    PilotFactory(title="Elsewhere")
    client.force_login(official)

    response = client.get(XLSX_URL, {"area": "seved", "sort": "title"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="pilots-{today}.xlsx"'
    header, *rows = _xlsx(response)
    assert header[:3] == ("Slug", "Title", "Area")
    assert [row[1] for row in rows] == ["=1+1", "Läxhjälp"], "a formula stays text"
    assert rows[1][8] == 1000, "numbers stay numbers"


def test_xlsx_export_stores_formula_like_text_as_text(client, official):
    PilotFactory(title="=HYPERLINK(1)")
    client.force_login(official)
    workbook = load_workbook(io.BytesIO(b"".join(client.get(XLSX_URL).streaming_content)))
    cell = workbook.active["B2"]
    assert cell.data_type == "s"
    assert cell.quotePrefix


# Session, user, the pilots (themes folded in by a subquery). Filters by area and theme each
# add one lookup of the slug, whatever the number of pilots.
EXPORT_QUERIES = 3


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_exports_use_the_same_queries_for_few_and_many_pilots(
    client, official, url, django_assert_num_queries
):
    client.force_login(official)
    theme = ThemeFactory()
    for pilot in PilotFactory.create_batch(5):
        pilot.themes.add(theme)
    with django_assert_num_queries(EXPORT_QUERIES):
        b"".join(client.get(url).streaming_content)

    for pilot in PilotFactory.create_batch(55):
        pilot.themes.add(theme, ThemeFactory())
    with django_assert_num_queries(EXPORT_QUERIES):
        b"".join(client.get(url).streaming_content)


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_exports_require_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
