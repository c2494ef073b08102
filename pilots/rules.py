"""The one place that answers "may this user view / edit / decide on this pilot".

Views ask through ``user.has_perm("pilots.<name>", pilot)`` or the helpers below. The names
avoid Django's model permissions (view_, add_, change_, delete_), which the admin asks for:
an area member must not reach the admin's pilot pages through a rule meant for the portal.

Everyone signed in reads every pilot (transparency across areas is the point); area staff edit
their area's pilots; area leads also decide on stages, evidence and archiving; members adapt a
pilot into another active area of theirs. Officials only read. Portal admins work in the Django
admin. Superusers pass every check (Django's model backend answers yes for them).
"""

from __future__ import annotations

import rules
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from areas import roles
from areas.models import Area
from pilots.models import Pilot


def adapt_target_areas(user: AbstractBaseUser | AnonymousUser, pilot: Pilot) -> QuerySet[Area]:
    """The areas the user may adapt the pilot into: their active areas other than its own.

    In the pilot's own area a new try is a stage decision ("iterate") on the same pilot, not a
    second pilot. The adapt permission, the link to the page and the page's form all use this.
    """
    areas = Area.objects.active().exclude(pk=pilot.area_id)
    if user.is_superuser:
        return areas
    return areas.filter(pk__in=roles.area_roles(user))


@rules.predicate
def is_member_of_pilot_area(user: AbstractBaseUser | AnonymousUser, pilot: Pilot | None) -> bool:
    return pilot is not None and roles.is_member(user, pilot.area_id)


@rules.predicate
def is_lead_of_pilot_area(user: AbstractBaseUser | AnonymousUser, pilot: Pilot | None) -> bool:
    return pilot is not None and roles.is_lead(user, pilot.area_id)


@rules.predicate
def is_area_member_anywhere(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(roles.area_roles(user))


@rules.predicate
def has_area_to_adapt_into(user: AbstractBaseUser | AnonymousUser, pilot: Pilot | None) -> bool:
    if pilot is None:
        return False
    if not set(roles.area_roles(user)) - {pilot.area_id}:
        return False  # nowhere else to go, known from the cached memberships: no query
    return adapt_target_areas(user, pilot).exists()


@rules.predicate
def pilot_is_not_archived(user: AbstractBaseUser | AnonymousUser, pilot: Pilot | None) -> bool:
    return pilot is None or pilot.archived_at is None


rules.add_perm("pilots.read_pilot", rules.is_authenticated)
rules.add_perm("pilots.create_pilot", rules.is_authenticated & is_area_member_anywhere)
rules.add_perm("pilots.edit_pilot", is_member_of_pilot_area & pilot_is_not_archived)
rules.add_perm("pilots.adapt_pilot", has_area_to_adapt_into)
rules.add_perm("pilots.share_pilot", is_member_of_pilot_area)
rules.add_perm("pilots.decide_pilot", is_lead_of_pilot_area & pilot_is_not_archived)
rules.add_perm("pilots.archive_pilot", is_lead_of_pilot_area)


def can_view(user: AbstractBaseUser | AnonymousUser, pilot: Pilot) -> bool:
    return user.has_perm("pilots.read_pilot", pilot)


def can_edit(user: AbstractBaseUser | AnonymousUser, pilot: Pilot) -> bool:
    return user.has_perm("pilots.edit_pilot", pilot)


def can_decide(user: AbstractBaseUser | AnonymousUser, pilot: Pilot) -> bool:
    return user.has_perm("pilots.decide_pilot", pilot)
