"""The permission module: who may view, edit, decide on, adapt and share a pilot."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from areas.models import Area, Membership
from pilots import rules as pilot_rules
from tests.factories import AreaFactory, PilotFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot(seved):
    return PilotFactory(area=seved)


@pytest.fixture
def staff_lindangen(make_user, lindangen):
    return make_user("staff-lindangen", area=lindangen)


@pytest.mark.parametrize(
    ("who", "view", "edit", "decide", "share"),
    [
        ("staff_seved", True, True, False, True),
        ("lead_seved", True, True, True, True),
        ("staff_lindangen", True, False, False, False),
        ("official", True, False, False, False),
    ],
)
def test_roles_answer_view_edit_decide_and_share(request, pilot, who, view, edit, decide, share):
    user = request.getfixturevalue(who)
    assert pilot_rules.can_view(user, pilot) is view
    assert pilot_rules.can_edit(user, pilot) is edit
    assert pilot_rules.can_decide(user, pilot) is decide
    assert user.has_perm("pilots.share_pilot", pilot) is share


def test_anonymous_users_may_do_nothing(pilot):
    anonymous = AnonymousUser()
    assert not pilot_rules.can_view(anonymous, pilot)
    assert not pilot_rules.can_edit(anonymous, pilot)


def test_archived_pilots_are_read_only_even_for_their_lead(lead_seved, seved):
    archived = PilotFactory(area=seved, archived_at=timezone.now())
    assert pilot_rules.can_view(lead_seved, archived)
    assert not pilot_rules.can_edit(lead_seved, archived)
    assert not pilot_rules.can_decide(lead_seved, archived)


def test_only_area_members_may_create_pilots(staff_seved, official):
    assert staff_seved.has_perm("pilots.create_pilot")
    assert not official.has_perm("pilots.create_pilot")


def test_members_may_adapt_a_pilot_only_when_they_have_another_area_to_adapt_it_into(
    staff_seved, lead_seved, staff_lindangen, official, make_user, seved, lindangen, pilot
):
    both = make_user("staff-both", area=seved)
    Membership.objects.create(user=both, area=lindangen)

    assert not staff_seved.has_perm("pilots.adapt_pilot", pilot), "Seved is the pilot's area"
    assert not lead_seved.has_perm("pilots.adapt_pilot", pilot)
    assert staff_lindangen.has_perm("pilots.adapt_pilot", pilot)
    assert both.has_perm("pilots.adapt_pilot", pilot)
    assert not official.has_perm("pilots.adapt_pilot", pilot)
    assert list(pilot_rules.adapt_target_areas(both, pilot)) == [lindangen]


def test_an_inactive_area_is_no_area_to_adapt_into(make_user, seved, pilot):
    closed = AreaFactory(slug="closed-area", is_active=False)
    user = make_user("staff-closed", area=closed)
    Membership.objects.create(user=user, area=seved)

    assert not user.has_perm("pilots.adapt_pilot", pilot)
    assert not pilot_rules.adapt_target_areas(user, pilot).exists()


def test_superusers_may_adapt_into_every_active_area_but_the_pilots_own(seved, pilot):
    superuser = UserFactory(is_superuser=True)
    closed = AreaFactory(slug="closed-area", is_active=False)

    areas = set(pilot_rules.adapt_target_areas(superuser, pilot))

    assert superuser.has_perm("pilots.adapt_pilot", pilot)
    assert areas == set(Area.objects.filter(is_active=True).exclude(pk=seved.pk))
    assert seved not in areas
    assert closed not in areas


def test_refusing_members_of_the_pilots_area_only_needs_no_query_beyond_the_memberships(
    staff_seved, seved, django_assert_num_queries
):
    pilots = PilotFactory.create_batch(5, area=seved)
    with django_assert_num_queries(1):
        for pilot in pilots:
            assert not staff_seved.has_perm("pilots.adapt_pilot", pilot)


def test_memberships_are_looked_up_once_per_user_object(
    staff_seved, seved, django_assert_num_queries
):
    pilots = PilotFactory.create_batch(5, area=seved)
    with django_assert_num_queries(1):
        for pilot in pilots:
            pilot_rules.can_edit(staff_seved, pilot)


def test_area_rules_do_not_open_the_admin_to_staff_users_without_model_permissions(
    client, staff_seved
):
    staff_seved.is_staff = True
    staff_seved.save()
    client.force_login(staff_seved)
    assert client.get("/admin/pilots/pilot/").status_code == 403
    assert client.get("/admin/pilots/pilot/add/").status_code == 403
