"""Backup and restore of everything the portal holds, in one archive file.

The archive is a zip file with:

- ``manifest.json``: the format name and version, when the archive was made, each table (in the
  order of restore) with its columns and row count, and the names of the stored files;
- ``tables/<app_label>.<Model>.jsonl``: one JSON object per row, keyed by column (attname);
  dates, times and decimals as text at full precision;
- ``media/<name>``: the bytes of every attachment, under the name it has in the file storage.

Accounts, groups, areas, statistics, memberships, the catalogue, pilots with everything that hangs
off them, and the django-simple-history tables are all in it, with their primary keys, so that
foreign keys and history rows still point at the right rows after a restore. Passwords travel as
the hashes the database holds. Links to permissions are stored as (app label, model, codename),
because permission ids differ between databases. Sessions, login attempts (django-axes) and the
admin's action log are not part of the backup.

A restore goes into a freshly migrated database only: every table must be empty except the
reference tables that data migrations fill (groups, areas, statistic kinds, themes and the
indicator catalogue). Those rows are replaced by the archive's, which carry the same data under
the ids the restored rows refer to.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, TypedDict

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, reset_queries, transaction
from django.utils import timezone

from areas.models import Area, AreaStatistic, Membership, StatisticKind
from pilots.cache import bump_data_version
from pilots.models import (
    Attachment,
    EvidenceRecord,
    Indicator,
    IndicatorDefinition,
    Measurement,
    Partner,
    Pilot,
    PilotUpdate,
    ShareLink,
    StageDecision,
    Theme,
)
from pilots.services import pilot_readiness_refresh_all

FORMAT = "malmo-pilot-portal-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES_DIR = "tables/"
MEDIA_DIR = "media/"
# Rows per database round trip, both ways: large enough to be fast, small enough that a table of
# millions of measurements never sits in memory at once.
CHUNK_SIZE = 2_000
COPY_BUFFER = 1024 * 1024
# Columns whose values JSON carries as text; the model field turns them back into Python values.
TEXT_ENCODED_TYPES = frozenset(
    {"DateField", "DateTimeField", "TimeField", "DecimalField", "UUIDField"}
)

Model = type[models.Model]
Log = Callable[[str], None]


class TableEntry(TypedDict):
    name: str
    columns: list[str]
    rows: int


class Manifest(TypedDict):
    format: str
    format_version: int
    created_at: str
    tables: list[TableEntry]
    files: list[str]
    missing_files: list[str]


class BackupError(Exception):
    """An archive that cannot be restored, or a database it may not be restored into."""


def _quiet(message: str) -> None:
    pass


def backup_tables() -> list[Model]:
    """Every table in the backup, parents before children: the order of restore."""
    user_model = get_user_model()
    return [
        Group,
        Group.permissions.through,
        user_model,
        user_model.groups.through,
        user_model.user_permissions.through,
        Area,
        StatisticKind,
        AreaStatistic,
        Membership,
        Theme,
        Partner,
        IndicatorDefinition,
        Pilot,
        Pilot.themes.through,
        Pilot.partners.through,
        StageDecision,
        Indicator,
        Measurement,
        PilotUpdate,
        Attachment,
        EvidenceRecord,
        ShareLink,
        Area.history.model,
        Membership.history.model,
        IndicatorDefinition.history.model,
        Pilot.history.model,
        apps.get_model("pilots", "HistoricalPilot_themes"),
        apps.get_model("pilots", "HistoricalPilot_partners"),
        Indicator.history.model,
        Measurement.history.model,
    ]


def reference_tables() -> list[Model]:
    """The tables data migrations fill; a restore replaces their rows instead of refusing."""
    return [Group, Group.permissions.through, Area, StatisticKind, Theme, IndicatorDefinition]


def _permission_links() -> set[Model]:
    return {Group.permissions.through, get_user_model().user_permissions.through}


def _columns(model: Model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _entry_name(model: Model) -> str:
    return f"{TABLES_DIR}{model._meta.label}.jsonl"


def _json_value(value: object) -> str:
    # DjangoJSONEncoder would cut datetimes to milliseconds; a backup keeps every digit.
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"A backup cannot store {type(value).__name__} values.")


def _private_file(path: Path) -> IO[bytes]:
    """A new file that only its owner may read: the archive holds password hashes, share-link
    tokens and private attachments."""
    path.unlink(missing_ok=True)
    return os.fdopen(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "wb")


def _file_storage() -> Storage:
    return Attachment._meta.get_field("file").storage


# Export


def export_all(path: str | Path, *, log: Log = _quiet) -> Manifest:
    """Write every table and every attachment file into one zip archive at ``path``.

    The archive is written next to ``path`` under a temporary name and moved into place at the
    end, so an interrupted export never leaves a half archive where a good one is expected.
    """
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    permission_keys = {
        pk: [app_label, model, codename]
        for pk, app_label, model, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "content_type__model", "codename"
        )
    }
    try:
        with (
            _snapshot(),
            _private_file(partial) as target,
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive,
        ):
            tables = []
            for model in backup_tables():
                tables.append(_write_table(archive, model, permission_keys))
                log(f"  {model._meta.label:<34} {tables[-1]['rows']:>10} rows")
            files, missing = _write_files(archive)
            log(f"  {'attachment files':<34} {len(files):>10} files")
            manifest: Manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "tables": tables,
                "files": files,
                "missing_files": missing,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of all tables, even while the portal goes on taking writes.

    On SQLite the transaction holds the write lock for as long as the export runs.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _write_table(
    archive: zipfile.ZipFile, model: Model, permission_keys: dict[int, list[str]]
) -> TableEntry:
    columns = _columns(model)
    links_permissions = model in _permission_links()
    rows = model._base_manager.order_by("pk").values(*columns).iterator(chunk_size=CHUNK_SIZE)
    count = 0
    with archive.open(_entry_name(model), "w", force_zip64=True) as stream:
        for row in rows:
            if links_permissions:
                row["permission_id"] = permission_keys[row["permission_id"]]
            line = json.dumps(row, default=_json_value, ensure_ascii=False, separators=(",", ":"))
            stream.write(line.encode() + b"\n")
            count += 1
    return {"name": model._meta.label, "columns": columns, "rows": count}


def _write_files(archive: zipfile.ZipFile) -> tuple[list[str], list[str]]:
    """Copy every attachment's bytes into the archive; return the stored and the missing names."""
    storage = _file_storage()
    names = (
        Attachment._base_manager.exclude(file="")
        .order_by("file")
        .values_list("file", flat=True)
        .distinct()
        .iterator(chunk_size=CHUNK_SIZE)
    )
    stored, missing = [], []
    for name in names:
        try:
            source = storage.open(name, "rb")
        except FileNotFoundError:
            # The row is still backed up; restoring it gives the same missing file as here.
            missing.append(name)
            continue
        with source, archive.open(MEDIA_DIR + name, "w", force_zip64=True) as target:
            shutil.copyfileobj(source, target, COPY_BUFFER)
        stored.append(name)
    return stored, missing


