"""The database from DATABASE_URL, with what SQLite needs to share its file with a worker."""

from typing import Any

import dj_database_url

# SQLite (the embedded default) runs beside its worker and the `edition` commands, each its
# own process on one file. WAL lets them read while one writes; a write transaction that
# starts as a read (SQLite's default, DEFERRED) fails at once with "database is locked" when
# another process writes meanwhile, whatever the timeout, so every transaction takes the
# write lock when it begins (IMMEDIATE) and waits up to SQLITE_TIMEOUT seconds for it.
# synchronous=NORMAL is safe with WAL (a power cut may lose the last commits, never the file).
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
}


def database(url: str, *, timeout: int, **options: Any) -> dict[str, Any]:
    """DATABASES["default"] for url; options go to dj-database-url (conn_max_age, …)."""
    config = dj_database_url.parse(url, **options)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, "timeout": timeout, **config.get("OPTIONS", {})}
    return config
