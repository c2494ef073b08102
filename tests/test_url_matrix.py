"""Every URL of the portal, for every role, by GET and by POST: who gets in and who is refused.

The URLs are read from the URL configuration, so a page added without a row below fails
``test_every_url_has_a_row_and_every_row_a_url``. The expected answers are written out as data
from the users table in DESIGN.md, never computed from the permission code they check.

An empty POST is enough to tell access apart: a 200 with form errors means "let in". The world
the URLs need is built once for this module and rolled back at its end; each test runs in its
own savepoint, so a POST that deletes or revokes something leaves the next test untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin as django_admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from areas.models import Area, Membership
from areas.roles import ADMINS_GROUP, OFFICIALS_GROUP
from tests.factories import (
    AreaStatisticFactory,
    AttachmentFactory,
    IndicatorFactory,
    MeasurementFactory,
    PartnerFactory,
    PilotFactory,
    PilotUpdateFactory,
    ShareLinkFactory,
    ThemeFactory,
    UserFactory,
)

ROLES = (
    "anonymous",
    "staff_other_area",  # staff in Lindängen; the pilot is in Seved
    "staff",  # staff in Seved
    "lead",  # lead in Seved
    "official",
    "portal_admin",  # in the "Portal admins" group, admin access, no area
    "superuser",
)
METHODS = ("GET", "POST")

# Answers other than a plain status code.
LOGIN = "login"  # 302 to the portal's sign-in page, coming back here afterwards
ADMIN_LOGIN = "admin login"  # 302 to the admin's sign-in page, coming back here afterwards

Answer = int | str
Answers = dict[str, Answer]  # role → answer


# The world ------------------------------------------------------------------------------------


@dataclass
class World:
    """One pilot in Seved with one of everything, a user per role, and an object per admin."""

    users: dict[str, object]
    seved: Area
    pilot: object
    indicator: object
    measurement: object
    attachment: object
    share_link: object
    admin_objects: dict[str, models.Model] = field(default_factory=dict)


def build_world() -> World:
    seved = Area.objects.get_or_create(slug="seved", defaults={"name": "Seved"})[0]
    lindangen = Area.objects.get_or_create(slug="lindangen", defaults={"name": "Lindängen"})[0]
    officials = Group.objects.get_or_create(name=OFFICIALS_GROUP)[0]
    admins = Group.objects.get_or_create(name=ADMINS_GROUP)[0]

    staff = UserFactory(username="matrix-staff-seved")
    staff_membership = Membership.objects.create(user=staff, area=seved)
    other = UserFactory(username="matrix-staff-lindangen")
    Membership.objects.create(user=other, area=lindangen)
    lead = UserFactory(username="matrix-lead-seved")
    Membership.objects.create(user=lead, area=seved, role=Membership.Role.LEAD)
    official = UserFactory(username="matrix-official")
    official.groups.add(officials)
    portal_admin = UserFactory(username="matrix-portal-admin", is_staff=True)
    portal_admin.groups.add(admins)
    superuser = UserFactory(username="matrix-superuser", is_staff=True, is_superuser=True)

    seved.save()  # made by a data migration, which records no version in its history
    pilot = PilotFactory(area=seved, lead=lead)
    indicator = IndicatorFactory(pilot=pilot)
    measurement = MeasurementFactory(indicator=indicator)
    attachment = AttachmentFactory(pilot=pilot, is_public=True, uploaded_by=staff)
    share_link = ShareLinkFactory(pilot=pilot, created_by=staff)
    statistic = AreaStatisticFactory(area=seved)
    axes_fields = {
        "username": "someone",
        "ip_address": "192.0.2.10",
        "user_agent": "test",
        "http_accept": "text/html",
        "path_info": "/accounts/login/",
    }
    return World(
        users={
            "anonymous": None,
            "staff_other_area": other,
            "staff": staff,
            "lead": lead,
            "official": official,
            "portal_admin": portal_admin,
            "superuser": superuser,
        },
        seved=seved,
        pilot=pilot,
        indicator=indicator,
        measurement=measurement,
        attachment=attachment,
        share_link=share_link,
        admin_objects={
            "areas.area": seved,
            "areas.statistickind": statistic.kind,
            "areas.areastatistic": statistic,
            "areas.membership": staff_membership,
            # A superuser: the account a portal admin must not be able to change.
            "auth.user": superuser,
            "auth.group": admins,
            "pilots.theme": ThemeFactory(),
            "pilots.partner": PartnerFactory(),
            "pilots.pilot": pilot,
            "pilots.indicatordefinition": indicator.definition,
            "pilots.indicator": indicator,
            "pilots.measurement": measurement,
            "pilots.pilotupdate": PilotUpdateFactory(pilot=pilot, author=staff),
            "pilots.attachment": attachment,
            "pilots.sharelink": share_link,
            "axes.accessattempt": AccessAttempt.objects.create(
                get_data="", post_data="", failures_since_start=1, **axes_fields
            ),
            "axes.accesslog": AccessLog.objects.create(**axes_fields),
            "axes.accessfailurelog": AccessFailureLog.objects.create(**axes_fields),
        },
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# Answers by role ------------------------------------------------------------------------------

PILOT_AREA = {"staff", "lead", "superuser"}  # edit, share: members of the pilot's area
PILOT_LEADS = {"lead", "superuser"}  # stage, evidence, archive: leads of the pilot's area
AREA_MEMBERS = {"staff_other_area", "staff", "lead", "superuser"}  # create
# Adapt: members with an area other than the pilot's to adapt it into. Staff and lead of Seved
# belong to the pilot's area only; in their own area a new try is a stage decision.
OTHER_AREA = {"staff_other_area", "superuser"}
ADMIN_STAFF = {"portal_admin", "superuser"}


def everyone(answer: Answer) -> Answers:
    return dict.fromkeys(ROLES, answer)


def signed_in(answer: Answer) -> Answers:
    return everyone(answer) | {"anonymous": LOGIN}


def only(allowed: set[str], answer: Answer = 200) -> Answers:
    """The allowed roles get ``answer``; other signed-in users 403; anonymous the login."""
    return {
        role: LOGIN if role == "anonymous" else answer if role in allowed else 403 for role in ROLES
    }


def admin(portal_admin: Answer, superuser: Answer | None = None) -> Answers:
    """A model's admin page: the admin's sign-in for users without admin access.

    Anonymous users meet the portal's sign-in first (LoginRequiredMiddleware); Django marks
    only the admin site's own pages, not the models' pages, with the admin's sign-in URL.
    """
    return signed_in(ADMIN_LOGIN) | {
        "portal_admin": portal_admin,
        "superuser": portal_admin if superuser is None else superuser,
    }


def admin_site(portal_admin: Answer, superuser: Answer | None = None) -> Answers:
    """One of the admin site's own pages: the admin's sign-in for anonymous users too."""
    return admin(portal_admin, superuser) | {"anonymous": ADMIN_LOGIN}


@dataclass(frozen=True)
class Row:
    """How to reach one URL pattern and what each role gets there by GET and by POST."""

    get: Answers
    post: Answers
    url: Callable[[str, World], str]


def plain(name: str, world: World) -> str:
    return reverse(name)


def of_pilot(name: str, world: World) -> str:
    return reverse(name, args=[world.pilot.slug])


def of_indicator(name: str, world: World) -> str:
    return reverse(name, args=[world.pilot.slug, world.indicator.pk])


def of_measurement(name: str, world: World) -> str:
    return reverse(name, args=[world.pilot.slug, world.measurement.pk])


def reverse_with(*args: Callable[[World], object]) -> Callable[[str, World], str]:
    return lambda name, world: reverse(name, args=[arg(world) for arg in args])


# GET-only pages every signed-in user reads. Anonymous users are sent to sign in whatever the
# method: LoginRequiredMiddleware answers before the view's method check runs.
READ = (signed_in(200), signed_in(405))
PUBLIC_READ = (everyone(200), everyone(405))

PORTAL: dict[str, Row] = {
    "home": Row(*READ, plain),
    "areas:list": Row(*READ, plain),
    "areas:detail": Row(*READ, reverse_with(lambda w: w.seved.slug)),
    "pilots:list": Row(*READ, plain),
    "pilots:create": Row(only(AREA_MEMBERS), only(AREA_MEMBERS), plain),
    "pilots:export-csv": Row(*READ, plain),
    "pilots:export-xlsx": Row(*READ, plain),
    "pilots:detail": Row(*READ, of_pilot),
    "pilots:edit": Row(only(PILOT_AREA), only(PILOT_AREA), of_pilot),
    "pilots:archive": Row(only(PILOT_LEADS), only(PILOT_LEADS), of_pilot),
    "pilots:indicator-create": Row(only(PILOT_AREA), only(PILOT_AREA), of_pilot),
    "pilots:indicator-edit": Row(only(PILOT_AREA), only(PILOT_AREA), of_indicator),
    "pilots:indicator-delete": Row(only(PILOT_AREA), only(PILOT_AREA, 302), of_indicator),
    "pilots:measurement-create": Row(only(PILOT_AREA), only(PILOT_AREA), of_indicator),
    "pilots:measurement-edit": Row(only(PILOT_AREA), only(PILOT_AREA), of_measurement),
    "pilots:measurement-delete": Row(only(PILOT_AREA), only(PILOT_AREA, 302), of_measurement),
    "pilots:import": Row(only(PILOT_AREA), only(PILOT_AREA), of_pilot),
    # Without a previewed import both methods send the user back to the upload page.
    "pilots:import-confirm": Row(only(PILOT_AREA, 302), only(PILOT_AREA, 302), of_pilot),
    "pilots:update-create": Row(only(PILOT_AREA), only(PILOT_AREA), of_pilot),
    "pilots:attachment-create": Row(only(PILOT_AREA), only(PILOT_AREA), of_pilot),
    "pilots:attachment-download": Row(
        *READ, reverse_with(lambda w: w.pilot.slug, lambda w: w.attachment.pk)
    ),
    "pilots:history": Row(*READ, of_pilot),
    "pilots:stage": Row(only(PILOT_LEADS), only(PILOT_LEADS), of_pilot),
    "pilots:evidence": Row(only(PILOT_LEADS), only(PILOT_LEADS), of_pilot),
    "pilots:adapt": Row(only(OTHER_AREA), only(OTHER_AREA), of_pilot),
    "pilots:share": Row(only(PILOT_AREA), only(PILOT_AREA), of_pilot),
    "pilots:share-revoke": Row(
        only(PILOT_AREA),
        only(PILOT_AREA, 302),
        reverse_with(lambda w: w.pilot.slug, lambda w: w.share_link.pk),
    ),
    "pilots:card": Row(*READ, of_pilot),
    "dashboard": Row(*READ, plain),
    "dashboard-table-csv": Row(*READ, reverse_with(lambda w: "themes")),
    "compare": Row(*READ, plain),
    "library": Row(*READ, plain),
    "library-export-json": Row(*READ, plain),
    "library-export-csv": Row(*READ, plain),
    "share": Row(*PUBLIC_READ, reverse_with(lambda w: w.share_link.token)),
    "share-attachment": Row(
        *PUBLIC_READ, reverse_with(lambda w: w.share_link.token, lambda w: w.attachment.pk)
    ),
    "accessibility": Row(*PUBLIC_READ, plain),
    "set_language": Row(everyone(302), everyone(302), plain),
    "healthz-live": Row(*PUBLIC_READ, plain),
    "healthz-ready": Row(*PUBLIC_READ, plain),
    # django.contrib.auth
    "login": Row(everyone(200), everyone(200), plain),
    "logout": Row(signed_in(405), signed_in(302), plain),
    "password_change": Row(signed_in(200), signed_in(200), plain),
    "password_change_done": Row(signed_in(200), signed_in(405), plain),
    "password_reset": Row(everyone(200), everyone(200), plain),
    "password_reset_done": Row(everyone(200), everyone(405), plain),
    # A link that does not work: the page says so to everyone.
    "password_reset_confirm": Row(
        everyone(200),
        everyone(200),
        lambda name, w: reverse(name, args=["MQ", "not-a-token"]),
    ),
    "password_reset_complete": Row(everyone(200), everyone(405), plain),
}


# The Django admin -----------------------------------------------------------------------------

# What each role may do with each admin model's object in the world: v view, a add, c change,
# d delete. Anyone else is sent to the admin's sign-in. Per DESIGN.md, portal admins keep the
# areas, memberships, users, themes, partners and the pilots' data; they see the groups but do
# not change them, may not change a superuser, and have nothing to do with login lockouts.
ADMIN_MODELS: dict[str, tuple[str, str]] = {
    # model label: (portal admin's rights, superuser's rights)
    "areas.area": ("vacd", "vacd"),
    "areas.statistickind": ("vacd", "vacd"),
    "areas.areastatistic": ("vacd", "vacd"),
    "areas.membership": ("vacd", "vacd"),
    "auth.user": ("va", "vacd"),
    "auth.group": ("v", "vacd"),
    "pilots.theme": ("vacd", "vacd"),
    "pilots.partner": ("vacd", "vacd"),
    "pilots.pilot": ("vacd", "vacd"),
    "pilots.indicatordefinition": ("vacd", "vacd"),
    "pilots.indicator": ("vacd", "vacd"),
    "pilots.measurement": ("vacd", "vacd"),
    "pilots.pilotupdate": ("vacd", "vacd"),
    "pilots.attachment": ("vacd", "vacd"),
    "pilots.sharelink": ("vacd", "vacd"),
    # Lockouts are recorded by django-axes, never typed in.
    "axes.accessattempt": ("", "vcd"),
    "axes.accesslog": ("", "vcd"),
    "axes.accessfailurelog": ("", "vcd"),
}
# Models whose admin also shows and reverts old versions (django-simple-history).
WITH_VERSIONS = {
    "areas.area",
    "areas.membership",
    "pilots.pilot",
    "pilots.indicatordefinition",
    "pilots.indicator",
    "pilots.measurement",
}


# Their change form has no field to fill in, so an empty POST saves it unchanged.
NOTHING_TO_FILL_IN = {"axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}


def _by_right(rights: str, needed: str, allowed: int = 200) -> int:
    return allowed if set(rights) & set(needed) else 403


def admin_model_rows(label: str, portal_admin: str, superuser: str) -> dict[str, Row]:
    """The rows of one ModelAdmin's pages, by rule from the rights of the two admin roles."""
    app_label, model_name = label.split(".")
    prefix = f"admin:{app_label}_{model_name}"

    def answers(needed: str, allowed: int = 200) -> Answers:
        return admin(
            _by_right(portal_admin, needed, allowed), _by_right(superuser, needed, allowed)
        )

    def of_object(name: str, world: World) -> str:
        return reverse(name, args=[world.admin_objects[label].pk])

    def of_version(name: str, world: World) -> str:
        obj = world.admin_objects[label]
        return reverse(name, args=[obj.pk, obj.history.first().history_id])

    def bare_object(name: str, world: World) -> str:
        return f"/admin/{app_label}/{model_name}/{world.admin_objects[label].pk}/"

    rows = {
        f"{prefix}_changelist": Row(answers("vc"), answers("vc"), plain),
        f"{prefix}_add": Row(answers("a"), answers("a"), plain),
        f"{prefix}_change": Row(
            answers("vc"), answers("c", 302 if label in NOTHING_TO_FILL_IN else 200), of_object
        ),
        f"{prefix}_delete": Row(answers("d"), answers("d"), of_object),
        f"{prefix}_history": Row(answers("vc"), answers("vc"), of_object),
        # The object's bare address redirects to its change page, before any permission check.
        f"admin/{app_label}/{model_name}/<path:object_id>/": Row(
            admin(302), admin(302), bare_object
        ),
    }
    if label in WITH_VERSIONS:
        rows[f"{prefix}_simple_history"] = Row(answers("vc"), answers("c"), of_version)
    return rows


