"""The steps of an edition's life. The admin, the public views, the `edition` command and
bootstrap all call these, so the rules — roles, four eyes, frozen snapshots — live here once.

Every step locks the edition row (select_for_update), checks the rules against the locked row,
changes it and writes one EditionTransition per status change, all in one transaction. Refusals
raise publishing.exceptions.EditionError subclasses with a message in Traditional Chinese.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.i18n import site_language
from catalogue.models import Bulletin
from catalogue.roles import APPROVERS, EDITORS
from catalogue.text import normalise_line_breaks, text_problem

from .diff import diff_snapshots
from .exceptions import (
    Conflict,
    EditionError,
    FourEyesViolation,
    InvalidEdition,
    InvalidTransition,
    NotAllowed,
    ReasonRequired,
)
from .models import Edition, EditionFile, EditionTransition
from .snapshot import build_snapshot, snapshot_sha256

User = AbstractBaseUser | AnonymousUser
Action = EditionTransition.Action
Status = Edition.Status

EDITOR, APPROVER = "editor", "approver"
ROLE_LABELS = {EDITOR: _("編輯"), APPROVER: _("核定人員")}


@dataclass(frozen=True)
class Step:
    """What one action needs: the statuses it starts from, the role, and its other rules."""

    action: str
    sources: frozenset[str]
    target: str | None  # None: the status stays
    role: str
    four_eyes: bool = False
    reason_required: bool = False


STEPS: dict[str, Step] = {
    step.action: step
    for step in (
        Step(Action.EDIT, frozenset(Edition.UNPUBLISHED_STATUSES), None, EDITOR),
        Step(Action.REFRESH, frozenset({Status.DRAFT}), None, EDITOR),
        Step(Action.SUBMIT, frozenset({Status.DRAFT}), Status.SUBMITTED, EDITOR),
        Step(Action.REOPEN, frozenset({Status.REJECTED}), Status.DRAFT, EDITOR),
        Step(Action.APPROVE, frozenset({Status.SUBMITTED}), Status.APPROVED, APPROVER, True),
        Step(
            Action.REJECT,
            frozenset({Status.SUBMITTED}),
            Status.REJECTED,
            APPROVER,
            reason_required=True,
        ),
        Step(Action.PUBLISH, frozenset({Status.APPROVED}), Status.PUBLISHED, APPROVER, True),
        Step(
            Action.WITHDRAW,
            frozenset({Status.PUBLISHED}),
            Status.WITHDRAWN,
            APPROVER,
            reason_required=True,
        ),
    )
}
# The steps the admin offers as buttons, in the order of the workflow.
TRANSITIONS = (
    Action.REFRESH,
    Action.SUBMIT,
    Action.REOPEN,
    Action.APPROVE,
    Action.REJECT,
    Action.PUBLISH,
    Action.WITHDRAW,
)
# Whoever took one of these shaped the edition's content and may not sign it off.
CONTRIBUTING_ACTIONS = (Action.CREATE, Action.EDIT, Action.REFRESH, Action.SUBMIT, Action.REOPEN)


# Roles and rules


def has_role(user: User, role: str) -> bool:
    """Editors are in 編輯, approvers in 核定; a superuser holds both roles."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    group = EDITORS if role == EDITOR else APPROVERS
    return user.groups.filter(name=group).exists()


def contributor_ids(edition: Edition) -> set[int]:
    """The people who prepared, changed or submitted the edition."""
    actors = edition.transitions.filter(action__in=CONTRIBUTING_ACTIONS, actor__isnull=False)
    return {edition.prepared_by_id, *actors.values_list("actor_id", flat=True)}


