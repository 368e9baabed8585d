"""Dated editions of a bulletin, frozen from the catalogue and signed off by a second person.

The life cycle is declared in lifecycle.py; the steps live in services.py. The models refuse, on
every save, update and delete, what no step may do: change a status outside a step, change an
edition from its submission on, touch a published edition's files, rewrite the audit trail.
`save()` does no work of its own: it refuses or it saves.
"""

from __future__ import annotations

import datetime
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.models import Bulletin
from catalogue.roc import roc_date_long, roc_date_short, roc_datetime_short

from . import lifecycle
from .exceptions import EditionFrozen
from .links import public_url
from .rendering.document import file_basename, file_name


class GuardedQuerySet(models.QuerySet):
    """A queryset that reads but never writes in bulk: a bulk write would skip the row checks."""

    def update(self, **kwargs: Any) -> NoReturn:
        _refuse_bulk_write(self.model)

    def delete(self) -> NoReturn:
        _refuse_bulk_write(self.model)

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse_bulk_write(self.model)

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse_bulk_write(self.model)


def _refuse_bulk_write(model: type[models.Model]) -> NoReturn:
    raise EditionFrozen(
        gettext("{model}不可整批修改或刪除，只能經由版本的操作變更。").format(
            model=model._meta.verbose_name
        )
    )


class EditionQuerySet(GuardedQuerySet):
    def public(self) -> EditionQuerySet:
        """Editions the public may read: published, superseded or withdrawn."""
        return self.filter(status__in=Edition.PUBLIC_STATUSES)

    def published(self) -> EditionQuerySet:
        """Editions in force: published and not yet superseded or withdrawn."""
        return self.filter(status=Edition.Status.PUBLISHED)

    def unpublished(self) -> EditionQuerySet:
        """Editions still in preparation or review."""
        return self.filter(status__in=Edition.UNPUBLISHED_STATUSES)

    def for_bulletin(self, bulletin: Bulletin) -> EditionQuerySet:
        """Editions of one bulletin."""
        return self.filter(bulletin=bulletin)

    def newest_first(self) -> EditionQuerySet:
        """Latest edition date first."""
        return self.order_by("-date", "-pk")

    def latest_published(self, bulletin: Bulletin) -> Edition | None:
        """The bulletin's edition in force, or None."""
        return self.published().for_bulletin(bulletin).newest_first().first()

    def latest_dated(self, bulletin: Bulletin) -> Edition | None:
        """The bulletin's latest-dated edition in force or superseded: a new date must follow it.

        A withdrawn edition does not count: it must not block the dates of the editions that
        replace it.
        """
        return (
            self.for_bulletin(bulletin)
            .filter(status__in=Edition.DATE_SETTING_STATUSES)
            .newest_first()
            .first()
        )

    def latest_public(self, bulletin: Bulletin) -> Edition | None:
        """The bulletin's last edition that was ever published (the next one chains to it)."""
        return self.public().for_bulletin(bulletin).order_by("-published_at", "-pk").first()


EditionManager = models.Manager.from_queryset(EditionQuerySet)


def latest_allowed_date() -> datetime.date:
    """One year after today (agency's time zone): the latest date an edition may bear.

    A typo (2126 for 2026) would otherwise block every realistic date after it. The rule moves
    with the clock, so it cannot be a CHECK constraint: the model's clean() holds it, and every
    service calls full_clean().
    """
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


def edition_file_path(instance: EditionFile, filename: str) -> str:
    edition = instance.edition
    return f"editions/{edition.bulletin.slug}/{edition.date.isoformat()}/{filename}"


