"""Reading a measurement import file and judging its rows; no database access and no views.

``read_table`` turns an uploaded CSV or XLSX file into rows of cells under a known header,
``parse_rows`` checks each row's cells, and ``plan_rows`` decides for each row whether it
creates a measurement, updates one or is rejected, given what the database holds.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilots import number_input

MAX_IMPORT_SIZE = 2 * 1024 * 1024
MAX_DATA_ROWS = 5_000
# Blank lines do not count as data, but reading millions of them is still work.
MAX_LINES = 50_000
MAX_COLUMNS = 50
MAX_NOTE_LENGTH = 2_000
MAX_CODE_LENGTH = 60
# A workbook is a zip archive; this bounds what a small file may unpack to.
MAX_UNPACKED_SIZE = 50 * 1024 * 1024
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
EXTENSIONS = (".csv", ".xlsx")

ZIP_SIGNATURE = b"PK\x03\x04"
# Old .xls files and password-protected .xlsx files are both OLE compound documents.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
DELIMITERS = (";", ",", "\t")
EXCEL_SEPARATOR_HINT = re.compile(r"sep=([;,\t])", re.IGNORECASE)

COLUMN_NAMES = {
    "code": ("indicator", "indikator", "code", "kod", "indicator_code", "indikatorkod"),
    "period_end": ("period_end", "period", "periodslut", "datum", "date"),
    "value": ("value", "värde", "varde"),
    "note": ("note", "anteckning", "kommentar", "comment"),
}
REQUIRED_COLUMNS = ("code", "period_end", "value")
COLUMN_BY_NAME = {name: column for column, names in COLUMN_NAMES.items() for name in names}

ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T]00:00(?::00)?)?")


class Action(models.TextChoices):
    CREATE = "create", gettext_lazy("Create")
    UPDATE = "update", gettext_lazy("Update")
    REJECT = "reject", gettext_lazy("Reject")


@dataclass
class Table:
    """The cells below the header, by line number, with the column each field is in."""

    columns: dict[str, int]
    rows: list[tuple[int, list[object]]]


@dataclass
class ImportRow:
    """One line of the file: what it says, what it means and what importing it would do."""

    line: int
    code: str
    period_text: str
    value_text: str
    note: str = ""
    period_end: date | None = None
    value: Decimal | None = None
    errors: list[str] = field(default_factory=list)
    action: str = ""
    indicator_id: int | None = None
    measurement_id: int | None = None
    measurement_version: int | None = None
    old_value: Decimal | None = None

    @property
    def is_rejected(self) -> bool:
        return self.action == Action.REJECT


@dataclass(frozen=True)
class ExistingMeasurement:
    """What the database holds for an indicator and period when the preview is made."""

    id: int
    version: int
    value: Decimal


def _file_error(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def read_table(upload: File) -> Table:
    """Read an uploaded .csv or .xlsx file; raise ValidationError saying why if it is unusable."""
    if upload.size is not None and upload.size > MAX_IMPORT_SIZE:
        raise _file_error(
            _("The file is %(size)s; the largest file you can import is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_IMPORT_SIZE)},
            "too_large",
        )
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in EXTENSIONS:
        raise _file_error(_("Choose a CSV (.csv) or Excel (.xlsx) file."), "type_not_allowed")
    upload.seek(0)
    data = upload.read(MAX_IMPORT_SIZE + 1)
    if len(data) > MAX_IMPORT_SIZE:
        raise _file_error(
            _("The file is larger than %(limit)s, the most you can import at once.")
            % {"limit": filesizeformat(MAX_IMPORT_SIZE)},
            "too_large",
        )
    if not data.strip():
        raise _file_error(_("The file is empty."), "empty")
    if data.startswith(OLE_SIGNATURE):
        raise _file_error(
            _(
                "This is an old Excel file (.xls) or a password-protected workbook. Save it as "
                "an .xlsx workbook without a password, or as CSV, and upload it again."
            ),
            "old_excel",
        )
    lines = _xlsx_lines(data) if extension == ".xlsx" else _csv_lines(data)
    return _table(lines)


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[object]]]:
    if data.startswith(ZIP_SIGNATURE):
        raise _file_error(
            _(
                "This file is an Excel workbook although its name ends in .csv. Rename it to "
                ".xlsx, or save it as CSV in Excel."
            ),
            "content_mismatch",
        )
    text = _decode(data)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    hint = EXCEL_SEPARATOR_HINT.fullmatch(first_line.strip())
    if hint:
        # Excel writes and honours a first line "sep=;" that names the delimiter.
        delimiter = hint.group(1)
        text = text.replace(first_line, "", 1)
    else:
        delimiter = max(DELIMITERS, key=first_line.count)
        if not first_line.count(delimiter):
            delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        end_of_previous = 0
        for cells in reader:
            # A quoted cell may span lines; the row is known by the line it starts on.
            yield end_of_previous + 1, list(cells)
            end_of_previous = reader.line_num
    except csv.Error as error:
        raise _file_error(
            _(
                "The file cannot be read as CSV near line %(line)d. Check for a quote that is "
                "never closed or a very long cell."
            )
            % {"line": reader.line_num},
            "bad_csv",
        ) from error


def _decode(data: bytes) -> str:
    """Text from UTF-8 (with or without BOM) or UTF-16 with BOM; else Windows-1252 or Latin-1."""
    not_text = _file_error(
        _("The file is not a readable CSV text file. Save it as CSV (UTF-8) and try again."),
        "not_text",
    )
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise not_text from error
    if b"\x00" in data:
        raise not_text
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Older Swedish Excel saves CSV in Windows-1252; Latin-1 accepts any byte, so control
    # characters are what tell a legacy text file from binary noise.
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if any(unicodedata.category(char) == "Cc" and char not in "\t\r\n" for char in text):
        raise not_text
    return text


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[object]]]:
    # Imported here so that the (large) library loads only when a workbook is uploaded.
    import openpyxl

    not_workbook = _file_error(
        _(
            "The file is named .xlsx but is not an Excel workbook. Save it from Excel as "
            "“Excel Workbook (.xlsx)” or as CSV."
        ),
        "content_mismatch",
    )
    if not data.startswith(ZIP_SIGNATURE):
        raise not_workbook
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise not_workbook from error
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        raise not_workbook
    # A zip entry never unpacks to more than its declared size, so the header can be trusted.
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_SIZE:
        raise _file_error(
            _("The workbook is too large when unpacked. Keep only the measurements in it."),
            "too_large",
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook.
        raise not_workbook from error
    try:
        if not workbook.worksheets:
            raise _file_error(_("The workbook has no worksheet."), "empty")
        rows = workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True)
        for line, cells in enumerate(rows, start=1):
            yield line, list(cells)
    except ValidationError:
        raise
    except Exception as error:  # A damaged sheet can fail anywhere while it streams.
        raise not_workbook from error
    finally:
        workbook.close()


def _header_key(cell: object) -> str:
    text = unicodedata.normalize("NFC", clean_text(cell)).casefold()
    return re.sub(r"[\s\-]+", "_", text)


def _columns(header: list[object]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = COLUMN_BY_NAME.get(_header_key(cell))
        if column is None:
            continue
        if column in columns:
            raise _file_error(
                _("Two columns hold the same thing: “%(first)s” and “%(second)s”. Keep one.")
                % {
                    "first": clean_text(header[columns[column]]),
                    "second": clean_text(cell),
                },
                "duplicate_column",
            )
        columns[column] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise _file_error(
            _(
                "The header row lacks the column(s) %(missing)s. The first row must name the "
                "columns, e.g. indicator;period_end;value;note or indikator;periodslut;värde;"
                "anteckning."
            )
            % {"missing": ", ".join(f"“{COLUMN_NAMES[column][0]}”" for column in missing)},
            "missing_columns",
        )
    return columns


def _table(lines: Iterator[tuple[int, list[object]]]) -> Table:
    columns: dict[str, int] | None = None
    rows: list[tuple[int, list[object]]] = []
    for line, cells in lines:
        if line > MAX_LINES:
            raise _too_many_rows()
        cells = cells[:MAX_COLUMNS]
        if all(clean_text(cell) == "" for cell in cells):
            continue
        if columns is None:
            columns = _columns(cells)
            continue
        if len(rows) >= MAX_DATA_ROWS:
            raise _too_many_rows()
        rows.append((line, cells))
    if columns is None:
        raise _file_error(_("The file is empty."), "empty")
    if not rows:
        raise _file_error(_("The file has a header row but no measurements below it."), "empty")
    return Table(columns=columns, rows=rows)


def _too_many_rows() -> ValidationError:
    return _file_error(
        _("The file has more than %(limit)s rows. Split it into smaller files.")
        % {"limit": f"{MAX_DATA_ROWS:,}".replace(",", " ")},
        "too_many_rows",
    )


def clean_text(value: object, *, multiline: bool = False) -> str:
    """Text without control characters; notes keep their line breaks and tabs."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    return "".join(
        char for char in text if char in "\n\t" or unicodedata.category(char) != "Cc"
    ).strip()


