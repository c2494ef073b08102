"""Every request has an id: in the response header, in every log line and on the 500 page."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_fresh_request_id(client, staff_seved):
    client.force_login(staff_seved)
    first = client.get(reverse("areas:list"))
    second = client.get(reverse("areas:list"))
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_an_id_from_the_proxy_is_kept_only_when_a_proxy_is_configured(client, settings):
    offered = {"HTTP_X_REQUEST_ID": "lb-0123456789abcdef"}
    settings.PROXY_COUNT = 0
    assert client.get(reverse("login"), **offered)["X-Request-ID"] != "lb-0123456789abcdef"
    settings.PROXY_COUNT = 1
    assert client.get(reverse("login"), **offered)["X-Request-ID"] == "lb-0123456789abcdef"
    odd = client.get(reverse("login"), HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert odd["X-Request-ID"] != "<script>alert(1)</script>"


def test_a_server_error_is_logged_with_the_request_id_shown_on_the_bilingual_page(
    staff_seved, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr("areas.views.render", broken)
    client = Client(raise_request_exception=False)
    client.force_login(staff_seved)

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(reverse("areas:list"))

    request_id = response["X-Request-ID"]
    page = response.content.decode()
    assert response.status_code == 500
    assert "Något gick fel" in page
    assert "Something went wrong" in page
    assert request_id in page
    for secret in ("hunter2", "Traceback", "RuntimeError"):
        assert secret not in page
    record = next(r for r in caplog.records if r.name == "django.request")
    # The console handler's filter stamped the record while the request was served.
    assert record.request_id == request_id
    formatter = logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"])
    assert f"[{request_id}]" in formatter.format(record)


@pytest.mark.parametrize(
    "broken", ["areas.views.render", "django.contrib.sessions.backends.db.SessionStore.load"]
)
def test_a_database_that_cannot_be_reached_answers_503_with_retry_after(
    staff_seved, monkeypatch, broken
):
    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    client = Client(raise_request_exception=False)
    client.force_login(staff_seved)
    monkeypatch.setattr(broken, unreachable)
    monkeypatch.setattr("malmo_portal.errors.database_answers", lambda: False)

    response = client.get(reverse("areas:list"))

    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "tillfälligt otillgänglig" in page
    assert "temporarily unavailable" in page
    assert "Connection refused" not in page


def test_a_database_error_while_the_database_answers_stays_a_500(staff_seved, monkeypatch):
    def missing_table(*args, **kwargs):
        raise OperationalError("no such table: areas_area")

    client = Client(raise_request_exception=False)
    client.force_login(staff_seved)
    monkeypatch.setattr("areas.views.render", missing_table)

    response = client.get(reverse("areas:list"))

    assert response.status_code == 500
    assert "Retry-After" not in response
