"""Who belongs where: a user's area roles and portal-wide groups, looked up once per request."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from areas.models import Membership

OFFICIALS_GROUP = "City officials"
ADMINS_GROUP = "Portal admins"

_CACHE_ATTRIBUTE = "_portal_area_roles"
_GROUPS_ATTRIBUTE = "_portal_group_names"


def area_roles(user: AbstractBaseUser | AnonymousUser) -> dict[int, str]:
    """Map of area id to role ("staff" or "lead") for the user, cached on the user object."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = dict(Membership.objects.filter(user=user).values_list("area_id", "role"))
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def group_names(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _GROUPS_ATTRIBUTE, None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, _GROUPS_ATTRIBUTE, cached)
    return cached


def is_member(user: AbstractBaseUser | AnonymousUser, area_id: int) -> bool:
    return area_id in area_roles(user)


def is_lead(user: AbstractBaseUser | AnonymousUser, area_id: int) -> bool:
    return area_roles(user).get(area_id) == Membership.Role.LEAD


def is_official(user: AbstractBaseUser | AnonymousUser) -> bool:
    return OFFICIALS_GROUP in group_names(user)


def is_portal_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and (user.is_superuser or ADMINS_GROUP in group_names(user))