def check_allowed(*, edition: Edition, user: User, action: str, comment: str = "") -> None:
    """Raise the reason why user may not take action on edition now; return when they may."""
    step = STEPS[action]
    label = Action(action).label
    if not has_role(user, step.role):
        raise NotAllowed(
            gettext("只有{role}可以{action}版本。").format(
                role=ROLE_LABELS[step.role], action=label
            )
        )
    if edition.status not in step.sources:
        raise InvalidTransition(
            gettext("這個版本目前為「{status}」，不能{action}。").format(
                status=edition.get_status_display(), action=label
            )
        )
    if step.four_eyes and user.pk in contributor_ids(edition):
        raise FourEyesViolation(
            gettext(
                "依四眼原則，您準備、修改或送審了這個版本，不能{action}它；請由另一位核定人員處理。"
            ).format(action=label)
        )
    if step.reason_required and not comment.strip():
        raise ReasonRequired(gettext("{action}版本時必須填寫理由。").format(action=label))


def allowed_actions(*, edition: Edition, user: User) -> list[str]:
    """The transitions user may take on edition now (reasons not yet given count as allowed)."""
    allowed = []
    for action in TRANSITIONS:
        try:
            check_allowed(edition=edition, user=user, action=action, comment="-")
        except EditionError:
            continue
        allowed.append(action)
    return allowed


def can(*, edition: Edition, user: User, action: str) -> bool:
    try:
        check_allowed(edition=edition, user=user, action=action, comment="-")
    except EditionError:
        return False
    return True


# Steps


@transaction.atomic
def create_edition(
    *, bulletin: Bulletin, date: datetime.date, user: User, change_note: str = ""
) -> Edition:
    """Prepare a draft edition dated `date`, frozen from the bulletin's catalogue as it is now."""
    if not has_role(user, EDITOR):
        raise NotAllowed(gettext("只有編輯可以建立版本。"))
    _check_text(change_note, gettext("本版異動說明"))
    snapshot = build_snapshot(bulletin)
    edition = Edition(
        bulletin=bulletin,
        date=date,
        change_note=change_note,
        prepared_by=user,
        snapshot=snapshot,
        snapshot_sha256=snapshot_sha256(snapshot),
    )
    _validate(edition)
    try:
        with transaction.atomic():
            edition.save()
    except IntegrityError as error:  # someone created one in the meantime
        raise Conflict(gettext("這份彙整表剛由其他人建立了版本，未建立新版本。")) from error
    _log(edition, Action.CREATE, user, "", Status.DRAFT, change_note)
    return edition


@transaction.atomic
def refresh_edition(*, edition: Edition, user: User, comment: str = "") -> Edition:
    """Rebuild a draft's snapshot from the catalogue as it is now."""
    locked = _lock(edition, user, Action.REFRESH, comment)
    snapshot = build_snapshot(locked.bulletin)
    sha = snapshot_sha256(snapshot)
    unchanged = sha == locked.snapshot_sha256
    locked.snapshot, locked.snapshot_sha256 = snapshot, sha
    locked.save()
    note = site_language("內容與上次相同。" if unchanged else "已依目前的目錄更新內容。")
    _log(locked, Action.REFRESH, user, locked.status, locked.status, _join(comment, note))
    return locked


@transaction.atomic
def update_edition(
    *,
    edition: Edition,
    user: User,
    change_note: str | None = None,
    date: datetime.date | None = None,
) -> Edition:
    """Change an unpublished edition's note or date; an approved edition goes back to review."""
    locked = _lock(edition, user, Action.EDIT)
    _check_text(change_note or "", gettext("本版異動說明"))
    changed = []
    if change_note is not None and change_note != locked.change_note:
        locked.change_note = change_note
        changed.append(site_language("本版異動說明"))
    if date is not None and date != locked.date:
        locked.date = date
        changed.append(site_language("版本日期"))
    if not changed:
        return locked
    _validate(locked)
    before = locked.status
    locked._actor = user  # type: ignore[attr-defined]  # names who dropped an approval
    locked.save()
    if locked.status == before:  # the model logs a dropped approval itself
        note = site_language("修改：") + "、".join(changed)
        _log(locked, Action.EDIT, user, before, before, note)
    return locked