def view_on_site(name: str, world: World) -> str:
    content_type = ContentType.objects.get_for_model(world.pilot)
    return reverse(name, args=[content_type.pk, world.pilot.pk])


ADMIN_SITE: dict[str, Row] = {
    "admin:index": Row(admin_site(200), admin_site(200), plain),
    # Signed-in users without admin access see the sign-in form with a message.
    "admin:login": Row(everyone(200) | dict.fromkeys(ADMIN_STAFF, 302), everyone(200), plain),
    # Without admin access, logging out of the admin only sends the user to its index.
    "admin:logout": Row(
        signed_in(302) | dict.fromkeys(ADMIN_STAFF, 405) | {"anonymous": ADMIN_LOGIN},
        signed_in(302) | {"anonymous": ADMIN_LOGIN},
        plain,
    ),
    "admin:password_change": Row(admin_site(200), admin_site(200), plain),
    "admin:password_change_done": Row(admin_site(200), admin_site(405), plain),
    "admin:autocomplete": Row(
        admin_site(200),
        admin_site(405),
        lambda name, w: reverse(name) + "?app_label=areas&model_name=membership&field_name=area",
    ),
    "admin:jsi18n": Row(admin_site(200), admin_site(405), plain),
    "admin:view_on_site": Row(admin_site(302), admin_site(302), view_on_site),
    # Lockouts are none of a portal admin's business: the app is not there for them.
    "admin:app_list": Row(
        admin_site(404, 200), admin_site(404, 200), reverse_with(lambda w: "axes")
    ),
    "admin:auth_user_password_change": Row(
        admin(403, 200), admin(403, 200), reverse_with(lambda w: w.users["superuser"].pk)
    ),
    "admin/(?P<url>.*)$": Row(
        admin_site(404), admin_site(404), lambda name, w: "/admin/finns-inte/"
    ),
}

