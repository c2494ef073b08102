"""Error pages speak the user's language, fit the layout and leak nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_missing_page_answers_404_in_the_layout_in_swedish_and_english(client, staff_seved):
    client.force_login(staff_seved)
    swedish = client.get("/pilots/finns-inte/")
    assert swedish.status_code == 404
    assert "Sidan finns inte" in swedish.content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/pilots/finns-inte/")
    assert "Page not found" in english.content.decode()


def test_a_refused_page_explains_who_may_do_what(client, official, seved):
    from tests.factories import PilotFactory

    pilot = PilotFactory(area=seved)
    client.force_login(official)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("pilots:edit", args=[pilot.slug]))
    assert response.status_code == 403
    assert "Only members of the pilot's area team can change it" in response.content.decode()


def test_a_form_sent_without_its_csrf_token_gets_a_clear_page(staff_seved):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff_seved)
    response = strict.post(reverse("pilots:create"), {"title": "x"})
    assert response.status_code == 403
    assert "Formuläret har gått ut" in response.content.decode()


def test_the_server_error_page_is_bilingual_and_shows_no_details(client, settings):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Något gick fel" in html
    assert "Something went wrong" in html
    assert "Traceback" not in html


@pytest.mark.parametrize("query", [{"q": "a\x00b"}, {"q": "x" * 1_001}, {"x" * 1_001: "1"}])
def test_an_admin_query_string_the_database_cannot_take_gets_a_bilingual_400_page(
    client, portal_admin, query
):
    client.force_login(portal_admin)

    response = client.get(reverse("admin:pilots_pilot_changelist"), query)

    assert response.status_code == 400
    assert "Adressen kunde inte läsas" in response.content.decode()
    assert "The address could not be read" in response.content.decode()


def test_an_admin_search_within_the_limit_still_works(client, portal_admin):
    client.force_login(portal_admin)
    response = client.get(reverse("admin:pilots_pilot_changelist"), {"q": "x" * 1_000})
    assert response.status_code == 200
