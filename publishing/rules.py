"""May this person take this step on this edition now, and if not, why not.

lifecycle.py declares the rules (who may take which step from which status, four eyes,
reasons); this module answers them for one edition and one person, with the refusal as a
sentence in Traditional Chinese. It is the only place that does: the admin's buttons and
confirmation pages, the dashboard, the mail (who may decide a submitted edition) and the steps
themselves (publishing.services, under the edition's lock) all ask here.

What the rules need to know about an edition beyond its row — who submitted it, who prepared
or changed it, which files it has and what they were rendered from — is read once per
`EditionRules` (`rules_for(edition)`), however many steps or people are asked about: a page
that offers every step, a notification that asks about each approver and the step itself
each read it once.
"""

from __future__ import annotations

import datetime
from functools import cached_property
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from catalogue.roc import roc_datetime_short

from . import lifecycle
from .authorship import authored_rows
from .exceptions import (
    EditionError,
    FourEyesViolation,
    InvalidEdition,
    InvalidTransition,
    NotAllowed,
    ReasonRequired,
)
from .lifecycle import STEPS, TRANSITIONS, Action
from .models import Edition
from .rendering import FORMATS, source_sha256


def has_permission(user: Any, permission: str) -> bool:
    """Whether user holds one of the edition permissions of lifecycle.PERMISSIONS.

    Superusers hold them all; inactive users none (Django's ModelBackend).
    """
    return user.is_authenticated and user.has_perm(f"publishing.{permission}")


def permission_refusal(user: Any, action: str) -> NotAllowed | None:
    """The refusal of a person who lacks the step's permission, whatever the edition."""
    step = STEPS[action]
    if has_permission(user, step.permission):
        return None
    return NotAllowed(
        gettext("只有{role}可以{action}版本。").format(
            role=lifecycle.PERMISSION_LABELS[step.permission], action=Action(action).label
        )
    )


def check_can_schedule(*, user: Any, when: datetime.datetime) -> None:
    """An approver may schedule a publication later than now, if the worker can wait for it."""
    if not has_permission(user, lifecycle.PUBLISH):
        raise InvalidEdition(gettext("只有可以公告的核定人員可以預定公告時間。"))
    if when <= timezone.now():
        raise InvalidEdition(gettext("預定公告時間必須晚於現在。"))
    if not task_backends[DEFAULT_TASK_BACKEND_ALIAS].supports_defer:
        raise InvalidEdition(
            gettext("目前的背景作業設定不能在指定時間執行工作，無法預定公告時間。")
        )


def rules_for(edition: Edition) -> EditionRules:
    """The rules of edition as it is now, for asking about any person and step."""
    return EditionRules(edition)


class EditionRules:
    """The rules applied to one edition; what they need of the database is read once."""

    def __init__(self, edition: Edition) -> None:
        self.edition = edition

    # What the rules know of the edition

    @cached_property
    def _contributing_lines(self) -> list[tuple[str, int | None]]:
        lines = self.edition.transitions.filter(action__in=lifecycle.CONTRIBUTING_ACTIONS)
        return list(lines.order_by("at", "pk").values_list("action", "actor_id"))

    @cached_property
    def contributor_ids(self) -> frozenset[int]:
        """The people who prepared, changed, submitted or recalled the edition."""
        actors = {actor for _action, actor in self._contributing_lines if actor is not None}
        return frozenset({self.edition.prepared_by_id, *actors})

    @cached_property
    def submitter_id(self) -> int | None:
        """Who sent the edition to review last."""
        submissions = [
            actor for action, actor in self._contributing_lines if action == Action.SUBMIT
        ]
        return submissions[-1] if submissions else None

    @cached_property
    def files_current(self) -> bool:
        """Whether every file is there, rendered from what the edition holds now."""
        source = source_sha256(self.edition)
        rendered = dict(self.edition.files.values_list("format", "source_sha256"))
        return set(rendered) == set(FORMATS) and all(sha == source for sha in rendered.values())

    # The questions

    def refusal(self, user: Any, action: str, comment: str = "-") -> EditionError | None:
        """Why user may not take action on the edition now, or None when they may.

        comment "-" (the default) stands for a reason not given yet: the button is offered,
        the confirmation page asks for it.
        """
        refused = permission_refusal(user, action)
        if refused is not None:
            return refused
        step, edition, label = STEPS[action], self.edition, Action(action).label
        if edition.status not in step.sources:
            return InvalidTransition(
                gettext("這個版本目前為「{status}」，不能{action}。").format(
                    status=edition.get_status_display(), action=label
                )
            )
        if step.submitter_only and self.submitter_id != user.pk:
            return NotAllowed(
                gettext("只有送審的人可以{action}；核定人員可以退回。").format(action=label)
            )
        if step.four_eyes and (refused := self._four_eyes_refusal(user, label)):
            return refused
        if step.reason_required and not comment.strip():
            return ReasonRequired(gettext("{action}版本時必須填寫理由。").format(action=label))
        if action in (Action.APPROVE, Action.PUBLISH) and not self.files_current:
            return InvalidEdition(
                gettext(
                    "公告檔案尚未依這個版本目前的內容產生完成，不能{action}；"
                    "請等候檔案產生完成（版本頁面會顯示進度）後再試。"
                ).format(action=label)
            )
        return self._moment_refusal(action)

    def check(self, user: Any, action: str, comment: str = "-") -> None:
        """Raise the reason why user may not take action now; return when they may."""
        refused = self.refusal(user, action, comment)
        if refused is not None:
            raise refused

    def can(self, user: Any, action: str) -> bool:
        return self.refusal(user, action) is None

    def allowed_actions(self, user: Any) -> list[str]:
        """The steps of TRANSITIONS user may take now (reasons not yet given count as allowed)."""
        return [action for action in TRANSITIONS if self.can(user, action)]

    def _four_eyes_refusal(self, user: Any, label: str) -> FourEyesViolation | None:
        if user.pk in self.contributor_ids:
            return FourEyesViolation(
                gettext(
                    "依四眼原則，您準備、修改、送審或撤回了這個版本，不能{action}它；"
                    "請由另一位核定人員處理。"
                ).format(action=label)
            )
        rows = authored_rows(self.edition.diff, user.pk)
        if rows:
            return FourEyesViolation(
                gettext(
                    "依四眼原則，這個版本含有您修改過的目錄內容（{rows}），您不能{action}它；"
                    "請由另一位核定人員處理。"
                ).format(rows="；".join(rows), action=label)
            )
        return None

    def _moment_refusal(self, action: str) -> EditionError | None:
        scheduled = self.edition.scheduled_for
        if action == Action.PUBLISH and scheduled and timezone.now() < scheduled:
            return InvalidTransition(
                gettext("這個版本已預定於 {when} 公告；如要提前公告，請先取消預定公告。").format(
                    when=roc_datetime_short(scheduled)
                )
            )
        if action == Action.UNSCHEDULE and scheduled is None:
            return InvalidTransition(gettext("這個版本沒有預定公告時間。"))
        return None
