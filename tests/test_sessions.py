"""Signed-in sessions end after 30 idle minutes and after 10 hours whatever the activity."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from malmo_portal.middleware import SessionTimeoutMiddleware

pytestmark = pytest.mark.django_db

LAST_SEEN = SessionTimeoutMiddleware.LAST_SEEN
SIGNED_IN_AT = SessionTimeoutMiddleware.SIGNED_IN_AT


def age_session(client, **seconds_ago: int) -> None:
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_an_active_session_stays_signed_in(client, staff_seved):
    client.force_login(staff_seved)
    assert client.get(reverse("areas:list")).status_code == 200
    age_session(client, **{LAST_SEEN: 29 * 60, SIGNED_IN_AT: 9 * 3600})

    response = client.get(reverse("areas:list"))

    assert response.status_code == 200
    assert int(time.time()) - client.session[LAST_SEEN] < 5, "the visit moved last-seen on"


def test_thirty_idle_minutes_sign_the_user_out_and_say_why(client, staff_seved, english):
    client.force_login(staff_seved)
    client.get(reverse("areas:list"))
    age_session(client, **{LAST_SEEN: 31 * 60})

    response = client.get(reverse("areas:list"), follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert not response.wsgi_request.user.is_authenticated
    assert "signed out after 30 minutes without activity" in response.content.decode()


def test_ten_hours_end_the_session_even_for_an_active_user(client, staff_seved, english):
    client.force_login(staff_seved)
    client.get(reverse("areas:list"))
    age_session(client, **{LAST_SEEN: 10, SIGNED_IN_AT: 10 * 3600 + 60})

    response = client.get(reverse("areas:list"), follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "a session lasts at most 10 hours" in response.content.decode()


def test_an_expired_session_cannot_post(client, staff_seved, seved):
    client.force_login(staff_seved)
    client.get(reverse("areas:list"))
    age_session(client, **{LAST_SEEN: 31 * 60})

    response = client.post(reverse("pilots:create"), {"title": "Efter timeout"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    from pilots.models import Pilot

    assert not Pilot.objects.filter(title="Efter timeout").exists()


def test_last_seen_is_written_at_most_once_a_minute(client, staff_seved):
    client.force_login(staff_seved)
    client.get(reverse("areas:list"))
    age_session(client, **{LAST_SEEN: 20})
    before = client.session[LAST_SEEN]

    client.get(reverse("areas:list"))

    assert client.session[LAST_SEEN] == before


def test_an_htmx_request_after_the_session_ended_opens_the_login_page_whole(
    client, staff_seved, seved
):
    client.force_login(staff_seved)
    age_session(client, **{LAST_SEEN: 31 * 60})

    response = client.get(reverse("areas:list"), HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login") + "?next=")