# Import


def import_all(path: str | Path, *, log: Log = _quiet) -> Manifest:
    """Restore an archive written by ``export_all`` into a freshly migrated, empty database.

    Everything happens in one transaction: on any error nothing is kept, and the files written
    to the storage so far are deleted again.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(f"{path} cannot be read as a backup archive: {error}") from error
    with archive:
        manifest = _read_manifest(archive)
        entries = _matching_entries(manifest)
        written: list[str] = []
        try:
            with transaction.atomic():
                _check_empty()
                _delete_reference_rows()
                permission_ids = _permission_ids()
                for model, entry in entries:
                    _restore_table(archive, model, entry, permission_ids)
                    log(f"  {entry['name']:<34} {entry['rows']:>10} rows")
                _reset_sequences([model for model, _entry in entries])
                _check_constraints([model for model, _entry in entries])
                # Derived from the restored rows, so counted again rather than taken on trust.
                pilot_readiness_refresh_all()
                _restore_files(archive, manifest["files"], written)
                log(f"  {'attachment files':<34} {len(manifest['files']):>10} files")
                bump_data_version()
        except BaseException:
            for name in written:
                _file_storage().delete(name)
            raise
    return manifest


def _read_manifest(archive: zipfile.ZipFile) -> Manifest:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError(f"The archive has no {MANIFEST}: it is not a portal backup.") from None
    except ValueError as error:
        raise BackupError(f"The archive's {MANIFEST} is not valid JSON: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"The archive is not a portal backup (no format {FORMAT!r}).")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise BackupError(
            f"The archive has format version {version!r}; this version of the portal reads "
            f"format version {FORMAT_VERSION} only."
        )
    if not isinstance(manifest.get("tables"), list) or not isinstance(manifest.get("files"), list):
        raise BackupError(f"The archive's {MANIFEST} lacks its lists of tables and files.")
    return manifest


def _matching_entries(manifest: Manifest) -> list[tuple[Model, TableEntry]]:
    """Pair each table with its archive entry; the columns must be the same on both sides."""
    entries = {entry["name"]: entry for entry in manifest["tables"]}
    models_here = backup_tables()
    labels_here = {model._meta.label for model in models_here}
    problems = [
        f"{name}: not a table of this portal" for name in sorted(set(entries) - labels_here)
    ]
    pairs = []
    for model in models_here:
        entry = entries.get(model._meta.label)
        if entry is None:
            problems.append(f"{model._meta.label}: not in the archive")
            continue
        columns = _columns(model)
        if entry["columns"] != columns:
            problems.append(
                f"{model._meta.label}: the archive has the columns {', '.join(entry['columns'])}; "
                f"this database has {', '.join(columns)}"
            )
        pairs.append((model, entry))
    if problems:
        raise BackupError(
            "The archive was made by another version of the portal: "
            + "; ".join(problems)
            + ". Restore it with that version, then migrate."
        )
    return pairs


def _check_empty() -> None:
    reference = reference_tables()
    filled = [
        f"{model._meta.label} ({model._base_manager.count()} rows)"
        for model in backup_tables()
        if model not in reference and model._base_manager.exists()
    ]
    if filled:
        raise BackupError(
            "The database is not empty: it holds "
            + ", ".join(filled)
            + ". import_all restores into a freshly migrated database only; create a new "
            "database, run `manage.py migrate`, and import again."
        )


def _delete_all_rows(model: Model) -> None:
    # A plain DELETE: the ORM's would record a history row for each deleted area or definition.
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - table name from model metadata


def _delete_reference_rows() -> None:
    for model in reversed(reference_tables()):
        _delete_all_rows(model)


def _permission_ids() -> dict[tuple[str, str, str], int]:
    return {
        (app_label, model, codename): pk
        for pk, app_label, model, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "content_type__model", "codename"
        )
    }


def _row_reader(model: Model) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A function that turns one archive row into the keyword arguments of a model instance."""
    columns = _columns(model)
    converters = {
        field.attname: field.to_python
        for field in model._meta.concrete_fields
        if field.get_internal_type() in TEXT_ENCODED_TYPES
    }

    def read(row: dict[str, Any]) -> dict[str, Any]:
        if len(row) != len(columns):
            raise ValueError(f"expected the columns {', '.join(columns)}, got {', '.join(row)}")
        values = {column: row[column] for column in columns}
        for column, convert in converters.items():
            if values[column] is not None:
                values[column] = convert(values[column])
        return values

    return read


