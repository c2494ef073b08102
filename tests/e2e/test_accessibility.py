"""Every HTML page of the portal passes axe (WCAG 2.1 A and AA) in Swedish and in English, at a
desktop's width and at a phone's (375 px), with no script error or CSP violation in the console.

The pages are listed below by URL name, under the role that sees them, with the states worth
scanning: full, empty, and forms showing their errors. A test compares the list with the URL
configuration, so a new page cannot be forgotten. Each role signs in once; each page is loaded
once per language and scanned at both widths.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from areas.models import Area, AreaStatistic, StatisticKind
from pilots import services
from pilots.models import Indicator, Measurement, Pilot, PilotUpdate, ShareLink, Stage
from pilots.views.accessibility import ASSESSED_ON, DIGG_REPORT_URL, UPDATED_ON
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import axe_violations, open_page, screenshot, sign_in
from tests.factories import (
    AreaFactory,
    AttachmentFactory,
    IndicatorDefinitionFactory,
    IndicatorFactory,
    PartnerFactory,
    PilotFactory,
    StageDecisionFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}

# URL names that never answer with an HTML page of their own: files, redirects, health checks.
NOT_HTML = {
    "pilots:export-csv",
    "pilots:export-xlsx",
    "pilots:attachment-download",
    "pilots:import-confirm",  # a POST that redirects; a GET redirects to the upload page
    "dashboard-table-csv",
    "library-export-json",
    "library-export-csv",
    "share-attachment",
    "logout",  # a POST that redirects to the login page
    "set_language",
    "healthz-live",
    "healthz-ready",
}
# The Django admin is third-party; its start page is scanned, the rest is Django's to answer for.
THIRD_PARTY_NAMESPACES = {"admin"}


@dataclass
class World:
    """What the pages show: one pilot with everything, one with nothing, one in another area."""

    pilot: Pilot
    empty_pilot: Pilot
    other: Pilot
    indicator: Indicator
    measurement: Measurement
    share_link: ShareLink
    empty_area: Area
    reset_path: str


@dataclass(frozen=True)
class Visit:
    """A page in one state: where to go, what to do there, and what must answer."""

    name: str | None  # the URL name the page resolves to; None for the error layouts
    label: str
    path: Callable[[World], str]
    # what to do once there, e.g. send the form empty; returns the response it navigated to, if any
    act: Callable[[object, World], object] | None = None
    status: int = 200
    expect: str = ""  # a selector that proves the state was reached (errors shown, file previewed)


def _share_path(world: World) -> str:
    return reverse("share", kwargs={"token": world.share_link.token})


def _detail(world: World) -> str:
    return world.pilot.get_absolute_url()


def _on_pilot(suffix: str) -> Callable[[World], str]:
    return lambda world: f"{world.pilot.get_absolute_url()}{suffix}"


def _send_empty(typed: dict[str, str] | None = None) -> Callable[[object, World], object]:
    """Empty the main form's typed fields (then type into some) and send it, so that the server
    answers with its errors."""

    def act(page, world: World) -> object:
        target = page.locator("main form[method=post]").first
        target.evaluate(
            "form => form.querySelectorAll("
            "'input[type=text], input[type=number], input[type=date], input[type=email], "
            "input[type=password], input[type=url], textarea').forEach(field => field.value = '')"
        )
        for selector, text in (typed or {}).items():
            target.locator(selector).fill(text)
        with page.expect_navigation() as navigation:
            target.locator("button[type=submit]").first.click()
        return navigation.value

    return act


def _upload_measurements(page, world: World) -> object:
    code = world.indicator.definition.code
    rows = f"indikator;periodslut;värde\n{code};2026-03-31;18\n{code};2026-13-01;x\n"
    page.locator("input[type=file]").set_input_files(
        {"name": "matningar.csv", "mimeType": "text/csv", "buffer": rows.encode()}
    )
    with page.expect_navigation() as navigation:
        page.locator("main form[method=post] button[type=submit]").first.click()
    return navigation.value


def _record_empty_measurement(page, world: World) -> None:
    block = page.locator(f"#indicator-{world.indicator.pk}")
    block.locator("input[name$='value']").fill("")
    with page.expect_response(lambda response: "/measurements/new/" in response.url):
        block.locator("form button[type=submit]").first.click()
    page.locator(f"#indicator-{world.indicator.pk} .invalid-feedback").first.wait_for()


def _create_share_link(page, world: World) -> object:
    with page.expect_navigation() as navigation:
        page.locator("#create-share-link").click()
    return navigation.value


def _break_the_csrf_token(page, world: World) -> object:
    page.locator("input[name=csrfmiddlewaretoken]").first.evaluate("field => field.value = 'x'")
    page.locator("#id_username").fill("someone")
    page.locator("#id_password").fill("not the password")
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    return navigation.value


def _fail_to_sign_in_until_locked(page, world: World) -> object:
    for _attempt in range(6):
        page.locator("#id_username").fill("locked-out-e2e")
        page.locator("#id_password").fill("wrong password")
        with page.expect_navigation() as navigation:
            page.locator("main form button[type=submit]").click()
        if navigation.value.status == 429:
            return navigation.value
    raise AssertionError("six failed sign-ins did not lock the user name")


ANONYMOUS = [
    Visit("login", "login page", lambda world: reverse("login")),
    Visit("login", "login page with errors", lambda world: reverse("login"), _send_empty()),
    Visit("accessibility", "accessibility statement", lambda world: reverse("accessibility")),
    Visit("password_reset", "password reset", lambda world: reverse("password_reset")),
    Visit(
        "password_reset",
        "password reset with errors",
        lambda world: reverse("password_reset"),
        _send_empty(),
        expect="#form-errors, .invalid-feedback",
    ),
    Visit("password_reset_done", "reset sent", lambda world: reverse("password_reset_done")),
    Visit(
        "password_reset_confirm",
        "reset link that does not work",
        lambda world: reverse("password_reset_confirm", args=["AA", "set-password"]),
    ),
    Visit("password_reset_confirm", "new password form", lambda world: world.reset_path),
    Visit(
        "password_reset_confirm",
        "new password form with errors",
        lambda world: world.reset_path,
        _send_empty(),
        expect="#form-errors, .invalid-feedback",
    ),
    Visit(
        "password_reset_complete",
        "password reset complete",
        lambda world: reverse("password_reset_complete"),
    ),
    Visit("share", "shared pilot page", lambda world: _share_path(world)),
    Visit("share", "share link that does not work", lambda world: "/s/no-such-token/", status=404),
    Visit(None, "404 page (signed out)", lambda world: "/no-such-page/", status=404),
    Visit(
        None,
        "403 page: the form has expired",
        lambda world: reverse("login"),
        _break_the_csrf_token,
        status=403,
        expect="main h1",
    ),
    Visit(
        None,
        "lockout page",
        lambda world: reverse("login"),
        _fail_to_sign_in_until_locked,
        status=429,
        expect="main .alert-warning",
    ),
]

STAFF = [
    Visit("home", "start page", lambda world: reverse("home")),
    Visit("areas:list", "areas", lambda world: reverse("areas:list")),
    Visit("areas:detail", "area with figures", lambda world: world.pilot.area.get_absolute_url()),
    Visit("areas:detail", "area without pilots", lambda world: world.empty_area.get_absolute_url()),
    Visit("pilots:list", "pilot list", lambda world: reverse("pilots:list")),
    Visit(
        "pilots:list",
        "pilot list sorted, nothing found",
        lambda world: reverse("pilots:list") + "?q=ingenting-alls&o=title",
    ),
    Visit("pilots:create", "new pilot", lambda world: reverse("pilots:create")),
    Visit(
        "pilots:create",
        "new pilot with errors",
        lambda world: reverse("pilots:create"),
        _send_empty(),
    ),
    Visit("pilots:detail", "pilot page", _detail),
    Visit(
        "pilots:detail",
        "pilot page, measurement refused in place",
        _detail,
        _record_empty_measurement,
    ),
    Visit(
        "pilots:detail", "pilot page with nothing yet", lambda w: w.empty_pilot.get_absolute_url()
    ),
    Visit("pilots:edit", "edit pilot", _on_pilot("edit/")),
    Visit("pilots:edit", "edit pilot with errors", _on_pilot("edit/"), _send_empty()),
    Visit("pilots:indicator-create", "add indicator", _on_pilot("indicators/new/")),
    Visit(
        "pilots:indicator-create",
        "add indicator with errors",
        _on_pilot("indicators/new/"),
        _send_empty(),
    ),
    Visit(
        "pilots:indicator-edit",
        "edit indicator with errors",
        lambda w: reverse("pilots:indicator-edit", args=[w.pilot.slug, w.indicator.pk]),
        _send_empty(typed={"#id_baseline_value": "ett tal"}),
    ),
    Visit(
        "pilots:indicator-delete",
        "remove indicator",
        lambda w: reverse("pilots:indicator-delete", args=[w.pilot.slug, w.indicator.pk]),
    ),
    Visit(
        "pilots:measurement-create",
        "record measurement with errors",
        lambda w: reverse("pilots:measurement-create", args=[w.pilot.slug, w.indicator.pk]),
        _send_empty(),
    ),
    Visit(
        "pilots:measurement-edit",
        "edit measurement with errors",
        lambda w: reverse("pilots:measurement-edit", args=[w.pilot.slug, w.measurement.pk]),
        _send_empty(),
    ),
    Visit(
        "pilots:measurement-delete",
        "delete measurement",
        lambda w: reverse("pilots:measurement-delete", args=[w.pilot.slug, w.measurement.pk]),
    ),
    Visit("pilots:import", "import measurements", _on_pilot("measurements/import/")),
    Visit(
        "pilots:import",
        "import without a file",
        _on_pilot("measurements/import/"),
        _send_empty(),
    ),
    Visit(
        "pilots:import",
        "import preview",
        _on_pilot("measurements/import/"),
        _upload_measurements,
        expect="main table",
    ),
    Visit("pilots:update-create", "write update", _on_pilot("updates/new/")),
    Visit(
        "pilots:update-create", "write update with errors", _on_pilot("updates/new/"), _send_empty()
    ),
    Visit("pilots:attachment-create", "upload file", _on_pilot("attachments/new/")),
    Visit(
        "pilots:attachment-create",
        "upload file with errors",
        _on_pilot("attachments/new/"),
        _send_empty(),
    ),
    Visit("pilots:history", "pilot history", _on_pilot("history/")),
    Visit(
        "pilots:history",
        "history of a new pilot",
        lambda w: reverse("pilots:history", args=[w.empty_pilot.slug]),
    ),
    Visit("pilots:adapt", "adapt pilot", lambda w: reverse("pilots:adapt", args=[w.other.slug])),
    Visit(
        "pilots:adapt",
        "adapt pilot with errors",
        lambda w: reverse("pilots:adapt", args=[w.other.slug]),
        _send_empty(),
    ),
    Visit("pilots:share", "share by link", _on_pilot("share/")),
    Visit(
        "pilots:share",
        "share by link, new link shown",
        _on_pilot("share/"),
        _create_share_link,
        expect="#created-url",
    ),
    Visit(
        "pilots:share",
        "share by link with errors",
        _on_pilot("share/"),
        _send_empty(),
    ),
    Visit(
        "pilots:share-revoke",
        "revoke share link",
        lambda w: reverse("pilots:share-revoke", args=[w.pilot.slug, w.share_link.pk]),
    ),
    Visit("pilots:card", "pilot card", _on_pilot("card/")),
    Visit(None, "403 page", _on_pilot("stage/"), status=403),
    Visit(None, "404 page (signed in)", lambda w: "/pilots/no-such-pilot/", status=404),
]

LEAD = [
    Visit("pilots:stage", "stage decision", _on_pilot("stage/")),
    Visit("pilots:stage", "stage decision with errors", _on_pilot("stage/"), _send_empty()),
    Visit("pilots:evidence", "evidence level", _on_pilot("evidence/")),
    Visit("pilots:evidence", "evidence level with errors", _on_pilot("evidence/"), _send_empty()),
    Visit("pilots:archive", "archive pilot", _on_pilot("archive/")),
    Visit("pilots:archive", "archive pilot with errors", _on_pilot("archive/"), _send_empty()),
]

OFFICIAL = [
    Visit("home", "official's start page", lambda world: reverse("home")),
    Visit("dashboard", "city dashboard", lambda world: reverse("dashboard")),
    Visit(
        "dashboard",
        "city dashboard, nothing in the filter",
        lambda world: reverse("dashboard") + "?area=no-such-area&theme=no-such-theme",
    ),
    Visit("compare", "compare: choose", lambda world: reverse("compare")),
    Visit(
        "compare",
        "compare: search",
        lambda world: reverse("compare") + "?q=Läxhjälp",
    ),
    Visit(
        "compare",
        "compare two pilots",
        lambda w: reverse("compare") + f"?pilots={w.pilot.slug}&pilots={w.other.slug}",
    ),
    Visit(
        "compare",
        "compare areas on one indicator",
        lambda w: reverse("compare") + f"?indicator={w.indicator.definition.code}",
    ),
    Visit(
        "compare",
        "compare with an unknown pilot",
        lambda w: reverse("compare") + f"?pilots={w.pilot.slug}&pilots=no-such-pilot",
        status=400,
    ),
    Visit("library", "library", lambda world: reverse("library")),
    Visit(
        "library", "library, nothing found", lambda world: reverse("library") + "?q=ingenting-alls"
    ),
    Visit("password_change", "change password", lambda world: reverse("password_change")),
    Visit(
        "password_change",
        "change password with errors",
        lambda world: reverse("password_change"),
        _send_empty(),
        expect="#form-errors, .invalid-feedback",
    ),
    Visit(
        "password_change_done", "password changed", lambda world: reverse("password_change_done")
    ),
]

# A member of an area that has no pilots yet: the start page's empty state.
NEWCOMER = [Visit("home", "start page with nothing yet", lambda world: reverse("home"))]

ADMIN = [Visit("admin:index", "admin start page", lambda world: reverse("admin:index"))]

ROLES = {
    "anonymous": ANONYMOUS,
    "staff": STAFF,
    "lead": LEAD,
    "official": OFFICIAL,
    "newcomer": NEWCOMER,
    "admin": ADMIN,
}
ERROR_STATE = "#form-errors, .invalid-feedback, .alert-danger"
NEXT_FRAME = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
# WCAG 1.4.10 (reflow): on a phone only a wide table may scroll sideways, inside its own box.
FITS_THE_WIDTH = "() => document.documentElement.scrollWidth <= window.innerWidth"
# The outermost elements that reach past the right edge, to name in the failure.
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(el => !el.parentElement.closest('*') ||
    el.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
  .slice(0, 3)
  .map(el => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className}`
    + ` (${Math.round(el.getBoundingClientRect().width)} px)`)"""
