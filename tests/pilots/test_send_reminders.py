"""send_reminders: one digest per pilot lead, with what needs attention in their pilots."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from pilots.models import Stage
from tests.factories import IndicatorFactory, PilotFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE_URL = "https://pilots.example.org"


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def leads(seved, lindangen, today):
    """Two leads with things to report, one without email, one with nothing to report."""
    amira = UserFactory(username="amira", first_name="Amira", email="amira@example.test")
    bo = UserFactory(username="bo", first_name="Bo", email="bo@example.test")
    cecilia = UserFactory(username="cecilia", email="")
    dan = UserFactory(username="dan", email="dan@example.test")
    recent = today - dt.timedelta(days=10)

    PilotFactory(title="Läxhjälp & läsning", slug="laxhjalp", area=seved, lead=amira)
    complete = PilotFactory(title="Jobbspår", slug="jobbspar", area=seved, lead=amira)
    IndicatorFactory(pilot=complete, latest_period_end=recent, target_value=None)
    overdue = PilotFactory(
        title="Hälsoambassadörer",
        slug="halsa",
        area=seved,
        lead=amira,
        stage=Stage.SCALING,
        end_date=today - dt.timedelta(days=30),
    )
    IndicatorFactory(pilot=overdue, latest_period_end=recent)
    PilotFactory(title="Arkiverad", area=seved, lead=amira, archived_at=timezone.now())
    PilotFactory(title="Bara en idé", area=seved, lead=amira, stage=Stage.IDEA)

    stale = PilotFactory(title="Trygga skolvägar", slug="skolvagar", area=lindangen, lead=bo)
    IndicatorFactory(pilot=stale, latest_period_end=today - dt.timedelta(days=120))

    PilotFactory(title="Utan e-post", area=lindangen, lead=cecilia)

    fine = PilotFactory(title="Allt i ordning", area=lindangen, lead=dan)
    IndicatorFactory(pilot=fine, latest_period_end=recent)
    return {"amira": amira, "bo": bo, "cecilia": cecilia, "dan": dan}


def test_each_lead_gets_one_email_with_the_items_of_their_pilots(leads, today):
    output = run("--base-url", BASE_URL + "/")

    assert sorted(message.to[0] for message in mail.outbox) == [
        "amira@example.test",
        "bo@example.test",
    ]
    amira = next(message for message in mail.outbox if message.to == ["amira@example.test"])
    assert "\n" not in amira.subject
    assert "3" in amira.subject
    body = amira.body
    assert "Läxhjälp & läsning (Seved)" in body, "plain text, not HTML-escaped"
    assert f"{BASE_URL}/pilots/laxhjalp/" in body
    assert "Jobbspår: " in body
    assert f"{BASE_URL}/pilots/jobbspar/" in body
    assert "Hälsoambassadörer" in body
    assert f"{BASE_URL}/pilots/halsa/" in body
    for left_out in ["Arkiverad", "Bara en idé", "Trygga skolvägar", "Allt i ordning"]:
        assert left_out not in body
    bo = next(message for message in mail.outbox if message.to == ["bo@example.test"])
    assert "Trygga skolvägar (Lindängen)" in bo.body
    assert "Läxhjälp" not in bo.body
    assert "Skipped cecilia" in output
    assert "no email address" in output
    assert "Sent 2 email(s)" in output


def test_the_email_is_in_swedish_whatever_language_is_active(leads, today):
    from django.utils import translation

    with translation.override("en"):
        run("--base-url", BASE_URL)

    amira = next(message for message in mail.outbox if message.to == ["amira@example.test"])
    # Swedish date format (ISO), not the English "25 Nov 2026".
    end_date = today - dt.timedelta(days=30)
    assert end_date.isoformat() in amira.body
    assert end_date.strftime("%b %Y") not in amira.body


def test_a_dry_run_prints_the_emails_and_sends_none(leads):
    output = run("--dry-run", "--base-url", BASE_URL)

    assert mail.outbox == []
    assert "To: amira@example.test" in output
    assert "Subject: " in output
    assert f"{BASE_URL}/pilots/laxhjalp/" in output
    assert "Would send 2 email(s)" in output


def test_links_use_the_base_url_from_the_environment_by_default(leads, monkeypatch):
    monkeypatch.setenv("DJANGO_BASE_URL", "https://portal.malmo.example")
    run()
    assert all("https://portal.malmo.example/pilots/" in message.body for message in mail.outbox)


@pytest.mark.parametrize("base_url", ["pilots.example.org", "javascript:alert(1)", "ftp://x", ""])
def test_a_base_url_that_is_not_http_is_refused(leads, base_url):
    with pytest.raises(CommandError, match="--base-url"):
        run("--base-url", base_url)
    assert mail.outbox == []


def test_nothing_is_sent_when_nothing_needs_attention(db):
    output = run()
    assert mail.outbox == []
    assert "Sent 0 email(s)" in output


def test_a_failed_send_is_reported_and_the_other_leads_still_get_theirs(leads, monkeypatch):
    original = mail.EmailMessage.send

    def send(message, *args, **kwargs):
        if message.to == ["amira@example.test"]:
            raise OSError("connection refused")
        return original(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", send)

    with pytest.raises(CommandError, match="1 email"):
        run()
    assert [message.to for message in mail.outbox] == [["bo@example.test"]]
