"""Revision history for the catalogue, on top of django-simple-history.

simple-history writes one revision on save and one more on every many-to-many change, so an
edit of a scope and its agencies would leave two or three revisions, the first with the old
agencies. `record_revision` lets a caller save the object and its agencies first and then
write exactly one revision that holds both.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.db.models.deletion import Collector
from django.utils.translation import gettext, gettext_lazy
from simple_history.models import HistoricalRecords

from .i18n import site_language
from .roc import roc_datetime_short


class CatalogueHistoricalRecords(HistoricalRecords):
    """HistoricalRecords that the model keeps a handle on, so revisions can be written on demand."""

    def finalize(self, sender: type[models.Model], **kwargs: Any) -> None:
        super().finalize(sender, **kwargs)
        if getattr(sender._meta, "simple_history_manager_attribute", None) == self.manager_name:
            sender._history_recorder = self  # type: ignore[attr-defined]


def attribute(obj: models.Model, *, user: Any, reason: str) -> None:
    """Name who makes the next revision of obj, and why."""
    obj._history_user = user  # type: ignore[attr-defined]
    obj._change_reason = reason  # type: ignore[attr-defined]


@contextmanager
def one_revision(obj: models.Model, *, user: Any, reason: str) -> Iterator[None]:
    """Save obj and its many-to-many fields inside the block; one revision is written at the end."""
    is_new = obj.pk is None
    attribute(obj, user=user, reason=reason)
    obj.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del obj.skip_history_when_saving  # type: ignore[attr-defined]
    record_revision(obj, created=is_new)


def record_revision(obj: models.Model, *, created: bool = False) -> None:
    """Write a revision of obj as it is now, agencies included."""
    recorder: CatalogueHistoricalRecords = type(obj)._history_recorder  # type: ignore[attr-defined]
    recorder.create_historical_record(obj, "+" if created else "~")


REVERTED = gettext_lazy("還原至 {label} 版本")
REVERTED_BECAUSE = gettext_lazy("還原至 {label} 版本：{reason}")


def revert_reason(record: Any, reason: str = "") -> str:
    """還原至 114.12.30 14:05（#12）版本：<why>, the change reason a revert is recorded with,
    in the site's language (it is data that everyone reads)."""
    if not reason:
        return site_language(REVERTED, label=revision_label(record))
    return site_language(REVERTED_BECAUSE, label=revision_label(record), reason=reason)


def revision_label(record: Any) -> str:
    """114.12.30 14:05（#12）: when a revision was written, in the agency's calendar; its number."""
    return f"{roc_datetime_short(record.history_date)}（#{record.history_id}）"


def user_label(user: Any) -> str:
    """Who wrote a revision; 系統 when nobody was signed in (a command or a migration)."""
    if user is None:
        return gettext("系統")
    full_name = user.get_full_name()
    return f"{user.get_username()}（{full_name}）" if full_name else user.get_username()


@transaction.atomic
def revert_to(
    record: Any, *, user: Any, reason: str | None = None, read_version: int | None = None
) -> models.Model:
    """Bring the object back to the state of one of its revisions, many-to-many fields included.

    simple-history's own revert restores the fields only; this one also sets a scope's agencies
    as the revision had them (those that still exist) and writes exactly one revision. An object
    deleted since is created again with its old id. Raises ValidationError (nothing changes) when
    the old state no longer fits, e.g. its order is taken now, PermissionDenied when user
    may not change (or, for a deleted object, add) rows of this kind, and StaleVersion when the
    object changed since the editor read it at read_version (what reverting would change was
    shown against that version).
    """
    from .versioning import check_version

    model = record.instance_type
    obj = record.instance
    stored = model._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
    exists = stored is not None
    needed = f"{model._meta.app_label}.{'change' if exists else 'add'}_{model._meta.model_name}"
    if user is None or not user.is_authenticated or not user.has_perm(needed):
        raise PermissionDenied(gettext("您沒有還原這筆資料的權限；未變更任何資料。"))
    obj._state.adding = not exists
    if exists:
        check_version(obj, stored if read_version is None else read_version)
    else:
        # Past every version it ever had: a page read before the deletion stays stale.
        last = model.history.filter(id=obj.pk).aggregate(last=models.Max("version"))["last"]
        obj.version = (last or 0) + 1
    obj.full_clean()
    related: dict[str, list[Any]] = {}
    for field in record._history_m2m_fields:
        # In the revision's order (a scope's agencies have positions).
        target = field.m2m_reverse_field_name()
        rows = getattr(record, field.name).order_by("position")
        pks = list(rows.values_list(f"{target}_id", flat=True))
        found = field.related_model._default_manager.in_bulk(pks)
        related[field.name] = [found[pk] for pk in pks if pk in found]
    if reason is None:
        reason = revert_reason(record)
    attribute(obj, user=user, reason=reason)
    obj.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        obj.save()
        for name, objects in related.items():
            getattr(obj, f"set_{name}")(objects)  # Scope.set_agencies
    finally:
        del obj.skip_history_when_saving  # type: ignore[attr-defined]
    record_revision(obj, created=not exists)
    return obj


@transaction.atomic
def delete_with_history(objs: Iterable[models.Model], *, user: Any, reason: str) -> None:
    """Delete objs and what cascades from them, each deletion's revision naming user and reason."""
    objs = list(objs)
    if not objs:
        return
    collector = Collector(using=router.db_for_write(type(objs[0])))
    collector.collect(objs)
    for instances in collector.data.values():
        for instance in instances:
            attribute(instance, user=user, reason=reason)
    collector.delete()
