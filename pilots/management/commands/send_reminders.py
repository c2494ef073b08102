"""Email each pilot lead a digest of what needs attention in the pilots they lead."""

from __future__ import annotations

import os
import smtplib
from argparse import ArgumentParser, RawDescriptionHelpFormatter
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractBaseUser
from django.core import mail
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.template.loader import render_to_string
from django.utils import timezone, translation

from pilots import attention
from pilots.models import Indicator, Pilot

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
# The digest is in the portal's default language: leads have no language preference stored.
EMAIL_LANGUAGE = "sv"


class HelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Keeps the line breaks of the cron example in --help."""


@dataclass
class Digest:
    stale: list[Pilot] = field(default_factory=list)
    incomplete: list[Indicator] = field(default_factory=list)
    overdue: list[Pilot] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.stale) + len(self.incomplete) + len(self.overdue)


def collect_digests(today: date) -> dict[AbstractBaseUser, Digest]:
    """What needs attention, grouped by pilot lead, in three queries.

    The same three signals as the home page: running pilots with no measurement in 90 days,
    indicators without a baseline or a target, and running pilots past their end date.
    """
    led = Pilot.objects.active().filter(lead__isnull=False)
    stale = (
        attention.stale_pilots(led, today).select_related("lead", "area").order_by("title", "pk")
    )
    incomplete = (
        attention.incomplete_indicators(led)
        .select_related("pilot__lead", "pilot__area", "definition")
        .order_by("pilot__title", "pilot_id", "definition__code")
    )
    overdue = (
        attention.overdue_pilots(led, today)
        .select_related("lead", "area")
        .order_by("end_date", "title", "pk")
    )
    digests: dict[int, Digest] = defaultdict(Digest)
    leads: dict[int, AbstractBaseUser] = {}
    for pilot in stale:
        leads[pilot.lead_id] = pilot.lead
        digests[pilot.lead_id].stale.append(pilot)
    for indicator in incomplete:
        leads[indicator.pilot.lead_id] = indicator.pilot.lead
        digests[indicator.pilot.lead_id].incomplete.append(indicator)
    for pilot in overdue:
        leads[pilot.lead_id] = pilot.lead
        digests[pilot.lead_id].overdue.append(pilot)
    ordered = sorted(leads.values(), key=lambda lead: (lead.get_username(), lead.pk))
    return {lead: digests[lead.pk] for lead in ordered}


def checked_base_url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise CommandError(
            f"--base-url must be an http:// or https:// address such as "
            f"https://pilots.example.org; got {raw!r}."
        )
    return raw.strip().rstrip("/")


def render_digest(lead: AbstractBaseUser, digest: Digest, base_url: str) -> tuple[str, str]:
    """Subject and plain-text body of one lead's email, in the active language."""

    def link(pilot: Pilot) -> str:
        return f"{base_url}{pilot.get_absolute_url()}"

    context: dict[str, Any] = {
        "name": lead.first_name or lead.get_username(),
        "count": digest.count,
        "stale": [{"pilot": pilot, "url": link(pilot)} for pilot in digest.stale],
        "incomplete": [
            {"indicator": indicator, "url": link(indicator.pilot)}
            for indicator in digest.incomplete
        ],
        "overdue": [{"pilot": pilot, "url": link(pilot)} for pilot in digest.overdue],
        "home_url": f"{base_url}/",
    }
    subject = render_to_string("pilots/email/reminder_subject.txt", context)
    body = render_to_string("pilots/email/reminder_body.txt", context)
    # A header is one line, whatever a pilot title contains.
    return " ".join(subject.split()), body


class Command(BaseCommand):
    help = """Email each pilot lead one digest of what needs attention in the pilots they lead:
running pilots with no measurement in 90 days, indicators without a baseline or a target,
and running pilots past their end date. Archived pilots are left out. Leads with nothing to
report get no email; leads without an email address are skipped with a note.

The email is in Swedish and is sent through the configured EMAIL_BACKEND (the console in
development). Links point at --base-url (default: $DJANGO_BASE_URL, else
http://127.0.0.1:8000). The exit status is non-zero if any email could not be sent.

Run it weekly from cron, e.g. every Monday at 07:00, as the user that runs the portal:

  0 7 * * 1  cd /srv/malmo-pilot-portal && DJANGO_BASE_URL=https://pilots.example.org \\
             .venv/bin/python manage.py send_reminders >> /var/log/portal-reminders.log 2>&1

The cron job needs the same environment as the portal (DATABASE_URL, DJANGO_SECRET_KEY,
EMAIL_URL for the mail server). Try it first with --dry-run."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> ArgumentParser:
        kwargs.setdefault("formatter_class", HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--base-url",
            default=os.environ.get("DJANGO_BASE_URL") or DEFAULT_BASE_URL,
            help="The portal's address for links in the email, e.g. https://pilots.example.org.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the emails instead of sending them.",
        )

    def handle(self, *args: Any, base_url: str, dry_run: bool, **options: Any) -> None:
        base_url = checked_base_url(base_url)
        digests = collect_digests(timezone.localdate())
        sent = skipped = failed = 0
        connection = None if dry_run else mail.get_connection()
        with translation.override(EMAIL_LANGUAGE):
            for lead, digest in digests.items():
                who = f"{lead.get_username()} (id {lead.pk})"
                if not lead.is_active or not lead.email:
                    reason = "inactive account" if not lead.is_active else "no email address"
                    self.stdout.write(f"Skipped {who}: {reason}; {digest.count} item(s).")
                    skipped += 1
                    continue
                subject, body = render_digest(lead, digest, base_url)
                if dry_run:
                    self.stdout.write(f"To: {lead.email}\nSubject: {subject}\n\n{body}\n{'-' * 72}")
                    sent += 1
                    continue
                message = mail.EmailMessage(subject, body, to=[lead.email], connection=connection)
                try:
                    message.send()
                except (smtplib.SMTPException, OSError) as error:
                    self.stderr.write(f"Could not send to {who}: {error}")
                    failed += 1
                else:
                    sent += 1
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(
            f"{verb} {sent} email(s) to pilot leads; skipped {skipped} lead(s); "
            f"{failed} failed. {sum(d.count for d in digests.values())} item(s) in total."
        )
        if failed:
            raise CommandError(f"{failed} email(s) could not be sent; see the messages above.")
