"""Every PostgreSQL trigger of the project, generated from what it enforces, and the one way
they reach the database.

Five triggers, each with a function of the same name:

- `publishing_edition_guard`, `publishing_editionfile_guard`, `publishing_editiontransition_guard`:
  the life cycle of lifecycle.py (moves, the columns each step may write, who writes files and
  audit lines), checked against the transaction-local setting `publishing.step`;
- `catalogue_bulletin_slug_guard`: a bulletin's slug stays once it has a public edition;
- `publishing_edition_date_guard`: an edition's date follows the latest edition in force or
  superseded (Edition.DATE_SETTING_STATUSES); withdrawn ones do not count.

How they are kept: `install()` creates or replaces every trigger whose function or definition
differs from what this module generates, and drops any other trigger on the tables it guards.
It runs at the end of every `migrate` (post_migrate, connected in PublishingConfig.ready()) and
by `manage.py install_triggers`; the system check publishing.E001 (publishing/checks.py, tagged
`database`: `manage.py check --database default`) reports every difference. Our `migrate`
(publishing/management/commands/migrate.py) runs that check after installing instead of before,
since the check would otherwise stop the one command that repairs what it reports. Triggers
are installed on a schema whose catalogue and publishing migrations are all applied, the
schema they are written for; after migrating backwards they are removed and the model guards
alone hold until the next forward `migrate`. SQLite has no triggers: there the model and its
querysets enforce the same rules.

Why this and not django-pgtrigger (4.x, well kept): by default it freezes each trigger's
compiled SQL into a generated migration at every change, the very copies this module replaces;
with that turned off (PGTRIGGER_MIGRATIONS = False, PGTRIGGER_INSTALL_ON_MIGRATE = True) it
does what `install()` does, but declares triggers per model, so the slug guard on
catalogue.Bulletin would be declared on the catalogue model or registered onto it from here,
renames every function (pgtrigger_<name>_<hash>), wraps every body in its own ignore switch
beside ours, and has no system check for a trigger that was changed or dropped by hand.
Migrations therefore hold no trigger SQL: a life-cycle change is a change of lifecycle.py, and
the next `migrate` installs it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TextIO

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor

from . import lifecycle
from .models import Edition

# The apps whose tables the triggers guard: their migrations make the schema they are written for.
SCHEMA_APPS = ("catalogue", "publishing")


@dataclass(frozen=True)
class Trigger:
    """One row trigger and its function, both called `name`.

    events: as PostgreSQL's pg_get_triggerdef() writes them (INSERT, DELETE, UPDATE in that
    order), so that the installed definition compares as text.
    """

    name: str
    table: str
    events: str
    body: str

    def definition(self, table: str) -> str:
        """The CREATE TRIGGER statement, with `table` as given (pg_get_triggerdef qualifies it)."""
        return (
            f"CREATE TRIGGER {self.name} BEFORE {self.events} ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {self.name}()"
        )

    def install_sql(self) -> str:
        return (
            f"CREATE OR REPLACE FUNCTION {self.name}() RETURNS trigger AS $${self.body}$$"
            " LANGUAGE plpgsql;\n"
            f"DROP TRIGGER IF EXISTS {self.name} ON {self.table};\n"
            f"{self.definition(self.table)};\n"
        )


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


# The life cycle (lifecycle.py)


_STEP = f"coalesce(current_setting('{lifecycle.STEP_SETTING}', true), '')"
_EDITABLE = _sql_list(lifecycle.EDITABLE_STATUSES)


def _edition_guard() -> str:
    allowed = "\n            OR ".join(
        f"(step = '{action}' AND OLD.status = '{old}' AND NEW.status = '{new}')"
        for action, old, new in lifecycle.moves()
    )
    frozen = "\n".join(_frozen_column_check(column) for column in lifecycle.GUARDED_COLUMNS)
    return f"""
DECLARE
    step text := {_STEP};
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'draft' THEN
            RAISE EXCEPTION '新版本必須從草稿開始' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF OLD.status IN ({_EDITABLE}) AND step = 'delete' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '版本不可刪除，草稿只能經由刪除操作移除（版本 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
            {allowed}
        ) THEN
        RAISE EXCEPTION '版本狀態只能經由送審、核定等操作變更，不可從 % 變為 %（版本 %）',
            OLD.status, NEW.status, OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status IN ({_EDITABLE}) THEN
        RETURN NEW;
    END IF;
{frozen}
    RETURN NEW;
