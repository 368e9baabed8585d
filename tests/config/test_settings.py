"""Settings come from the environment; production refuses to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _django_check(settings: str, **env: str) -> subprocess.CompletedProcess[str]:
    unset = {"SECRET_KEY", "DEBUG", "DATABASE_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": settings, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _django_check("config.settings.production")
    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY." in result.stderr


def test_production_settings_start_with_a_secret_key_and_a_database_url(tmp_path):
    result = _django_check(
        "config.settings.production",
        SECRET_KEY="x" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr


def test_a_malformed_boolean_is_refused_loudly():
    result = _django_check("config.settings.local", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def _settings_from(settings: str, names: str, **env: str) -> list[str]:
    """The named settings as the environment makes them, one line each."""
    unset = {"SITE_URL", "PUBLIC_SITE_URL", "BACKOFFICE_URL", "PORT", "EMAIL_FILE_PATH"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    code = (
        "from django.conf import settings as s; "
        f"print(*[getattr(s, n) for n in {names!r}.split()], sep='\\n')"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": settings, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-len(names.split()) :]


def test_both_addresses_default_to_the_port_make_run_serves():
    assert _settings_from(
        "config.settings.local", "PUBLIC_SITE_URL BACKOFFICE_URL", PORT="19100"
    ) == [
        "http://127.0.0.1:19100",
        "http://127.0.0.1:19100",
    ]


def test_each_address_is_set_on_its_own_and_site_url_still_serves_as_a_fallback():
    addresses = _settings_from(
        "config.settings.local",
        "PUBLIC_SITE_URL BACKOFFICE_URL",
        SITE_URL="https://old.example.invalid",
        BACKOFFICE_URL="https://admin.example.invalid/",
    )
    assert addresses == ["https://old.example.invalid", "https://admin.example.invalid"]


def test_every_mail_setting_comes_from_the_environment(tmp_path):
    names = (
        "EMAIL_BACKEND EMAIL_FILE_PATH EMAIL_HOST EMAIL_PORT EMAIL_HOST_USER EMAIL_HOST_PASSWORD"
        " EMAIL_USE_TLS EMAIL_USE_SSL EMAIL_TIMEOUT DEFAULT_FROM_EMAIL SERVER_EMAIL"
    )
    values = _settings_from(
        "config.settings.production",
        names,
        SECRET_KEY="x" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        EMAIL_HOST="smtp.example.invalid",
        EMAIL_PORT="465",
        EMAIL_HOST_USER="sender",
        EMAIL_HOST_PASSWORD="secret",
        EMAIL_USE_TLS="false",
        EMAIL_USE_SSL="true",
        EMAIL_TIMEOUT="10",
        DEFAULT_FROM_EMAIL="news@example.invalid",
        SERVER_EMAIL="errors@example.invalid",
    )
    assert values == [
        "django.core.mail.backends.filebased.EmailBackend",
        str(tmp_path / "mail"),
        "smtp.example.invalid",
        "465",
        "sender",
        "secret",
        "False",
        "True",
        "10",
        "news@example.invalid",
        "errors@example.invalid",
    ]


def test_sqlite_shares_its_file_with_a_worker_in_wal_mode_with_immediate_transactions(tmp_path):
    code = (
        "from django.db import connection as c; cur = c.cursor();"
        " cur.execute('PRAGMA journal_mode'); print(cur.fetchone()[0], c.transaction_mode,"
        " c.settings_dict['OPTIONS']['timeout'])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["wal", "IMMEDIATE", "30"]
