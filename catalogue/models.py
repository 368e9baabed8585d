"""The catalogue of policy industries: what the agency's bulletin says, as structured data.

Bulletin → Programme (政策性產業) → Scope (產業範疇) → Target / Strategy / Section (認定方式).
Every model keeps its revision history (django-simple-history); a scope's agencies are part of it.
Every model carries a version, and a save against an older version than the stored one is
refused (versioning.py): no editor silently undoes another's change.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .history import CatalogueHistoricalRecords as HistoricalRecords
from .history import record_revision
from .text import MultiLineField, SingleLineField, text_constraints
from .versioning import VersionedModel


def _not_blank(field: str, model: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=~Q(**{field: ""}), name=f"{model}_{field}_not_blank")


# Lengths of the multi-line texts, some seven times the longest in the 114.12.30 bulletin
# (docs/limits.md); the one-line fields keep their column widths (max_length).
MAX_DESCRIPTION = 2000
MAX_NOTE = 1000
MAX_TARGET = 300
MAX_ITEMS = 3000
# A one-line field: its CharField column holds the length already.
SINGLE = ("single_line", None)


def split_items(text: str) -> list[str]:
    """The non-empty lines of an items field, trimmed: one item per line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class Agency(VersionedModel):
    """A ministry or agency (部會/機關) responsible for scopes, or issuing a bulletin."""

    name = SingleLineField(_("名稱"), max_length=100, unique=True)
    short_name = SingleLineField(
        _("簡稱"), max_length=30, blank=True, help_text=_("例如國家科學及技術委員會簡稱國科會。")
    )
    order = models.PositiveIntegerField(
        _("排序"), default=0, help_text=_("同一產業範疇列出多個部會時依此排序。")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("部會/機關")
        verbose_name_plural = _("部會/機關")
        ordering = ("order", "name")
        constraints = [
            _not_blank("name", "agency"),
            *text_constraints("agency", name=SINGLE, short_name=SINGLE),
            models.UniqueConstraint(
                fields=("short_name",),
                condition=~Q(short_name=""),
                name="agency_short_name_unique",
                violation_error_message=_("已有其他部會使用這個簡稱。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


SLUG_FROZEN_MESSAGE = _("這份彙整表已有公告版本，網址代稱已用於公開網址與檔名，不可變更。")


class Bulletin(VersionedModel):
    """A bulletin (彙整表) that the agency keeps and publishes in dated editions."""

    title = SingleLineField(_("標題"), max_length=200)
    issuing_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="bulletins", verbose_name=_("發布機關")
    )
    slug = models.SlugField(
        _("網址代稱"),
        max_length=80,
        unique=True,
        help_text=_("用於公開網址與檔名；彙整表有公告版本後不可變更。"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("彙整表")
        verbose_name_plural = _("彙整表")
        ordering = ("title",)
        constraints = [
            _not_blank("title", "bulletin"),
            _not_blank("slug", "bulletin"),
            *text_constraints("bulletin", title=SINGLE),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_public_slug_change()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self._refuse_public_slug_change()

    @property
    def has_public_edition(self) -> bool:
        """True once an edition was published: its permalinks and file names use the slug.

        Asked through the editions' reverse relation, whose manager is publishing's own
        (EditionQuerySet.public): publishing builds on the catalogue, not the other way round.
        """
        return self.pk is not None and self.editions.public().exists()  # type: ignore[attr-defined]

    def _refuse_public_slug_change(self) -> None:
        # Renaming would make the public site answer "no edition" and every permalink 404,
        # with no sign-off; PostgreSQL refuses it too (publishing migration 0005 trigger).
        if self.pk is None or not self.has_public_edition:
            return
        stored = type(self)._base_manager.filter(pk=self.pk).values_list("slug", flat=True).first()
        if stored is not None and stored != self.slug:
            raise ValidationError({"slug": SLUG_FROZEN_MESSAGE})

    @property
    def full_title(self) -> str:
        """勞動部勞動力發展署公告政府推動之「政策性產業」彙整表"""
        return f"{self.issuing_agency.name}公告{self.title}"


class Programme(VersionedModel):
    """A national programme that counts as a policy industry (政策性產業)."""

    class OpenEnd(models.TextChoices):
        UNDECIDED = "未定", _("未定")
        ONGOING = "迄今", _("迄今")

    bulletin = models.ForeignKey(
        Bulletin, on_delete=models.CASCADE, related_name="programmes", verbose_name=_("彙整表")
    )
    serial = models.PositiveIntegerField(_("序號"))
    name = SingleLineField(_("政策性產業"), max_length=200)
    period_start = models.PositiveSmallIntegerField(_("實施起始年（民國）"))
    period_end = models.PositiveSmallIntegerField(
        _("實施結束年（民國）"), null=True, blank=True, help_text=_("未定或迄今時留空。")
    )
    open_end = models.CharField(
        _("未定結束年"),
        max_length=10,
        choices=OpenEnd.choices,
        blank=True,
        help_text=_("沒有結束年時選擇「未定」或「迄今」。"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("政策性產業")
        verbose_name_plural = _("政策性產業")
        ordering = ("bulletin", "serial")
        constraints = [
            models.UniqueConstraint(
                fields=("bulletin", "serial"),
                name="programme_serial_unique_per_bulletin",
                violation_error_message=_("這份彙整表已有相同序號的政策性產業。"),
            ),
            _not_blank("name", "programme"),
            *text_constraints("programme", name=SINGLE),
            models.CheckConstraint(
                condition=Q(period_start__gte=1), name="programme_period_start_positive"
            ),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=F("period_start")),
                name="programme_period_start_not_after_end",
                violation_error_message=_("實施結束年不可早於起始年。"),
            ),
            models.CheckConstraint(
                condition=(Q(period_end__isnull=True) & ~Q(open_end=""))
                | (Q(period_end__isnull=False) & Q(open_end="")),
                name="programme_period_end_xor_open_end",
                violation_error_message=_("請填寫結束年，或選擇「未定」或「迄今」（兩者擇一）。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.serial}. {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("admin:catalogue_programme_change", args=[self.pk])

    def clean(self) -> None:
        if self.period_end is not None and self.open_end:
            raise ValidationError({"open_end": _("已填寫結束年時，不可再選擇「未定」或「迄今」。")})
        if self.period_end is None and not self.open_end:
            raise ValidationError({"period_end": _("請填寫結束年，或選擇「未定」或「迄今」。")})
        if self.period_end is not None and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("實施結束年不可早於起始年。")})

    @property
    def period_display(self) -> str:
        """113-117年, 114年-未定 — as the bulletin writes the period."""
        return format_period(self.period_start, self.period_end, self.open_end)


def format_period(start: int, end: int | None, open_end: str) -> str:
    if end is None:
        return f"{start}年-{open_end}"
    if end == start:
        return f"{start}年"
    return f"{start}-{end}年"


class ScopeAgency(models.Model):
    """An agency named by a scope, at its position in the scope's list (1 first)."""

    scope = models.ForeignKey(
        "Scope", on_delete=models.CASCADE, related_name="agency_links", verbose_name=_("產業範疇")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="scope_links", verbose_name=_("部會/機關")
    )
    position = models.PositiveIntegerField(_("排列順序"))

    class Meta:
        verbose_name = _("產業範疇的部會/機關")
        verbose_name_plural = _("產業範疇的部會/機關")
        ordering = ("scope", "position")
        constraints = [
            models.UniqueConstraint(
                fields=("scope", "position"),
                name="scope_agency_position_unique",
                violation_error_message=_("同一產業範疇內的部會順序不可重複。"),
            ),
            models.UniqueConstraint(
                fields=("scope", "agency"),
                name="scope_agency_unique",
                violation_error_message=_("同一產業範疇不可重複列出同一部會。"),
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="scope_agency_position_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.position}. {self.agency}"


class Scope(VersionedModel):
    """An industry scope (產業範疇) of a programme, with its recognition text (認定方式)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="scopes", verbose_name=_("政策性產業")
    )
    order = models.PositiveIntegerField(_("順序"))
    title = SingleLineField(
        _("範疇名稱"),
        max_length=200,
        blank=True,
        help_text=_("不含【】，例如「半導體」；可留空。"),
    )
    description = MultiLineField(
        _("產業範疇說明"),
        max_length=MAX_DESCRIPTION,
        help_text=_("例如「包括晶片設計、晶圓代工…」"),
    )
    # In the order the agency's table names them (經濟部 first here, 國科會 first there): the
    # through rows carry each agency's position, and a scope's revision keeps them.
    agencies = models.ManyToManyField(
        Agency, through=ScopeAgency, related_name="scopes", verbose_name=_("部會/機關")
    )
    headline = SingleLineField(
        _("願景"),
        max_length=300,
        blank=True,
        help_text=_("認定方式的標題，例如「成為全球半導體全供應鏈主導者」。"),
    )
    note = MultiLineField(_("備註"), max_length=MAX_NOTE, blank=True)

    history = HistoricalRecords(m2m_fields=[agencies])

    class Meta:
        verbose_name = _("產業範疇")
        verbose_name_plural = _("產業範疇")
        ordering = ("programme__bulletin", "programme__serial", "order")
        constraints = [
            models.UniqueConstraint(
                fields=("programme", "order"),
                name="scope_order_unique_per_programme",
                violation_error_message=_("同一政策性產業內的產業範疇順序不可重複。"),
            ),
            _not_blank("description", "scope"),
            *text_constraints(
                "scope",
                title=SINGLE,
                description=("multi_line", MAX_DESCRIPTION),
                headline=SINGLE,
                note=("multi_line", MAX_NOTE),
            ),
        ]

    def __str__(self) -> str:
        label = f"【{self.title}】" if self.title else self.description[:20]
        return f"{self.programme.serial}-{self.order} {label}"

    def get_absolute_url(self) -> str:
        return reverse("admin:catalogue_scope_change", args=[self.pk])

    @property
    def display_title(self) -> str:
        return f"【{self.title}】" if self.title else ""

    @property
    def ordered_agencies(self) -> list[Agency]:
        """The scope's agencies in their order (prefetch "agency_links__agency" for lists)."""
        return [link.agency for link in self.agency_links.all()]

    def set_agencies(self, agencies: list[Agency]) -> None:
        """Name these agencies, in this order.

        Inside history.one_revision (or the admin's save_related) the caller's one revision
        holds the change; elsewhere it writes a revision of its own, as simple-history does
        for a change of a many-to-many field.
        """
        if [a.pk for a in self.ordered_agencies] == [a.pk for a in agencies]:
            return
        self.agency_links.all().delete()
        ScopeAgency.objects.bulk_create(
            ScopeAgency(scope=self, agency=agency, position=position)
            for position, agency in enumerate(agencies, start=1)
        )
        if hasattr(self, "_prefetched_objects_cache"):
            self._prefetched_objects_cache.pop("agency_links", None)
            self._prefetched_objects_cache.pop("agencies", None)
        if not hasattr(self, "skip_history_when_saving"):
            record_revision(self)


class RecognitionPart(VersionedModel):
    """What targets, strategies and sections share: a place in one scope's recognition text."""

    order = models.PositiveIntegerField(_("順序"))

    class Meta:
        abstract = True
        ordering = ("scope", "order")


class HeadedList(RecognitionPart):
    """A heading with its items, one per line: a strategy, or another section."""

    heading = SingleLineField(_("標題"), max_length=300)
    items = MultiLineField(
        _("項目"), max_length=MAX_ITEMS, blank=True, help_text=_("每行一個項目。")
    )

    class Meta(RecognitionPart.Meta):
        abstract = True

    def __str__(self) -> str:
        return self.heading

    @property
    def item_list(self) -> list[str]:
        return split_items(self.items)


class Target(RecognitionPart):
    """A target (推動目標), with its figure and deadline where the text states them."""

    scope = models.ForeignKey(
        Scope, on_delete=models.CASCADE, related_name="targets", verbose_name=_("產業範疇")
    )
    text = MultiLineField(_("推動目標"), max_length=MAX_TARGET)
    value = models.DecimalField(_("數值"), max_digits=20, decimal_places=4, null=True, blank=True)
    unit = SingleLineField(_("單位"), max_length=20, blank=True, help_text=_("例如 億元、%、架。"))
    deadline_year = models.PositiveSmallIntegerField(_("目標年（民國）"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta(RecognitionPart.Meta):
        verbose_name = _("推動目標")
        verbose_name_plural = _("推動目標")
        constraints = [
            models.UniqueConstraint(
                fields=("scope", "order"),
                name="target_order_unique_per_scope",
                violation_error_message=_("同一產業範疇內的推動目標順序不可重複。"),
            ),
            _not_blank("text", "target"),
            *text_constraints("target", text=("multi_line", MAX_TARGET), unit=SINGLE),
            # One target is one line: the spreadsheet and the public table list them a line each.
            models.CheckConstraint(
                condition=~Q(text__contains="\n") & ~Q(text__contains="\r"),
                name="target_text_single_line",
                violation_error_message=_("推動目標須為單行文字；多個目標請分列填寫。"),
            ),
            models.CheckConstraint(
                condition=Q(unit="") | Q(value__isnull=False),
                name="target_unit_needs_value",
                violation_error_message=_("填寫單位時也須填寫數值。"),
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Strategy(HeadedList):
    """A strategy (推動策略): a heading and its items, one per line."""

    scope = models.ForeignKey(
        Scope, on_delete=models.CASCADE, related_name="strategies", verbose_name=_("產業範疇")
    )

    history = HistoricalRecords()

    class Meta(HeadedList.Meta):
        verbose_name = _("推動策略")
        verbose_name_plural = _("推動策略")
        constraints = [
            models.UniqueConstraint(
                fields=("scope", "order"),
                name="strategy_order_unique_per_scope",
                violation_error_message=_("同一產業範疇內的推動策略順序不可重複。"),
            ),
            _not_blank("heading", "strategy"),
            *text_constraints("strategy", heading=SINGLE, items=("multi_line", MAX_ITEMS)),
        ]


class Section(HeadedList):
    """Any other part of the recognition text: a heading and its items (regions, modules…)."""

    scope = models.ForeignKey(
        Scope, on_delete=models.CASCADE, related_name="sections", verbose_name=_("產業範疇")
    )
    history = HistoricalRecords()

    class Meta(HeadedList.Meta):
        verbose_name = _("其他段落")
        verbose_name_plural = _("其他段落")
        constraints = [
            models.UniqueConstraint(
                fields=("scope", "order"),
                name="section_order_unique_per_scope",
                violation_error_message=_("同一產業範疇內的段落順序不可重複。"),
            ),
            _not_blank("heading", "section"),
            *text_constraints("section", heading=SINGLE, items=("multi_line", MAX_ITEMS)),
        ]
