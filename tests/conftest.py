"""Fixtures shared by every test: users in the portal's roles."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from areas.models import Area, Membership
from areas.roles import ADMINS_GROUP, OFFICIALS_GROUP
from tests.factories import TEST_PASSWORD, UserFactory

__all__ = ["TEST_PASSWORD"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Browser tests run last: they use transactional databases, which empty the tables that
    # data migrations filled, and the other tests may rely on those rows.
    items.sort(key=lambda item: "tests/e2e/" in item.nodeid)


@pytest.fixture
def make_user(db):
    def make(username: str, *, area: Area | None = None, role: str = "staff", groups=()):
        user = UserFactory(username=username)
        if area is not None:
            Membership.objects.create(user=user, area=area, role=role)
        for name in groups:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
        return user

    return make


@pytest.fixture
def seved(db) -> Area:
    return Area.objects.get_or_create(slug="seved", defaults={"name": "Seved"})[0]


@pytest.fixture
def lindangen(db) -> Area:
    return Area.objects.get_or_create(slug="lindangen", defaults={"name": "Lindängen"})[0]


@pytest.fixture
def staff_seved(make_user, seved):
    return make_user("staff-seved", area=seved)


@pytest.fixture
def lead_seved(make_user, seved):
    return make_user("lead-seved", area=seved, role=Membership.Role.LEAD)


@pytest.fixture
def official(make_user):
    return make_user("official", groups=[OFFICIALS_GROUP])


@pytest.fixture
def portal_admin(make_user):
    user = make_user("portal-admin", groups=[ADMINS_GROUP])
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def english(client):
    """Pages in English, as after pressing the language switch."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
