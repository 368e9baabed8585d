"""The steps of an edition's life, as lifecycle.py declares them: one function per step, the
only entry the admin, the `edition` command, bootstrap and the background worker call
(`take_action` finds a step by its name).

Each step, in one transaction: locks the edition row (select_for_update); asks
publishing.rules whether this person may take it now, against the locked row (and, when the
caller passes expected_version, that nobody changed it since it was read); writes inside
lifecycle.sanctioned(step); records one EditionTransition; and announces what it did as one
event (publishing.events). What follows a step — mail, the rendering of a submitted edition's
files, the queued publication, the audit line — listens to the event (publishing.listeners):
no step calls them. Refusals raise publishing.exceptions.EditionError subclasses with a
message in Traditional Chinese, and change nothing.

Files are rendered once an edition is submitted (`render_edition`, the `render` step, taken
by the worker), so that the approver signs off the very bytes that publication makes public;
approval and publication refuse files not rendered from what the edition holds now. Whether a
publication runs now or in the worker is the publish step's own argument (`background`, or
`scheduled_for` on approval): the worker then takes the same step.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from catalogue.i18n import site_language
from catalogue.models import Bulletin
from catalogue.roc import roc_datetime_short
from catalogue.text import normalise_line_breaks, text_problem

from . import files, lifecycle, rules
from .authorship import attach_revisions
from .diff import diff_snapshots
from .events import PUBLICATION_QUEUED, EditionEvent, emit
from .exceptions import Conflict, InvalidEdition, InvalidTransition, NotAllowed
from .lifecycle import STEPS, TRANSITIONS, Step, sanctioned
from .models import Edition, EditionFile, EditionTask, EditionTransition
from .snapshot import build_snapshot, snapshot_sha256

__all__ = ["STEPS", "TRANSITIONS", "Step"]

User = AbstractBaseUser | AnonymousUser
Action = lifecycle.Action
Status = Edition.Status


# Steps


@transaction.atomic
def create_edition(
    *, bulletin: Bulletin, date: datetime.date, user: User, change_note: str = ""
) -> Edition:
    """Prepare a draft edition dated `date`, frozen from the bulletin's catalogue as it is now."""
    if not rules.has_permission(user, STEPS[Action.CREATE].permission):
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
    _record(edition, Action.CREATE, user, "", Status.DRAFT, change_note)
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
    _record(locked, Action.REFRESH, user, locked.status, locked.status, _join(comment, note))
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
    _record(locked, Action.EDIT, user, locked.status, locked.status, note)
    return locked


@transaction.atomic
def submit_edition(
    *, edition: Edition, user: User, comment: str = "", expected_version: Any = None
) -> Edition:
    """Send a draft for review; from now on it changes only by a step.

    A text that could not be published is refused here already, listed with its place, so
    that no one approves an edition that cannot be published. The worker renders its files
    (the render step), queued by the submission's event in this transaction: the work exists
    exactly when the submission does.
    """
    from .rendering.check import check_texts
    from .rendering.document import Document

    locked = _lock(edition, user, Action.SUBMIT, comment, expected_version)
    _validate(locked)
    with translation.override(settings.LANGUAGE_CODE):
        check_texts(Document.of(locked))
    _chain(locked)
    return _move(locked, user, Action.SUBMIT, comment)


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
    locked = _lock(edition, user, Action.APPROVE, comment, expected_version)
    note = ""
    if scheduled_for is not None:
        rules.check_can_schedule(user=user, when=scheduled_for)
        locked.scheduled_for = scheduled_for
        note = site_language("預定公告時間：{when}", when=roc_datetime_short(scheduled_for))
    approved = _move(locked, user, Action.APPROVE, _join(comment, note))
    if scheduled_for is not None:
        _queue_publication(approved, user, comment, run_after=scheduled_for)
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
    status = locked.status
    # The queued publication is the worker's (publishing.tasks cancels it on this event).
    _record(locked, Action.UNSCHEDULE, user, status, status, _join(comment, note), note=note)
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
    *,
    edition: Edition,
    user: User,
    comment: str = "",
    expected_version: Any = None,
    background: bool = False,
) -> Edition:
    """Publish an approved edition: chain it, publish the files the approver saw and supersede
    the one in force.

    The files were rendered at submission and approved as they are; each is read back and
    checked against its SHA-256 before anything is written, so a missing or altered file leaves
    the edition approved and the database and storage as they were.

    background: check the rules now, so that a refusal is answered at once, and hand the
    publication to the worker, which takes this same step (the edition page shows its
    progress); the edition is returned as it is once the request is queued.
    """
    locked = _lock(edition, user, Action.PUBLISH, comment, expected_version)
    if background:
        _queue_publication(locked, user, comment)
        return Edition.objects.get(pk=locked.pk)
    Bulletin.objects.select_for_update().filter(pk=locked.bulletin_id).first()
    _validate(locked)
    if snapshot_sha256(locked.snapshot) != locked.snapshot_sha256:
        raise InvalidEdition(gettext("版本內容與其 SHA-256 不符，不能公告。"))
    _chain(locked)
    rows = list(locked.files.all())
    published = {row.pk: files.published_bytes(row) for row in rows}
    written: list[EditionFile] = []
    try:
        with sanctioned(Action.PUBLISH):
            # Files change only while the edition is still approved: from publication on,
            # the model and the trigger refuse any change.
            written = files.replace_with_published(locked, rows, published)
        for old in Edition.objects.select_for_update().published().for_bulletin(locked.bulletin):
            note = site_language("由 {date} 版本取代。", date=locked.roc_date)
            _move(old, user, Action.SUPERSEDE, note)
        locked.published_at = timezone.now()
        return _move(locked, user, Action.PUBLISH, comment)
    except BaseException:
        files.delete_stored(written)
        raise


