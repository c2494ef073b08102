"""Two people save the same pilot, indicator or measurement at the same moment: one save wins,
the other is refused with the person's own text kept; nothing is overwritten silently.

Each test opens the edit form in two clients, then sends both saves from two threads released
together, so the two requests really overlap in the database.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from pilots import services
from pilots.models import Indicator, Measurement, Pilot
from tests.factories import IndicatorFactory, MeasurementFactory, PilotFactory
from tests.pilots.test_pilot_edit_views import pilot_data

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def save_together(url: str, posts: list[tuple[Client, dict]]) -> list:
    """Send every post at the same moment, each from its own thread; the responses in order."""
    start = threading.Barrier(len(posts))
    responses: list = [None] * len(posts)

    def send(index: int, client: Client, data: dict) -> None:
        start.wait()
        try:
            responses[index] = client.post(url, data)
        finally:
            from django.db import connection

            connection.close()

    threads = [
        threading.Thread(target=send, args=(index, client, data))
        for index, (client, data) in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def opened_version(client: Client, url: str) -> int:
    return int(client.get(url).context["form"]["version"].value())


def assert_one_won(responses: list, refusal: str, kept: Callable[[str], bool]) -> int:
    """Exactly one save went through; the other page says why and still shows what was typed."""
    codes = sorted(response.status_code for response in responses)
    assert codes == [200, 302], [
        (response.status_code, response.context and response.context["form"].errors)
        for response in responses
    ]
    refused = next(response for response in responses if response.status_code == 200)
    page = refused.content.decode()
    assert refusal in page
    assert kept(page)
    return responses.index(refused)


@pytest.fixture
def colleagues(staff_seved, lead_seved):
    return client_for(staff_seved), client_for(lead_seved)


def test_two_simultaneous_pilot_saves_one_wins_and_the_other_keeps_its_text(colleagues, seved):
    pilot = PilotFactory(area=seved, title="Original")
    url = reverse("pilots:edit", args=[pilot.slug])
    first, second = colleagues
    versions = [opened_version(first, url), opened_version(second, url)]
    titles = ["Första titeln", "Andra titeln"]

    responses = save_together(
        url,
        [
            (client, pilot_data(seved, title=title, version=version))
            for client, title, version in zip(colleagues, titles, versions, strict=True)
        ],
    )

    refused = assert_one_won(responses, "Someone else saved", lambda page: True)
    assert titles[refused] in responses[refused].content.decode()
    pilot.refresh_from_db()
    assert pilot.title == titles[1 - refused]
    assert pilot.version == versions[0] + 1


def test_two_simultaneous_indicator_saves_one_wins_and_the_other_keeps_its_values(
    colleagues, seved
):
    indicator = IndicatorFactory(pilot=PilotFactory(area=seved), target_value=Decimal("10"))
    url = reverse("pilots:indicator-edit", args=[indicator.pilot.slug, indicator.pk])
    first, second = colleagues
    versions = [opened_version(first, url), opened_version(second, url)]
    targets = ["30", "99"]

    responses = save_together(
        url,
        [
            (
                client,
                {
                    "baseline_value": "5",
                    "baseline_date": "2024-01-01",
                    "target_value": target,
                    "target_date": "2025-12-31",
                    "version": version,
                },
            )
            for client, target, version in zip(colleagues, targets, versions, strict=True)
        ],
    )

    refused = assert_one_won(responses, "Someone else saved this indicator", lambda page: True)
    assert f'value="{targets[refused]}"' in responses[refused].content.decode()
    indicator = Indicator.objects.get(pk=indicator.pk)
    assert indicator.target_value == Decimal(targets[1 - refused])
    assert indicator.version == versions[0] + 1


def test_two_simultaneous_measurement_saves_one_wins_and_progress_follows_the_winner(
    colleagues, seved
):
    indicator = IndicatorFactory(pilot=PilotFactory(area=seved))
    measurement = MeasurementFactory(
        indicator=indicator, value=Decimal("1"), period_end=dt.date(2025, 3, 31)
    )
    url = reverse("pilots:measurement-edit", args=[indicator.pilot.slug, measurement.pk])
    first, second = colleagues
    versions = [opened_version(first, url), opened_version(second, url)]
    values = ["15", "77"]
    period_end = measurement.period_end.isoformat()

    responses = save_together(
        url,
        [
            (client, {"period_end": period_end, "value": value, "note": "", "version": version})
            for client, value, version in zip(colleagues, values, versions, strict=True)
        ],
    )

    refused = assert_one_won(responses, "Someone else saved this measurement", lambda page: True)
    assert f'value="{values[refused]}"' in responses[refused].content.decode()
    measurement = Measurement.objects.get(pk=measurement.pk)
    winner = Decimal(values[1 - refused])
    assert measurement.value == winner
    assert measurement.version == versions[0] + 1
    assert Indicator.objects.get(pk=indicator.pk).current_value == winner
    assert Pilot.objects.filter(pk=indicator.pilot_id).count() == 1


def test_two_pilots_created_at_once_with_the_same_title_both_get_an_address(colleagues, seved):
    responses = save_together(
        reverse("pilots:create"),
        [(client, pilot_data(seved, title="Samma titel")) for client in colleagues],
    )

    assert [response.status_code for response in responses] == [302, 302]
    slugs = set(Pilot.objects.filter(title="Samma titel").values_list("slug", flat=True))
    assert slugs == {"samma-titel", "samma-titel-2"}


def test_an_edit_that_leaves_out_the_version_is_refused_not_saved_blind(colleagues, seved):
    indicator = IndicatorFactory(pilot=PilotFactory(area=seved), target_value=Decimal("10"))
    url = reverse("pilots:indicator-edit", args=[indicator.pilot.slug, indicator.pk])
    client, _ = colleagues

    response = client.post(url, {"baseline_value": "", "target_value": ""})

    assert response.status_code == 200
    assert "did not say which version you opened" in response.content.decode()
    indicator = Indicator.objects.get(pk=indicator.pk)
    assert indicator.target_value == Decimal("10")
    assert indicator.version == 1


def test_a_slug_taken_between_the_check_and_the_insert_moves_on_to_the_next(
    staff_seved, seved, monkeypatch
):
    PilotFactory(area=seved, title="Samma titel", slug="samma-titel")
    # As if another request had read the addresses before this pilot took "samma-titel".
    answers = iter(["samma-titel"])
    real = services.unique_pilot_slug
    monkeypatch.setattr(
        services, "unique_pilot_slug", lambda title, **kw: next(answers, None) or real(title)
    )

    pilot = services.pilot_create(
        pilot=Pilot(title="Samma titel", area=seved, need="Behov."), user=staff_seved
    )

    assert pilot.slug == "samma-titel-2"
    assert Pilot.objects.filter(title="Samma titel").count() == 2


def test_refreshing_an_indicator_outside_a_transaction_locks_and_stores_its_pilots_facts():
    # Seeding and scripts call the service outside any transaction; its row locks need one.
    indicator = IndicatorFactory()
    MeasurementFactory(indicator=indicator)
    services.indicator_refresh(indicator=indicator)
    pilot = Pilot.objects.get(pk=indicator.pilot_id)
    assert pilot.readiness_indicators == 1
    assert pilot.readiness_last_measured is not None
