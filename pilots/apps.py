from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# The apps whose data portal admins manage in the Django admin.
ADMIN_MANAGED_APPS = ("areas", "pilots")
# Admins manage accounts too, but never other groups' permissions.
ADMIN_AUTH_CODENAMES = ("add_user", "change_user", "view_user", "view_group")


def grant_portal_admin_permissions(*, using: str, apps: Apps = global_apps, **kwargs: Any) -> None:
    """Give the "Portal admins" group every permission on the portal's models.

    Runs after every migrate, so a model added later is covered too: a one-off data migration
    would cover only the models that existed when it ran. A database flush (as in
    transactional tests) sends the signal without the migration state's apps.
    """
    from areas.roles import ADMINS_GROUP  # models cannot be imported before apps are ready

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.using(using).filter(name=ADMINS_GROUP).first()
    if group is None:  # created by areas' reference-data migration; absent when unmigrated
        return
    permissions = Permission.objects.using(using).filter(
        content_type__app_label__in=ADMIN_MANAGED_APPS
    ) | Permission.objects.using(using).filter(
        content_type__app_label="auth", codename__in=ADMIN_AUTH_CODENAMES
    )
    group.permissions.add(*permissions)


class PilotsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pilots"
    verbose_name = _("Pilots")

    def ready(self) -> None:
        # After auth's own handler, which creates the new models' permissions first.
        post_migrate.connect(grant_portal_admin_permissions, sender=self)
