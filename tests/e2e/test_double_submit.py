"""A second press of a submit button while the first request is on its way saves nothing twice.

The guard is a progressive enhancement in portal.js: once a plain POST form is sent, further sends
of it are ignored until the page is shown again, and the pressed button shows that it is busy.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from pilots.models import Pilot, PilotUpdate
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import sign_in
from tests.factories import PilotFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Runs after the portal's own listener on the document, so it sees whether the send was stopped.
WATCH_SUBMITS = """() => {
  window.submits = [];
  window.addEventListener('submit', (event) => window.submits.push(event.defaultPrevented));
}"""


def _count_posts(page, path: str) -> list[str]:
    posts: list[str] = []
    page.on(
        "request",
        lambda request: (
            posts.append(request.url)
            if request.method == "POST" and request.url.endswith(path)
            else None
        ),
    )
    return posts


def _press_twice(page, button, path: str) -> None:
    """Press the button, then again once the first request has left: a person's double click.
    Playwright's own double click is so fast that the browser folds it into one request."""
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with page.expect_request(
        lambda request: request.method == "POST" and request.url.endswith(path)
    ):
        page.mouse.click(x, y)
    page.mouse.click(x, y)


def _fill_new_pilot(page, title: str) -> None:
    page.locator("#id_title").fill(title)
    page.locator("#id_need").fill("Unga saknar en plats att vara på kvällstid.")
    page.locator("#id_start_date").fill("2026-01-01")


def test_a_double_click_on_create_pilot_creates_one_pilot(page, staff_seved):
    sign_in(page, staff_seved.username, TEST_PASSWORD)
    page.goto(reverse("pilots:create"))
    posts = _count_posts(page, reverse("pilots:create"))
    _fill_new_pilot(page, "Kvällsfotboll i Seved")

    _press_twice(page, page.get_by_role("button", name="Skapa pilot"), reverse("pilots:create"))
    page.wait_for_url("**/pilots/kvallsfotboll-i-seved*/")

    assert list(Pilot.objects.values_list("slug", flat=True)) == ["kvallsfotboll-i-seved"]
    assert len(posts) == 1, posts
    assert page.console_errors == []


def test_a_double_click_on_the_journal_form_adds_one_entry(page, staff_seved, seved):
    pilot = PilotFactory(area=seved, title="Läxhjälp i Seved")
    sign_in(page, staff_seved.username, TEST_PASSWORD)
    path = reverse("pilots:update-create", args=[pilot.slug])
    page.goto(path)
    posts = _count_posts(page, path)
    page.locator("input[name=kind][value=progress]").check()
    page.locator("#id_body").fill("Tolv nya deltagare i veckan.")

    _press_twice(page, page.get_by_role("button", name="Lägg till i loggen"), path)
    page.wait_for_url(f"**{pilot.get_absolute_url()}*")

    assert PilotUpdate.objects.filter(pilot=pilot).count() == 1
    assert len(posts) == 1, posts
    assert page.get_by_text("Tolv nya deltagare i veckan.").count() == 1


def test_a_double_click_on_a_named_button_sends_its_name_and_value_once(page, staff_seved):
    sign_in(page, staff_seved.username, TEST_PASSWORD)
    page.goto(reverse("pilots:list"))
    posts = _count_posts(page, reverse("set_language"))

    _press_twice(page, page.get_by_role("button", name="English"), reverse("set_language"))

    # The button's value arrived: the page answers in English.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert len(posts) == 1, posts


def test_a_sent_form_takes_no_second_send_until_the_page_is_shown_again(page, staff_seved):
    sign_in(page, staff_seved.username, TEST_PASSWORD)
    path = reverse("pilots:create")
    page.goto(path)
    posts = _count_posts(page, path)
    # A 204 answer leaves the page as it is, as if the first request were still on its way.
    page.route(
        f"**{path}",
        lambda route: (
            route.fulfill(status=204) if route.request.method == "POST" else route.continue_()
        ),
    )
    page.evaluate(WATCH_SUBMITS)
    _fill_new_pilot(page, "Nattvandring i Seved")
    # Clicked from within the page: Playwright's locators would wait for a navigation that the
    # 204 answer never ends.
    button = page.evaluate_handle("() => document.querySelector('main form button[type=submit]')")
    with page.expect_response(lambda response: response.status == 204):
        button.evaluate("button => button.click()")
    button.evaluate("button => button.click()")
    button.evaluate("button => button.form.requestSubmit()")

    assert page.evaluate("window.submits") == [False, True, True]
    assert button.evaluate("button => button.getAttribute('aria-disabled')") == "true"
    assert button.evaluate("button => button.classList.contains('is-submitting')")
    assert len(posts) == 1

    # What the browser does when the back button brings the page back from its cache.
    page.evaluate(
        "() => window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))"
    )
    assert button.evaluate("button => button.getAttribute('aria-disabled')") is None
    assert not button.evaluate("button => button.classList.contains('is-submitting')")
    page.unroute(f"**{path}")
    with page.expect_navigation(url="**/pilots/nattvandring-i-seved/"):
        button.evaluate("button => button.click()")
    assert Pilot.objects.filter(slug="nattvandring-i-seved").count() == 1
    assert len(posts) == 2


def test_back_after_a_validation_error_and_sending_again_still_works(page, staff_seved):
    sign_in(page, staff_seved.username, TEST_PASSWORD)
    page.goto(reverse("pilots:create"))
    page.locator("#id_title").fill("Utan behov")
    with page.expect_navigation():
        page.get_by_role("button", name="Skapa pilot").click()
    assert page.locator("#form-errors").count() == 1
    assert not Pilot.objects.exists()

    page.go_back()
    _fill_new_pilot(page, "Simskola för vuxna")
    with page.expect_navigation(url="**/pilots/simskola-for-vuxna/"):
        page.get_by_role("button", name="Skapa pilot").click()

    assert Pilot.objects.filter(slug="simskola-for-vuxna").count() == 1
    assert page.console_errors == []