# Charts shrink to a new width in a resize observer's later frame; a busy machine needs longer.
SETTLE_MS = 3_000
# Django's admin brings its own skip link, with its own class.
FIRST_FOCUSABLE_IS_A_SKIP_LINK = """() => {
  const first = document.querySelector(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, ' +
    '[tabindex]:not([tabindex="-1"])'
  );
  return first !== null && first.matches('.skip-link, .skip-to-content-link');
}"""


def _url_names(patterns: list, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_the_page_list_names_every_page_of_the_url_configuration():
    portal = {
        name
        for name in _url_names(get_resolver().url_patterns)
        if name.split(":")[0] not in THIRD_PARTY_NAMESPACES
    }
    listed = {visit.name for visits in ROLES.values() for visit in visits if visit.name}
    unknown = listed - _url_names(get_resolver().url_patterns)
    assert not unknown, f"the list names URLs that do not exist: {sorted(unknown)}"
    forgotten = portal - NOT_HTML - listed
    assert not forgotten, (
        f"pages missing from the accessibility test: {sorted(forgotten)}; add a Visit for each "
        "(or add the name to NOT_HTML if it never answers with an HTML page)"
    )
    assert not NOT_HTML - portal, "NOT_HTML names URLs that no longer exist"


def _build_world(seved: Area, staff, lead) -> World:
    lindangen = Area.objects.get_or_create(slug="lindangen", defaults={"name": "Lindängen"})[0]
    kind = StatisticKind.objects.get_or_create(
        code="unemployment-a11y", defaults={"name": "Arbetslöshet", "name_en": "Unemployment"}
    )[0]
    for year, value in ((2023, "33.1"), (2024, "31.5")):
        AreaStatistic.objects.create(
            area=seved, kind=kind, year=year, value=value, source="Syntetiska data"
        )
    definition = IndicatorDefinitionFactory(
        code="homework-a11y", name="Närvaro i läxhjälp", name_en="Homework attendance"
    )
    theme = ThemeFactory(slug="skola-a11y", name="Skola", name_en="School")
    pilot = PilotFactory(
        area=seved,
        title="Läxhjälp i Seved",
        slug="laxhjalp-i-seved",
        approach="Två kvällar i veckan på biblioteket.",
        lessons="Börja i liten skala.",
        participants_reached=42,
        budget_sek=120_000,
        lead=lead,
    )
    pilot.themes.add(theme)
    pilot.partners.add(PartnerFactory(name="Föreningen Läxhjälpen"))
    indicator = IndicatorFactory(pilot=pilot, definition=definition, baseline_value=30)
    for month, value in ((1, 34), (2, 41)):
        measurement = services.measurement_record(
            indicator=indicator, period_end=dt.date(2026, month, 28), value=Decimal(value)
        )
    for kind_value, body in (
        (PilotUpdate.Kind.PROGRESS, "Tolv nya deltagare."),
        (PilotUpdate.Kind.OBSTACLE, "Lokalen var stängd i februari."),
        (PilotUpdate.Kind.LESSON, "Föräldrarna kom när vi bjöd på fika."),
    ):
        services.update_create(pilot=pilot, author=staff, kind=kind_value, body=body)
    AttachmentFactory(pilot=pilot, uploaded_by=staff, is_public=True)
    StageDecisionFactory(pilot=pilot, decided_by=lead)
    share_link = services.share_link_create(
        pilot=pilot, user=staff, expires_at=timezone.now() + dt.timedelta(days=30)
    )
    other = PilotFactory(
        area=lindangen, title="Läxhjälp i Lindängen", stage=Stage.PROTOTYPE, evidence_level=3
    )
    other.themes.add(theme)
    other_indicator = IndicatorFactory(pilot=other, definition=definition, baseline_value=20)
    services.measurement_record(
        indicator=other_indicator, period_end=dt.date(2026, 2, 28), value=Decimal(25)
    )
    PilotFactory(area=lindangen, title="Nattvandring", stage=Stage.STOPPED, lessons="För få.")
    resetter = UserFactory(username="reset-a11y")
    uid = urlsafe_base64_encode(force_bytes(resetter.pk))
    return World(
        pilot=pilot,
        empty_pilot=PilotFactory(area=seved, title="Ny idé i Seved", stage=Stage.IDEA),
        other=other,
        indicator=indicator,
        measurement=measurement,
        share_link=share_link,
        empty_area=AreaFactory(name="Testområdet utan piloter"),
        reset_path=reverse(
            "password_reset_confirm", args=[uid, default_token_generator.make_token(resetter)]
        ),
    )


def _settles_to_width(page) -> bool:
    try:
        page.wait_for_function(FITS_THE_WIDTH, timeout=SETTLE_MS)
    except PlaywrightTimeoutError:
        return False
    return True


def _scan_both_widths(page, label: str, problems: list[str]) -> None:
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        # Let the page's resize observers run (scrolling tables join the tab order) before axe.
        page.evaluate(NEXT_FRAME)
        if size is PHONE and not _settles_to_width(page):
            wide = ", ".join(page.evaluate(TOO_WIDE))
            problems.append(f"{label} at {size['width']} px: the page scrolls sideways ({wide})")
        for violation in axe_violations(page):
            problems.append(
                f"{label} at {size['width']} px: " + json.dumps(violation, ensure_ascii=False)
            )
    page.set_viewport_size(DESKTOP)


def _console_problems(page, label: str, seen: int) -> list[str]:
    """Console errors since the page was opened, apart from the page's own error status."""
    problems = []
    for message in page.console_messages[seen:]:
        source = message.location.get("url")
        if message.text.startswith("Failed to load resource") and (
            source == page.url or urlsplit(source).path == "/favicon.ico"
        ):
            # An error page's own status, or the admin's pages asking for a default icon.
            continue
        problems.append(f"{label}: console error {message.text!r} at {message.location}")
    return problems


def _visit_all(page, world: World, visits: list[Visit], language: str) -> list[str]:
    problems: list[str] = []
    for visit in visits:
        label = f"{visit.label} ({language})"
        seen = len(page.console_messages)
        page.set_viewport_size(DESKTOP)
        response = page.goto(visit.path(world))
        if visit.act is not None:
            response = visit.act(page, world) or response
        assert response.status == visit.status, f"{label}: status {response.status}"
        assert page.locator("html").get_attribute("lang") == language, label
        assert page.evaluate(FIRST_FOCUSABLE_IS_A_SKIP_LINK), f"{label}: no skip link first"
        if visit.name is not None:
            assert resolve(urlsplit(page.url).path).view_name == visit.name, label
        expect = visit.expect or (ERROR_STATE if visit.act is not None else "")
        if expect:
            assert page.locator(expect).count() > 0, f"{label}: the state did not show ({expect})"
        _scan_both_widths(page, label, problems)
        problems += _console_problems(page, label, seen)
    return problems


def _switch_to_english(page) -> None:
    page.goto(reverse("accessibility"))
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"


def _check_role(browser, live_server, world: World, visits: list[Visit], user=None) -> None:
    page = open_page(browser, live_server.url)
    try:
        if user is not None:
            sign_in(page, user.username, TEST_PASSWORD)
        problems = _visit_all(page, world, visits, "sv")
        _switch_to_english(page)
        problems += _visit_all(page, world, visits, "en")
    finally:
        page.context.close()
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)


