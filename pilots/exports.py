"""The pilot list as CSV and XLSX, with the list's filters, in constant memory.

Rows come from one query: a ``values_list`` over the filtered pilots, read with a server-side
iterator in chunks, with the themes of each pilot folded into one cell by a correlated
subquery (``STRING_AGG`` on PostgreSQL, ``GROUP_CONCAT`` on SQLite). No query per row, no
model instances.

- CSV streams while it is read from the database.
- XLSX cannot stream: a workbook is a zip file whose directory comes last. openpyxl's write-only
  mode writes the sheet to a temporary file on disk, the workbook is saved into another
  temporary file, and that file is sent and then deleted. Memory stays flat; disk use is about
  the size of the download.

Text cells that a spreadsheet would read as a formula (starting with = + - @, a tab or a
carriage return) are neutralised: prefixed with an apostrophe in CSV, stored as text with
Excel's quote prefix in XLSX.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import IO

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Aggregate, CharField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.db.models.sql.compiler import SQLCompiler
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pilots.filters import PilotFilter
from pilots.models import Pilot, Stage

CHUNK_SIZE = 2000
CSV_ROWS_PER_CHUNK = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Theme names are joined in SQL with a separator no name contains, then sorted in Python.
THEME_SEPARATOR = "\x1f"
FIELDS = (
    "slug",
    "title",
    "area__name",
    "area__municipality",
    "stage",
    "evidence_level",
    "start_date",
    "end_date",
    "budget_sek",
    "participants_reached",
    "theme_names",
    "lead__first_name",
    "lead__last_name",
    "lead__username",
    "updated_at",
)


class _JoinedText(Aggregate):
    """Text values of a group joined with a separator, on SQLite and PostgreSQL."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: object
    ) -> tuple[str, tuple]:
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra_context)


def header() -> list[str]:
    """Column titles in the active language."""
    return [
        _("Slug"),
        _("Title"),
        _("Area"),
        _("Municipality"),
        _("Stage"),
        _("Evidence level"),
        _("Start date"),
        _("End date"),
        _("Budget (SEK)"),
        _("Participants reached"),
        _("Themes"),
        _("Lead"),
        _("Updated"),
    ]


def _theme_label() -> F | Coalesce:
    if (get_language() or "sv").startswith("en"):
        return Coalesce(NullIf(F("theme__name_en"), Value("")), F("theme__name"))
    return F("theme__name")


def export_queryset(params: QueryDict) -> QuerySet:
    """The pilots the list shows for these filters, in the list's order, as plain tuples.

    Filters the list would not understand are ignored, as the list ignores them.
    """
    pilots = PilotFilter(params or None, queryset=Pilot.objects.active()).qs
    pilots = pilots.order_by(*(pilots.query.order_by or ["-updated_at"]), "pk")
    themes = (
        Pilot.themes.through.objects.filter(pilot_id=OuterRef("pk"))
        .values("pilot_id")
        .annotate(names=_JoinedText(_theme_label(), Value(THEME_SEPARATOR)))
        .values("names")
    )
    return pilots.annotate(theme_names=Subquery(themes)).values_list(*FIELDS)


def rows(queryset: QuerySet) -> Iterator[list[object]]:
    """One list of cell values per pilot, read from the database in chunks."""
    stages = dict(Stage.choices)
    for (
        slug,
        title,
        area,
        municipality,
        stage,
        evidence_level,
        start_date,
        end_date,
        budget,
        participants,
        theme_names,
        first_name,
        last_name,
        username,
        updated_at,
    ) in queryset.iterator(chunk_size=CHUNK_SIZE):
        themes = sorted((theme_names or "").split(THEME_SEPARATOR), key=str.casefold)
        lead = f"{first_name} {last_name}".strip() or username or ""
        yield [
            slug,
            title,
            area,
            municipality,
            str(stages.get(stage, stage)),
            evidence_level,
            start_date,
            end_date,
            budget,
            participants,
            ", ".join(name for name in themes if name),
            lead,
            timezone.localtime(updated_at).replace(tzinfo=None, microsecond=0),
        ]


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def guard_formula(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


class EchoWriter:
    """A file-like object for csv.writer that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: object) -> object:
    """A value as CSV text; text a spreadsheet would run as a formula gets an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return guard_formula(value)


def csv_chunks(lines: Iterable[list[object]]) -> Iterator[str]:
    """CSV text in chunks of a few hundred rows, starting with a byte order mark for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header())
    for count, line in enumerate(lines, start=1):
        writer.writerow([csv_cell(value) for value in line])
        if count % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xlsx_cell(sheet: object, value: object) -> object:
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not is_formula_like(value):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"  # text, never a formula
    cell.quotePrefix = True
    return cell


def xlsx_file(lines: Iterable[list[object]]) -> IO[bytes]:
    """A workbook with the header and the rows, in an anonymous temporary file at position 0.

    The file disappears when it is closed, which FileResponse does after sending it.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Pilots"))
    sheet.append(header())
    for line in lines:
        sheet.append([_xlsx_cell(sheet, value) for value in line])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    return handle


def filename(extension: str) -> str:
    return f"{_('pilots')}-{timezone.localdate():%Y-%m-%d}.{extension}"
