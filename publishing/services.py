"""The steps of an edition's life, as lifecycle.py declares them. The admin, the public views,
the `edition` command and bootstrap all call these, so the rules — permissions, four eyes over
the edition and over its content, frozen editions — are checked in one place.

Files are rendered once an edition is submitted (`render_edition`, the `render` step, in the
background worker: publishing.tasks), so that the approver signs off the very bytes that
publication makes public; approval and publication refuse files not rendered from what the
edition holds now. The admin's publish button and a scheduled publication (預定公告時間) hand
publication to the worker (publishing.tasks); the steps themselves are the same functions.

Every step locks the edition row (select_for_update), checks the rules against the locked row
(and, when the caller passes expected_version, that nobody changed it since it was read),
changes it inside lifecycle.sanctioned(step) and writes one EditionTransition per status change,
all in one transaction. Refusals raise publishing.exceptions.EditionError subclasses with a
message in Traditional Chinese.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from catalogue.i18n import site_language
from catalogue.models import Bulletin
from catalogue.roc import roc_datetime_short
from catalogue.text import normalise_line_breaks, text_problem

from . import lifecycle, notifications
from .authorship import attach_revisions, authored_rows
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
from .lifecycle import STEPS, TRANSITIONS, Step, sanctioned
from .models import Edition, EditionFile, EditionTask, EditionTransition
from .snapshot import build_snapshot, snapshot_sha256

__all__ = ["STEPS", "TRANSITIONS", "Step"]

User = AbstractBaseUser | AnonymousUser
Action = lifecycle.Action
Status = Edition.Status


# Permissions and rules


def has_permission(user: User, permission: str) -> bool:
    """Whether user holds one of the edition permissions of lifecycle.PERMISSIONS.

    Superusers hold them all; inactive users none (Django's ModelBackend).
    """
    return user.is_authenticated and user.has_perm(f"publishing.{permission}")


def contributor_ids(edition: Edition) -> set[int]:
    """The people who prepared, changed, submitted or recalled the edition."""
    lines = edition.transitions.filter(
        action__in=lifecycle.CONTRIBUTING_ACTIONS, actor__isnull=False
    )
    return {edition.prepared_by_id, *lines.values_list("actor_id", flat=True)}


def submitter_id(edition: Edition) -> int | None:
    """Who sent the edition to review last."""
    line = edition.transitions.filter(action=Action.SUBMIT).order_by("at", "pk").last()
    return line.actor_id if line else None


def check_allowed(*, edition: Edition, user: User, action: str, comment: str = "") -> None:
    """Raise the reason why user may not take action on edition now; return when they may."""
    step = STEPS[action]
    label = Action(action).label
    if not has_permission(user, step.permission):
        raise NotAllowed(
            gettext("只有{role}可以{action}版本。").format(
                role=lifecycle.PERMISSION_LABELS[step.permission], action=label
            )
        )
    if edition.status not in step.sources:
        raise InvalidTransition(
            gettext("這個版本目前為「{status}」，不能{action}。").format(
                status=edition.get_status_display(), action=label
            )
        )
    if step.submitter_only and submitter_id(edition) != user.pk:
        raise NotAllowed(
            gettext("只有送審的人可以{action}；核定人員可以退回。").format(action=label)
        )
    if step.four_eyes:
        _check_four_eyes(edition, user, label)
    if step.reason_required and not comment.strip():
        raise ReasonRequired(gettext("{action}版本時必須填寫理由。").format(action=label))
    if action in (Action.APPROVE, Action.PUBLISH):
        _check_files_current(edition, label)
    if (
        action == Action.PUBLISH
        and edition.scheduled_for
        and timezone.now() < edition.scheduled_for
    ):
        raise InvalidTransition(
            gettext("這個版本已預定於 {when} 公告；如要提前公告，請先取消預定公告。").format(
                when=roc_datetime_short(edition.scheduled_for)
            )
        )
    if action == Action.UNSCHEDULE and edition.scheduled_for is None:
        raise InvalidTransition(gettext("這個版本沒有預定公告時間。"))


def _check_files_current(edition: Edition, label: str) -> None:
    """The files the approver sees must be rendered from what the edition holds now."""
    from .rendering import FORMATS, source_sha256

    source = source_sha256(edition)
    rendered = {f.format: f.source_sha256 for f in edition.files.all()}
    if set(rendered) != set(FORMATS) or any(sha != source for sha in rendered.values()):
        raise InvalidEdition(
            gettext(
                "公告檔案尚未依這個版本目前的內容產生完成，不能{action}；"
                "請等候檔案產生完成（版本頁面會顯示進度）後再試。"
            ).format(action=label)
        )


def _check_four_eyes(edition: Edition, user: User, label: str) -> None:
    if user.pk in contributor_ids(edition):
        raise FourEyesViolation(
            gettext(
                "依四眼原則，您準備、修改、送審或撤回了這個版本，不能{action}它；"
                "請由另一位核定人員處理。"
            ).format(action=label)
        )
    rows = authored_rows(edition.diff, user.pk)
    if rows:
        raise FourEyesViolation(
            gettext(
                "依四眼原則，這個版本含有您修改過的目錄內容（{rows}），您不能{action}它；"
                "請由另一位核定人員處理。"
            ).format(rows="；".join(rows), action=label)
        )


def allowed_actions(*, edition: Edition, user: User) -> list[str]:
    """The transitions user may take on edition now (reasons not yet given count as allowed)."""
    return [action for action in TRANSITIONS if can(edition=edition, user=user, action=action)]


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
    if not has_permission(user, STEPS[Action.CREATE].permission):
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
def refresh_edition(
    *, edition: Edition, user: User, comment: str = "", expected_version: Any = None
) -> Edition:
    """Rebuild a draft's snapshot from the catalogue as it is now."""
    locked = _lock(edition, user, Action.REFRESH, comment, expected_version)
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
    expected_version: datetime.datetime | None = None,
) -> Edition:
    """Change a draft's note or date. From submission on an edition changes only by a step:
    the submitter recalls it first, or an approver rejects it."""
    locked = _lock(edition, user, Action.EDIT, expected_version=expected_version)
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
    locked.save()
    note = site_language("修改：") + "、".join(changed)
    _log(locked, Action.EDIT, user, locked.status, locked.status, note)
    return locked