def _cell(cells: list[object], columns: Mapping[str, int], column: str) -> object:
    index = columns.get(column)
    return cells[index] if index is not None and index < len(cells) else None


def parse_rows(table: Table) -> list[ImportRow]:
    """Check each row's cells; a row with errors will be rejected, with every reason listed."""
    rows = []
    for line, cells in table.rows:
        raw_period = _cell(cells, table.columns, "period_end")
        raw_value = _cell(cells, table.columns, "value")
        row = ImportRow(
            line=line,
            code=clean_text(_cell(cells, table.columns, "code")),
            period_text=_shown(raw_period),
            value_text=_shown(raw_value),
            note=clean_text(_cell(cells, table.columns, "note"), multiline=True),
        )
        if not row.code:
            row.errors.append(_("The indicator code is missing."))
        try:
            row.period_end = parse_period_end(raw_period)
        except ValueError as error:
            row.errors.append(str(error))
        try:
            row.value = parse_value(raw_value)
        except ValueError as error:
            row.errors.append(str(error))
        if len(row.note) > MAX_NOTE_LENGTH:
            row.errors.append(
                _("The note has %(length)d characters; at most %(limit)d are allowed.")
                % {"length": len(row.note), "limit": MAX_NOTE_LENGTH}
            )
        rows.append(row)
    return rows


