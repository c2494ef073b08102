"""Health checks answer without login; readiness reflects the database."""

from __future__ import annotations

import pytest
from django.db import DatabaseError
from django.db.backends.utils import CursorWrapper


def test_liveness_answers_without_login_or_database(client):
    # No database fixture: any query in this request would raise and fail the test.
    response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readiness_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz/ready")
    assert response.status_code == 200
    assert response.json()["database"] == "up"


@pytest.mark.django_db
def test_readiness_answers_503_when_the_database_is_down(client, monkeypatch):
    def broken_execute(self, sql, params=None):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken_execute)
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}


def test_health_checks_refuse_writes(client):
    assert client.post("/healthz/live").status_code == 405


@pytest.mark.django_db
def test_liveness_touches_no_database_even_for_a_signed_in_browser(client, django_user_model):
    from django.test.utils import CaptureQueriesContext

    user = django_user_model.objects.create_user("probe", password="x" * 16)
    client.force_login(user)
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz/live", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert len(queries) == 0
