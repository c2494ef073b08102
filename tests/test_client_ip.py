"""The client address that brute-force lockouts use, with and without trusted proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from malmo_portal.client_ip import client_ip


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1"),  # no proxy trusted: the header is the client's own words
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the entry our proxy appended
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (1, "", "10.0.0.1"),
    ],
)
def test_client_ip_trusts_only_what_the_configured_proxies_wrote(
    settings, proxies, forwarded, expected
):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_failed_sign_in_with_a_name_longer_than_any_account_is_recorded_cut_short(client, db):
    from axes.models import AccessAttempt
    from django.urls import reverse

    response = client.post(reverse("login"), {"username": "x" * 300, "password": "fel"})

    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "x" * 150
