"""Rendering at submission, publication in the background worker and scheduled publication
(預定公告時間): the `render` and `unschedule` steps, the edition's scheduled_for column, what
each file was rendered from, and the EditionTask rows that the edition's page shows. The SQL is
the frozen output of publishing.lifecycle.trigger_sql() at this migration; a test keeps the
latest copy equal to what the declaration generates."""

import importlib


import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


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
        AND NOT ((step IN ('publish') AND NEW.status IS DISTINCT FROM OLD.status)) THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，previous_id 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.previous_sha256 IS DISTINCT FROM OLD.previous_sha256
        AND NOT ((step IN ('publish') AND NEW.status IS DISTINCT FROM OLD.status)) THEN
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
        AND NOT ((step IN ('publish') AND NEW.status IS DISTINCT FROM OLD.status)) THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，published_at 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.withdrawn_reason IS DISTINCT FROM OLD.withdrawn_reason
        AND NOT ((step IN ('withdraw') AND NEW.status IS DISTINCT FROM OLD.status)) THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，withdrawn_reason 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.diff IS DISTINCT FROM OLD.diff
        AND NOT ((step IN ('publish') AND NEW.status IS DISTINCT FROM OLD.status)) THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，diff 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，created_at 不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.scheduled_for IS DISTINCT FROM OLD.scheduled_for
        AND NOT ((step IN ('approve') AND NEW.status IS DISTINCT FROM OLD.status) OR (step = 'unschedule' AND NEW.status = OLD.status AND OLD.status IN ('approved'))) THEN
        RAISE EXCEPTION '送審後的版本只能經由操作變更，scheduled_for 不可修改（版本 %）', OLD.id
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
    SELECT status INTO edition_status FROM publishing_edition
        WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.edition_id ELSE OLD.edition_id END;
    IF TG_OP = 'INSERT' AND ((step = 'render' AND edition_status IN ('submitted'))) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND ((step = 'publish' AND edition_status IN ('approved'))) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' AND ((step = 'render' AND edition_status IN ('submitted')) OR (step = 'delete' AND edition_status IN ('draft'))) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '公告檔案只能在送審後產生，公告後不可修改或刪除（版本 %）',
        CASE WHEN TG_OP = 'INSERT' THEN NEW.edition_id ELSE OLD.edition_id END
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
        before = importlib.import_module("publishing.migrations.0006_transition_lines_by_their_step")
        schema_editor.execute(before.INSTALL, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('publishing', '0009_opendata'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='edition',
            name='scheduled_for',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='預定公告時間'),
        ),
        migrations.AddField(
            model_name='editionfile',
            name='source_sha256',
            field=models.CharField(blank=True, max_length=64, verbose_name='產生依據 SHA-256'),
        ),
        migrations.AlterField(
            model_name='editiontransition',
            name='action',
            field=models.CharField(choices=[('create', '建立'), ('refresh', '重新擷取目錄'), ('edit', '修改'), ('submit', '送審'), ('recall', '撤回送審'), ('approve', '核定'), ('reject', '退回'), ('reopen', '重新編輯'), ('publish', '公告'), ('supersede', '被取代'), ('withdraw', '撤回'), ('delete', '刪除'), ('render', '產生公告檔案'), ('unschedule', '取消預定公告')], max_length=20, verbose_name='操作'),
        ),
        migrations.CreateModel(
            name='EditionTask',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('render', '產生公告檔案'), ('publish', '公告')], max_length=20, verbose_name='工作')),
                ('state', models.CharField(choices=[('queued', '等待處理'), ('running', '處理中'), ('done', '已完成'), ('failed', '失敗'), ('cancelled', '已取消')], default='queued', max_length=20, verbose_name='進度')),
                ('comment', models.TextField(blank=True, verbose_name='說明')),
                ('source_sha256', models.CharField(blank=True, max_length=64, verbose_name='產生依據 SHA-256')),
                ('run_after', models.DateTimeField(blank=True, null=True, verbose_name='預定執行時間')),
                ('task_id', models.CharField(blank=True, max_length=64, verbose_name='背景作業編號')),
                ('reason', models.TextField(blank=True, verbose_name='失敗原因')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='建立時間')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='開始時間')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='結束時間')),
                ('edition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='publishing.edition', verbose_name='公告版本')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='要求人')),
            ],
            options={
                'verbose_name': '背景工作',
                'verbose_name_plural': '背景工作',
                'ordering': ('-created_at', '-pk'),
                'indexes': [models.Index(fields=['edition', 'kind'], name='editiontask_edition_kind')],
            },
        ),
        migrations.RunPython(install, remove),
    ]