def _queue_publication(
    edition: Edition, user: User, comment: str, run_after: datetime.datetime | None = None
) -> None:
    """Hand the publication of a locked, approved edition to the worker, now or at run_after:
    the worker (publishing.tasks, listening to PUBLICATION_QUEUED) takes the publish step then,
    checking the rules again."""
    if EditionTask.objects.filter(edition=edition).pending_publications().exists():
        raise InvalidTransition(gettext("這個版本的公告作業已在進行中，請等候結果。"))
    emit(
        EditionEvent(
            PUBLICATION_QUEUED,
            edition,
            actor=user,
            source=edition.status,
            target=edition.status,
            comment=comment,
            details={"run_after": run_after},
        )
    )


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
            written = files.store_rendered(locked, rendered, source=current)
        lines = [
            f"{row.get_format_display()} {row.size} bytes SHA-256 {row.sha256}" for row in written
        ]
        status = locked.status
        _record(locked, Action.RENDER, AnonymousUser(), status, status, "\n".join(lines))
    except BaseException:
        files.delete_stored(written)
        raise
    # The replaced files leave storage once their rows are gone for good.
    transaction.on_commit(lambda: files.delete_stored(old))
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
    rows = list(locked.files.all())
    status = locked.status
    with sanctioned(Action.DELETE):
        for row in rows:  # rendered at an earlier submission
            row.delete()
        locked.delete()
    transaction.on_commit(lambda: files.delete_stored(rows))
    emit(EditionEvent(Action.DELETE, edition, actor=user, source=status, target=status))


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
    *,
    edition: Edition,
    user: User,
    action: str,
    comment: str = "",
    expected_version: Any = None,
    background: bool = False,
    **options: Any,
) -> Edition:
    """Take one of TRANSITIONS by name: what the admin buttons and the command call.

    background: the caller would rather not wait (a web request); the steps that may run in
    the worker (lifecycle's Step.may_run_later: publication) then go there. options: what a
    step takes besides (approve: scheduled_for).
    """
    if action not in STEP_SERVICES:
        raise InvalidTransition(gettext("沒有「{action}」這個操作。").format(action=action))
    if background and STEPS[action].may_run_later:
        options["background"] = True
    return STEP_SERVICES[action](
        edition=edition, user=user, comment=comment, expected_version=expected_version, **options
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
    """The edition's row, locked and re-read; refuse if it changed since the caller read it,
    or if the rules (asked once, of the locked row) refuse the step."""
    refused = rules.permission_refusal(user, action)
    if refused is not None:  # whatever the edition's state, before waiting for its lock
        raise refused
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
    rules.rules_for(locked).check(user, action, comment)
    _check_text(comment, gettext("說明或理由"))
    return locked


def _check_text(text: str, label: str) -> None:
    """The catalogue's text rule for what people write about an edition: the feed, the public
    pages and the files show it (a control character would break the feed's XML)."""
    problem = text_problem(normalise_line_breaks(text))
    if problem is not None:
        raise InvalidEdition(f"{label}{problem.message()}")


def _move(edition: Edition, user: User, action: str, comment: str) -> Edition:
    """Move the edition as the step says and record it; the only way a status changes.

    The event carries the comment as the person wrote it (the mail quotes it), the audit
    line its stripped text."""
    source = edition.status
    edition.status = STEPS[action].target
    with sanctioned(action):
        edition.save()
    _record(edition, action, user, source, edition.status, comment.strip(), reason=comment)
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


def _record(
    edition: Edition,
    action: str,
    user: User,
    source: str,
    target: str,
    comment: str,
    *,
    reason: str | None = None,
    **details: Any,
) -> EditionTransition:
    """Write the step's line of the audit trail and announce the step (publishing.events)."""
    actor = user if user.is_authenticated else None
    with sanctioned(action):
        line = EditionTransition.objects.create(
            edition=edition,
            action=action,
            actor=actor,
            from_status=source,
            to_status=target,
            comment=comment,
        )
    emit(
        EditionEvent(
            action,
            edition,
            actor=actor,
            source=source,
            target=target,
            comment=comment if reason is None else reason,
            transition=line,
            details=details,
        )
    )
    return line


def _join(*parts: str) -> str:
    return "\n".join(p.strip() for p in parts if p.strip())
