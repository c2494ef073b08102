"""The printable pilot card: one A4 page for everyone signed in, in the active language."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from pilots.views.sharing import CARD_INDICATOR_LIMIT, CARD_TEXT_LIMITS
from tests.factories import IndicatorFactory, PilotFactory, UserFactory

pytestmark = pytest.mark.django_db

CARD_CSS = Path(settings.BASE_DIR) / "static" / "css" / "card.css"


def card_url(pilot) -> str:
    return reverse("pilots:card", args=[pilot.slug])


@pytest.fixture
def pilot(seved):
    lead = UserFactory(first_name="Lina", last_name="Ledarsson", email="lina@example.test")
    pilot = PilotFactory(
        area=seved,
        title="Läxhjälp i Seved",
        need="Barn saknar lugn plats för läxor.",
        approach="Volontärer två kvällar i veckan.",
        lessons="Börja med föräldrarna.",
        evidence_level=2,
        lead=lead,
    )
    IndicatorFactory(pilot=pilot, baseline_value=10, target_value=40, definition__name="Närvaro")
    return pilot


@pytest.mark.parametrize("who", ["official", "staff_seved", "lindangen_staff"])
def test_everyone_signed_in_gets_the_card_with_the_pilots_data(
    client, pilot, who, request, make_user, lindangen
):
    users = {
        "official": lambda: request.getfixturevalue("official"),
        "staff_seved": lambda: request.getfixturevalue("staff_seved"),
        "lindangen_staff": lambda: make_user("staff-lindangen", area=lindangen),
    }
    client.force_login(users[who]())

    response = client.get(card_url(pilot))

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Läxhjälp i Seved",
        "Barn saknar lugn plats för läxor.",
        "Volontärer två kvällar i veckan.",
        "Börja med föräldrarna.",
        "Närvaro",
        ">10<",
        ">40<",
        "Lina Ledarsson",
        'href="mailto:lina@example.test"',
        "Seved",
    ):
        assert text in html, text


def test_the_card_speaks_the_active_language(client, english, official, pilot):
    client.force_login(official)
    html = client.get(card_url(pilot)).content.decode()
    assert '<html lang="en">' in html
    assert "The urgent need" in html
    assert "2 – We capture data that shows positive change" in html, "evidence and its meaning"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (dt.date(2026, 3, 1), dt.date(2026, 6, 30), "Period: 1 Mar 2026 – 30 Jun 2026"),
        (dt.date(2026, 3, 1), None, "Period: From 1 Mar 2026, ongoing"),
        (None, dt.date(2026, 6, 30), "Period: Until 30 Jun 2026"),
        (None, None, "Period: Not set"),
    ],
)
def test_the_card_says_the_period_plainly_whichever_dates_are_missing(
    client, english, official, pilot, start, end, expected
):
    pilot.start_date, pilot.end_date = start, end
    pilot.save()
    client.force_login(official)

    html = client.get(card_url(pilot)).content.decode()

    meta = re.search(r'<p class="card-meta">(.*?)</p>', html, re.DOTALL)[1]
    assert expected in " ".join(meta.split())
    assert "?" not in meta


def test_the_card_links_a_stylesheet_that_prints_on_one_a4_page(client, official, pilot):
    client.force_login(official)
    html = client.get(card_url(pilot)).content.decode()

    assert re.search(r'<link rel="stylesheet" href="/static/css/card\.css"', html)
    css = CARD_CSS.read_text()
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", css)
    assert "@media print" in css
    assert "<script" not in html, "nothing to run: the content security policy stays strict"
    assert "style=" not in html


def test_long_texts_are_shortened_with_an_ellipsis_and_a_note(client, english, official, seved):
    long_need = "Ett behov. " * 200
    pilot = PilotFactory(area=seved, need=long_need, approach="Kort.", lessons="")
    client.force_login(official)

    html = client.get(card_url(pilot)).content.decode()

    assert long_need.strip() not in html
    assert "…" in html
    assert "Long texts are shortened" in html
    assert html.count("Ett behov.") < CARD_TEXT_LIMITS["need"] // len("Ett behov. ") + 1


def test_texts_are_cut_between_words_and_keep_to_one_paragraph(client, official, seved):
    pilot = PilotFactory(area=seved, need="Rad\n" * 400, approach="Läxhjälp " * 200)
    client.force_login(official)

    html = client.get(card_url(pilot)).content.decode()

    assert "<br>" not in html
    assert "Läxhjälp…" in html
    assert "Rad…" in html


def test_short_texts_are_printed_whole_without_the_note(client, english, official, pilot):
    client.force_login(official)
    assert "Long texts are shortened" not in client.get(card_url(pilot)).content.decode()


def test_a_pilot_with_many_indicators_points_to_the_page_for_the_rest(
    client, english, official, pilot
):
    IndicatorFactory.create_batch(CARD_INDICATOR_LIMIT, pilot=pilot)
    client.force_login(official)

    html = client.get(card_url(pilot)).content.decode()

    assert html.count('<th scope="row"') == CARD_INDICATOR_LIMIT
    assert "More indicators are on the pilot page." in html


def test_a_pilot_without_a_lead_names_the_area_to_contact(client, english, official, seved):
    pilot = PilotFactory(area=seved, lead=None)
    client.force_login(official)
    assert "contact the Area Programme in Seved" in client.get(card_url(pilot)).content.decode()


def test_the_card_of_an_unknown_pilot_answers_404(client, official):
    client.force_login(official)
    assert client.get(reverse("pilots:card", args=["finns-inte"])).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, pilot):
    response = client.get(card_url(pilot))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_card_uses_the_same_queries_for_few_and_many_indicators(
    client, official, pilot, django_assert_num_queries
):
    client.force_login(official)
    # The session, the user, the pilot with its area and lead, the indicators with definitions.
    with django_assert_num_queries(4):
        client.get(card_url(pilot))
    IndicatorFactory.create_batch(12, pilot=pilot)
    with django_assert_num_queries(4):
        client.get(card_url(pilot))