@transaction.atomic
def submit_edition(*, edition: Edition, user: User, comment: str = "") -> Edition:
    """Send a draft for review; its snapshot is frozen from now on.

    A text that could not be published is refused here already, listed with its place, so
    that no one approves an edition that cannot be published.
    """
    from .rendering.check import check_texts
    from .rendering.document import Document

    locked = _lock(edition, user, Action.SUBMIT, comment)
    _validate(locked)
    with translation.override(settings.LANGUAGE_CODE):
        check_texts(Document.of(locked))
    _chain(locked)
    return _move(locked, user, Action.SUBMIT, comment)


@transaction.atomic
def approve_edition(*, edition: Edition, user: User, comment: str = "") -> Edition:
    locked = _lock(edition, user, Action.APPROVE, comment)
    return _move(locked, user, Action.APPROVE, comment)


@transaction.atomic
def reject_edition(*, edition: Edition, user: User, comment: str) -> Edition:
    """Send a submitted edition back, with the reason; an editor may then reopen it."""
    locked = _lock(edition, user, Action.REJECT, comment)
    return _move(locked, user, Action.REJECT, comment)


@transaction.atomic
def reopen_edition(*, edition: Edition, user: User, comment: str = "") -> Edition:
    """Turn a rejected edition back into a draft that can be refreshed and submitted again."""
    locked = _lock(edition, user, Action.REOPEN, comment)
    return _move(locked, user, Action.REOPEN, comment)


@transaction.atomic
def publish_edition(*, edition: Edition, user: User, comment: str = "") -> Edition:
    """Publish an approved edition: chain it, render its files and supersede the one in force.

    Rendering happens before anything is written, so a rendering error leaves the edition
    approved and the database and storage as they were.
    """
    from .rendering import render_edition_files

    locked = _lock(edition, user, Action.PUBLISH, comment)
    Bulletin.objects.select_for_update().filter(pk=locked.bulletin_id).first()
    _validate(locked)
    if snapshot_sha256(locked.snapshot) != locked.snapshot_sha256:
        raise InvalidEdition(gettext("版本內容與其 SHA-256 不符，不能公告。"))
    _chain(locked)
    rendered = render_edition_files(locked)
    # The rows of the files go in while the edition is still approved: from publication on,
    # the model and the trigger refuse any new file.
    written = _store_files(locked, rendered)
    try:
        for old in Edition.objects.select_for_update().published().for_bulletin(locked.bulletin):
            old.status = Status.SUPERSEDED
            old.save(update_fields=["status", "updated_at"])
            note = site_language("由 {date} 版本取代。", date=locked.roc_date)
            _log(old, Action.SUPERSEDE, user, Status.PUBLISHED, Status.SUPERSEDED, note)
        locked.published_at = timezone.now()
        return _move(locked, user, Action.PUBLISH, comment)
    except BaseException:
        _delete_files(written)
        raise


@transaction.atomic
def withdraw_edition(*, edition: Edition, user: User, comment: str) -> Edition:
    """Withdraw a published edition; it stays listed publicly with the reason."""
    locked = _lock(edition, user, Action.WITHDRAW, comment)
    locked.withdrawn_reason = comment.strip()
    return _move(locked, user, Action.WITHDRAW, comment)


def take_action(*, edition: Edition, user: User, action: str, comment: str = "") -> Edition:
    """Take one of TRANSITIONS by name: what the admin buttons and the command call."""
    steps = {
        Action.REFRESH: refresh_edition,
        Action.SUBMIT: submit_edition,
        Action.REOPEN: reopen_edition,
        Action.APPROVE: approve_edition,
        Action.REJECT: reject_edition,
        Action.PUBLISH: publish_edition,
        Action.WITHDRAW: withdraw_edition,
    }
    if action not in steps:
        raise InvalidTransition(gettext("沒有「{action}」這個操作。").format(action=action))
    return steps[action](edition=edition, user=user, comment=comment)


