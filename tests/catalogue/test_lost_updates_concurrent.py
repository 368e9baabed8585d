"""Two editors saving the same scope at the very same moment: one save wins, the other is
refused, never both. Needs two database connections that block each other on a row lock,
which SQLite does not offer; runs on PostgreSQL (DATABASE_URL=postgres://…)."""

import threading
from typing import Any

import pytest
from django.db import connection

from catalogue.history import attribute
from catalogue.models import Scope
from catalogue.versioning import StaleVersion

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs row locks between two connections: PostgreSQL only",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_editors_saving_one_scope_at_once_save_once(demo_bulletin, editor, second_editor):
    scope = Scope.objects.get(programme__bulletin=demo_bulletin, programme__serial=1, order=1)
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def save(user: Any) -> None:
        try:
            mine = Scope.objects.get(pk=scope.pk)  # both read the same version
            barrier.wait(timeout=30)
            mine.headline = f"{user.username} 的願景"
            attribute(mine, user=user, reason="同時儲存")
            mine.save()
            outcomes[user.username] = "saved"
        except StaleVersion as refusal:
            outcomes[user.username] = refusal
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(user,)) for user in (editor, second_editor)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    winners = [name for name, outcome in outcomes.items() if outcome == "saved"]
    assert len(winners) == 1 and len(outcomes) == 2
    stored = Scope.objects.get(pk=scope.pk)
    assert stored.headline == f"{winners[0]} 的願景"
    assert stored.version == scope.version + 1
