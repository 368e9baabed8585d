"""Migrations mean the same forever: they freeze the data and functions they use.

A migration may name a project module only where Django's migration state needs it by its
import path (a custom field class, an upload_to callable), never to borrow names, permissions
or functions that later code could change.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

MIGRATIONS = sorted(Path(settings.BASE_DIR).glob("*/migrations/0*.py"))
PROJECT_APPS = ("accounts", "catalogue", "publishing", "operations")
# What the state refers to by path: the text rule's field classes, an edition file's path.
STATE_REFERENCES = {"catalogue.text", "publishing.models"}


def _project_imports(path: Path) -> set[str]:
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        imported |= {name for name in names if name.split(".")[0] in PROJECT_APPS}
    return imported


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_a_migration_imports_no_live_project_code(path: Path) -> None:
    assert _project_imports(path) <= STATE_REFERENCES


def test_the_migrations_are_found() -> None:
    assert len(MIGRATIONS) > 10


# catalogue migration 0004 adds CHECK constraints through the `breaks_text_rule` lookup of
# catalogue.text, which Django renders when the migration runs (and, on SQLite, again whenever
# a later migration rebuilds the table). Its patterns, as they stood at 0004, are frozen here:
# a change of the rule needs new rule names (not new patterns under these) and a migration.
FROZEN_PATTERNS = {
    "sqlite": {
        "single_line": "*[\x01-\t\x0b-\x1f\x7f-\x9f\u2028-\u2029\u202a-\u202e"
        "\u2066-\u2069\ufeff\n]*",
        "multi_line": "*[\x01-\t\x0b-\x1f\x7f-\x9f\u2028-\u2029\u202a-\u202e\u2066-\u2069\ufeff]*",
    },
    "postgresql": {
        "single_line": r"[\u0000\u0001-\u0009\u000b-\u001f\u007f-\u009f\u2028-\u2029"
        r"\u202a-\u202e\u2066-\u2069\ufeff\u000a]",
        "multi_line": r"[\u0000\u0001-\u0009\u000b-\u001f\u007f-\u009f\u2028-\u2029"
        r"\u202a-\u202e\u2066-\u2069\ufeff]",
    },
}


@pytest.mark.parametrize("kind", ["single_line", "multi_line"])
def test_the_text_rule_lookup_renders_the_patterns_migration_0004_installed(kind: str) -> None:
    from django.db import connection

    from catalogue.models import Scope

    _, params = Scope.objects.filter(title__breaks_text_rule=kind).query.sql_with_params()
    assert params[-1] == FROZEN_PATTERNS[connection.vendor][kind]
