import importlib

from django.db import migrations

# The role names and grant() as catalogue's migration 0002 froze them.
roles = importlib.import_module("catalogue.migrations.0002_roles")
EDITORS, APPROVERS, grant = roles.EDITORS, roles.APPROVERS, roles.grant

# Editors prepare editions; approvers see them and take the review steps. Which step a person may
# take is decided in publishing.services by group membership, not by these permissions.
EDITOR_PERMISSIONS = {"edition": ("add", "change", "view"), "editiontransition": ("view",)}
APPROVER_PERMISSIONS = {"edition": ("change", "view"), "editiontransition": ("view",)}


def grant_permissions(apps, schema_editor):
    grant(apps, EDITORS, "publishing", EDITOR_PERMISSIONS)
    grant(apps, APPROVERS, "publishing", APPROVER_PERMISSIONS)


def revoke_permissions(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    found = Permission.objects.filter(content_type__app_label="publishing")
    for group in Group.objects.filter(name__in=[EDITORS, APPROVERS]):
        group.permissions.remove(*found)


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0001_initial"),
        ("catalogue", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant_permissions, revoke_permissions)]
