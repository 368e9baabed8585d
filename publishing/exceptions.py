"""Why an edition could not be changed: every refusal carries a message in Traditional Chinese.

Services, model methods and the PostgreSQL triggers refuse; the admin, the views and the
`edition` command show `str(error)` to the person who asked.
"""

from django.utils.translation import gettext_lazy as _


class EditionError(Exception):
    """Base of every refusal about an edition."""

    default_message = _("無法處理這個版本。")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message if message is not None else self.default_message)
        super().__init__(self.message)


class NotAllowed(EditionError):
    """The person lacks the role for the step, or the four-eyes rule forbids it."""

    default_message = _("您沒有權限執行這個操作。")


class FourEyesViolation(NotAllowed):
    """The person prepared, changed, submitted or recalled the edition they want to approve or
    publish, or wrote a catalogue revision it carries (publishing.authorship)."""

    default_message = _("依四眼原則，準備、修改或送審這個版本的人不得核定或公告它。")


class InvalidTransition(EditionError):
    """The edition's status does not allow the step."""

    default_message = _("這個版本目前的狀態不允許這個操作。")


class ReasonRequired(InvalidTransition):
    default_message = _("請填寫理由。")


class InvalidEdition(EditionError):
    """The edition's own data breaks a rule (date, one edition per date, one unpublished)."""

    default_message = _("版本資料不正確。")


class Conflict(EditionError):
    """Someone else changed the edition first; nothing was done."""

    default_message = _("這個版本剛被其他人變更，未執行任何操作；請重新整理後再試。")


class EditionFrozen(EditionError):
    """The edition (or its files) may no longer change: published, or frozen since submission."""

    default_message = _("已公告的版本不可修改或刪除。")


class RenderingError(EditionError):
    """The edition's files could not be rendered (raised by publishing.rendering)."""

    default_message = _("無法產生公告檔案。")
