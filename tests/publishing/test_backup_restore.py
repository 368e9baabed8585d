"""Backups that restore (docs/operators.md): dump the database, restore it into a fresh one with a
fresh copy of the media folder, and `manage.py edition verify --all` finds everything intact.

The PostgreSQL test runs pg_dump -Fc / pg_restore as an operator would; the SQLite one takes the
backup through SQLite's online backup API (what the sqlite3 shell's `.backup` runs).
"""

import datetime
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from publishing import services
from publishing.models import Edition

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(__file__).resolve().parents[2]

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_dump/pg_restore need PostgreSQL (set DATABASE_URL); the SQLite variant runs here",
)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite backup variant; PostgreSQL has its own test"
)


KEPT = {
    "publishing.Edition",
    "publishing.EditionFile",
    "publishing.EditionTransition",
    "auth.User",
    "auth.Group",
}


def _tables() -> list[tuple[str, str]]:
    """(table, key) of editions, files, transitions, accounts, groups and every revision table."""
    return sorted(
        (m._meta.db_table, m._meta.pk.column)
        for m in apps.get_models()
        if m._meta.label in KEPT or m.__name__.startswith("Historical")
    )


def _rows(cursor: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row's key, per table (enough to tell a lost or extra row)."""
    found = {}
    for table, key in _tables():
        cursor.execute(f'SELECT "{key}" FROM "{table}" ORDER BY 1')
        found[table] = [tuple(row) for row in cursor.fetchall()]
    return found


@pytest.fixture
def two_editions(published_edition: Edition, editor: Any, approver: Any) -> list[Edition]:
    """The demo edition, superseded by a second one that changed a programme's name."""
    programme = published_edition.bulletin.programmes.order_by("serial").first()
    programme.name += "（修訂）"
    programme.save()
    draft = services.create_edition(
        bulletin=published_edition.bulletin, date=datetime.date(2026, 3, 31), user=editor
    )
    submitted = services.submit_edition(edition=draft, user=editor)
    approved = services.approve_edition(edition=submitted, user=approver)
    return [published_edition, services.publish_edition(edition=approved, user=approver)]


def _verify(database_url: str, media: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "edition", "verify", "--all"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check_restored(database_url: str, media: Path, editions: list[Edition]) -> None:
    result = _verify(database_url, media)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "核對 2 個公告版本，全部與公告時相同。" in result.stdout
    # The same command fails on the restored copy once a file is missing from its media folder.
    lost = editions[0].files.get(format="pdf").file.name
    (media / lost).unlink()
    result = _verify(database_url, media)
    assert result.returncode == 1
    assert "檔案不存在" in result.stdout


def _copy_media(tmp_path: Path) -> Path:
    media = tmp_path / "restored-media"
    shutil.copytree(settings.MEDIA_ROOT, media)
    return media


@postgresql_only
def test_pg_dump_restores_into_a_fresh_database_that_verifies(
    two_editions: list[Edition], tmp_path: Path
) -> None:
    import psycopg

    source = connection.settings_dict
    server = {
        "host": source["HOST"] or "127.0.0.1",
        "port": str(source["PORT"] or 5432),
        "user": source["USER"],
    }
    env = {**os.environ, "PGPASSWORD": source["PASSWORD"] or ""}
    target = f"restore_{uuid.uuid4().hex[:12]}"
    dump = tmp_path / "backup.dump"
    base = ["-h", server["host"], "-p", server["port"], "-U", server["user"]]
    subprocess.run(
        ["pg_dump", "-Fc", *base, "-d", source["NAME"], "-f", str(dump)], env=env, check=True
    )
    admin = dict(server, dbname="postgres", password=source["PASSWORD"] or None, autocommit=True)
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{target}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", *base, "-d", target, str(dump)],
            env=env,
            check=True,
        )
        with connection.cursor() as cursor:
            expected = _rows(cursor)
        with psycopg.connect(**dict(admin, dbname=target)) as conn, conn.cursor() as cursor:
            assert _rows(cursor) == expected
        assert all(expected.values())
        url = f"postgres://{server['user']}@{server['host']}:{server['port']}/{target}"
        _check_restored(url, _copy_media(tmp_path), two_editions)
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


@sqlite_only
def test_sqlite_backup_restores_into_a_fresh_file_that_verifies(
    two_editions: list[Edition], tmp_path: Path
) -> None:
    backup = tmp_path / "backup.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(backup) as target:
        connection.connection.backup(target)
    target.close()
    restored = sqlite3.connect(backup)
    try:
        with connection.cursor() as cursor:
            expected = _rows(cursor)
        assert _rows(restored.cursor()) == expected
    finally:
        restored.close()
    assert all(expected.values())
    _check_restored(f"sqlite:///{backup}", _copy_media(tmp_path), two_editions)
