"""The sheet as a django-import-export resource: one row per scope, in the bulletin's order.

`ScopeSheetResource` is the one declaration of the sheet's columns: their order, headers,
widths in a spreadsheet, and each column's widget, which converts its cells both ways with
the grammar of `cells` (`render` for export and the preview, `clean` for import). Export,
import, the preview and the writers' column widths all read it; no other module lists the
columns.

Import does not go through the library's per-row `import_data` (a row here is a programme, a
scope and its parts at once, and the whole file is planned before anything is written — see
`importer`), but it reads every cell through these same widgets (`clean_row`), and the
preview shows both sides of a change through their `render` (`preview_cells`), so that what
export writes, import understands and the preview shows.

Export feeds the same fields and widgets with plain values (`sheet_scopes`: one query per
table, tuples in place of model instances) rather than the library's per-instance
`export_resource`: a tenth of the time, and the same cells (tests/catalogue/
test_spreadsheet_export.py compares them with the library's own export, cell by cell).
"""

from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import cache
from operator import attrgetter
from typing import Any, NamedTuple

import tablib
from django.db.models import Prefetch, QuerySet
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from ..models import (
    Agency,
    Bulletin,
    Programme,
    Scope,
    ScopeAgency,
    Section,
    Strategy,
    Target,
    split_items,
)
from ..text import normalise_line_breaks, text_problem
from .cells import (
    AGENCY_SEPARATOR,
    CellError,
    HeadedLines,
    TargetLine,
    format_agencies,
    format_headed_lists,
    format_period,
    format_targets,
    parse_headed_lists,
    parse_period,
    parse_targets,
    split_agencies,
    unescape_formula,
)
from .writers import DEFAULT_WIDTH

# The column headers. They are the file format, not interface text: a sheet exported in
# one language must import in another, so they are deliberately not translated.
SERIAL = "序號"
PROGRAMME = "政策性產業"
PERIOD = "實施期間"
AGENCIES = "部會/機關"
TITLE = "範疇名稱"
DESCRIPTION = "產業範疇說明"
HEADLINE = "願景"
TARGETS = "推動目標"
STRATEGIES = "推動策略"
SECTIONS = "其他段落"
NOTE = "備註"
SCOPE_ID = "範疇識別碼"


def cell_text(value: Any) -> str:
    """A cell as text: empty for nothing, LF line ends, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise_line_breaks(str(value)).strip()


def read_cell(value: Any, *, escaped: bool) -> Any:
    """A raw cell as the widgets read it: LF line ends, the text rule checked (CellError names
    the character), and, from a spreadsheet, the apostrophes the export added taken off."""
    if not isinstance(value, str):
        return value
    text = normalise_line_breaks(value)
    problem = text_problem(text)
    if problem is not None:
        raise CellError(problem.message())
    return unescape_formula(text) if escaped else text


def _max_length(model: type, name: str) -> int:
    return model._meta.get_field(name).max_length


class TextWidget(widgets.CharWidget):
    """A text, trimmed with LF line ends; required or not, within the model field's length."""

    def __init__(self, *, required: bool = False, max_length: int | None = None) -> None:
        super().__init__(coerce_to_string=True, allow_blank=True)
        self.required = required
        self.max_length = max_length

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = cell_text(value)
        if self.required and not text:
            raise CellError(_("必填，不可空白。"))
        if self.max_length is not None and len(text) > self.max_length:
            raise CellError(
                _("超過 %(limit)d 字的上限（目前 %(length)d 字）。")
                % {"limit": self.max_length, "length": len(text)}
            )
        return text

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class NumberWidget(widgets.IntegerWidget):
    """A whole number from 1, written as a number so that spreadsheets sort it as one.

    Unlike the library's IntegerWidget: no thousands separators or decimals ("1,000" and
    "1.0" are refused, not read), and the refusal is a message for the editor."""

    def __init__(self, *, required: bool = False) -> None:
        super().__init__(coerce_to_string=False)
        self.required = required

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        text = cell_text(value)
        if not text:
            if self.required:
                raise CellError(_("必填，不可空白。"))
            return None
        if not text.isascii() or not text.isdigit() or int(text) < 1:
            raise CellError(_("「%(text)s」不是正整數。") % {"text": text})
        return int(text)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> int | str:
        return "" if value is None else int(value)


class Period(NamedTuple):
    """A programme's period as its cell reads: the attributes a Programme has."""

    period_start: int
    period_end: int | None
    open_end: str


