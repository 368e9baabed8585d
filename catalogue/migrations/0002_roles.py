from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here as catalogue.roles (now accounts.roles) had them when this migration was written,
# so that the migration means the same whatever that module becomes. Publishing's migrations
# 0002 and 0004 take the names and grant() from here.
EDITORS = "編輯"
APPROVERS = "核定"
EDITOR_PERMISSIONS = {
    "programme": ("add", "change", "delete", "view"),
    "scope": ("add", "change", "delete", "view"),
    "target": ("add", "change", "delete", "view"),
    "strategy": ("add", "change", "delete", "view"),
    "section": ("add", "change", "delete", "view"),
    "agency": ("add", "change", "view"),
    "bulletin": ("add", "change", "view"),
}
APPROVER_PERMISSIONS = {model: ("view",) for model in EDITOR_PERMISSIONS}


def grant(apps, group_name, app_label, perms):
    """Give group_name the permissions, creating the group and missing permissions as needed."""
    # Permissions are normally made after all migrations ran; make them now for this app.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    codenames = [f"{action}_{model}" for model, actions in perms.items() for action in actions]
    found = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    group.permissions.add(*found)


def create_roles(apps, schema_editor):
    grant(apps, EDITORS, "catalogue", EDITOR_PERMISSIONS)
    grant(apps, APPROVERS, "catalogue", APPROVER_PERMISSIONS)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITORS, APPROVERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
