"""Sign-in, sign-out, the language switch and login-required pages."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db

PROTECTED = ["/", "/areas/", "/areas/seved/", "/pilots/", "/admin/"]


@pytest.mark.parametrize("url", PROTECTED)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_login_page_is_open_and_in_swedish_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="sv">' in response.content.decode()


def test_signing_in_with_the_right_password_opens_the_start_page(client, staff_seved):
    response = client.post(
        reverse("login"), {"username": "staff-seved", "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"] == staff_seved


def test_signing_in_with_a_wrong_password_shows_an_error_and_keeps_the_user_name(
    client, staff_seved
):
    response = client.post(reverse("login"), {"username": "staff-seved", "password": "wrong"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert response.context["form"].non_field_errors()
    assert 'value="staff-seved"' in response.content.decode()


def test_five_failed_sign_ins_lock_the_account_with_a_clear_message(client, staff_seved):
    for _ in range(5):
        client.post(reverse("login"), {"username": "staff-seved", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "staff-seved", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "lock" in response.content.decode().lower() or "låst" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_signing_out_needs_a_post_and_ends_the_session(client, staff_seved):
    client.force_login(staff_seved)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_language_switch_works_before_sign_in_and_returns_to_the_page(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("login")
    assert '<html lang="en">' in response.content.decode()


def test_language_switch_refuses_an_outside_next_url(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_base_layout_shows_navigation_user_and_sign_out(client, staff_seved, english):
    client.force_login(staff_seved)
    html = client.get(reverse("areas:list")).content.decode()
    for url in (reverse("pilots:list"), reverse("areas:list")):
        assert f'href="{url}"' in html
    assert staff_seved.get_full_name() in html
    assert f'action="{reverse("logout")}"' in html


def test_password_change_needs_twelve_characters(client, staff_seved):
    client.force_login(staff_seved)
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "Short1!x", "new_password2": "Short1!x"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    staff_seved.refresh_from_db()
    assert staff_seved.check_password(TEST_PASSWORD)


def test_pages_are_swedish_whatever_the_browser_asks_until_the_user_switches(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="sv">' in page.content.decode()
    assert page["Content-Language"] == "sv"
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert '<html lang="en">' in client.get(reverse("login")).content.decode()


def test_an_unknown_language_cookie_falls_back_to_swedish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert '<html lang="sv">' in client.get(reverse("login")).content.decode()