@transaction.atomic
def submit_edition(
    *, edition: Edition, user: User, comment: str = "", expected_version: Any = None
) -> Edition:
    """Send a draft for review; from now on it changes only by a step.

    A text that could not be published is refused here already, listed with its place, so
    that no one approves an edition that cannot be published.
    """
    from .rendering.check import check_texts
    from .rendering.document import Document

    locked = _lock(edition, user, Action.SUBMIT, comment, expected_version)
    _validate(locked)
    with translation.override(settings.LANGUAGE_CODE):
        check_texts(Document.of(locked))
    _chain(locked)
    submitted = _move(locked, user, Action.SUBMIT, comment)
    # Queued in this transaction: the work exists exactly when the submission does.
    from .tasks import request_rendering

    request_rendering(edition=submitted, user=user)
    return submitted


@transaction.atomic
def recall_edition(
    *, edition: Edition, user: User, comment: str, expected_version: Any = None
) -> Edition:
    """撤回送審: the submitter takes a submitted edition back to draft, with the reason."""
    locked = _lock(edition, user, Action.RECALL, comment, expected_version)
    return _move(locked, user, Action.RECALL, comment)


@transaction.atomic
def approve_edition(
    *,
    edition: Edition,
    user: User,
    comment: str = "",
    expected_version: Any = None,
    scheduled_for: datetime.datetime | None = None,
) -> Edition:
    """Approve a submitted edition whose files are rendered from what it holds now.

    With scheduled_for (預定公告時間), the approver also asks for its publication at that
    moment: the worker publishes it then, with the approver as the publisher, through the same
    checks as the publish button; an approver may cancel it until then (unschedule_edition).
    """
    from .tasks import check_can_schedule, request_publication

    locked = _lock(edition, user, Action.APPROVE, comment, expected_version)
    note = ""
    if scheduled_for is not None:
        check_can_schedule(user=user, when=scheduled_for)
        locked.scheduled_for = scheduled_for
        note = site_language("預定公告時間：{when}", when=roc_datetime_short(scheduled_for))
    approved = _move(locked, user, Action.APPROVE, _join(comment, note))
    if scheduled_for is not None:
        request_publication(edition=approved, user=user, comment=comment, run_after=scheduled_for)
    return approved