@pytest.fixture
def world(seved, staff_seved, lead_seved, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return _build_world(seved, staff_seved, lead_seved)


def test_public_pages_pass_axe_in_both_languages_and_widths(browser, live_server, world):
    _check_role(browser, live_server, world, ANONYMOUS)


def test_staff_pages_pass_axe_in_both_languages_and_widths(
    browser, live_server, world, staff_seved
):
    _check_role(browser, live_server, world, STAFF, staff_seved)


def test_lead_pages_pass_axe_in_both_languages_and_widths(browser, live_server, world, lead_seved):
    _check_role(browser, live_server, world, LEAD, lead_seved)


def test_official_pages_pass_axe_in_both_languages_and_widths(
    browser, live_server, world, official
):
    _check_role(browser, live_server, world, OFFICIAL, official)


def test_a_newcomers_empty_start_page_passes_axe_in_both_languages_and_widths(
    browser, live_server, world, make_user
):
    newcomer = make_user("newcomer-a11y", area=world.empty_area)
    _check_role(browser, live_server, world, NEWCOMER, newcomer)


def test_admin_start_page_passes_axe_in_both_languages_and_widths(
    browser, live_server, world, portal_admin
):
    _check_role(browser, live_server, world, ADMIN, portal_admin)


def test_the_error_page_for_server_faults_passes_axe(browser, live_server):
    """The 500 page has no URL: the live server's pages are answered with what Django sends."""
    handler = get_resolver().resolve_error_handler(500)
    html = handler(RequestFactory().get("/")).content
    page = open_page(browser, live_server.url)
    try:
        page.route(
            "**/broken/",
            lambda route: route.fulfill(status=500, body=html, content_type="text/html"),
        )
        page.goto("/broken/")
        assert page.locator("html").get_attribute("lang") == "sv"
        assert page.evaluate(FIRST_FOCUSABLE_IS_A_SKIP_LINK)
        problems: list[str] = []
        _scan_both_widths(page, "500 page", problems)
        problems += _console_problems(page, "500 page", 0)
    finally:
        page.context.close()
    assert not problems, "\n".join(problems)


def test_the_accessibility_statement_is_public_and_linked_from_every_layout(
    browser, live_server, world
):
    page = open_page(browser, live_server.url)
    try:
        for start in (reverse("login"), _share_path(world)):
            page.goto(start)
            page.locator("footer").get_by_role("link", name="Tillgänglighetsredogörelse").click()
            page.wait_for_load_state()
            assert urlsplit(page.url).path == reverse("accessibility"), start
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Tillgänglighetsredogörelse för Malmö stads pilotportal"
        )
        assert (
            page.get_by_role("link", name="Anmäl bristande tillgänglighet till Digg").get_attribute(
                "href"
            )
            == "https://www.digg.se/tdosanmalan"
        )
        screenshot(page, "accessibility-statement-sv")
        page.set_viewport_size(PHONE)
        screenshot(page, "accessibility-statement-narrow-sv")
        page.set_viewport_size(DESKTOP)
        _switch_to_english(page)
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Accessibility statement for the Malmö Pilot Portal"
        )
        screenshot(page, "accessibility-statement-en")
        page.set_viewport_size(PHONE)
        screenshot(page, "accessibility-statement-narrow-en")
    finally:
        page.context.close()


def test_the_statement_is_served_without_login_and_only_read(client):
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{DIGG_REPORT_URL}"' in html
    assert f'<time datetime="{ASSESSED_ON.isoformat()}">' in html
    assert f'<time datetime="{UPDATED_ON.isoformat()}">' in html
    assert client.post(reverse("accessibility")).status_code == 405
