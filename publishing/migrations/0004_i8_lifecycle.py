"""The life cycle declared in publishing/lifecycle.py: the edition permissions, the roles that
hold them, and the PostgreSQL triggers generated from the declaration.

The trigger SQL below is a frozen copy of lifecycle.trigger_sql() at this migration; a test
(tests/publishing/test_lifecycle.py) fails when the declaration and the last migration's SQL
part, so a change of the life cycle comes with a migration that installs it.
"""

import importlib

from django.db import migrations, models

# The role names and grant() as catalogue's migration 0002 froze them.
roles = importlib.import_module("catalogue.migrations.0002_roles")
EDITORS, APPROVERS, grant = roles.EDITORS, roles.APPROVERS, roles.grant

EDITOR_PERMISSIONS = {"edition": ("prepare", "view"), "editiontransition": ("view",)}
APPROVER_PERMISSIONS = {
    "edition": ("approve", "publish", "withdraw", "view"),
    "editiontransition": ("view",),
}
# Before: the model permissions stood for the roles; now the custom ones do.
RETIRED = ("add_edition", "change_edition")

INSTALL = r"""
CREATE OR REPLACE FUNCTION publishing_edition_guard() RETURNS trigger AS $$
DECLARE
    step text := coalesce(current_setting('publishing.step', true), '');
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'draft' THEN
            RAISE EXCEPTION '新版本必須從草稿開始' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF OLD.status IN ('draft') AND step = 'delete' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '版本不可刪除，草稿只能經由刪除操作移除（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
            (step = 'submit' AND OLD.status = 'draft' AND NEW.status = 'submitted')
            OR (step = 'recall' AND OLD.status = 'submitted' AND NEW.status = 'draft')
            OR (step = 'reopen' AND OLD.status = 'rejected' AND NEW.status = 'draft')
            OR (step = 'approve' AND OLD.status = 'submitted' AND NEW.status = 'approved')
            OR (step = 'reject' AND OLD.status = 'submitted' AND NEW.status = 'rejected')
            OR (step = 'publish' AND OLD.status = 'approved' AND NEW.status = 'published')
            OR (step = 'supersede' AND OLD.status = 'published' AND NEW.status = 'superseded')
            OR (step = 'withdraw' AND OLD.status = 'published' AND NEW.status = 'withdrawn')
        ) THEN
        RAISE EXCEPTION '版本狀態只能經由送審、核定等操作變更，不可從 % 變為 %（版本 %）',
            OLD.status, NEW.status, OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status IN ('draft') THEN
        RETURN NEW;
    END IF;
    IF NEW.bulletin_id IS DISTINCT FROM OLD.bulletin_id THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，bulletin_id 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.date IS DISTINCT FROM OLD.date THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，date 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.snapshot IS DISTINCT FROM OLD.snapshot THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，snapshot 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.snapshot_sha256 IS DISTINCT FROM OLD.snapshot_sha256 THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，snapshot_sha256 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.previous_id IS DISTINCT FROM OLD.previous_id
        AND NOT (step IN ('publish') AND NEW.status IS DISTINCT FROM OLD.status) THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，previous_id 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.previous_sha256 IS DISTINCT FROM OLD.previous_sha256
        AND NOT (step IN ('publish') AND NEW.status IS DISTINCT FROM OLD.status) THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，previous_sha256 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.change_note IS DISTINCT FROM OLD.change_note THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，change_note 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.prepared_by_id IS DISTINCT FROM OLD.prepared_by_id THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，prepared_by_id 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.published_at IS DISTINCT FROM OLD.published_at
        AND NOT (step IN ('publish') AND NEW.status IS DISTINCT FROM OLD.status) THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，published_at 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.withdrawn_reason IS DISTINCT FROM OLD.withdrawn_reason
        AND NOT (step IN ('withdraw') AND NEW.status IS DISTINCT FROM OLD.status) THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，withdrawn_reason 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.diff IS DISTINCT FROM OLD.diff
        AND NOT (step IN ('publish') AND NEW.status IS DISTINCT FROM OLD.status) THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，diff 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，created_at 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS publishing_edition_guard ON publishing_edition;
CREATE TRIGGER publishing_edition_guard
    BEFORE INSERT OR UPDATE OR DELETE ON publishing_edition
    FOR EACH ROW EXECUTE FUNCTION publishing_edition_guard();

CREATE OR REPLACE FUNCTION publishing_editionfile_guard() RETURNS trigger AS $$
DECLARE
    step text := coalesce(current_setting('publishing.step', true), '');
    edition_status text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT status INTO edition_status FROM publishing_edition WHERE id = NEW.edition_id;
        IF step = 'publish' AND edition_status = 'approved' THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '公告檔案只能在公告時產生（版本 %）', NEW.edition_id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RAISE EXCEPTION '公告檔案不可修改或刪除（版本 %）', OLD.edition_id
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS publishing_editionfile_guard ON publishing_editionfile;
CREATE TRIGGER publishing_editionfile_guard
    BEFORE INSERT OR UPDATE OR DELETE ON publishing_editionfile
    FOR EACH ROW EXECUTE FUNCTION publishing_editionfile_guard();

CREATE OR REPLACE FUNCTION publishing_editiontransition_guard() RETURNS trigger AS $$
DECLARE
    step text := coalesce(current_setting('publishing.step', true), '');
BEGIN
    -- Deleting a draft takes its audit trail with it; nothing else removes a line.
    IF TG_OP = 'DELETE' AND step = 'delete' AND EXISTS (
            SELECT 1 FROM publishing_edition WHERE id = OLD.edition_id AND status IN ('draft')
        ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '版本紀錄只能新增，不可修改或刪除（版本 %）', OLD.edition_id
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS publishing_editiontransition_guard ON publishing_editiontransition;
CREATE TRIGGER publishing_editiontransition_guard
    BEFORE UPDATE OR DELETE ON publishing_editiontransition
    FOR EACH ROW EXECUTE FUNCTION publishing_editiontransition_guard();
"""

