import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from areas.roles import ADMINS_GROUP
from pilots.apps import grant_portal_admin_permissions

pytestmark = pytest.mark.django_db


def _codenames(group: Group) -> set[str]:
    return set(group.permissions.values_list("codename", flat=True))


def test_portal_admins_hold_permissions_of_models_added_after_the_first_grant():
    # EvidenceRecord came in a later migration than the one that first filled the group.
    codenames = _codenames(Group.objects.get(name=ADMINS_GROUP))
    assert {f"{action}_evidencerecord" for action in ("add", "change", "delete", "view")} <= (
        codenames
    )


def test_every_portal_model_permission_is_granted_and_no_group_administration():
    group = Group.objects.get(name=ADMINS_GROUP)
    portal = Permission.objects.filter(content_type__app_label__in=["areas", "pilots"])
    assert portal.exists()
    assert set(portal.values_list("codename", flat=True)) <= _codenames(group)
    assert not group.permissions.filter(codename__in=["change_group", "add_permission"]).exists()


def test_the_grant_after_migrate_restores_a_removed_permission():
    group = Group.objects.get(name=ADMINS_GROUP)
    group.permissions.remove(Permission.objects.get(codename="change_measurement"))
    grant_portal_admin_permissions(apps=apps, using="default")
    assert "change_measurement" in _codenames(group)


def test_the_grant_does_nothing_without_the_group():
    Group.objects.filter(name=ADMINS_GROUP).delete()
    grant_portal_admin_permissions(apps=apps, using="default")
    assert not Group.objects.filter(name=ADMINS_GROUP).exists()


def test_the_grant_also_runs_when_a_flush_sends_the_signal_without_apps():
    group = Group.objects.get(name=ADMINS_GROUP)
    group.permissions.remove(Permission.objects.get(codename="view_area"))
    grant_portal_admin_permissions(using="default")
    assert "view_area" in _codenames(group)
