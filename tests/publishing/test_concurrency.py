"""Two approvers acting on one edition at the same moment: one wins, the other is told why.

Real concurrency needs two database connections that block each other on a row lock, which
SQLite does not offer; these tests run on PostgreSQL (DATABASE_URL=postgres://…).
"""

import threading
from typing import Any

import pytest
from django.db import connection

from publishing import services
from publishing.exceptions import Conflict, EditionError
from publishing.models import Edition, EditionFile

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs row locks between two connections (select_for_update): PostgreSQL only",
    ),
    # Serialized rollback restores the roles (groups) that migrations made and a flush removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _at_once(edition: Edition, users: list[Any], action: str) -> dict[str, Any]:
    """Let every user take action on their own copy of edition, all released together."""
    barrier = threading.Barrier(len(users))
    outcomes: dict[str, Any] = {}

    def act(user: Any) -> None:
        try:
            mine = Edition.objects.get(pk=edition.pk)
            barrier.wait(timeout=30)
            services.take_action(edition=mine, user=user, action=action)
            outcomes[user.username] = "done"
        except EditionError as error:
            outcomes[user.username] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_approvers_approving_at_once_approve_once(submitted_edition, approver, second_approver):
    outcomes = _at_once(submitted_edition, [approver, second_approver], "approve")
    winners = [name for name, outcome in outcomes.items() if outcome == "done"]
    losers = [outcome for outcome in outcomes.values() if outcome != "done"]
    assert len(winners) == 1
    assert len(losers) == 1 and isinstance(losers[0], Conflict)
    assert f"剛由 {winners[0]} 變更為「已核定」" in str(losers[0])
    stored = Edition.objects.get(pk=submitted_edition.pk)
    assert stored.status == Edition.Status.APPROVED
    assert (
        list(stored.transitions.filter(action="approve").values_list("actor__username", flat=True))
        == winners
    )


def test_two_approvers_publishing_at_once_publish_once(approved_edition, approver, second_approver):
    outcomes = _at_once(approved_edition, [approver, second_approver], "publish")
    assert sorted(o == "done" for o in outcomes.values()) == [False, True]
    stored = Edition.objects.get(pk=approved_edition.pk)
    assert stored.status == Edition.Status.PUBLISHED
    assert stored.transitions.filter(action="publish").count() == 1
    assert EditionFile.objects.filter(edition=stored).count() == len(
        set(EditionFile.objects.filter(edition=stored).values_list("format", flat=True))
    )