def _archive_rows(
    archive: zipfile.ZipFile, entry: TableEntry
) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        stream = archive.open(f"{TABLES_DIR}{entry['name']}.jsonl")
    except KeyError:
        raise BackupError(f"The archive lacks the rows of {entry['name']}.") from None
    with stream:
        for number, line in enumerate(stream, start=1):
            try:
                row = json.loads(line)
            except ValueError as error:
                raise BackupError(
                    f"{entry['name']}, line {number}: not valid JSON ({error})."
                ) from error
            if not isinstance(row, dict):
                raise BackupError(f"{entry['name']}, line {number}: not a JSON object.")
            yield number, row


def _batches(items: Iterable[models.Model], size: int) -> Iterator[list[models.Model]]:
    batch: list[models.Model] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _restore_table(
    archive: zipfile.ZipFile,
    model: Model,
    entry: TableEntry,
    permission_ids: dict[tuple[str, str, str], int],
) -> None:
    read = _row_reader(model)
    links_permissions = model in _permission_links()

    def instances() -> Iterator[models.Model]:
        for number, row in _archive_rows(archive, entry):
            try:
                if links_permissions:
                    row["permission_id"] = permission_ids[tuple(row["permission_id"])]
                yield model(**read(row))
            except (KeyError, TypeError, ValueError, ValidationError) as error:
                raise BackupError(f"{entry['name']}, line {number}: {error}") from error

    count = 0
    with _stored_timestamps_kept(model):
        for batch in _batches(instances(), CHUNK_SIZE):
            try:
                model._base_manager.bulk_create(batch)
            except DatabaseError as error:
                raise BackupError(
                    f"{entry['name']}: the database refused a row: {error}"
                ) from error
            count += len(batch)
            # With DEBUG on, Django keeps the SQL of every query: thousands of rows each here.
            reset_queries()
    if count != entry["rows"]:
        raise BackupError(
            f"{entry['name']}: the archive holds {count} rows, its manifest says {entry['rows']}."
        )


@contextmanager
def _stored_timestamps_kept(model: Model) -> Iterator[None]:
    """Keep the archive's values in auto_now fields, which bulk_create would set to now."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _reset_sequences(restored: list[Model]) -> None:
    # New rows must get ids after the restored ones (PostgreSQL; SQLite follows on its own).
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), restored):
            cursor.execute(statement)


def _check_constraints(restored: list[Model]) -> None:
    # Foreign keys are checked at commit; checking now gives a clear message and covers a
    # restore inside an outer transaction too.
    try:
        connection.check_constraints(table_names=[model._meta.db_table for model in restored])
    except DatabaseError as error:
        raise BackupError(f"The archive's rows do not fit together: {error}") from error


def _same_bytes(first: IO[bytes], second: IO[bytes]) -> bool:
    while True:
        a, b = first.read(COPY_BUFFER), second.read(COPY_BUFFER)
        if a != b:
            return False
        if not a:
            return True


def _restore_files(archive: zipfile.ZipFile, names: list[str], written: list[str]) -> None:
    """Put every archived file back under its own name; ``written`` collects what was added."""
    storage = _file_storage()
    for name in names:
        try:
            source = archive.open(MEDIA_DIR + name)
        except KeyError:
            raise BackupError(f"The archive lacks the bytes of the file {name}.") from None
        try:
            with source:
                if storage.exists(name):
                    with storage.open(name, "rb") as present:
                        if _same_bytes(present, source):
                            continue
                    raise BackupError(
                        f"The file storage already holds a different file named {name}; "
                        "move it away and import again."
                    )
                saved = storage.save(name, File(source, name=name))
        except SuspiciousFileOperation as error:
            raise BackupError(f"The archive names a file outside the storage: {name}") from error
        written.append(saved)
        if saved != name:
            raise BackupError(f"The file {name} could not be stored under its own name.")
