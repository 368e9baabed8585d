"""No lost updates: every catalogue object carries a version, and a save must name the one it read.

Two editors open the same scope; the first saves. Without a check the second save would
silently put back what the first changed. Each catalogue row has an integer `version`; a save
claims the row with one compare-and-set UPDATE … WHERE version = <the version read>, so on
every path (admin form, revert, import, ORM) a save against a newer version is refused, and on
PostgreSQL two saves at the same moment queue on the row lock and the second finds the version
moved. The admin forms carry the version they were read at in a hidden field.

The version is kept in the revision history (it is our own field, not django-concurrency's, so
its issue #87 does not arise): it is how a refusal finds the revision the editor had read, to
link to the comparison with the revision that overtook it.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.people import user_label

from .roc import roc_datetime_short
from .text import TextRuleModel


class StaleVersion(ValidationError):
    """A save against a version older than the stored one; nothing was written."""

    def __init__(self, obj: models.Model, read_version: int) -> None:
        self.obj = obj
        self.read_version = read_version
        super().__init__(str(conflict_message(obj, read_version, link=False)), code="stale_version")


class VersionedModel(TextRuleModel):
    """A model whose saves are refused when the row changed since it was read."""

    version = models.PositiveIntegerField(
        _("版本號"),
        default=1,
        editable=False,
        help_text=_("每次儲存加一；儲存時若資料庫中的版本號已較新，表示他人已修改，拒絕儲存。"),
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding or self.pk is None:
            super().save(*args, **kwargs)
            return
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        read_version = self.version
        try:
            with transaction.atomic(using=using):
                claim_version(self, using=using)
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
                super().save(*args, **kwargs)
        except BaseException:
            self.version = read_version  # rolled back: the object still holds what it read
            raise


def claim_version(obj: VersionedModel, *, using: str) -> None:
    """Move obj's row from the version obj was read at to the next one, or raise StaleVersion.

    A row that no longer exists is left to Django's save (which inserts it again, as a revert
    of a deleted object does).
    """
    manager = type(obj)._base_manager.using(using)
    claimed = manager.filter(pk=obj.pk, version=obj.version).update(version=models.F("version") + 1)
    if claimed:
        obj.version += 1
    elif manager.filter(pk=obj.pk).exists():
        raise StaleVersion(obj, obj.version)


def check_version(obj: VersionedModel, read_version: int) -> None:
    """Refuse early (before any write) when obj's row moved past read_version; else adopt it.

    Call inside a transaction: the row stays locked (PostgreSQL) until the save that follows.
    """
    stored = (
        type(obj)
        ._base_manager.select_for_update()
        .filter(pk=obj.pk)
        .values_list("version", flat=True)
        .first()
    )
    if stored is not None and stored != read_version:
        raise StaleVersion(obj, read_version)
    obj.version = read_version


def conflict_message(obj: models.Model, read_version: int, *, link: bool = True) -> SafeString:
    """One sentence: who changed obj since read_version, when, and a link to that change."""
    history = type(obj).history.filter(id=obj.pk).select_related("history_user")  # type: ignore[attr-defined]
    newest = history.order_by("-history_date", "-history_id").first()
    if newest is None or newest.version <= read_version:
        return format_html(
            gettext(
                "「{object}」在您開啟後已被修改，本次未儲存；"
                "您填寫的內容仍保留在表單中，請重新載入頁面查看最新內容後再修改。"
            ),
            object=_label(obj),
        )
    read = history.filter(version__lte=read_version).order_by("-history_date", "-history_id")
    url = _compare_url(obj, read.first(), newest) if link else ""
    # The sentence says where the link goes; the command line gets it without one.
    link_html = format_html('（<a href="{}">{}</a>）', url, gettext("查看該次變更")) if url else ""
    return format_html(
        gettext(
            "「{object}」在您開啟後已由 {user} 於 {time} 修改{link}，本次未儲存；"
            "您填寫的內容仍保留在表單中，請參考對方的修改，重新載入頁面後再修改。"
        ),
        object=_label(obj),
        user=user_label(newest.history_user),
        time=roc_datetime_short(newest.history_date),
        link=link_html,
    )


def _compare_url(obj: models.Model, old: Any, new: Any) -> str:
    if old is None or old.history_id == new.history_id:
        return ""
    opts = obj._meta
    try:
        base = reverse(f"admin:{opts.app_label}_{opts.model_name}_history_compare", args=[obj.pk])
    except NoReverseMatch:
        return ""
    return f"{base}?old={old.history_id}&new={new.history_id}"


def _label(obj: models.Model) -> str:
    try:
        return str(obj)
    except models.ObjectDoesNotExist:
        return f"{obj._meta.verbose_name} #{obj.pk}"
