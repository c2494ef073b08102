"""Restore an archive written by export_all into a freshly migrated, empty database."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pilots import backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by export_all into a freshly migrated database, in one "
        "transaction. Refuses a database that already holds portal data."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("archive", help="Path of an archive written by export_all.")

    def handle(self, *args: Any, archive: str, **options: Any) -> None:
        started = time.perf_counter()
        try:
            manifest = backup.import_all(archive, log=self.stdout.write)
        except (backup.BackupError, OSError) as error:
            raise CommandError(f"Nothing was imported. {error}") from error
        rows = sum(table["rows"] for table in manifest["tables"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {rows} rows and {len(manifest['files'])} files from {archive} "
                f"in {time.perf_counter() - started:.1f} s."
            )
        )