def current_diff(edition: Edition) -> dict[str, Any]:
    """The stored diff once submitted; for a draft, the diff against the last public edition now."""
    if edition.diff is not None and edition.snapshot_is_frozen:
        return edition.diff
    previous = Edition.objects.latest_public(edition.bulletin)
    if previous is not None and previous.pk == edition.pk:
        previous = None
    return diff_snapshots(previous.snapshot if previous else None, edition.snapshot)


# Helpers


def _lock(edition: Edition, user: User, action: str, comment: str = "") -> Edition:
    """The edition's row, locked and re-read; refuse if it changed since the caller read it."""
    if not has_role(user, STEPS[action].role):
        check_allowed(edition=edition, user=user, action=action, comment=comment)
    locked = Edition.objects.select_for_update().select_related("bulletin").get(pk=edition.pk)
    if locked.status != edition.status:
        last = locked.transitions.select_related("actor").last()
        who = last.actor.get_username() if last and last.actor else gettext("其他人")
        raise Conflict(
            gettext(
                "這個版本剛由 {who} 變更為「{status}」，未執行任何操作；請重新整理後再確認。"
            ).format(who=who, status=locked.get_status_display())
        )
    check_allowed(edition=locked, user=user, action=action, comment=comment)
    _check_text(comment, gettext("說明或理由"))
    return locked


def _check_text(text: str, label: str) -> None:
    """The catalogue's text rule for what people write about an edition: the feed, the public
    pages and the files show it (a control character would break the feed's XML)."""
    problem = text_problem(normalise_line_breaks(text))
    if problem is not None:
        raise InvalidEdition(f"{label}{problem.message()}")


def _move(edition: Edition, user: User, action: str, comment: str) -> Edition:
    source = edition.status
    edition.status = STEPS[action].target
    edition.save()
    _log(edition, action, user, source, edition.status, comment.strip())
    return edition


def _chain(edition: Edition) -> None:
    """Link to the bulletin's last public edition and diff against it."""
    previous = Edition.objects.latest_public(edition.bulletin)
    edition.previous = previous
    edition.previous_sha256 = previous.snapshot_sha256 if previous else ""
    edition.diff = diff_snapshots(previous.snapshot if previous else None, edition.snapshot)


def _validate(edition: Edition) -> None:
    try:
        edition.full_clean()
    except ValidationError as error:
        raise InvalidEdition("；".join(error.messages)) from error


def _store_files(edition: Edition, rendered: dict[str, bytes]) -> list[EditionFile]:
    """Write the rendered files and their rows; remove what was written if anything fails."""
    formats = set(EditionFile.Format.values)
    if not rendered or set(rendered) - formats:
        raise InvalidEdition(gettext("產生的公告檔案格式不正確。"))
    written: list[EditionFile] = []
    try:
        for fmt, data in rendered.items():
            row = EditionFile(
                edition=edition,
                format=fmt,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                content_type=EditionFile.CONTENT_TYPES[fmt],
            )
            row.file.save(f"{edition.file_basename()}.{fmt}", ContentFile(data), save=False)
            written.append(row)
            row.save()
    except BaseException:
        _delete_files(written)
        raise
    return written


def _delete_files(rows: list[EditionFile]) -> None:
    """Remove stored files whose rows the failed transaction takes back."""
    for row in rows:
        row.file.storage.delete(row.file.name)


def _log(
    edition: Edition, action: str, user: User, source: str, target: str, comment: str
) -> EditionTransition:
    return EditionTransition.objects.create(
        edition=edition,
        action=action,
        actor=user if user.is_authenticated else None,
        from_status=source,
        to_status=target,
        comment=comment,
    )


def _join(*parts: str) -> str:
    return "\n".join(p.strip() for p in parts if p.strip())
