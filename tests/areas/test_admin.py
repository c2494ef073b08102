"""The admin for areas, statistics, memberships and users."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from areas.models import Area, AreaStatistic, Membership, StatisticKind

pytestmark = pytest.mark.django_db

User = get_user_model()
_serial = itertools.count(1)


def _user() -> Model:
    return User.objects.create_user(username=f"admin-test-user-{next(_serial)}")


def _area() -> Area:
    n = next(_serial)
    return Area.objects.create(name=f"Testområde {n}", slug=f"testomrade-{n}")


def _kind() -> StatisticKind:
    n = next(_serial)
    return StatisticKind.objects.create(code=f"test-kind-{n}", name=f"Testmått {n}")


def _statistic() -> AreaStatistic:
    return AreaStatistic.objects.create(
        area=_area(), kind=_kind(), year=2024, value=Decimal("41.5"), source="SCB"
    )


def _membership() -> Membership:
    return Membership.objects.create(user=_user(), area=_area(), role=Membership.Role.LEAD)


BUILDERS = {
    Area: _area,
    StatisticKind: _kind,
    AreaStatistic: _statistic,
    Membership: _membership,
    User: _user,
}

# Every model the areas app registers, plus the user admin it replaces.
REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "areas" or model is User),
    key=lambda model: model._meta.label,
)


@pytest.fixture
def superuser(django_user_model: type[Model]) -> Model:
    return django_user_model.objects.create_superuser(
        username="superuser", email="superuser@example.test", password="not-used-by-force-login"
    )


@pytest.fixture
def admin_site_client(client: Client, superuser: Model) -> Client:
    # force_login, not login: django-axes needs a request to authenticate with a password.
    client.force_login(superuser)
    return client


def _url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_superuser_opens_every_admin_page_of_each_registered_model(
    admin_site_client: Client, model: type[Model]
) -> None:
    obj = BUILDERS[model]()

    changelist = admin_site_client.get(_url(model, "changelist"))
    assert changelist.status_code == 200
    assert obj.pk in {row.pk for row in changelist.context["cl"].result_list}

    assert admin_site_client.get(_url(model, "add")).status_code == 200

    change = admin_site_client.get(_url(model, "change", obj.pk))
    assert change.status_code == 200
    assert change.context["original"] == obj

    assert admin_site_client.get(_url(model, "history", obj.pk)).status_code == 200
    assert admin_site_client.get(_url(model, "delete", obj.pk)).status_code == 200


def test_user_changelist_lists_each_users_areas_and_roles(admin_site_client: Client) -> None:
    membership = _membership()
    Membership.objects.create(user=membership.user, area=_area(), role=Membership.Role.STAFF)

    response = admin_site_client.get(_url(User, "changelist"), {"q": membership.user.username})

    (row,) = response.context["cl"].result_list
    areas = response.context["cl"].model_admin.area_list(row)
    for m in Membership.objects.filter(user=membership.user).select_related("area"):
        assert f"{m.area.name} ({m.get_role_display()})" in areas
    assert membership.area.name in response.content.decode()


def test_user_changelist_query_count_does_not_grow_with_users(
    admin_site_client: Client,
) -> None:
    url = _url(User, "changelist")
    admin_site_client.get(url)  # warm per-process caches so both counts measure the same work
    for _ in range(2):
        _membership()
    few = _queries_for(admin_site_client, url)
    for _ in range(20):
        _membership()

    many = _queries_for(admin_site_client, url)

    assert admin_site_client.get(url).context["cl"].result_count == 23  # 22 members + superuser
    assert few == many


def test_area_statistic_changelist_query_count_does_not_grow_with_rows(
    admin_site_client: Client,
) -> None:
    url = _url(AreaStatistic, "changelist")
    admin_site_client.get(url)
    for _ in range(2):
        _statistic()
    few = _queries_for(admin_site_client, url)
    for _ in range(20):
        _statistic()

    many = _queries_for(admin_site_client, url)

    assert admin_site_client.get(url).context["cl"].result_count == 22
    assert few == many


def test_area_page_adds_a_member_through_the_membership_inline(
    admin_site_client: Client,
) -> None:
    area = _area()
    member = _user()
    data = {
        "name": area.name,
        "slug": area.slug,
        "municipality": area.municipality,
        "district": "",
        "is_active": "on",
        "description": "",
        "population": "",
        "regso_code": "",
        "colour": area.colour,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-user": str(member.pk),
        "memberships-0-role": Membership.Role.LEAD,
        "statistics-TOTAL_FORMS": "0",
        "statistics-INITIAL_FORMS": "0",
    }

    response = admin_site_client.post(_url(Area, "change", area.pk), data)

    assert response.status_code == 302
    assert Membership.objects.get(area=area, user=member).role == Membership.Role.LEAD


def test_area_page_refuses_a_second_membership_for_the_same_user_with_a_message(
    admin_site_client: Client,
) -> None:
    existing = _membership()
    area = existing.area
    # Posted from a page opened before the first membership was added.
    data = {
        "name": area.name,
        "slug": area.slug,
        "municipality": area.municipality,
        "colour": area.colour,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-user": str(existing.user_id),
        "memberships-0-role": Membership.Role.STAFF,
        "statistics-TOTAL_FORMS": "0",
        "statistics-INITIAL_FORMS": "0",
    }

    response = admin_site_client.post(_url(Area, "change", area.pk), data)

    assert response.status_code == 200
    memberships = response.context["inline_admin_formsets"][0].formset
    (error,) = memberships.forms[0].non_field_errors()
    assert error in response.content.decode()
    assert Membership.objects.get(area=area).role == Membership.Role.LEAD


def test_area_slug_must_be_unique_in_the_admin(admin_site_client: Client) -> None:
    existing = _area()
    data = {
        "name": "Ett till område",
        "slug": existing.slug,
        "municipality": "Malmö",
        "colour": "#123456",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "statistics-TOTAL_FORMS": "0",
        "statistics-INITIAL_FORMS": "0",
    }

    response = admin_site_client.post(_url(Area, "add"), data)

    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert not Area.objects.filter(name="Ett till område").exists()


@pytest.mark.django_db
def test_a_portal_admin_cannot_make_anyone_superuser_or_a_portal_admin(client, portal_admin):
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 16)
    client.force_login(portal_admin)
    own_page = reverse("admin:auth_user_change", args=[portal_admin.pk])

    form = client.get(own_page).context["adminform"].form
    assert "is_superuser" not in form.fields
    assert list(form.fields["groups"].queryset.values_list("name", flat=True)) == ["City officials"]
    client.post(own_page, {"username": portal_admin.username, "is_superuser": "on"})
    portal_admin.refresh_from_db()
    assert not portal_admin.is_superuser
    response = client.post(
        reverse("admin:auth_user_change", args=[superuser.pk]),
        {"username": "taken-over", "email": "x@example.org"},
    )
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.username == "root"
    response = client.post(
        reverse("admin:auth_user_password_change", args=[superuser.pk]),
        {"password1": "n" * 20, "password2": "n" * 20},
    )
    assert response.status_code in (302, 403)
    superuser.refresh_from_db()
    assert superuser.check_password("x" * 16)