@transaction.atomic
def unschedule_edition(
    *, edition: Edition, user: User, comment: str = "", expected_version: Any = None
) -> Edition:
    """Cancel a scheduled publication; the edition stays approved, to publish or schedule later."""
    locked = _lock(edition, user, Action.UNSCHEDULE, comment, expected_version)
    when = locked.scheduled_for
    locked.scheduled_for = None
    with sanctioned(Action.UNSCHEDULE):
        locked.save()
    note = site_language("取消原預定於 {when} 的公告。", when=roc_datetime_short(when))
    for job in locked.tasks.filter(kind=EditionTask.Kind.PUBLISH, state=EditionTask.State.QUEUED):
        job.state = EditionTask.State.CANCELLED
        job.reason = note
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "reason", "finished_at"])
    status = locked.status
    _log(locked, Action.UNSCHEDULE, user, status, status, _join(comment, note))
    return locked


@transaction.atomic
def reject_edition(
    *, edition: Edition, user: User, comment: str, expected_version: Any = None
) -> Edition:
    """Send a submitted edition back, with the reason; an editor may then reopen it."""
    locked = _lock(edition, user, Action.REJECT, comment, expected_version)
    return _move(locked, user, Action.REJECT, comment)


@transaction.atomic
def reopen_edition(
    *, edition: Edition, user: User, comment: str = "", expected_version: Any = None
) -> Edition:
    """Turn a rejected edition back into a draft that can be refreshed and submitted again."""
    locked = _lock(edition, user, Action.REOPEN, comment, expected_version)
    return _move(locked, user, Action.REOPEN, comment)


@transaction.atomic
def publish_edition(
    *, edition: Edition, user: User, comment: str = "", expected_version: Any = None
) -> Edition:
    """Publish an approved edition: chain it, publish the files the approver saw and supersede
    the one in force.

    The files were rendered at submission and approved as they are; each is read back and
    checked against its SHA-256 before anything is written, so a missing or altered file leaves
    the edition approved and the database and storage as they were.
    """
    locked = _lock(edition, user, Action.PUBLISH, comment, expected_version)
    Bulletin.objects.select_for_update().filter(pk=locked.bulletin_id).first()
    _validate(locked)
    if snapshot_sha256(locked.snapshot) != locked.snapshot_sha256:
        raise InvalidEdition(gettext("版本內容與其 SHA-256 不符，不能公告。"))
    _chain(locked)
    files = list(locked.files.all())
    published = {file.pk: _published_bytes(locked, file) for file in files}
    written: list[EditionFile] = []
    try:
        with sanctioned(Action.PUBLISH):
            # Files change only while the edition is still approved: from publication on,
            # the model and the trigger refuse any change.
            written = _replace_published_bytes(locked, files, published)
        for old in Edition.objects.select_for_update().published().for_bulletin(locked.bulletin):
            note = site_language("由 {date} 版本取代。", date=locked.roc_date)
            _move(old, user, Action.SUPERSEDE, note)
        locked.published_at = timezone.now()
        return _move(locked, user, Action.PUBLISH, comment)
    except BaseException:
        _delete_files(written)
        raise


def _published_bytes(edition: Edition, file: EditionFile) -> tuple[bytes, dict[str, Any]]:
    """The bytes publication makes public for one approved file, and the columns that change
    with them: THE place where the approved bytes become the published ones.

    They are the approved bytes, read back and checked against the SHA-256 the approver saw;
    the PDF then gets the seal (an incremental PAdES signature): the signed file starts with
    the approved bytes, and its own size and SHA-256 become the file's.
    """
    from .integrity import FileUnavailable, verified_content

    try:
        approved = verified_content(file)
    except FileUnavailable as error:
        raise InvalidEdition(
            gettext("公告檔案 {name} 與核定時不符（{error}），不能公告。").format(
                name=file.filename, error=error
            )
        ) from error
    if file.format == EditionFile.Format.PDF:
        return _seal(approved)
    return approved, {}


