"""On PostgreSQL, the database itself refuses to change or delete a public edition or its files.

The models refuse too, but raw SQL, queryset.update() and other programs bypass them. A public
edition (published, superseded, withdrawn) may still move published → superseded or withdrawn
and receive its withdrawal reason; nothing else of it may change. SQLite has no such triggers
and keeps the model-level guard only.
"""

from django.db import migrations

INSTALL = r"""
CREATE OR REPLACE FUNCTION publishing_edition_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.status NOT IN ('published', 'superseded', 'withdrawn') THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '已公告的版本不可刪除（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.snapshot IS DISTINCT FROM OLD.snapshot
        OR NEW.snapshot_sha256 IS DISTINCT FROM OLD.snapshot_sha256
        OR NEW.previous_sha256 IS DISTINCT FROM OLD.previous_sha256
        OR NEW.previous_id IS DISTINCT FROM OLD.previous_id
        OR NEW.date IS DISTINCT FROM OLD.date
        OR NEW.bulletin_id IS DISTINCT FROM OLD.bulletin_id
        OR NEW.change_note IS DISTINCT FROM OLD.change_note
        OR NEW.prepared_by_id IS DISTINCT FROM OLD.prepared_by_id
        OR NEW.published_at IS DISTINCT FROM OLD.published_at
        OR NEW.diff IS DISTINCT FROM OLD.diff
    THEN
        RAISE EXCEPTION '已公告的版本不可修改（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status
        AND NOT (OLD.status = 'published' AND NEW.status IN ('superseded', 'withdrawn'))
    THEN
        RAISE EXCEPTION '已公告的版本不可從 % 變為 %（版本 %）', OLD.status, NEW.status, OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER publishing_edition_guard
    BEFORE UPDATE OR DELETE ON publishing_edition
    FOR EACH ROW EXECUTE FUNCTION publishing_edition_guard();

CREATE OR REPLACE FUNCTION publishing_editionfile_guard() RETURNS trigger AS $$
DECLARE
    edition_status text;
BEGIN
    SELECT status INTO edition_status FROM publishing_edition
        WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.edition_id ELSE OLD.edition_id END;
    IF edition_status IN ('published', 'superseded', 'withdrawn') THEN
        RAISE EXCEPTION '已公告版本的檔案不可新增、修改或刪除（版本 %）',
            CASE WHEN TG_OP = 'INSERT' THEN NEW.edition_id ELSE OLD.edition_id END
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.edition_id IS DISTINCT FROM OLD.edition_id THEN
        SELECT status INTO edition_status FROM publishing_edition WHERE id = NEW.edition_id;
        IF edition_status IN ('published', 'superseded', 'withdrawn') THEN
            RAISE EXCEPTION '已公告版本的檔案不可新增、修改或刪除（版本 %）', NEW.edition_id
                USING ERRCODE = 'restrict_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER publishing_editionfile_guard
    BEFORE INSERT OR UPDATE OR DELETE ON publishing_editionfile
    FOR EACH ROW EXECUTE FUNCTION publishing_editionfile_guard();
"""

REMOVE = """
DROP TRIGGER IF EXISTS publishing_editionfile_guard ON publishing_editionfile;
DROP FUNCTION IF EXISTS publishing_editionfile_guard();
DROP TRIGGER IF EXISTS publishing_edition_guard ON publishing_edition;
DROP FUNCTION IF EXISTS publishing_edition_guard();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE, params=None)


class Migration(migrations.Migration):
    dependencies = [("publishing", "0002_roles")]

    operations = [migrations.RunPython(install, remove)]
