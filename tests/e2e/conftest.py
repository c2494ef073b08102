"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# there are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
AXE_SOURCE = settings.NODE_MODULES / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = Path(os.environ.get("PORTAL_SCREENSHOTS", settings.BASE_DIR / "test-results"))


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not at {CHROMIUM}. Install Debian's package (apt-get install chromium) "
            "or set PORTAL_CHROMIUM; `make test` does this for you.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def open_page(browser: Browser, base_url: str) -> Page:
    """A page in a new browser context (its own cookies) that collects console errors.

    Script errors and Content Security Policy violations both reach the console as errors, in
    ``page.console_errors`` as text and in ``page.console_messages`` with where they came from.
    """
    context = browser.new_context(base_url=base_url, locale="sv-SE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.console_errors = []
    page.console_messages = []

    def collect(message) -> None:
        if message.type == "error":
            page.console_errors.append(message.text)
            page.console_messages.append(message)

    page.on("console", collect)
    return page


@pytest.fixture
def page(browser, live_server) -> Iterator:
    page = open_page(browser, live_server.url)
    yield page
    page.context.close()


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()


def axe_violations(page) -> list[dict]:
    """The page's WCAG 2.1 A and AA violations as axe-core reports them (at most 5 nodes each)."""
    if not AXE_SOURCE.exists():
        pytest.fail(f"axe-core is missing at {AXE_SOURCE}: run `npm ci`.", pytrace=False)
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]


def assert_no_axe_violations(page, label: str) -> None:
    """Run axe-core in the page and fail on any WCAG 2.1 A or AA violation."""
    violations = axe_violations(page)
    assert not violations, f"axe found WCAG violations on {label}:\n" + json.dumps(
        violations, indent=2, ensure_ascii=False
    )


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