def _shown(cell: object) -> str:
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return clean_text(cell)


def parse_period_end(cell: object) -> date:
    """A date cell or YYYY-MM-DD text; raise ValueError with the reason otherwise."""
    if isinstance(cell, datetime):
        cell = cell.date()
    if isinstance(cell, date):
        found = cell
    else:
        text = clean_text(cell)
        if not text:
            raise ValueError(_("The period end is missing."))
        match = ISO_DATE.fullmatch(text)
        if not match:
            raise ValueError(_("The period end is not a date; write it as YYYY-MM-DD."))
        try:
            found = date(*(int(part) for part in match.groups()))
        except ValueError:
            raise ValueError(_("The period end is not a real date.")) from None
    if not EARLIEST_YEAR <= found.year <= LATEST_YEAR:
        raise ValueError(
            _("The period end must lie between the years %(first)d and %(last)d.")
            % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
        )
    return found


def parse_value(cell: object) -> Decimal:
    """A number with a decimal comma or point and spaces between thousands; at most 2 decimals."""
    try:
        if isinstance(cell, bool | date | datetime):
            raise number_input.NumberError(number_input.Problem.INVALID)
        if isinstance(cell, float):
            cell = _float_cell(cell)
        if isinstance(cell, int | Decimal):
            return number_input.fit(Decimal(cell))
        return number_input.parse_number(clean_text(cell), number_input.FILE_STYLE)
    except number_input.NumberError as error:
        raise ValueError(_value_message(error.problem)) from None


def _float_cell(cell: float) -> Decimal:
    if not math.isfinite(cell):
        raise number_input.NumberError(number_input.Problem.INVALID)
    # Spreadsheet arithmetic leaves binary noise (12.100000000000001) on values that are really
    # cents; repr then gives the shortest text that round-trips.
    rounded = round(cell, number_input.MAX_DECIMALS)
    if math.isclose(cell, rounded, rel_tol=1e-12, abs_tol=1e-9):
        cell = rounded
    return Decimal(repr(cell))


def _value_message(problem: number_input.Problem) -> str:
    if problem == number_input.Problem.MISSING:
        return _("The value is missing.")
    if problem == number_input.Problem.TOO_LARGE:
        return _("The value is too large: at most %(digits)d digits before the decimal sign.") % {
            "digits": number_input.MAX_INTEGER_DIGITS
        }
    if problem == number_input.Problem.TOO_PRECISE:
        return _("The value has more than %(decimals)d decimals.") % {
            "decimals": number_input.MAX_DECIMALS
        }
    return _("The value is not a number; write it like 1234,5 or 1 234.50.")


