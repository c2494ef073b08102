"""Wrong or missing settings stop the portal at start with a message that names the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

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
        ({"DJANGO_SECRET_KEY": "x" * 50}, "DJANGO_ALLOWED_HOSTS"),
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
    result = load_settings(DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="portal.example.org")
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


def test_secure_cookies_are_on_when_debug_is_off():
    result = load_settings(
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="portal.example.org",
    )
    assert result.stdout.split() == ["True", "True"]


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
