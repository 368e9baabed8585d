"""The agency's two roles, as Django groups holding Django permissions.

Every check asks `user.has_perm`, never the group's name, so the agency can grant one right to
one person in the admin. The groups get their permissions in data migrations (catalogue 0002
for the catalogue, publishing 0002 and 0004 for editions), each with its own frozen copy of the
names, the permissions and `grant` as they stood then; bootstrap creates the sample users.
Neither group holds any permission on users or groups: only superusers manage accounts.
"""

from typing import Any

EDITORS = "編輯"
APPROVERS = "核定"

# Editors keep the catalogue: programmes and everything under them in full,
# agencies and bulletins without deleting them (other rows depend on them).
EDITOR_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "programme": ("add", "change", "delete", "view"),
    "scope": ("add", "change", "delete", "view"),
    "target": ("add", "change", "delete", "view"),
    "strategy": ("add", "change", "delete", "view"),
    "section": ("add", "change", "delete", "view"),
    "agency": ("add", "change", "view"),
    "bulletin": ("add", "change", "view"),
}
# Approvers read the catalogue; their own rights are on editions (publishing app).
APPROVER_PERMISSIONS: dict[str, tuple[str, ...]] = {
    model: ("view",) for model in EDITOR_PERMISSIONS
}


def grant(apps: Any, group_name: str, app_label: str, perms: dict[str, tuple[str, ...]]) -> None:
    """Give group_name the permissions, creating the group and missing permissions as needed."""
    from django.contrib.auth.management import create_permissions

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


# What a spreadsheet import may write, and delete when the editor allows it.
IMPORT_MODELS = ("programme", "scope", "target", "strategy", "section")


def import_permissions(*, allow_delete: bool) -> list[str]:
    """The permissions an import needs: add and change every row kind, delete when allowed."""
    actions = ("add", "change", "delete") if allow_delete else ("add", "change")
    return [f"catalogue.{action}_{model}" for model in IMPORT_MODELS for action in actions]


def can_import(user: Any, *, allow_delete: bool) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_perms(import_permissions(allow_delete=allow_delete))
    )
