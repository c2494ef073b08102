"""Backup and restore: export_all writes everything, import_all puts it back exactly."""

from __future__ import annotations

import importlib
import json
import stat
import zipfile
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from areas.models import Area
from pilots import backup
from pilots.models import (
    Attachment,
    EvidenceRecord,
    IndicatorDefinition,
    Measurement,
    Pilot,
)
from tests.factories import AttachmentFactory, MeasurementFactory, PilotFactory

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "demo-lösenord-backup-1"
# Every byte value, so that no text or newline handling can pass unnoticed.
BINARY = bytes(range(256)) * 64


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def demo_data(settings, media) -> None:
    """The small demo data, plus what it lacks: files, evidence and edits that leave history."""
    settings.DEMO_PASSWORD = DEMO_PASSWORD
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=StringIO())
    user_model = get_user_model()
    admin = user_model.objects.get(username="admin")
    lead = user_model.objects.get(username="lead-seved")
    pilot = Pilot.objects.filter(area__slug="seved").order_by("pk").first()
    report = AttachmentFactory(
        pilot=pilot,
        uploaded_by=lead,
        title="Utvärdering",
        file__filename="utvardering.pdf",
        file__data=b"%PDF-1.4\n%synthetic evaluation\n",
    )
    AttachmentFactory(
        pilot=pilot,
        uploaded_by=lead,
        title="Foto",
        is_public=True,
        file__filename="foto.png",
        file__data=b"\x89PNG\r\n\x1a\n" + BINARY,
    )
    EvidenceRecord.objects.create(
        pilot=pilot,
        level=3,
        previous_level=2,
        method_note="Jämförelsegrupp i grannområdet.",
        links="https://example.invalid/rapport",
        attachment=report,
        set_by=lead,
    )
    lead.user_permissions.add(Permission.objects.get(codename="view_pilot"))
    area = Area.objects.get(slug="seved")
    area.population = 5_000
    area._history_user = admin
    area.save()
    definition = IndicatorDefinition.objects.get(code="participants")
    definition.description = "Antal unika deltagare under perioden."
    definition._history_user = admin
    definition.save()


def every_row() -> dict[str, list[dict]]:
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in backup.backup_tables()
    }


def stored_files(media: Path) -> dict[str, bytes]:
    return {
        path.relative_to(media).as_posix(): path.read_bytes()
        for path in media.rglob("*")
        if path.is_file()
    }


def empty_the_database(media: Path, *, keep_reference_rows: bool) -> None:
    """Delete every row the backup holds and every stored file.

    With keep_reference_rows the database then looks as a fresh `migrate` leaves it: the data
    migrations' areas, statistic kinds, themes, indicator definitions and groups are made again.
    """
    tables = [model._meta.db_table for model in backup.backup_tables()]
    # PostgreSQL truncates only once the foreign keys deferred so far in the test's transaction
    # are checked.
    connection.check_constraints()
    # As in a new database, the id sequences start again from 1.
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=True
    )
    connection.ops.execute_sql_flush(statements)
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    if keep_reference_rows:
        # The models as the migrations know them: without django-simple-history's signals.
        migration_apps = MigrationLoader(connection).project_state().apps
        for migration in (
            "areas.migrations.0002_seed_reference_data",
            "pilots.migrations.0002_seed_reference_data",
        ):
            importlib.import_module(migration).forwards(migration_apps, None)


def export(path: Path) -> str:
    out = StringIO()
    call_command("export_all", str(path), stdout=out, stderr=out)
    return out.getvalue()


def restore(path: Path) -> str:
    out = StringIO()
    call_command("import_all", str(path), stdout=out)
    return out.getvalue()


Change = Callable[[str, bytes, dict], bytes | None]