MATRIX: dict[str, Row] = PORTAL | ADMIN_SITE
for _label, (_portal_admin, _superuser) in ADMIN_MODELS.items():
    MATRIX |= admin_model_rows(_label, _portal_admin, _superuser)


# Discovery ------------------------------------------------------------------------------------


def discovered_urls() -> list[str]:
    """Every URL pattern in the URL configuration, by namespaced name, or by route if unnamed."""

    def walk(patterns: list, prefix: str, namespaces: tuple[str, ...]) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                yield from walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                yield ":".join((*namespaces, pattern.name)) if pattern.name else route

    return sorted(walk(get_resolver().url_patterns, "", ()))


def test_every_url_has_a_row_and_every_row_a_url():
    names = discovered_urls()
    # Two patterns under one name would share one row, and only one of them would be visited.
    assert [name for name in names if names.count(name) > 1] == []
    discovered = set(names)
    without_row = sorted(discovered - MATRIX.keys())
    without_url = sorted(MATRIX.keys() - discovered)
    assert without_row == [], f"URLs without a row in MATRIX: {without_row}"
    assert without_url == [], f"rows in MATRIX for URLs that do not exist: {without_url}"


def test_every_registered_admin_model_has_its_rights_written_down():
    registered = {model._meta.label_lower for model in django_admin.site._registry}
    assert registered == ADMIN_MODELS.keys()


