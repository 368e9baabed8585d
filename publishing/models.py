"""Dated editions of a bulletin, frozen from the catalogue and signed off by a second person.

An edition moves draft → submitted → approved → published → superseded (or withdrawn); a
submitted edition may be rejected and reopened as a draft. The steps live in services.py; the
models refuse, on every save, what no step may do: change a published edition, change a snapshot
after submission, or keep an approval after the approved content changed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.i18n import site_language
from catalogue.models import Bulletin
from catalogue.roc import roc_date_long, roc_date_short, roc_datetime_short

from .exceptions import EditionFrozen


class EditionQuerySet(models.QuerySet):
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

    def __str__(self) -> str:
        return f"{self.bulletin.title} {self.roc_date}（{self.get_status_display()}）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        dropped = self._guard_save()
        if dropped and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "status", "updated_at"}
        super().save(*args, **kwargs)
        if dropped:
            self._log_dropped_approval()

    def get_absolute_url(self) -> str:
        return reverse("public:edition", args=[self.date.isoformat()])

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if stored in self.PUBLIC_STATUSES:
            raise EditionFrozen(gettext("已公告的版本不可刪除。"))
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
        return f"{self.bulletin.slug}-{self.roc_date.replace('.', '-')}"

    # What save() refuses, and the one change it makes itself.

    # Fields nobody may change once the edition is public (the PostgreSQL trigger agrees).
    FROZEN_WHEN_PUBLIC = (
        "bulletin_id",
        "date",
        "snapshot",
        "snapshot_sha256",
        "previous_id",
        "previous_sha256",
        "change_note",
        "prepared_by_id",
        "published_at",
        "diff",
    )
    # Changing any of these takes an approval away.
    APPROVED_CONTENT = ("bulletin_id", "date", "change_note", "snapshot", "snapshot_sha256")
    ALLOWED_MOVES: dict[str, frozenset[str]] = {
        Status.DRAFT: frozenset({Status.SUBMITTED}),
        Status.SUBMITTED: frozenset({Status.APPROVED, Status.REJECTED}),
        Status.APPROVED: frozenset({Status.PUBLISHED, Status.SUBMITTED}),
        Status.REJECTED: frozenset({Status.DRAFT}),
        Status.PUBLISHED: frozenset({Status.SUPERSEDED, Status.WITHDRAWN}),
        Status.SUPERSEDED: frozenset(),
        Status.WITHDRAWN: frozenset(),
    }

    def _guard_save(self) -> bool:
        """Refuse a forbidden change; return True when the change drops the approval."""
        if self.pk is None:
            if self.status != self.Status.DRAFT:
                raise EditionFrozen(gettext("新版本必須從草稿開始。"))
            return False
        fields = tuple({*self.FROZEN_WHEN_PUBLIC, "status"})
        stored = type(self).objects.filter(pk=self.pk).values(*fields).first()
        if stored is None:
            return False
        old_status = stored["status"]
        changed = {f for f in self.FROZEN_WHEN_PUBLIC if getattr(self, f) != stored[f]}
        if old_status != self.status and self.status not in self.ALLOWED_MOVES[old_status]:
            raise EditionFrozen(
                gettext("版本不可從「{old}」直接變為「{new}」。").format(
                    old=self.Status(old_status).label, new=self.Status(self.status).label
                )
            )
        if old_status in self.PUBLIC_STATUSES and changed:
            raise EditionFrozen(gettext("已公告的版本不可修改。"))
        if old_status != self.Status.DRAFT and changed & {"snapshot", "snapshot_sha256"}:
            raise EditionFrozen(gettext("版本送審後內容已凍結，不可重新擷取。"))
        if old_status == self.Status.APPROVED == self.status and changed & set(
            self.APPROVED_CONTENT
        ):
            self.status = self.Status.SUBMITTED
            return True
        return False

    def _log_dropped_approval(self) -> None:
        EditionTransition.objects.create(
            edition=self,
            action=EditionTransition.Action.EDIT,
            actor=getattr(self, "_actor", None),
            from_status=self.Status.APPROVED,
            to_status=self.Status.SUBMITTED,
            comment=site_language("核定後內容變更，核定已失效，須重新核定。"),
        )


class EditionFile(models.Model):
    """One rendered file of a published edition, stored once and never changed."""

    class Format(models.TextChoices):
        HTML = "html", "HTML"
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        ODS = "ods", "ODS"
        JSON = "json", "JSON"

    CONTENT_TYPES = {
        Format.HTML: "text/html; charset=utf-8",
        Format.PDF: "application/pdf",
        Format.CSV: "text/csv; charset=utf-8",
        Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Format.ODS: "application/vnd.oasis.opendocument.spreadsheet",
        Format.JSON: "application/json",
    }

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="files", verbose_name=_("公告版本")
    )
    format = models.CharField(_("格式"), max_length=10, choices=Format.choices)
    file = models.FileField(_("檔案"), upload_to=edition_file_path, max_length=300)
    size = models.PositiveBigIntegerField(_("大小（位元組）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("內容類型"), max_length=100)
    created_at = models.DateTimeField(_("建立時間"), default=timezone.now)

    class Meta:
        verbose_name = _("公告檔案")
        verbose_name_plural = _("公告檔案")
        ordering = ("edition", "format")
        constraints = [
            models.UniqueConstraint(
                fields=("edition", "format"), name="editionfile_one_per_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.edition_id} {self.get_format_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_if_public()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self._refuse_if_public()
        return super().delete(*args, **kwargs)

    @property
    def filename(self) -> str:
        """policy-industries-114-12-30.pdf"""
        return self.file.name.rsplit("/", 1)[-1]

    def _refuse_if_public(self) -> None:
        status = Edition.objects.filter(pk=self.edition_id).values_list("status", flat=True).first()
        if status in Edition.PUBLIC_STATUSES:
            raise EditionFrozen(gettext("已公告版本的檔案不可新增、修改或刪除。"))


class EditionTransition(models.Model):
    """One line of an edition's audit trail: who did what, when, from which status to which."""

    class Action(models.TextChoices):
        CREATE = "create", _("建立")
        REFRESH = "refresh", _("重新擷取目錄")
        EDIT = "edit", _("修改")
        SUBMIT = "submit", _("送審")
        APPROVE = "approve", _("核定")
        REJECT = "reject", _("退回")
        REOPEN = "reopen", _("重新編輯")
        PUBLISH = "publish", _("公告")
        SUPERSEDE = "supersede", _("被取代")
        WITHDRAW = "withdraw", _("撤回")

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

    class Meta:
        verbose_name = _("版本紀錄")
        verbose_name_plural = _("版本紀錄")
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{roc_datetime_short(self.at)} {self.get_action_display()}"