REMOVE = """
DROP TRIGGER IF EXISTS publishing_editiontransition_guard ON publishing_editiontransition;
DROP FUNCTION IF EXISTS publishing_editiontransition_guard();
DROP TRIGGER IF EXISTS publishing_editionfile_guard ON publishing_editionfile;
DROP FUNCTION IF EXISTS publishing_editionfile_guard();
DROP TRIGGER IF EXISTS publishing_edition_guard ON publishing_edition;
DROP FUNCTION IF EXISTS publishing_edition_guard();
"""


def grant_permissions(apps, schema_editor):
    grant(apps, EDITORS, "publishing", EDITOR_PERMISSIONS)
    grant(apps, APPROVERS, "publishing", APPROVER_PERMISSIONS)
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    retired = Permission.objects.filter(content_type__app_label="publishing", codename__in=RETIRED)
    for group in Group.objects.filter(name__in=[EDITORS, APPROVERS]):
        group.permissions.remove(*retired)


def revoke_permissions(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    custom = Permission.objects.filter(
        content_type__app_label="publishing",
        codename__in=["prepare_edition", "approve_edition", "publish_edition", "withdraw_edition"],
    )
    for group in Group.objects.filter(name__in=[EDITORS, APPROVERS]):
        group.permissions.remove(*custom)


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE, params=None)
        before = importlib.import_module("publishing.migrations.0003_immutability_triggers")
        schema_editor.execute(before.INSTALL, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('publishing', '0003_immutability_triggers'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='edition',
            options={'ordering': ('-date', '-pk'), 'permissions': (('prepare_edition', '準備公告版本（建立、修改、送審、撤回送審）'), ('approve_edition', '核定或退回公告版本'), ('publish_edition', '公告已核定的版本'), ('withdraw_edition', '撤回已公告的版本')), 'verbose_name': '公告版本', 'verbose_name_plural': '公告版本'},
        ),
        migrations.AlterField(
            model_name='editiontransition',
            name='action',
            field=models.CharField(choices=[('create', '建立'), ('refresh', '重新擷取目錄'), ('edit', '修改'), ('submit', '送審'), ('recall', '撤回送審'), ('approve', '核定'), ('reject', '退回'), ('reopen', '重新編輯'), ('publish', '公告'), ('supersede', '被取代'), ('withdraw', '撤回'), ('delete', '刪除')], max_length=20, verbose_name='操作'),
        ),
        migrations.RunPython(grant_permissions, revoke_permissions),
        migrations.RunPython(install, remove),
    ]