class PeriodWidget(widgets.Widget):
    """「113-117年」: the period of a Programme, or of a `Period` as `clean` returns it."""

    required = True

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Period:
        text = cell_text(value)
        if not text:
            raise CellError(_("必填，不可空白。"))
        return Period(*parse_period(text))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        return format_period(value.period_start, value.period_end, value.open_end)


class AgencyListWidget(widgets.ManyToManyWidget):
    """Agencies by name or short name, joined by 、; an unknown name is an error, never dropped.

    Unlike the library's ManyToManyWidget: the order of the cell is kept (it is the scope's
    order), short names and other separators are read, and the agencies are looked up in
    the list given once per import rather than by a query per cell."""

    required = True

    def __init__(self, agencies: Iterable[Agency] = ()) -> None:
        super().__init__(Agency, separator=AGENCY_SEPARATOR, field="name")
        self.lookup: dict[str, Agency] = {}
        for agency in agencies:
            if agency.short_name:
                self.lookup.setdefault(agency.short_name, agency)
            self.lookup[agency.name] = agency

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list[Agency]:
        names = split_agencies(cell_text(value))
        if not names:
            raise CellError(_("必填：至少一個部會或機關。"))
        unknown = [name for name in names if name not in self.lookup]
        if unknown:
            raise CellError(
                _(
                    "找不到部會或機關「%(names)s」；請使用部會/機關清單中的名稱或簡稱，以「、」分隔。"
                )
                % {"names": "」、「".join(unknown)}
            )
        found: dict[int, Agency] = {}
        for name in names:
            found.setdefault(self.lookup[name].pk, self.lookup[name])
        return list(found.values())

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        # value: the scope's agencies in their order (Scope.ordered_agencies, or what clean
        # returned); the cell keeps that order.
        return format_agencies([agency.name for agency in value])


def _in_order(value: Any, line: Any) -> list[Any]:
    """A part column's value as lines: a list of lines is what `clean` returned (and what
    `sheet_scopes` builds); a related manager's parts are taken in their order."""
    if isinstance(value, list):
        return value
    return [line(part) for part in sorted(value.all(), key=_order)]


class TargetListWidget(widgets.Widget):
    required = False

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list[TargetLine]:
        targets = parse_targets(cell_text(value))
        limit = _max_length(Target, "unit")
        for position, target in enumerate(targets, start=1):
            if len(target.unit) > limit:
                raise CellError(_too_long(position, _("單位"), limit, len(target.unit)))
        return targets

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return format_targets(_in_order(value, target_line))


class HeadedListWidget(widgets.Widget):
    required = False

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list[HeadedLines]:
        parts = parse_headed_lists(cell_text(value))
        limit = _max_length(Strategy, "heading")
        for position, part in enumerate(parts, start=1):
            if len(part.heading) > limit:
                raise CellError(_too_long(position, _("標題"), limit, len(part.heading)))
        return parts

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return format_headed_lists(_in_order(value, headed_lines))


def _too_long(position: int, name: str, limit: int, length: int) -> str:
    return _("第 %(n)d 項：%(name)s超過 %(limit)d 字的上限（目前 %(length)d 字）。") % {
        "n": position,
        "name": name,
        "limit": limit,
        "length": length,
    }


def _order(part: Any) -> int:
    return part.order


def target_line(target: Target) -> TargetLine:
    return TargetLine(
        text=target.text, value=target.value, unit=target.unit, deadline_year=target.deadline_year
    )


def headed_lines(part: Strategy | Section) -> HeadedLines:
    return HeadedLines(heading=part.heading, items=tuple(part.item_list))