# The matrix -----------------------------------------------------------------------------------


def check(response, answer: Answer, url: str) -> str | None:
    """What is wrong with the response, or None if it is the expected answer."""
    status = response.status_code
    location = response.get("Location", "")
    if answer in (LOGIN, ADMIN_LOGIN):
        sign_in = reverse("login") if answer == LOGIN else reverse("admin:login")
        target = urlsplit(location)
        back = parse_qs(target.query).get("next", [""])[0]
        if status == 302 and target.path == sign_in and back == url:
            return None
        return f"expected {answer}, got {status} {location}".strip()
    if status != answer:
        return f"expected {answer}, got {status} {location}".strip()
    if status == 302:
        back = parse_qs(urlsplit(location).query).get("next", [""])[0]
        if back == url:
            return f"expected a redirect, got a sign-in redirect to {location}"
    return None


@pytest.fixture(scope="module")
def module_client() -> Client:
    # One client for the module: each new client loads the middleware again, and WhiteNoise
    # then reads every static file, which costs more than the request itself.
    return Client()


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", discovered_urls())
def test_each_role_gets_the_expected_answer_at_each_url(module_client, world, name, role, method):
    if name not in MATRIX:
        pytest.fail(f"{name} is in the URL configuration but has no row in MATRIX")
    row = MATRIX[name]
    url = row.url(name, world)
    client = module_client
    client.cookies.clear()
    user = world.users[role]
    if user is not None:
        client.force_login(user)

    response = client.get(url) if method == "GET" else client.post(url)

    answer = (row.get if method == "GET" else row.post)[role]
    problem = check(response, answer, url)
    assert problem is None, f"{method} {url} as {role}: {problem}"
