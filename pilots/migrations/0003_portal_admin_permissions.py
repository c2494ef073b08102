"""Give the "Portal admins" group the permissions to manage the portal's data in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APP_LABELS = ["areas", "pilots"]
# Admins manage accounts and memberships too, but never other groups' permissions.
AUTH_CODENAMES = ["add_user", "change_user", "view_user", "view_group"]


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Portal admins")
    permissions = Permission.objects.filter(content_type__app_label__in=APP_LABELS) | (
        Permission.objects.filter(content_type__app_label="auth", codename__in=AUTH_CODENAMES)
    )
    group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("pilots", "0002_seed_reference_data"),
        ("areas", "0002_seed_reference_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