def rewrite(source: Path, target: Path, change: Change) -> Path:
    """Copy an archive, passing each entry through change; None leaves the entry out."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        manifest = json.loads(old.read(backup.MANIFEST))
        for info in old.infolist():
            data = change(info.filename, old.read(info), manifest)
            if data is not None:
                new.writestr(info.filename, data)
    return target


def reference_and_portal_rows() -> tuple[dict[str, list[dict]], int]:
    rows = every_row()
    reference = {model._meta.label for model in backup.reference_tables()}
    portal_rows = sum(len(table) for label, table in rows.items() if label not in reference)
    return {label: rows[label] for label in reference}, portal_rows


@pytest.mark.parametrize("keep_reference_rows", [True, False], ids=["fresh-migrate", "all-empty"])
def test_a_restore_gives_back_every_row_and_every_file(
    demo_data, media, tmp_path, keep_reference_rows
):
    before = every_row()
    files_before = stored_files(media)
    archive = tmp_path / "backup.zip"

    export(archive)
    empty_the_database(media, keep_reference_rows=keep_reference_rows)
    assert stored_files(media) == {}
    assert Pilot.objects.count() == 0
    restore(archive)

    # Every table has rows, so a table left out of the archive cannot pass unnoticed.
    assert all(before.values()), [label for label, rows in before.items() if not rows]
    after = every_row()
    for label, rows in before.items():
        assert after[label] == rows, label
    assert stored_files(media) == files_before
    assert len(files_before) == 2
    assert BINARY in b"".join(files_before.values())


def test_restored_accounts_sign_in_with_their_old_passwords(demo_data, media, tmp_path, client):
    archive = tmp_path / "backup.zip"
    export(archive)
    empty_the_database(media, keep_reference_rows=True)
    restore(archive)

    response = client.post(
        reverse("login"), {"username": "lead-seved", "password": DEMO_PASSWORD}, follow=True
    )

    assert response.context["user"].username == "lead-seved"


def test_rows_created_after_a_restore_get_new_ids(demo_data, media, tmp_path):
    highest_pilot = Pilot.objects.order_by("-pk").values_list("pk", flat=True)[0]
    highest_measurement = Measurement.objects.order_by("-pk").values_list("pk", flat=True)[0]
    archive = tmp_path / "backup.zip"
    export(archive)
    empty_the_database(media, keep_reference_rows=True)
    restore(archive)

    pilot = PilotFactory(area=Area.objects.get(slug="seved"))
    measurement = MeasurementFactory()

    assert pilot.pk > highest_pilot
    assert measurement.pk > highest_measurement
    assert pilot.history.count() == 1


def test_the_manifest_counts_the_rows_and_names_the_files(demo_data, tmp_path):
    archive = tmp_path / "backup.zip"
    output = export(archive)

    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read(backup.MANIFEST))
        names = set(opened.namelist())
    assert manifest["format"] == backup.FORMAT
    assert manifest["format_version"] == backup.FORMAT_VERSION
    counts = {table["name"]: table["rows"] for table in manifest["tables"]}
    assert counts["pilots.Pilot"] == Pilot.objects.count() == 40
    assert counts["pilots.Measurement"] == Measurement.objects.count()
    assert counts["pilots.HistoricalMeasurement"] == Measurement.history.count()
    assert sorted(manifest["files"]) == sorted(Attachment.objects.values_list("file", flat=True))
    assert {f"media/{name}" for name in manifest["files"]} <= names
    assert not list(tmp_path.glob("*.partial"))
    assert "Wrote" in output


def test_every_table_of_the_portal_apps_is_in_the_backup():
    portal_tables = {
        model
        for label in ("areas", "pilots")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }

    assert portal_tables <= set(backup.backup_tables())


def test_passwords_leave_only_as_hashes(demo_data, tmp_path):
    archive = tmp_path / "backup.zip"
    export(archive)

    with zipfile.ZipFile(archive) as opened:
        content = b"".join(opened.read(name) for name in opened.namelist())
    assert DEMO_PASSWORD.encode() not in content
    assert get_user_model().objects.get(username="admin").password.encode() in content


def test_export_reports_an_attachment_whose_file_is_missing(demo_data, media, tmp_path):
    attachment = Attachment.objects.order_by("pk").first()
    (media / attachment.file.name).unlink()
    archive = tmp_path / "backup.zip"

    output = export(archive)

    assert f"Missing from the file storage, not in the archive: {attachment.file.name}" in output
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read(backup.MANIFEST))
    assert manifest["missing_files"] == [attachment.file.name]
    assert attachment.file.name not in manifest["files"]


def test_export_into_a_missing_folder_fails_with_a_message(demo_data, tmp_path):
    with pytest.raises(CommandError, match="could not be written"):
        export(tmp_path / "no-such-folder" / "backup.zip")


def test_import_refuses_a_database_that_holds_portal_data(demo_data, tmp_path):
    archive = tmp_path / "backup.zip"
    export(archive)
    PilotFactory(area=Area.objects.get(slug="seved"), slug="written-after-the-backup")
    before = every_row()

    with pytest.raises(CommandError, match=r"not empty: it holds auth\.User \(7 rows\)"):
        restore(archive)

    assert every_row() == before


def test_import_refuses_an_archive_with_another_format_version(demo_data, media, tmp_path):
    archive = tmp_path / "backup.zip"
    export(archive)
    empty_the_database(media, keep_reference_rows=True)

    def next_version(name: str, data: bytes, _manifest: dict) -> bytes:
        if name != backup.MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["format_version"] = backup.FORMAT_VERSION + 1
        return json.dumps(manifest).encode()

    future = rewrite(archive, tmp_path / "future.zip", next_version)

    with pytest.raises(CommandError, match="format version 2; this version of the portal reads"):
        restore(future)
    assert Pilot.objects.count() == 0


def test_import_refuses_an_archive_whose_columns_differ(demo_data, media, tmp_path):
    archive = tmp_path / "backup.zip"
    export(archive)
    empty_the_database(media, keep_reference_rows=True)

    def drop_a_column(name: str, data: bytes, _manifest: dict) -> bytes:
        if name != backup.MANIFEST:
            return data
        manifest = json.loads(data)
        for table in manifest["tables"]:
            if table["name"] == "pilots.Pilot":
                table["columns"].remove("lessons")
        return json.dumps(manifest).encode()

    older = rewrite(archive, tmp_path / "older.zip", drop_a_column)

    with pytest.raises(
        CommandError,
        match=r"another version of the portal: pilots\.Pilot: the archive has the columns",
    ):
        restore(older)


@pytest.mark.parametrize("name", ["nonsense.zip", "missing.zip"])
def test_import_refuses_a_file_that_is_not_an_archive(tmp_path, name):
    path = tmp_path / name
    if name == "nonsense.zip":
        path.write_bytes(b"not a zip file")

    with pytest.raises(CommandError, match="cannot be read as a backup archive"):
        restore(path)


def break_a_history_row(name: str, data: bytes, _manifest: dict) -> bytes:
    # The last table restored: every other table is written by the time it fails.
    if name == "tables/pilots.HistoricalMeasurement.jsonl":
        return data + b'{"id": 1, "period_end": \n'
    return data


def break_a_foreign_key(name: str, data: bytes, _manifest: dict) -> bytes:
    if name == "tables/pilots.Measurement.jsonl":
        first, rest = data.split(b"\n", 1)
        row = json.loads(first)
        row["indicator_id"] = 999_999
        return json.dumps(row).encode() + b"\n" + rest
    return data


def break_a_count(name: str, data: bytes, _manifest: dict) -> bytes:
    if name == "tables/pilots.PilotUpdate.jsonl":
        return data.split(b"\n", 1)[1]
    return data


def lose_the_last_file(name: str, data: bytes, manifest: dict) -> bytes | None:
    # Files are restored in the manifest's order: the others are written before this one is missed.
    if name == "media/" + manifest["files"][-1]:
        return None
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (break_a_history_row, r"pilots.HistoricalMeasurement, line \d+: not valid JSON"),
        (break_a_foreign_key, "do not fit together"),
        (break_a_count, r"pilots.PilotUpdate: the archive holds \d+ rows, its manifest says \d+"),
        (lose_the_last_file, "lacks the bytes of the file attachments/"),
    ],
    ids=["bad-json", "dangling-foreign-key", "lost-row", "lost-file"],
)
def test_a_broken_archive_leaves_nothing_half_written(demo_data, media, tmp_path, change, message):
    archive = tmp_path / "backup.zip"
    export(archive)
    broken = rewrite(archive, tmp_path / "broken.zip", change)
    empty_the_database(media, keep_reference_rows=True)
    reference_before, _ = reference_and_portal_rows()

    with pytest.raises(CommandError, match=message):
        restore(broken)

    reference_after, portal_rows = reference_and_portal_rows()
    assert portal_rows == 0
    assert reference_after == reference_before
    assert stored_files(media) == {}


def test_the_archive_is_readable_by_its_owner_only(demo_data, tmp_path):
    archive = tmp_path / "backup.zip"
    export(archive)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "outside", ["../escape.txt", "attachments/../../escape.txt", "/escape.txt"]
)
def test_an_archive_naming_a_file_outside_the_storage_restores_nothing(
    demo_data, media, tmp_path, outside
):
    archive = tmp_path / "backup.zip"
    export(archive)
    crafted = tmp_path / "crafted.zip"
    with zipfile.ZipFile(archive) as old, zipfile.ZipFile(crafted, "w") as new:
        manifest = json.loads(old.read(backup.MANIFEST))
        first = manifest["files"][0]
        for info in old.infolist():
            data = old.read(info)
            name = info.filename
            if name == backup.MANIFEST:
                manifest["files"][0] = outside
                data = json.dumps(manifest).encode()
            elif name == "media/" + first:
                name = "media/" + outside
            elif name == "tables/pilots.Attachment.jsonl":
                data = data.replace(first.encode(), outside.encode())
            new.writestr(name, data)
    empty_the_database(media, keep_reference_rows=True)

    with pytest.raises(CommandError):
        restore(crafted)

    assert not (media.parent / "escape.txt").exists()
    assert not (tmp_path / "escape.txt").exists()
    assert reference_and_portal_rows()[1] == 0
    assert stored_files(media) == {}
