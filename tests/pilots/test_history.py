"""The history page: who changed what and when, old → new, for a pilot and its data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pilots import services
from pilots.models import Stage
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    PilotFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def history_url(pilot) -> str:
    return reverse("pilots:history", args=[pilot.slug])


def edit(instance, user, **changes):
    """Save changes as the given user, the way a request through the middleware would."""
    for name, value in changes.items():
        setattr(instance, name, value)
    instance._history_user = user
    instance.save()
    del instance._history_user
    return instance


def changes_of(event) -> dict[str, tuple[object, object]]:
    return {str(change.label): (change.old, change.new) for change in event.changes}


def test_history_shows_the_old_and_new_title_with_the_editors_name(
    client, staff_seved, seved, english
):
    pilot = PilotFactory(area=seved, title="Läxhjälp")
    editor = UserFactory(first_name="Amira", last_name="Hassan")
    edit(pilot, editor, title="Läxhjälp i Seved")
    client.force_login(staff_seved)

    response = client.get(history_url(pilot))

    assert response.status_code == 200
    latest = response.context["events"][0]
    assert latest.who == "Amira Hassan"
    assert latest.action_label == "changed"
    assert changes_of(latest) == {"Title": ("Läxhjälp", "Läxhjälp i Seved")}
    html = response.content.decode()
    assert "Amira Hassan" in html
    assert "Läxhjälp</td>" in html
    assert "Läxhjälp i Seved</td>" in html


def test_history_shows_a_changed_measurement_value_in_local_number_format(
    client, staff_seved, seved
):
    pilot = PilotFactory(area=seved)
    measurement = MeasurementFactory(
        indicator=IndicatorFactory(pilot=pilot),
        value=Decimal("12.00"),
        period_end=dt.date(2025, 3, 31),
    )
    edit(measurement, staff_seved, value=Decimal("14.50"))
    client.force_login(staff_seved)

    response = client.get(history_url(pilot))

    latest = response.context["events"][0]
    assert latest.who == staff_seved.get_full_name()
    assert changes_of(latest) == {"Värde": ("12,00", "14,50")}
    assert measurement.indicator.definition.name in latest.subject
    assert "2025-03-31" in latest.subject
    assert "14,50" in response.content.decode()


def test_history_uses_choice_labels_and_lists_created_and_deleted_events(
    client, staff_seved, seved, english
):
    pilot = PilotFactory(area=seved, stage=Stage.PROTOTYPE)
    edit(pilot, staff_seved, stage=Stage.PILOT, budget_sek=250_000)
    measurement = MeasurementFactory(indicator=IndicatorFactory(pilot=pilot), value=Decimal("3"))
    measurement.delete()
    client.force_login(staff_seved)

    events = client.get(history_url(pilot)).context["events"]

    actions = [(event.kind, event.action_label) for event in events]
    assert actions == [
        ("Measurement", "deleted"),
        ("Measurement", "created"),
        ("Indicator", "created"),
        ("Pilot", "changed"),
        ("Pilot", "created"),
    ]
    assert changes_of(events[1])["Value"] == (None, "3.00")
    pilot_change = changes_of(events[3])
    assert pilot_change["Stage"] == ("Prototype", "Pilot")
    assert pilot_change["Budget (SEK)"] == (None, "250000")
    assert changes_of(events[4])["Area"] == (None, "Seved")


def test_history_shows_theme_changes_and_foreign_keys_by_name(client, staff_seved, seved, english):
    pilot = PilotFactory(area=seved)
    lead = UserFactory(first_name="Lisa", last_name="Lind")
    edit(pilot, staff_seved, lead=lead)
    pilot.themes.add(ThemeFactory(name_en="Jobs"))
    client.force_login(staff_seved)

    events = client.get(history_url(pilot)).context["events"]

    assert changes_of(events[0]) == {"Themes": (None, "Jobs")}
    assert changes_of(events[1]) == {"Lead": (None, "Lisa Lind")}


def test_history_escapes_html_and_keeps_long_values_short(client, staff_seved, seved):
    pilot = PilotFactory(area=seved, title="Vanlig titel")
    edit(pilot, staff_seved, title="<script>alert(1)</script>", need="å" * 5000)
    client.force_login(staff_seved)

    response = client.get(history_url(pilot))

    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "å" * 5000 not in html
    assert "å" * 299 + "…" in html


def test_history_names_the_indicator_of_measurements_deleted_with_it(
    client, staff_seved, seved, english
):
    pilot = PilotFactory(area=seved)
    indicator = IndicatorFactory(pilot=pilot)
    MeasurementFactory(indicator=indicator, period_end=dt.date(2025, 1, 31))
    name = indicator.definition.name_en
    indicator.delete()
    client.force_login(staff_seved)

    events = client.get(history_url(pilot)).context["events"]

    deletions = [(event.kind, event.subject) for event in events if event.action == "-"]
    assert ("Indicator", name) in deletions
    assert ("Measurement", f"{name}, period ending 31 Jan 2025") in deletions


def test_history_is_readable_by_everyone_signed_in(client, official, make_user, lindangen, seved):
    pilot = PilotFactory(area=seved)
    for user in [official, make_user("staff-lindangen", area=lindangen)]:
        client.force_login(user)
        assert client.get(history_url(pilot)).status_code == 200


def test_history_requires_login(client, seved):
    response = client.get(history_url(PilotFactory(area=seved)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_history_of_an_unknown_pilot_answers_404(client, staff_seved):
    client.force_login(staff_seved)
    assert client.get(reverse("pilots:history", args=["finns-inte"])).status_code == 404


def test_history_leaves_out_other_pilots(client, staff_seved, seved):
    pilot = PilotFactory(area=seved)
    other = PilotFactory(area=seved)
    edit(other, staff_seved, title="Någon annans pilot")
    MeasurementFactory(indicator=IndicatorFactory(pilot=other))
    client.force_login(staff_seved)

    events = client.get(history_url(pilot)).context["events"]

    assert [(event.kind, event.action) for event in events] == [("Pilot", "+")]


def test_history_pages_25_events_at_a_time(client, staff_seved, seved):
    pilot = PilotFactory(area=seved)
    for number in range(30):
        edit(pilot, staff_seved, participants_reached=number)
    client.force_login(staff_seved)

    first = client.get(history_url(pilot))
    second = client.get(history_url(pilot), {"page": "2"})
    nonsense = client.get(history_url(pilot), {"page": "<script>"})

    assert len(first.context["events"]) == 25
    assert len(second.context["events"]) == 6
    assert "?page=2" in first.content.decode()
    assert nonsense.status_code == 200


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _make_history(pilot, user, rounds: int) -> None:
    """Each round edits the pilot's themes, the pilot, an indicator and two measurements."""
    for number in range(rounds):
        pilot.themes.add(ThemeFactory())
        edit(pilot, user, title=f"Läxhjälp, omgång {number}", lead=UserFactory())
        indicator = IndicatorFactory(pilot=pilot)
        edit(indicator, user, target_value=Decimal(number + 30))
        measurement = MeasurementFactory(indicator=indicator, recorded_by=user)
        edit(measurement, user, value=Decimal(number))
        MeasurementFactory(indicator=indicator).delete()


def test_history_page_uses_the_same_queries_for_a_short_and_a_long_history(
    client, staff_seved, seved
):
    # 13 queries: session and user; the pilot; the count and the page of the UNION index; per
    # model the page's rows (with editor and related labels) and their previous versions (6);
    # the theme and partner snapshots of the pilot's rows (2).
    pilot = PilotFactory(area=seved)
    client.force_login(staff_seved)
    _make_history(pilot, staff_seved, rounds=1)
    short = _count(client, history_url(pilot))

    _make_history(pilot, staff_seved, rounds=12)

    assert _count(client, history_url(pilot)) == short
    assert _count(client, history_url(pilot) + "?page=3") == short


def test_history_says_so_when_no_editor_is_known(client, staff_seved, seved, english):
    pilot = PilotFactory(area=seved)
    indicator = IndicatorFactory(pilot=pilot)
    # A service called outside a request (an import script, a command) has no editor.
    services.measurement_record(
        indicator=indicator, period_end=dt.date(2025, 1, 31), value=Decimal(1)
    )
    client.force_login(staff_seved)

    response = client.get(history_url(pilot))

    assert response.context["events"][0].kind == "Measurement"
    assert response.context["events"][0].who is None
    assert "unknown user or the system" in response.content.decode()