class Column(fields.Field):
    """A column of the sheet: the library's field, with its width in a spreadsheet (in
    characters; the writers turn it into each format's unit)."""

    def __init__(self, *, width: int = DEFAULT_WIDTH, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.width = width


class ScopeSheetResource(resources.ModelResource):
    """One row per scope: its programme's columns, its own, and its parts as typed text."""

    serial = Column(
        attribute="programme__serial",
        column_name=SERIAL,
        widget=NumberWidget(required=True),
        width=6,
    )
    programme = Column(
        attribute="programme__name",
        column_name=PROGRAMME,
        widget=TextWidget(required=True, max_length=_max_length(Programme, "name")),
        width=18,
    )
    period = Column(attribute="programme", column_name=PERIOD, widget=PeriodWidget(), width=12)
    agencies = Column(
        attribute="ordered_agencies", column_name=AGENCIES, widget=AgencyListWidget(), width=16
    )
    title = Column(
        attribute="title",
        column_name=TITLE,
        widget=TextWidget(max_length=_max_length(Scope, "title")),
        width=16,
    )
    description = Column(
        attribute="description",
        column_name=DESCRIPTION,
        widget=TextWidget(required=True, max_length=_max_length(Scope, "description")),
        width=36,
    )
    headline = Column(
        attribute="headline",
        column_name=HEADLINE,
        widget=TextWidget(max_length=_max_length(Scope, "headline")),
        width=20,
    )
    targets = Column(attribute="targets", column_name=TARGETS, widget=TargetListWidget(), width=40)
    strategies = Column(
        attribute="strategies", column_name=STRATEGIES, widget=HeadedListWidget(), width=48
    )
    sections = Column(
        attribute="sections", column_name=SECTIONS, widget=HeadedListWidget(), width=40
    )
    note = Column(
        attribute="note",
        column_name=NOTE,
        widget=TextWidget(max_length=_max_length(Scope, "note")),
        width=24,
    )
    id = Column(attribute="id", column_name=SCOPE_ID, widget=NumberWidget(), width=10)

    # Where a model's own validation errors (full_clean) are shown: on the column whose
    # attribute is the failing field, else on this field's column.
    other_errors = {Programme: "period", Scope: "description"}

    class Meta:
        model = Scope
        fields = (
            "serial",
            "programme",
            "period",
            "agencies",
            "title",
            "description",
            "headline",
            "targets",
            "strategies",
            "sections",
            "note",
            "id",
        )
        export_order = fields
        import_id_fields = ("id",)

    def __init__(self, *, agencies: Iterable[Agency] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fields["agencies"].widget = AgencyListWidget(agencies)
        # The columns in the sheet's order, by field name (self.fields is in the model's).
        self.columns = [(name, self.fields[name]) for name in self.get_export_order()]

    @property
    def headers(self) -> list[str]:
        return self.get_export_headers()

    def column(self, name: str) -> str:
        """The header of the field called name."""
        return force_str(self.fields[name].column_name)

    def error_column(self, model: type, name: str) -> str:
        """The column that shows a validation error of a Programme's or a Scope's field."""
        attribute = f"programme__{name}" if model is Programme else name
        for field in self.fields.values():
            if field.attribute == attribute:
                return force_str(field.column_name)
        return self.column(self.other_errors[model])

    def clean_row(
        self, row: dict[str, Any], *, escaped: bool = True
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The row's values by field name, and the reasons its bad cells were refused, by column.

        escaped: the row comes from a spreadsheet (CSV, XLSX, ODS), whose cells the export
        made inert with `escape_formula`; a JSON row holds the texts as they are.
        """
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for name, field in self.fields.items():
            try:
                raw = read_cell(row.get(field.column_name), escaped=escaped)
                values[name] = field.clean({field.column_name: raw})
            except CellError as error:
                errors[field.column_name] = str(error)
        return values, errors

    def values_of(self, scope: Scope) -> dict[str, Any]:
        """A scope's values by field name, read as the export reads them (Field.get_value)."""
        return {name: field.get_value(scope) for name, field in self.columns}

    def preview_cells(self, values: dict[str, Any]) -> dict[str, str]:
        """A row's cells as the preview shows them, by header: each value (by field name, as
        `clean_row` or `values_of` give it) rendered by its column's widget, as text."""
        cells = {}
        for name, field in self.columns:
            cell = field.widget.render(values[name])
            cells[force_str(field.column_name)] = cell if isinstance(cell, str) else str(cell)
        return cells


def column_widths(headers: Iterable[str]) -> list[int]:
    """The width of each column in a spreadsheet, as the resource declares it, by header
    (a header it does not know gets the writers' default)."""
    widths = _declared_widths()
    return [widths.get(header, DEFAULT_WIDTH) for header in headers]


@cache
def _declared_widths() -> dict[str, int]:
    return {
        force_str(field.column_name): field.width
        for field in ScopeSheetResource().get_export_fields()
    }


def scopes_for_export(bulletin: Bulletin) -> QuerySet[Scope]:
    """The bulletin's scopes in its order, with everything a row shows, in five queries.

    What `ScopeSheetResource.export` reads in the library's own way; the export itself reads
    `sheet_scopes` (the same values, without a model instance per row), and the tests hold
    the two to the same cells."""
    return (
        Scope.objects.filter(programme__bulletin=bulletin)
        .select_related("programme")
        .prefetch_related(
            "agency_links__agency",
            Prefetch("targets", queryset=Target.objects.order_by("order")),
            Prefetch("strategies", queryset=Strategy.objects.order_by("order")),
            Prefetch("sections", queryset=Section.objects.order_by("order")),
        )
        .order_by("programme__serial", "order")
    )


# A scope and its parts as the resource's fields and widgets read them, built from plain
# values: a model instance per scope, agency and part (14,000 for 2,000 scopes) and the
# prefetch machinery cost about a second, where these tuples cost a few milliseconds. The
# parts are built as the lines that the widgets' `clean` returns (in their order, by the
# queries), which their `render` writes as they are.


class _Agency(NamedTuple):
    name: str


class SheetScope:
    """A scope with what its row shows, under the attribute names the fields read."""

    __slots__ = (
        "id",
        "programme",
        "title",
        "description",
        "headline",
        "note",
        "ordered_agencies",
        "targets",
        "strategies",
        "sections",
    )

    def __init__(self, pk: int, programme: "_Programme", *texts: str) -> None:
        self.id = pk
        self.programme = programme
        self.title, self.description, self.headline, self.note = texts
        self.ordered_agencies: list[_Agency] = []
        self.targets: list[TargetLine] = []
        self.strategies: list[HeadedLines] = []
        self.sections: list[HeadedLines] = []


class _Programme(NamedTuple):
    serial: int
    name: str
    period_start: int
    period_end: int | None
    open_end: str


def _target(text: str, value: Decimal | None, unit: str, year: int | None) -> TargetLine:
    return TargetLine(text=text, value=value, unit=unit, deadline_year=year)


def _headed(heading: str, items: str) -> HeadedLines:
    return HeadedLines(heading=heading, items=tuple(split_items(items)))


def sheet_scopes(bulletin: Bulletin) -> list[SheetScope]:
    """The bulletin's scopes in its order, as `scopes_for_export` gives them, in six queries
    of plain values (one per table), whatever the number of scopes."""
    of_bulletin = {"scope__programme__bulletin": bulletin}
    programmes = {
        pk: _Programme(*values)
        for pk, *values in Programme.objects.filter(bulletin=bulletin).values_list(
            "pk", "serial", "name", "period_start", "period_end", "open_end"
        )
    }
    scopes = {
        pk: SheetScope(pk, programmes[programme], *texts)
        for pk, programme, *texts in Scope.objects.filter(programme__bulletin=bulletin)
        .order_by("programme__serial", "order")
        .values_list("pk", "programme", "title", "description", "headline", "note")
    }
    for scope, name in (
        ScopeAgency.objects.filter(**of_bulletin)
        .order_by("scope", "position")
        .values_list("scope", "agency__name")
    ):
        scopes[scope].ordered_agencies.append(_Agency(name))
    parts = (
        (Target, "targets", _target, ("text", "value", "unit", "deadline_year")),
        (Strategy, "strategies", _headed, ("heading", "items")),
        (Section, "sections", _headed, ("heading", "items")),
    )
    for model, attribute, line, names in parts:
        for scope, *values in (
            model.objects.filter(**of_bulletin)
            .order_by("scope", "order")
            .values_list("scope", *names)
        ):
            getattr(scopes[scope], attribute).append(line(*values))
    return list(scopes.values())


class _SheetExport:
    """A bulletin's rows as the resource exports them: its export fields, each read by its own
    widget's `render` from the attribute it names, over the bulletin's `sheet_scopes`. What
    `export_resource` does, without its per-cell lookups of field names and dehydrate methods
    (the resource has none; the tests hold the two to the same cells)."""

    def __init__(self, bulletin: Bulletin) -> None:
        self.resource = ScopeSheetResource()
        self.scopes = sheet_scopes(bulletin)
        self.resource.before_export(self.scopes)
        fields = self.resource.get_export_fields()
        self.headers = [force_str(field.column_name) for field in fields]
        self._columns = [
            (attrgetter(field.attribute.replace("__", ".")), field.widget.render)
            for field in fields
        ]

    def row(self, scope: SheetScope) -> list[Any]:
        return [render(value(scope)) for value, render in self._columns]


def export_dataset(bulletin: Bulletin) -> tablib.Dataset:
    """The bulletin as a tablib Dataset, one row per scope; the writers make its cells inert.
    The same cells as `ScopeSheetResource().export(queryset=scopes_for_export(bulletin))`."""
    sheet = _SheetExport(bulletin)
    dataset = tablib.Dataset(*map(sheet.row, sheet.scopes), headers=sheet.headers)
    sheet.resource.after_export(sheet.scopes, dataset)
    dataset.title = bulletin.title[:31]
    return dataset


def export_rows(bulletin: Bulletin) -> tuple[list[str], Iterator[list[Any]]]:
    """The sheet's header, and its rows one at a time as `export_dataset` has them, for a
    response that streams. The database is read before the first row, so the stream itself
    runs no query."""
    sheet = _SheetExport(bulletin)
    return sheet.headers, map(sheet.row, sheet.scopes)
