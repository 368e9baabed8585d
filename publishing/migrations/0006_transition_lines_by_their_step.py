"""The audit trail refuses forged lines in the database too: a transition row is inserted only
inside the step it records (publishing.step), as the model already requires. The SQL is the
frozen output of publishing.lifecycle.trigger_sql() at this migration; a test keeps the latest
copy equal to what the declaration generates."""

import importlib

from django.db import migrations

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
    -- A line is written by the step it records, inside that step; never forged beside it.
    IF TG_OP = 'INSERT' THEN
        IF NEW.action = step THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '版本紀錄只能由版本的操作寫入（版本 %）', NEW.edition_id
            USING ERRCODE = 'restrict_violation';
    END IF;
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
    BEFORE INSERT OR UPDATE OR DELETE ON publishing_editiontransition
    FOR EACH ROW EXECUTE FUNCTION publishing_editiontransition_guard();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        before = importlib.import_module("publishing.migrations.0004_i8_lifecycle")
        schema_editor.execute(before.INSTALL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0005_i8_integrity"),
    ]

    operations = [migrations.RunPython(install, remove)]