END;
"""


def _frozen_column_check(column: str) -> str:
    # A step that moves the status writes its columns in the same statement, never later; a
    # step that keeps the status (target None) writes them while the edition is in a source.
    steps = lifecycle.STEPS
    moving = [a for a, step in steps.items() if column in step.writes and step.target]
    staying = [a for a, step in steps.items() if column in step.writes and not step.target]
    clauses = []
    if moving:
        names = _sql_list(moving)
        clauses.append(f"(step IN ({names}) AND NEW.status IS DISTINCT FROM OLD.status)")
    for action in staying:
        sources = _sql_list(steps[action].sources)
        clauses.append(
            f"(step = '{action}' AND NEW.status = OLD.status AND OLD.status IN ({sources}))"
        )
    allowed = f"\n        AND NOT ({' OR '.join(clauses)})" if clauses else ""
    return (
        f"    IF NEW.{column} IS DISTINCT FROM OLD.{column}{allowed} THEN\n"
        f"        RAISE EXCEPTION '送審後的版本只能經由操作變更，{column} 不可修改（版本 %）',"
        f" OLD.id\n"
        f"            USING ERRCODE = 'restrict_violation';\n"
        f"    END IF;"
    )


def _file_guard() -> str:
    checks = "\n".join(_file_write_check(operation) for operation in lifecycle.FILE_WRITES)
    return f"""
DECLARE
    step text := {_STEP};
    edition_status text;
BEGIN
    SELECT status INTO edition_status FROM publishing_edition
        WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.edition_id ELSE OLD.edition_id END;
{checks}
    RAISE EXCEPTION '公告檔案只能在送審後產生，公告後不可修改或刪除（版本 %）',
        CASE WHEN TG_OP = 'INSERT' THEN NEW.edition_id ELSE OLD.edition_id END
        USING ERRCODE = 'restrict_violation';
END;
"""


def _file_write_check(operation: str) -> str:
    result = "OLD" if operation == "DELETE" else "NEW"
    allowed = " OR ".join(
        f"(step = '{action}' AND edition_status IN ({_sql_list(statuses)}))"
        for action, statuses in lifecycle.FILE_WRITES[operation].items()
    )
    return (
        f"    IF TG_OP = '{operation}' AND ({allowed}) THEN\n        RETURN {result};\n    END IF;"
    )


def _transition_guard() -> str:
    return f"""
DECLARE
    step text := {_STEP};
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
            SELECT 1 FROM publishing_edition WHERE id = OLD.edition_id AND status IN ({_EDITABLE})
        ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '版本紀錄只能新增，不可修改或刪除（版本 %）', OLD.edition_id
        USING ERRCODE = 'restrict_violation';
END;
"""


# What the public relies on stays put (tests/publishing/test_public_stays_put.py)


def _slug_guard() -> str:
    return f"""
BEGIN
    IF NEW.slug IS DISTINCT FROM OLD.slug AND EXISTS (
        SELECT 1 FROM publishing_edition
        WHERE bulletin_id = OLD.id AND status IN ({_sql_list(Edition.PUBLIC_STATUSES)})
    ) THEN
        RAISE EXCEPTION '彙整表已有公告版本，網址代稱不可變更（彙整表 %）', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
"""


def _date_guard() -> str:
    # "At most one year after today" moves with the clock: it stays in the model's clean().
    return f"""
DECLARE
    last_date date;
BEGIN
    IF NEW.status IN ({_sql_list(Edition.PUBLIC_STATUSES)}) THEN
        RETURN NEW;
    END IF;
    SELECT max(date) INTO last_date FROM publishing_edition
        WHERE bulletin_id = NEW.bulletin_id AND id IS DISTINCT FROM NEW.id
          AND status IN ({_sql_list(Edition.DATE_SETTING_STATUSES)});
    IF last_date IS NOT NULL AND NEW.date <= last_date THEN
        RAISE EXCEPTION '版本日期須晚於目前公告中或已被取代的最新版本（%）', last_date
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
"""


_EVERY_ROW_CHANGE = "INSERT OR DELETE OR UPDATE"


def triggers() -> tuple[Trigger, ...]:
    """Every trigger the project installs, generated from the declarations they enforce."""
    return (
        Trigger(
            "publishing_edition_guard", "publishing_edition", _EVERY_ROW_CHANGE, _edition_guard()
        ),
        Trigger(
            "publishing_editionfile_guard",
            "publishing_editionfile",
            _EVERY_ROW_CHANGE,
            _file_guard(),
        ),
        Trigger(
            "publishing_editiontransition_guard",
            "publishing_editiontransition",
            _EVERY_ROW_CHANGE,
            _transition_guard(),
        ),
        Trigger(
            "catalogue_bulletin_slug_guard", "catalogue_bulletin", "UPDATE OF slug", _slug_guard()
        ),
        Trigger(
            "publishing_edition_date_guard",
            "publishing_edition",
            "INSERT OR UPDATE OF date, bulletin_id",
            _date_guard(),
        ),
    )


def install_sql() -> str:
    """The SQL that installs every trigger (what `install()` runs for the ones that differ)."""
    return "\n".join(trigger.install_sql() for trigger in triggers())


# The database


def differences(connection: BaseDatabaseWrapper) -> list[str]:
    """How the installed triggers differ from the generated ones, one line each ([] if none)."""
    return [problem for _, problem in _compare(connection)]


def install(connection: BaseDatabaseWrapper) -> list[str]:
    """Bring the database's triggers to what this module generates; the names it changed."""
    changes = _compare(connection)
    declared = {trigger.name: trigger for trigger in triggers()}
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for name, _ in changes:
            if name in declared:
                cursor.execute(declared[name].install_sql())
            else:  # "table.trigger": on a guarded table, not declared here
                table, trigger = name.split(".")
                cursor.execute(f'DROP TRIGGER IF EXISTS "{trigger}" ON "{table}"')
    return sorted({name for name, _ in changes})


