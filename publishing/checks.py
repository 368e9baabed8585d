"""System checks of the publishing app.

publishing.E001: the PostgreSQL triggers installed in a database differ from the ones
publishing/triggers.py generates (a function changed or dropped by hand, a trigger disabled,
a trigger nobody declared, or a life-cycle change not yet installed). Tagged `database`: it
runs with `manage.py check --database default`, and our `migrate` runs it after installing.
It says nothing while migrations of the guarded apps are pending: the triggers are installed
at the end of the `migrate` that applies them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import AppConfig, apps
from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections

from . import triggers


@register(Tags.database)
def check_triggers(
    app_configs: Sequence[AppConfig] | None = None,
    databases: Iterable[str] | None = None,
    **kwargs: Any,
) -> list[CheckMessage]:
    if app_configs is not None and apps.get_app_config("publishing") not in app_configs:
        return []
    if triggers.check_is_deferred():
        return []
    errors: list[CheckMessage] = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql" or not triggers.schema_is_current(connection):
            continue
        errors.extend(
            Error(
                f"資料庫 {alias}：{problem}",
                hint=f"執行 manage.py install_triggers --database {alias}"
                "（migrate 結束時也會安裝）。",
                id="publishing.E001",
            )
            for problem in triggers.differences(connection)
        )
    return errors
