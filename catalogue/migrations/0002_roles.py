from django.db import migrations

from catalogue.roles import APPROVER_PERMISSIONS, APPROVERS, EDITOR_PERMISSIONS, EDITORS, grant


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