def _replace_published_bytes(
    edition: Edition, files: list[EditionFile], published: dict[int, tuple[bytes, dict[str, Any]]]
) -> list[EditionFile]:
    """Store the bytes of each file whose published bytes differ from the approved ones."""
    written: list[EditionFile] = []
    for file in files:
        data, columns = published[file.pk]
        sha = hashlib.sha256(data).hexdigest()
        if sha == file.sha256:
            continue
        file.file.save(edition.file_name(file.format), ContentFile(data), save=False)
        written.append(file)
        file.size, file.sha256 = len(data), sha
        for column, value in columns.items():
            setattr(file, column, value)
        file.save()
    return written


@transaction.atomic
def render_edition(*, edition: Edition, source: str = "") -> list[EditionFile] | None:
    """產生公告檔案: render a submitted edition's files and store them as its file rows,
    replacing those of an earlier submission. Taken by the worker (publishing.tasks) after
    each submission; returns None, changing nothing, when the edition is no longer submitted
    or no longer holds `source` (a newer submission has its own rendering queued)."""
    from .rendering import render_edition_files, source_sha256

    if snapshot_sha256(edition.snapshot) != edition.snapshot_sha256:
        raise InvalidEdition(gettext("版本內容與其 SHA-256 不符，不能產生公告檔案。"))
    # Rendered before the lock: nobody waits on the edition row while the PDF is typeset.
    rendered = render_edition_files(edition)
    locked = Edition.objects.select_for_update().select_related("bulletin").get(pk=edition.pk)
    current = source_sha256(locked)
    if (
        locked.status != Status.SUBMITTED
        or current != source_sha256(edition)
        or (source and current != source)
    ):
        return None
    old = list(locked.files.all())
    written: list[EditionFile] = []
    try:
        with sanctioned(Action.RENDER):
            for row in old:
                row.delete()
            written = _store_files(locked, rendered, source=current)
        lines = [
            f"{row.get_format_display()} {row.size} bytes SHA-256 {row.sha256}" for row in written
        ]
        _log(locked, Action.RENDER, AnonymousUser(), locked.status, locked.status, "\n".join(lines))
    except BaseException:
        _delete_files(written)
        raise
    # The replaced files leave storage once their rows are gone for good.
    transaction.on_commit(lambda: _delete_files(old))
    return written


@transaction.atomic
def withdraw_edition(
    *, edition: Edition, user: User, comment: str, expected_version: Any = None
) -> Edition:
    """Withdraw a published edition; it stays listed publicly with the reason."""
    locked = _lock(edition, user, Action.WITHDRAW, comment, expected_version)
    locked.withdrawn_reason = comment.strip()
    return _move(locked, user, Action.WITHDRAW, comment)


@transaction.atomic
def delete_edition(*, edition: Edition, user: User) -> None:
    """Delete a draft and its audit trail; only superusers hold the right (delete_edition)."""
    if not (user.is_authenticated and user.has_perm("publishing.delete_edition")):
        raise NotAllowed(gettext("您沒有刪除版本的權限。"))
    locked = _lock(edition, user, Action.DELETE)
    files = list(locked.files.all())
    with sanctioned(Action.DELETE):
        for file in files:  # rendered at an earlier submission
            file.delete()
        locked.delete()
    transaction.on_commit(lambda: _delete_files(files))


STEP_SERVICES = {
    Action.REFRESH: refresh_edition,
    Action.SUBMIT: submit_edition,
    Action.RECALL: recall_edition,
    Action.REOPEN: reopen_edition,
    Action.APPROVE: approve_edition,
    Action.REJECT: reject_edition,
    Action.PUBLISH: publish_edition,
    Action.UNSCHEDULE: unschedule_edition,
    Action.WITHDRAW: withdraw_edition,
}


def take_action(
    *, edition: Edition, user: User, action: str, comment: str = "", expected_version: Any = None
) -> Edition:
    """Take one of TRANSITIONS by name: what the admin buttons and the command call."""
    if action not in STEP_SERVICES:
        raise InvalidTransition(gettext("沒有「{action}」這個操作。").format(action=action))
    return STEP_SERVICES[action](
        edition=edition, user=user, comment=comment, expected_version=expected_version
    )


