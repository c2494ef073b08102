"""Fill the database with clearly synthetic demo or scale data, and the demo accounts."""

from __future__ import annotations

import random
import secrets
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from areas.models import Area
from pilots.demo import SYNTHETIC_AREA_PREFIX
from pilots.demo.large import PhaseClock, seed_large
from pilots.demo.seed import (
    DEMO_USERNAMES,
    DEMO_USERS,
    create_demo_users,
    delete_demo_content,
    seed_small,
)
from pilots.models import Pilot

# Fixed so that two runs on the same day produce the same data.
RANDOM_SEED = 20100


class Command(BaseCommand):
    help = (
        "Fill an empty database with synthetic demo pilots and the demo accounts. "
        "--size large builds the scale data set for benchmarks."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--size",
            choices=["small", "large"],
            default="small",
            help="small: about forty story-like pilots; large: 20,000 pilots for benchmarks.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Seed even if the database has data: first deletes ALL pilots (with their "
                "indicators, measurements, updates and history), the demo partners, synthetic "
                "areas and statistics, and the demo users. Other users are left alone."
            ),
        )

        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=(
                "Seed only when the database has no pilots and no users yet; otherwise do "
                "nothing (make run and make serve)."
            ),
        )

    def handle(
        self, *args: Any, size: str, force: bool, if_empty: bool = False, **options: Any
    ) -> None:
        blockers = self._existing_data()
        # For --if-empty, any account at all means someone already uses this database.
        in_use = blockers or get_user_model().objects.exists()
        if in_use and if_empty and not force:
            self.stdout.write("The database already has data; the demo data was not loaded again.")
            self._write_logins(None)
            return
        if blockers and not force:
            raise CommandError(
                "The database is not empty: "
                + "; ".join(blockers)
                + ". Run `seed_demo --force` to delete all pilots and the demo content, "
                "then seed again."
            )
        password = settings.DEMO_PASSWORD
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        clock = PhaseClock()
        started = time.perf_counter()
        with transaction.atomic():
            if blockers:
                with clock.phase("delete previous demo content"):
                    deleted = delete_demo_content()
                self.stdout.write(
                    "Deleted "
                    + ", ".join(f"{count} {label}" for label, count in deleted.items() if count)
                )
            with clock.phase("demo users"):
                users = create_demo_users(password=password)
            rng = random.Random(RANDOM_SEED)  # noqa: S311 - reproducible demo data, not secrets
            today = timezone.localdate()
            self.stdout.write(f"Seeding the {size} data set…")
            if size == "small":
                with clock.phase("small data set"):
                    seed_small(users=users, today=today, rng=rng, log=self.stdout.write)
            else:
                seed_large(users=users, today=today, rng=rng, log=self.stdout.write, clock=clock)
            commit_started = time.perf_counter()
        clock.seconds["commit"] = time.perf_counter() - commit_started
        if size == "large" and connection.vendor == "postgresql":
            pilots = connection.ops.quote_name(Pilot._meta.db_table)
            with clock.phase("vacuum and analyze"), connection.cursor() as cursor:
                # Storing the readiness facts rewrote every pilot row once its indicators
                # existed: compact the table again, as a benchmark's scans would otherwise read
                # twice the pages, then mark them visible so that counts read indexes only.
                cursor.execute(f"VACUUM FULL {pilots}")
                cursor.execute(f"VACUUM {pilots}")
                # Fresh planner statistics, so benchmarks run right after seeding get real plans.
                cursor.execute("ANALYZE")
        total = time.perf_counter() - started

        self.stdout.write("")
        self.stdout.write("Time per phase:")
        for name, seconds in clock.seconds.items():
            self.stdout.write(f"  {name:<42} {seconds:8.1f} s")
        self.stdout.write(f"  {'total':<42} {total:8.1f} s")
        self._write_logins(password if generated else None)

    def _existing_data(self) -> list[str]:
        blockers = []
        pilots = Pilot.objects.count()
        if pilots:
            blockers.append(f"it has {pilots} pilots")
        users = sorted(
            get_user_model()
            .objects.filter(username__in=DEMO_USERNAMES)
            .values_list("username", flat=True)
        )
        if users:
            blockers.append(f"the demo users {', '.join(users)} exist")
        if Area.objects.filter(slug__startswith=SYNTHETIC_AREA_PREFIX).exists():
            blockers.append("synthetic demo areas exist")
        return blockers

    def _write_logins(self, generated_password: str | None) -> None:
        self.stdout.write("")
        if generated_password:
            self.stdout.write(
                "DEMO_PASSWORD is not set; every demo account has this generated password, "
                f"shown only now: {generated_password}"
            )
        else:
            self.stdout.write("Every demo account has the password in DEMO_PASSWORD.")
        self.stdout.write(f"  {'username':<24} role")
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.username:<24} {user.description}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