def plan_rows(
    rows: Sequence[ImportRow],
    *,
    indicators: Mapping[str, int],
    existing: Mapping[tuple[int, date], ExistingMeasurement],
) -> list[ImportRow]:
    """Decide each row's action: reject it with reasons, update a measurement or create one.

    ``indicators`` maps this pilot's indicator codes to indicator ids; ``existing`` holds the
    stored measurements of those indicators by (indicator id, period end).
    """
    folded = {code.casefold(): pk for code, pk in indicators.items()}
    for row in rows:
        if row.code:
            row.indicator_id = indicators.get(row.code, folded.get(row.code.casefold()))
            if row.indicator_id is None:
                row.errors.append(
                    _("This pilot has no indicator with the code “%(code)s”.")
                    % {"code": row.code[:MAX_CODE_LENGTH]}
                )
    _reject_duplicates(rows)
    for row in rows:
        if row.errors or row.indicator_id is None or row.period_end is None:
            row.action = Action.REJECT
            continue
        stored = existing.get((row.indicator_id, row.period_end))
        if stored is None:
            row.action = Action.CREATE
        else:
            row.action = Action.UPDATE
            row.measurement_id = stored.id
            row.measurement_version = stored.version
            row.old_value = stored.value
    return list(rows)


def _reject_duplicates(rows: Sequence[ImportRow]) -> None:
    lines_by_key: defaultdict[tuple[object, date], list[int]] = defaultdict(list)
    for row in rows:
        if row.code and row.period_end is not None:
            lines_by_key[(row.indicator_id or row.code.casefold(), row.period_end)].append(row.line)
    for row in rows:
        if row.code and row.period_end is not None:
            lines = lines_by_key[(row.indicator_id or row.code.casefold(), row.period_end)]
            if len(lines) == 2:
                row.errors.append(
                    _("This indicator and period appear twice in the file (lines %(lines)s).")
                    % {"lines": _line_list(lines)}
                )
            elif len(lines) > 2:
                row.errors.append(
                    _(
                        "This indicator and period appear %(count)d times in the file "
                        "(lines %(lines)s)."
                    )
                    % {"count": len(lines), "lines": _line_list(lines)}
                )


def _line_list(lines: list[int]) -> str:
    shown = ", ".join(str(line) for line in lines[:10])
    return shown + (", …" if len(lines) > 10 else "")


def action_counts(rows: Sequence[ImportRow]) -> dict[str, int]:
    counts = Counter(row.action for row in rows)
    return {action: counts.get(action, 0) for action in Action.values}


def rows_to_data(rows: Sequence[ImportRow]) -> list[dict[str, object]]:
    """The valid rows as plain JSON-ready data, to keep in the session until confirmed."""
    return [
        {
            "line": row.line,
            "code": row.code,
            "indicator_id": row.indicator_id,
            "period_end": row.period_end.isoformat() if row.period_end else None,
            "value": str(row.value) if row.value is not None else None,
            "note": row.note,
            "action": row.action,
            "measurement_id": row.measurement_id,
            "measurement_version": row.measurement_version,
            "old_value": str(row.old_value) if row.old_value is not None else None,
        }
        for row in rows
        if not row.is_rejected
    ]


def rows_from_data(data: Sequence[Mapping[str, object]]) -> list[ImportRow]:
    """Rows back from session data; raise ValueError (or TypeError, KeyError) if malformed."""
    rows = []
    for item in data:
        period_end = item["period_end"]
        value = item["value"]
        old_value = item["old_value"]
        if not isinstance(period_end, str) or not isinstance(value, str):
            raise ValueError("period_end and value must be text")
        rows.append(
            ImportRow(
                line=int(str(item["line"])),
                code=str(item["code"]),
                period_text=period_end,
                value_text=value,
                note=str(item["note"]),
                period_end=date.fromisoformat(period_end),
                value=Decimal(value),
                action=str(item["action"]),
                indicator_id=_optional_int(item["indicator_id"]),
                measurement_id=_optional_int(item["measurement_id"]),
                measurement_version=_optional_int(item["measurement_version"]),
                old_value=Decimal(old_value) if isinstance(old_value, str) else None,
            )
        )
    return rows


def _optional_int(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("expected a whole number")
    return value


def data_digest(data: Sequence[Mapping[str, object]]) -> str:
    """A fingerprint of the stored rows, to tell that they are exactly what the preview showed."""
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()