def current_diff(edition: Edition) -> dict[str, Any]:
    """The stored diff once submitted; for a draft, the diff against the last public edition now."""
    if edition.diff is not None and edition.snapshot_is_frozen:
        return edition.diff
    previous = Edition.objects.latest_public(edition.bulletin)
    if previous is not None and previous.pk == edition.pk:
        previous = None
    diff = diff_snapshots(previous.snapshot if previous else None, edition.snapshot)
    return attach_revisions(diff, edition=edition, previous=previous, snapshot=edition.snapshot)


# Helpers


def _lock(
    edition: Edition,
    user: User,
    action: str,
    comment: str = "",
    expected_version: datetime.datetime | None = None,
) -> Edition:
    """The edition's row, locked and re-read; refuse if it changed since the caller read it."""
    if not has_permission(user, STEPS[action].permission):
        check_allowed(edition=edition, user=user, action=action, comment=comment)
    locked = Edition.objects.select_for_update().select_related("bulletin").get(pk=edition.pk)
    last = locked.transitions.select_related("actor").order_by("at", "pk").last()
    who = last.actor.get_username() if last and last.actor else gettext("其他人")
    if locked.status != edition.status:
        raise Conflict(
            gettext(
                "這個版本剛由 {who} 變更為「{status}」，未執行任何操作；請重新整理後再確認。"
            ).format(who=who, status=locked.get_status_display())
        )
    if expected_version is not None and locked.updated_at != expected_version:
        raise Conflict(
            gettext(
                "這個版本在您開啟後已由 {who} 於 {when} 變更，未執行任何操作；請重新整理後再確認。"
            ).format(who=who, when=roc_datetime_short(locked.updated_at, seconds=True))
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
    """Move the edition as the step says and log it; the only way a status changes."""
    source = edition.status
    edition.status = STEPS[action].target
    with sanctioned(action):
        edition.save()
    _log(edition, action, user, source, edition.status, comment.strip())
    notifications.notify_after_commit(action, edition=edition, user=user, reason=comment)
    return edition


def _chain(edition: Edition) -> None:
    """Link to the bulletin's last public edition; diff against it, naming who wrote each row."""
    previous = Edition.objects.latest_public(edition.bulletin)
    edition.previous = previous
    edition.previous_sha256 = previous.snapshot_sha256 if previous else ""
    diff = diff_snapshots(previous.snapshot if previous else None, edition.snapshot)
    edition.diff = attach_revisions(
        diff, edition=edition, previous=previous, snapshot=edition.snapshot
    )


def _validate(edition: Edition) -> None:
    try:
        edition.full_clean()
    except ValidationError as error:
        raise InvalidEdition("；".join(error.messages)) from error


def _seal(unsigned: bytes) -> tuple[bytes, dict[str, Any]]:
    """The approved PDF signed, and the seal columns of its row, when a seal is configured
    (rendering/seal.py); the PDF as it is otherwise. The row keeps the approved (unsigned)
    file's size and SHA-256 beside the signed file's: the signed file starts with those bytes."""
    from .rendering import seal

    if not seal.seal_configured():
        return unsigned, {}
    signed = seal.seal_pdf(unsigned)
    info = seal.read_seal(signed)
    if not info.holds or info.unsigned_size != len(unsigned):
        raise InvalidEdition(gettext("PDF 電子簽章無法驗證，未公告。"))
    columns = {
        "signed_by": info.signer,
        "signed_at": info.signed_at,
        "signer_certificate_sha256": info.certificate_sha256,
        "unsigned_sha256": hashlib.sha256(unsigned).hexdigest(),
        "unsigned_size": len(unsigned),
    }
    return signed, columns


def _store_files(edition: Edition, rendered: dict[str, bytes], *, source: str) -> list[EditionFile]:
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
                source_sha256=source,
            )
            row.file.save(edition.file_name(fmt), ContentFile(data), save=False)
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
    with sanctioned(action):
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
