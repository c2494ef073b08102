"""Wrong or missing settings stop the portal at start with a message that names the variable."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "portal.example.org",
}
SAFE_ENV = {
    key: value
    for key, value in os.environ.items()
    if not key.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL"))
}


def load_settings(
    code: str = "print(s.DEBUG, s.DATABASES['default']['ENGINE'])", **env: str
) -> subprocess.CompletedProcess:
    code = f"import malmo_portal.settings as s; {code}"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**SAFE_ENV, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": PRODUCTION["DJANGO_SECRET_KEY"]}, "DJANGO_ALLOWED_HOSTS"),
        ({**PRODUCTION, "DJANGO_SECRET_KEY": "x" * 60}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "short", "DJANGO_ALLOWED_HOSTS": "a.example"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_DEBUG": "1", "DJANGO_LOG_LEVEL": "LOUD"}, "DJANGO_LOG_LEVEL"),
        ({"DJANGO_DEBUG": "1", "CACHE_URL": "nosuchcache://x"}, "CACHE_URL"),
        ({"DJANGO_DEBUG": "1", "EMAIL_URL": "carrierpigeon://x"}, "EMAIL_URL"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"DJANGO_DEBUG": "1", "DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
        ({"DJANGO_DEBUG": "1", "DJANGO_HSTS_SECONDS": "soon"}, "DJANGO_HSTS_SECONDS"),
        (
            {
                "DJANGO_DEBUG": "1",
                "DJANGO_CONN_MAX_AGE": "-5",
                "DATABASE_URL": "postgres://u@127.0.0.1/x",
            },
            "DJANGO_CONN_MAX_AGE",
        ),
    ],
)
def test_a_bad_setting_stops_the_start_and_names_the_variable(env, variable):
    result = load_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_production_settings_load_with_the_required_variables():
    result = load_settings(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"


def test_the_embedded_default_database_is_sqlite_with_wal_and_a_busy_timeout():
    result = load_settings(
        "o = s.DATABASES['default']; "
        "print(o['ENGINE'], o['OPTIONS']['timeout'], o['OPTIONS']['transaction_mode'], "
        "'journal_mode=WAL' in o['OPTIONS']['init_command'])",
        DJANGO_DEBUG="1",
    )
    assert result.stdout.split() == ["django.db.backends.sqlite3", "20", "IMMEDIATE", "True"]


def test_production_cookies_are_secure_http_only_same_site_and_host_prefixed():
    result = load_settings(
        "print(*[(getattr(s, f'{c}_COOKIE_NAME'), getattr(s, f'{c}_COOKIE_SECURE'), "
        "getattr(s, f'{c}_COOKIE_HTTPONLY'), getattr(s, f'{c}_COOKIE_SAMESITE')) "
        "for c in ('SESSION', 'CSRF', 'LANGUAGE')], sep='|')",
        **PRODUCTION,
    )
    assert result.stdout.strip().split("|") == [
        "('__Host-sessionid', True, True, 'Lax')",
        "('__Host-csrftoken', True, True, 'Lax')",
        "('__Host-django_language', True, True, 'Lax')",
    ]


def test_production_redirects_to_https_and_sends_hsts_unless_serving_plain_http_locally():
    code = "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_NAME)"
    production = load_settings(code, **PRODUCTION)
    local = load_settings(code, **PRODUCTION, DJANGO_SECURE_COOKIES="0")
    assert production.stdout.split() == ["True", "31536000", "__Host-sessionid"]
    assert local.stdout.split() == ["False", "0", "sessionid"]


def test_sessions_end_after_thirty_idle_minutes_and_ten_hours_at_most():
    result = load_settings("print(s.SESSION_IDLE_SECONDS, s.SESSION_COOKIE_AGE)", **PRODUCTION)
    assert result.stdout.split() == [str(30 * 60), str(10 * 60 * 60)]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**SAFE_ENV, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_management_commands_run_in_a_checkout_without_configuration():
    result = run_manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr


def test_management_commands_with_a_secret_key_keep_the_production_checks():
    result = run_manage("check", DJANGO_SECRET_KEY="too-short")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak" in result.stderr


def test_the_deployment_check_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
