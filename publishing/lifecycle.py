"""An edition's life cycle, declared once.

The states, the moves between them, the permission each move needs, four eyes and required
reasons live here. `publishing.services` takes the moves, `publishing.models` refuses any write
that is not one of them, the admin and the `edition` command offer them, and the PostgreSQL
triggers are generated from this module by `publishing.triggers`, which installs them at every
`migrate`; a system check and a test keep the installed triggers equal to what it generates.

How a move is sanctioned: the service that takes a move runs its writes inside `sanctioned(step)`.
That sets a context variable the model checks and, on PostgreSQL, the transaction-local setting
`publishing.step` the triggers check. A plain `save()`, `update()`, `delete()` or SQL statement
runs without it and is refused whenever it would change a status, or anything of an edition
that is no longer a draft. The sanction only opens the one move named: the model and the
triggers still check the source and target status and the columns that move may write.

Why this design: a flag on the instance would be set by any caller as easily and would not
reach the database; a transaction-local setting (set_config(..., true)) is undone by commit
and by rollback, even of a savepoint, so it cannot leak into the next request on a pooled
connection, and a context variable scopes the model's check to exactly the code inside the
block (publish nests supersede inside it). What remains possible is deliberate: code that
calls sanctioned() itself, or a database client that sets publishing.step by hand, and even
then only along a declared move.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import connection, models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已送審")
    APPROVED = "approved", _("已核定")
    REJECTED = "rejected", _("已退回")
    PUBLISHED = "published", _("已公告")
    SUPERSEDED = "superseded", _("已被取代")
    WITHDRAWN = "withdrawn", _("已撤回")


PUBLIC_STATUSES = (Status.PUBLISHED, Status.SUPERSEDED, Status.WITHDRAWN)
UNPUBLISHED_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.REJECTED)
# Only a draft changes by editing; from submission on, only a move changes an edition.
EDITABLE_STATUSES = (Status.DRAFT,)


class Action(models.TextChoices):
    CREATE = "create", _("建立")
    REFRESH = "refresh", _("重新擷取目錄")
    EDIT = "edit", _("修改")
    SUBMIT = "submit", _("送審")
    RECALL = "recall", _("撤回送審")
    APPROVE = "approve", _("核定")
    REJECT = "reject", _("退回")
    REOPEN = "reopen", _("重新編輯")
    PUBLISH = "publish", _("公告")
    SUPERSEDE = "supersede", _("被取代")
    WITHDRAW = "withdraw", _("撤回")
    DELETE = "delete", _("刪除")
    # Taken by the background worker right after submission: the files the approver signs off.
    RENDER = "render", _("產生公告檔案")
    UNSCHEDULE = "unschedule", _("取消預定公告")


# Permissions on Edition (Meta.permissions); the groups 編輯 and 核定 hold them.
PREPARE, APPROVE, PUBLISH, WITHDRAW = (
    "prepare_edition",
    "approve_edition",
    "publish_edition",
    "withdraw_edition",
)
PERMISSIONS = (
    (PREPARE, _("準備公告版本（建立、修改、送審、撤回送審）")),
    (APPROVE, _("核定或退回公告版本")),
    (PUBLISH, _("公告已核定的版本")),
    (WITHDRAW, _("撤回已公告的版本")),
)
PERMISSION_LABELS = {
    PREPARE: _("編輯"),
    APPROVE: _("核定人員"),
    PUBLISH: _("核定人員"),
    WITHDRAW: _("核定人員"),
}


@dataclass(frozen=True)
class Step:
    """One thing a person may do to an edition: where it starts, where it ends, what it needs.

    target None: the status stays. writes: the columns of a non-draft edition the step may set
    besides its status. four_eyes: whoever shaped the edition or its content may not take it.
    submitter_only: only the person who submitted may take it. contributes: taking it makes the
    person a contributor for four eyes. may_run_later: the step may be handed to the background
    worker when the caller would rather not wait (publication: sealing and storing the files).
    """

    action: str
    sources: tuple[str, ...]
    target: str | None
    permission: str
    four_eyes: bool = False
    reason_required: bool = False
    submitter_only: bool = False
    contributes: bool = False
    writes: tuple[str, ...] = ()
    may_run_later: bool = False


STEPS: dict[str, Step] = {
    step.action: step
    for step in (
        Step(Action.CREATE, (), Status.DRAFT, PREPARE, contributes=True),
        Step(Action.EDIT, EDITABLE_STATUSES, None, PREPARE, contributes=True),
        Step(Action.REFRESH, EDITABLE_STATUSES, None, PREPARE, contributes=True),
        Step(
            Action.SUBMIT,
            (Status.DRAFT,),
            Status.SUBMITTED,
            PREPARE,
            contributes=True,
        ),
        Step(
            Action.RECALL,
            (Status.SUBMITTED,),
            Status.DRAFT,
            PREPARE,
            reason_required=True,
            submitter_only=True,
            contributes=True,
        ),
        Step(Action.REOPEN, (Status.REJECTED,), Status.DRAFT, PREPARE, contributes=True),
        # The approver may name the moment of publication (預定公告時間): scheduled_for.
        Step(
            Action.APPROVE,
            (Status.SUBMITTED,),
            Status.APPROVED,
            APPROVE,
            four_eyes=True,
            writes=("scheduled_for",),
        ),
        Step(Action.REJECT, (Status.SUBMITTED,), Status.REJECTED, APPROVE, reason_required=True),
        Step(
            Action.PUBLISH,
            (Status.APPROVED,),
            Status.PUBLISHED,
            PUBLISH,
            four_eyes=True,
            writes=("published_at", "previous_id", "previous_sha256", "diff"),
            may_run_later=True,
        ),
        # Taken by publish on the edition it replaces, under the publisher's permission.
        Step(Action.SUPERSEDE, (Status.PUBLISHED,), Status.SUPERSEDED, PUBLISH),
        Step(
            Action.WITHDRAW,
            (Status.PUBLISHED,),
            Status.WITHDRAWN,
            WITHDRAW,
            reason_required=True,
            writes=("withdrawn_reason",),
        ),
        Step(Action.DELETE, (Status.DRAFT,), None, PREPARE),
        # Taken by the worker, not a person: renders a submitted edition's files (FILE_WRITES).
        Step(Action.RENDER, (Status.SUBMITTED,), None, PREPARE),
        # Clears the moment of a scheduled publication; the edition stays approved.
        Step(Action.UNSCHEDULE, (Status.APPROVED,), None, PUBLISH, writes=("scheduled_for",)),
    )
}
# The steps the admin offers as buttons and the command as sub-commands, in workflow order.
TRANSITIONS = (
    Action.REFRESH,
    Action.SUBMIT,
    Action.RECALL,
    Action.REOPEN,
    Action.APPROVE,
    Action.REJECT,
    Action.PUBLISH,
    Action.UNSCHEDULE,
    Action.WITHDRAW,
)
CONTRIBUTING_ACTIONS = tuple(a for a, step in STEPS.items() if step.contributes)
# Every column of publishing_edition a write could change; only a draft's change freely, and
# of these only the ones a step lists in `writes` change on a non-draft edition.
GUARDED_COLUMNS = (
    "bulletin_id",
    "date",
    "snapshot",
    "snapshot_sha256",
    "previous_id",
    "previous_sha256",
    "change_note",
    "prepared_by_id",
    "published_at",
    "withdrawn_reason",
    "diff",
    "created_at",
    "scheduled_for",
)

# Who writes an edition's files (EditionFile rows), per SQL operation: the step and the
# statuses of the edition it may do so in. Files are rendered once the edition is submitted
# (and rendered again after a return to draft and a new submission), so that the approver
# signs off the very bytes publication makes public; publication may replace a file's bytes by
# the published ones (the sealed PDF, which starts with the approved bytes); deleting a draft
# takes its files with it. Nothing changes a file of a published edition.
FILE_WRITES: dict[str, dict[str, tuple[str, ...]]] = {
    "INSERT": {Action.RENDER: (Status.SUBMITTED,)},
    "UPDATE": {Action.PUBLISH: (Status.APPROVED,)},
    "DELETE": {Action.RENDER: (Status.SUBMITTED,), Action.DELETE: EDITABLE_STATUSES},
}


def file_write_allowed(operation: str, step: str, status: str) -> bool:
    """Whether `step` may INSERT, UPDATE or DELETE a file of an edition in `status`."""
    return status in FILE_WRITES[operation].get(step, ())


def moves() -> list[tuple[str, str, str]]:
    """(step, from, to) for every status change a step makes."""
    return [
        (str(step.action), str(source), str(step.target))
        for step in STEPS.values()
        for source in step.sources
        if step.target is not None and step.target != source
    ]


def move_for(source: str, target: str) -> set[str]:
    """The steps that move an edition from source to target."""
    return {action for action, old, new in moves() if (old, new) == (source, target)}


# The sanctioned path


_current_step: ContextVar[str] = ContextVar("publishing_step", default="")
STEP_SETTING = "publishing.step"


def current_step() -> str:
    """The step whose writes are running now, or "" outside every step."""
    return _current_step.get()


@contextmanager
def sanctioned(action: str) -> Iterator[None]:
    """Run the writes of one step: the model and the PostgreSQL triggers let its move through.

    Use inside the step's transaction. On an error the transaction (or its savepoint) rolls
    back, which also undoes the transaction-local setting.
    """
    if action not in STEPS:
        raise ValueError(f"unknown step {action!r}")
    if not connection.in_atomic_block:
        # Outside a transaction the database setting would last one statement only.
        raise RuntimeError("a step's writes must run inside transaction.atomic()")
    outer = _current_step.get()
    token = _current_step.set(action)
    _set_database_step(action)
    try:
        yield
    finally:
        _current_step.reset(token)
    _set_database_step(outer)


def _set_database_step(action: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [STEP_SETTING, action])