class Edition(models.Model):
    """One dated edition of a bulletin: its frozen snapshot, hashes and review status."""

    Status = lifecycle.Status
    PUBLIC_STATUSES = lifecycle.PUBLIC_STATUSES
    UNPUBLISHED_STATUSES = lifecycle.UNPUBLISHED_STATUSES
    # The editions whose date a new edition must follow (the PostgreSQL trigger agrees).
    DATE_SETTING_STATUSES = (Status.PUBLISHED, Status.SUPERSEDED)

    bulletin = models.ForeignKey(
        Bulletin, on_delete=models.PROTECT, related_name="editions", verbose_name=_("彙整表")
    )
    date = models.DateField(
        _("版本日期"), help_text=_("公告日期，以民國紀年顯示，例如 114.12.30。")
    )
    status = models.CharField(
        _("狀態"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    snapshot = models.JSONField(_("凍結內容"), default=dict, editable=False)
    snapshot_sha256 = models.CharField(_("內容 SHA-256"), max_length=64, editable=False)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("前一公告版本"),
    )
    previous_sha256 = models.CharField(
        _("前一公告版本 SHA-256"), max_length=64, blank=True, editable=False
    )
    change_note = models.TextField(_("本版異動說明"), blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="prepared_editions",
        verbose_name=_("準備人"),
        editable=False,
    )
    published_at = models.DateTimeField(_("公告時間"), null=True, blank=True, editable=False)
    withdrawn_reason = models.TextField(_("撤回理由"), blank=True, editable=False)
    diff = models.JSONField(_("與前一公告版本的差異"), null=True, blank=True, editable=False)
    # Set by the approver who approves for publication at a moment; the worker publishes then.
    scheduled_for = models.DateTimeField(_("預定公告時間"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("建立時間"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新時間"), auto_now=True)

    objects = EditionManager()

    class Meta:
        verbose_name = _("公告版本")
        verbose_name_plural = _("公告版本")
        ordering = ("-date", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=("bulletin", "date"),
                name="edition_one_per_bulletin_and_date",
                violation_error_message=_("這份彙整表在這個日期已有版本。"),
            ),
            models.UniqueConstraint(
                fields=("bulletin",),
                condition=Q(status__in=("draft", "submitted", "approved", "rejected")),
                name="edition_one_unpublished_per_bulletin",
                violation_error_message=_(
                    "這份彙整表已有一個尚未公告的版本；請先完成、退回後重新編輯或刪除該版本。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=(
                        "draft",
                        "submitted",
                        "approved",
                        "rejected",
                        "published",
                        "superseded",
                        "withdrawn",
                    )
                ),
                name="edition_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=("published", "superseded", "withdrawn"))
                | Q(published_at__isnull=False),
                name="edition_public_has_published_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdrawn_reason=""),
                name="edition_withdrawn_has_reason",
            ),
        ]
        indexes = [models.Index(fields=("bulletin", "status"), name="edition_bulletin_status")]
        permissions = lifecycle.PERMISSIONS

    def __str__(self) -> str:
        return f"{self.bulletin.title} {self.roc_date}（{self.get_status_display()}）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_unsanctioned_write()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return public_url("edition", self.bulletin.slug, self.date.isoformat())

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if stored in self.PUBLIC_STATUSES:
            raise EditionFrozen(gettext("已公告的版本不可刪除。"))
        if lifecycle.current_step() != lifecycle.Action.DELETE or (
            stored not in lifecycle.EDITABLE_STATUSES
        ):
            raise EditionFrozen(gettext("只有草稿可以刪除，且須經由刪除版本的操作。"))
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        if self.is_public or not self.bulletin_id or self.date is None:
            return
        if self.date > latest_allowed_date():
            raise ValidationError(
                {
                    "date": gettext("版本日期不可晚於一年後（{date}）。").format(
                        date=roc_date_short(latest_allowed_date())
                    )
                }
            )
        last = Edition.objects.latest_dated(self.bulletin)
        if last is not None and last.pk != self.pk and self.date <= last.date:
            raise ValidationError(
                {
                    "date": gettext("版本日期須晚於前一公告版本（{date}）。").format(
                        date=last.roc_date
                    )
                }
            )

    # Dates as the agency writes them.

    @property
    def roc_date(self) -> str:
        """114.12.30"""
        return roc_date_short(self.date)

    @property
    def roc_date_long(self) -> str:
        """中華民國114年12月30日"""
        return roc_date_long(self.date)

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    @property
    def snapshot_is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    def file_basename(self) -> str:
        """policy-industries-114-12-30: the stem of every file of this edition."""
        return file_basename(self.bulletin.slug, self.date)

    def file_name(self, fmt: str) -> str:
        """policy-industries-114-12-30.pdf (datapackage.json): a file's name, stored and public."""
        return file_name(self.file_basename(), fmt)

    # What save() refuses: see lifecycle.py for the steps and the columns each may write.

    def _refuse_unsanctioned_write(self) -> None:
        stored = (
            type(self)
            .objects.filter(pk=self.pk)
            .values("status", *lifecycle.GUARDED_COLUMNS)
            .first()
            if self.pk is not None
            else None
        )
        if stored is None:
            if self.status != self.Status.DRAFT:
                raise EditionFrozen(gettext("新版本必須從草稿開始。"))
            return
        old, step = stored["status"], lifecycle.current_step()
        moving = old != self.status
        declared = lifecycle.STEPS.get(step)
        # A step that keeps the status (unschedule) writes its columns from one of its sources.
        staying = (
            not moving
            and declared is not None
            and declared.target is None
            and old in declared.sources
        )
        if moving and step not in lifecycle.move_for(old, self.status):
            raise EditionFrozen(
                gettext(
                    "版本狀態只能經由送審、核定等操作變更，不可從「{old}」直接變為「{new}」。"
                ).format(old=self.Status(old).label, new=self.Status(self.status).label)
            )
        if old in lifecycle.EDITABLE_STATUSES:
            return
        writes = declared.writes if declared is not None and (moving or staying) else ()
        changed = [
            column
            for column in lifecycle.GUARDED_COLUMNS
            if column not in writes and getattr(self, column) != stored[column]
        ]
        if not (moving or staying) or changed:
            if old in self.PUBLIC_STATUSES:
                raise EditionFrozen(gettext("已公告的版本不可修改。"))
            raise EditionFrozen(
                gettext("版本送審後內容已凍結，只能經由撤回送審、核定或退回等操作變更。")
            )


class EditionFile(models.Model):
    """One rendered file of an edition: rendered once it is submitted (the bytes the approver
    signs off), published as they are, and never changed once the edition is published."""

    class Format(models.TextChoices):
        HTML = "html", "HTML"
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        ODS = "ods", "ODS"
        JSON = "json", "JSON"
        DATAPACKAGE = "datapackage", _("資料包（Frictionless）")

    CONTENT_TYPES = {
        Format.HTML: "text/html; charset=utf-8",
        Format.PDF: "application/pdf",
        Format.CSV: "text/csv; charset=utf-8",
        Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Format.ODS: "application/vnd.oasis.opendocument.spreadsheet",
        Format.JSON: "application/json",
        Format.DATAPACKAGE: "application/json",
    }

    # Formats added after editions were published: those editions stay complete without them.
    LATER_FORMATS = frozenset({Format.DATAPACKAGE})

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="files", verbose_name=_("公告版本")
    )
    format = models.CharField(_("格式"), max_length=20, choices=Format.choices)
    file = models.FileField(_("檔案"), upload_to=edition_file_path, max_length=300)
    size = models.PositiveBigIntegerField(_("大小（位元組）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("內容類型"), max_length=100)
    # What the file was rendered from (rendering.source_sha256): the snapshot, the date and the
    # change note. Approval requires every file to come from what the edition holds now.
    source_sha256 = models.CharField(_("產生依據 SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("建立時間"), default=timezone.now)
    # The PDF's seal (publishing/rendering/seal.py), written with the row at publication: the
    # signed file is what size and sha256 describe; its first unsigned_size bytes are the
    # approved, unsigned file. All empty when no seal was configured.
    signed_by = models.CharField(_("簽章者"), max_length=300, blank=True)
    signed_at = models.DateTimeField(_("簽章時間"), null=True, blank=True)
    signer_certificate_sha256 = models.CharField(_("簽章憑證 SHA-256"), max_length=64, blank=True)
    unsigned_sha256 = models.CharField(_("簽章前檔案 SHA-256"), max_length=64, blank=True)
    unsigned_size = models.PositiveBigIntegerField(_("簽章前大小（位元組）"), null=True, blank=True)

    objects = models.Manager.from_queryset(GuardedQuerySet)()

    class Meta:
        verbose_name = _("公告檔案")
        verbose_name_plural = _("公告檔案")
        ordering = ("edition", "format")
        constraints = [
            models.UniqueConstraint(
                fields=("edition", "format"), name="editionfile_one_per_format"
            ),
            # A seal is the PDF's, whole or absent, and the signed file is longer than the
            # file it signs.
            models.CheckConstraint(
                condition=Q(
                    signed_by="",
                    signed_at__isnull=True,
                    signer_certificate_sha256="",
                    unsigned_sha256="",
                    unsigned_size__isnull=True,
                )
                | Q(
                    format="pdf",
                    signed_at__isnull=False,
                    unsigned_size__lt=models.F("size"),
                )
                & ~Q(signed_by="")
                & ~Q(signer_certificate_sha256="")
                & ~Q(unsigned_sha256=""),
                name="editionfile_seal_whole_on_pdf",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.edition_id} {self.get_format_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_unsanctioned_write("INSERT" if self._state.adding else "UPDATE")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self._refuse_unsanctioned_write("DELETE")
        return super().delete(*args, **kwargs)

    def _refuse_unsanctioned_write(self, operation: str) -> None:
        status = Edition.objects.filter(pk=self.edition_id).values_list("status", flat=True).first()
        if not lifecycle.file_write_allowed(operation, lifecycle.current_step(), status or ""):
            raise EditionFrozen(gettext("公告檔案只在送審後產生，公告後不可新增、修改或刪除。"))

    @property
    def filename(self) -> str:
        """policy-industries-114-12-30.pdf: the file's name as people see and save it, whatever
        name the storage chose (it adds a suffix when a submission is rendered again, or when
        publication stores the sealed PDF beside the approved one)."""
        return self.edition.file_name(self.format)

    @property
    def is_sealed(self) -> bool:
        """Whether the file carries the agency's signature (a PDF published with a seal)."""
        return bool(self.signed_by)


class EditionTaskQuerySet(models.QuerySet):
    def pending_publications(self) -> EditionTaskQuerySet:
        """Publications waiting for the worker or running on a live worker, newest first."""
        return (
            self.filter(kind=EditionTask.Kind.PUBLISH, state__in=EditionTask.PENDING_STATES)
            .exclude(pk__in=self.abandoned().values("pk"))
            .order_by("-created_at", "-pk")
        )

    def abandoned(self, now: datetime.datetime | None = None) -> EditionTaskQuerySet:
        """Running jobs whose worker stopped renewing the lease: it died or lost the database."""
        now = now or timezone.now()
        return self.filter(state=EditionTask.State.RUNNING).filter(
            models.Q(lease_expires_at__lt=now) | models.Q(lease_expires_at__isnull=True)
        )


class EditionTask(models.Model):
    """Work on an edition that the background worker does: rendering its files after
    submission, publishing it (now or at its scheduled moment). The page of the edition shows
    the latest of each kind; the reason of a failure is the refusal people read."""

    class Kind(models.TextChoices):
        RENDER = "render", _("產生公告檔案")
        PUBLISH = "publish", _("公告")

    class State(models.TextChoices):
        QUEUED = "queued", _("等待處理")
        RUNNING = "running", _("處理中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失敗")
        CANCELLED = "cancelled", _("已取消")

    PENDING_STATES = (State.QUEUED, State.RUNNING)

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("公告版本")
    )
    kind = models.CharField(_("工作"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("進度"), max_length=20, choices=State.choices, default=State.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("要求人"),
    )
    comment = models.TextField(_("說明"), blank=True)
    # What the work is for: the source it renders, the moment a publication is due.
    source_sha256 = models.CharField(_("產生依據 SHA-256"), max_length=64, blank=True)
    run_after = models.DateTimeField(_("預定執行時間"), null=True, blank=True)
    task_id = models.CharField(_("背景作業編號"), max_length=64, blank=True)
    reason = models.TextField(_("失敗原因"), blank=True)
    created_at = models.DateTimeField(_("建立時間"), default=timezone.now)
    started_at = models.DateTimeField(_("開始時間"), null=True, blank=True)
    finished_at = models.DateTimeField(_("結束時間"), null=True, blank=True)
    # The lease (publishing.tasks): the worker that runs the job renews it while it works; a
    # job running past its lease was abandoned, and is retried up to TASKS_MAX_ATTEMPTS times.
    attempts = models.PositiveSmallIntegerField(_("嘗試次數"), default=0)
    worker = models.CharField(_("背景工作程序"), max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(_("租約到期時間"), null=True, blank=True)

    objects = EditionTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("背景工作")
        verbose_name_plural = _("背景工作")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=("edition", "kind"), name="editiontask_edition_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_state_display()}"

    @property
    def is_pending(self) -> bool:
        return self.state in self.PENDING_STATES

    @property
    def is_abandoned(self) -> bool:
        """Running, but its worker stopped renewing the lease."""
        return self.state == self.State.RUNNING and (
            self.lease_expires_at is None or self.lease_expires_at < timezone.now()
        )

    @property
    def is_retry(self) -> bool:
        """Queued again after an attempt whose worker died."""
        return self.state == self.State.QUEUED and self.attempts > 0


class EditionTransition(models.Model):
    """One line of an edition's audit trail: who did what, when, from which status to which."""

    Action = lifecycle.Action

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("公告版本")
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="edition_transitions",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("時間"), default=timezone.now)
    from_status = models.CharField(
        _("原狀態"), max_length=20, choices=Edition.Status.choices, blank=True
    )
    to_status = models.CharField(_("新狀態"), max_length=20, choices=Edition.Status.choices)
    comment = models.TextField(_("說明"), blank=True)

    objects = models.Manager.from_queryset(GuardedQuerySet)()

    class Meta:
        verbose_name = _("版本紀錄")
        verbose_name_plural = _("版本紀錄")
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{roc_datetime_short(self.at)} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise EditionFrozen(gettext("版本紀錄只能新增，不可修改或刪除。"))
        if lifecycle.current_step() != self.action:
            # A line of the trail is written by the step it records, never forged beside it.
            raise EditionFrozen(gettext("版本紀錄只能由版本的操作寫入。"))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise EditionFrozen(gettext("版本紀錄只能新增，不可修改或刪除。"))


class NotificationSetting(models.Model):
    """Whether a person receives e-mail about editions; without a row, they do (the default)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_setting",
        verbose_name=_("使用者"),
    )
    email_enabled = models.BooleanField(
        _("以電子郵件通知我"),
        default=True,
        help_text=_("版本送審、退回、核定、公告、撤回或公告失敗時寄信給我。"),
    )

    class Meta:
        verbose_name = _("通知設定")
        verbose_name_plural = _("通知設定")

    def __str__(self) -> str:
        return str(self.user)