def remove(connection: BaseDatabaseWrapper) -> None:
    """Drop every declared trigger and its function (for a schema they were not written for)."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for trigger in triggers():
            cursor.execute(f"DROP FUNCTION IF EXISTS {trigger.name}() CASCADE")


def schema_is_current(connection: BaseDatabaseWrapper) -> bool:
    """Whether every migration of the guarded apps (and what they depend on) is applied."""
    executor = MigrationExecutor(connection)
    leaves = [node for node in executor.loader.graph.leaf_nodes() if node[0] in SCHEMA_APPS]
    return not executor.migration_plan(leaves)


def _compare(connection: BaseDatabaseWrapper) -> list[tuple[str, str]]:
    """(name, problem) for each declared trigger that differs and each undeclared one."""
    declared = triggers()
    schema, functions, installed = _installed(connection, declared)
    problems = []
    for trigger in declared:
        found = installed.pop((trigger.table, trigger.name), None)
        problem = _difference(trigger, functions.get(trigger.name), found, schema)
        if problem:
            problems.append((trigger.name, problem))
    for table, name in sorted(installed):
        problem = f"資料表 {table} 上的觸發程序 {name} 不在程式產生的觸發程序之中。"
        problems.append((f"{table}.{name}", problem))
    return problems


def _installed(
    connection: BaseDatabaseWrapper, declared: Sequence[Trigger]
) -> tuple[str, dict[str, tuple[str, str]], dict[tuple[str, str], tuple[str, str]]]:
    """The current schema's name; (body, language) of each declared function by name;
    (definition, enabled) of every trigger on a guarded table, by (table, trigger)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        (schema,) = cursor.fetchone()
        cursor.execute(
            "SELECT p.proname, p.prosrc, l.lanname FROM pg_proc p"
            " JOIN pg_language l ON l.oid = p.prolang"
            " WHERE p.pronamespace = current_schema()::regnamespace AND p.pronargs = 0"
            " AND p.proname = ANY(%s)",
            [[trigger.name for trigger in declared]],
        )
        functions = {name: (body, language) for name, body, language in cursor.fetchall()}
        cursor.execute(
            "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled FROM pg_trigger t"
            " JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
            " AND c.relname = ANY(%s)",
            [sorted({trigger.table for trigger in declared})],
        )
        installed = {(table, name): (definition, on) for table, name, definition, on in cursor}
    return schema, functions, installed


def _difference(
    trigger: Trigger,
    function: tuple[str, str] | None,
    installed: tuple[str, str] | None,
    schema: str,
) -> str:
    name = trigger.name
    if function is None:
        return f"觸發程序函式 {name}() 不存在。"
    if function != (trigger.body, "plpgsql"):
        return f"觸發程序函式 {name}() 的內容與程式產生的不同。"
    if installed is None:
        return f"資料表 {trigger.table} 上沒有觸發程序 {name}。"
    definition, enabled = installed
    if definition != trigger.definition(f"{schema}.{trigger.table}"):
        return f"觸發程序 {name} 的定義與程式產生的不同：{definition}"
    if enabled != "O":
        return f"觸發程序 {name} 已停用。"
    return ""


# Installing at migrate


_deferred: ContextVar[bool] = ContextVar("publishing_triggers_check_deferred", default=False)


@contextmanager
def check_deferred() -> Iterator[None]:
    """Within: the system check leaves the triggers alone (migrate checks them after installing)."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def check_is_deferred() -> bool:
    return _deferred.get()


def install_after_migrate(
    sender: Any,
    *,
    using: str,
    verbosity: int = 1,
    plan: Any = None,
    stdout: TextIO | None = None,
    **kwargs: Any,
) -> None:
    """post_migrate: install the triggers on a current schema, remove them from an older one.

    flush (and so every transactional test) sends post_migrate too, without a plan: the schema
    and its triggers stay as they were, so there is nothing to do.
    """
    connection = connections[using]
    if plan is None or connection.vendor != "postgresql":
        return
    if not schema_is_current(connection):
        remove(connection)
        return
    changed = install(connection)
    if changed and verbosity >= 1:
        stdout = stdout or sys.stdout
        stdout.write(f"  已安裝觸發程序：{'、'.join(changed)}\n")
