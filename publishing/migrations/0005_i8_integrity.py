"""On PostgreSQL, the database refuses what would break the public site or block later editions.

- A bulletin's slug is in every public URL and file name: once the bulletin has a public edition
  it cannot change (the model refuses too; this catches raw SQL and queryset.update()).
- An edition's date must be later than the latest edition in force or superseded of its
  bulletin; withdrawn editions do not count. ("At most one year after today" moves with the
  clock and stays in the model's clean(), which every service calls.)

The status lists below are tested against Edition.PUBLIC_STATUSES and DATE_SETTING_STATUSES
(tests/publishing/test_public_stays_put.py). SQLite keeps the model-level rules only.
"""

from django.db import migrations

INSTALL = r"""
CREATE OR REPLACE FUNCTION catalogue_bulletin_slug_guard() RETURNS trigger AS $$
BEGIN
    IF NEW.slug IS DISTINCT FROM OLD.slug AND EXISTS (
        SELECT 1 FROM publishing_edition
        WHERE bulletin_id = OLD.id AND status IN ('published', 'superseded', 'withdrawn')
    ) THEN
        RAISE EXCEPTION '彙整表已有公告版本，網址代稱不可變更（彙整表 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER catalogue_bulletin_slug_guard
    BEFORE UPDATE OF slug ON catalogue_bulletin
    FOR EACH ROW EXECUTE FUNCTION catalogue_bulletin_slug_guard();

CREATE OR REPLACE FUNCTION publishing_edition_date_guard() RETURNS trigger AS $$
DECLARE
    last_date date;
BEGIN
    IF NEW.status IN ('published', 'superseded', 'withdrawn') THEN
        RETURN NEW;
    END IF;
    SELECT max(date) INTO last_date FROM publishing_edition
        WHERE bulletin_id = NEW.bulletin_id AND id IS DISTINCT FROM NEW.id
          AND status IN ('published', 'superseded');
    IF last_date IS NOT NULL AND NEW.date <= last_date THEN
        RAISE EXCEPTION '版本日期須晚於目前公告中或已被取代的最新版本（%）', last_date
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER publishing_edition_date_guard
    BEFORE INSERT OR UPDATE OF date, bulletin_id ON publishing_edition
    FOR EACH ROW EXECUTE FUNCTION publishing_edition_date_guard();
"""

REMOVE = """
DROP TRIGGER IF EXISTS publishing_edition_date_guard ON publishing_edition;
DROP FUNCTION IF EXISTS publishing_edition_date_guard();
DROP TRIGGER IF EXISTS catalogue_bulletin_slug_guard ON catalogue_bulletin;
DROP FUNCTION IF EXISTS catalogue_bulletin_slug_guard();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0005_i8_integrity"),
        ("publishing", "0004_i8_lifecycle"),
    ]

    operations = [migrations.RunPython(install, remove, elidable=False)]
