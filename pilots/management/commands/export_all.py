"""Write everything the portal holds into one archive file: tables, history and attachments."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pilots import backup


class Command(BaseCommand):
    help = (
        "Write every table of the portal (accounts, areas, pilots, indicators, measurements, "
        "updates, history…) and every attachment file into one zip archive, for import_all."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("archive", help="Path of the archive to write, e.g. backup.zip.")

    def handle(self, *args: Any, archive: str, **options: Any) -> None:
        started = time.perf_counter()
        try:
            manifest = backup.export_all(archive, log=self.stdout.write)
        except OSError as error:
            raise CommandError(f"The archive could not be written: {error}") from error
        for name in manifest["missing_files"]:
            self.stderr.write(f"Missing from the file storage, not in the archive: {name}")
        rows = sum(table["rows"] for table in manifest["tables"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {rows} rows and {len(manifest['files'])} files to {archive} "
                f"in {time.perf_counter() - started:.1f} s."
            )
        )
