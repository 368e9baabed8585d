"""Reading an edited sheet back: check every cell, then plan every write before making one.

`plan_import` compares the file with the catalogue and returns an `ImportPlan` (what will be
created, changed and deleted, row by row and cell by cell) or raises `ImportRefused` with
every problem found, each with its row and column. `apply_plan` carries a plan out; the
services in `services.py` do both inside one transaction.

How rows find their objects: a scope by its id (範疇識別碼, blank for a new one); a
programme by serial and name together, else by name (renumbered), else by serial (renamed),
else by the scopes it holds; targets, strategies and sections by their position in the
scope, so an edited line is a change of that object, not a deletion and a creation.
"""

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch
from django.utils.translation import gettext as _

from ..history import attribute, one_revision
from ..models import Agency, Bulletin, Programme, Scope, Section, Strategy, Target
from ..text import text_problem
from .cells import HeadedLines, TargetLine
from .readers import Table
from .resources import ScopeSheetResource, cell_text

# Orders and serials are parked this far up while rows move, so that no unique
# (programme, order) or (bulletin, serial) constraint is hit half-way.
PARKING_OFFSET = 1_000_000_000


@dataclass(frozen=True)
class SheetError:
    """One reason the file was refused, and where: row and column as the editor sees them."""

    message: str
    row: int | None = None
    column: str | None = None
    row_word: str = "列"

    def __str__(self) -> str:
        if self.row is None:
            where = _("「%(column)s」欄") % {"column": self.column} if self.column else ""
        elif self.column is None:
            where = _("第 %(row)d %(word)s") % {"row": self.row, "word": self.row_word}
        else:
            where = _("第 %(row)d %(word)s「%(column)s」欄") % {
                "row": self.row,
                "word": self.row_word,
                "column": self.column,
            }
        return f"{where}：{self.message}" if where else self.message


class ImportRefused(Exception):
    """The file was refused; nothing was written."""

    def __init__(self, errors: Iterable[SheetError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass
class Write:
    """One object to save, new or changed, and the names of its fields that change."""

    obj: models.Model
    created: bool
    changed: list[str] = field(default_factory=list)
    agencies: list[Agency] | None = None  # scopes only: the new agencies, when they change
    parked: bool = False  # moves: its serial or order is parked first


@dataclass
class CellPreview:
    column: str
    value: str
    old: str | None  # the current value where the cell changes, else None


@dataclass
class RowPreview:
    number: int
    action: str  # "create", "change" or "unchanged"
    cells: list[CellPreview]

    @property
    def changed_columns(self) -> list[str]:
        return [cell.column for cell in self.cells if cell.old is not None]


@dataclass
class ImportPlan:
    """Everything an import will do, computed without writing anything."""

    bulletin: Bulletin
    allow_delete: bool
    notes: list[str]
    rows: list[RowPreview]
    programmes: list[Write]
    scopes: list[Write]
    parts: list[Write]
    missing_programmes: list[Programme]
    missing_scopes: list[Scope]
    missing_parts: list[models.Model]
    missing_labels: list[str]

    @property
    def has_changes(self) -> bool:
        return bool(self.change_count)

    @property
    def change_count(self) -> int:
        """Objects written: created, changed, and deleted when deletion is allowed."""
        deleted = self.deleted_count if self.allow_delete else 0
        return len(self.programmes) + len(self.scopes) + len(self.parts) + deleted

    def __post_init__(self) -> None:
        # Counted now: once applied, deleted objects lose their ids and their parts.
        missing: dict[type[models.Model], int] = {
            Programme: len(self.missing_programmes),
            Scope: len(self.missing_scopes),
        }
        for part in [*self.missing_parts, *(p for s in self.missing_scopes for p in _parts_of(s))]:
            missing[type(part)] = missing.get(type(part), 0) + 1
        self.missing_counts = missing

    @property
    def deleted_count(self) -> int:
        """Objects the file no longer has: deleted if allowed, else kept."""
        return sum(self.missing_counts.values())

    def summary(self) -> list[str]:
        """One line per kind of object: how many are created, changed and deleted."""
        lines = []
        deleting = self.allow_delete
        for model in (Programme, Scope, Target, Strategy, Section):
            writes = [w for w in self.programmes + self.scopes + self.parts if type(w.obj) is model]
            created = sum(1 for w in writes if w.created)
            missing = self._missing_of(model)
            lines.append(
                _("%(name)s：新增 %(created)d、修改 %(changed)d、%(verb)s %(missing)d")
                % {
                    "name": model._meta.verbose_name,
                    "created": created,
                    "changed": len(writes) - created,
                    "verb": _("刪除") if deleting else _("檔案中沒有（保留）"),
                    "missing": missing,
                }
            )
        return lines

    def _missing_of(self, model: type[models.Model]) -> int:
        return self.missing_counts.get(model, 0)

    def fingerprint(self) -> str:
        """A digest of the preview, so that a confirmation applies exactly what was shown.

        It covers the version of every object the import writes or deletes: the same check as
        an admin form's, so a change made after the preview (even one leaving the cells as
        they were) makes the confirmation stale.
        """
        touched = [w.obj for w in self.programmes + self.scopes + self.parts if not w.created]
        if self.allow_delete:
            touched += [*self.missing_programmes, *self.missing_scopes, *self.missing_parts]
        shown = {
            "versions": sorted([o._meta.label, o.pk, o.version] for o in touched),
            "rows": [
                [row.number, row.action, [[c.column, c.value, c.old] for c in row.cells]]
                for row in self.rows
            ],
            "missing": self.missing_labels,
            "allow_delete": self.allow_delete,
        }
        canonical = json.dumps(shown, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _parts_of(scope: Scope) -> list[models.Model]:
    return [*scope.targets.all(), *scope.strategies.all(), *scope.sections.all()]


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


@dataclass
class _Group:
    """The rows of one programme in the file, by serial."""

    serial: int
    name: str
    period: tuple[int, int | None, str]
    rows: list[_Row]
    programme: Programme | None = None


def plan_import(
    *, bulletin: Bulletin, table: Table, allow_delete: bool, escaped: bool = True
) -> ImportPlan:
    """Check the table against the catalogue and plan every write; raise ImportRefused if bad.

    escaped: the table was read from a spreadsheet whose text cells export made inert
    (CSV, XLSX, ODS); False for JSON, which holds the texts as they are.
    """
    planner = _Planner(bulletin=bulletin, table=table, allow_delete=allow_delete, escaped=escaped)
    return planner.plan()


class _Planner:
    def __init__(
        self, *, bulletin: Bulletin, table: Table, allow_delete: bool, escaped: bool
    ) -> None:
        self.bulletin = bulletin
        self.table = table
        self.allow_delete = allow_delete
        self.escaped = escaped
        self.errors: list[SheetError] = []
        self.resource = ScopeSheetResource(agencies=Agency.objects.all())
        self.programmes = list(
            Programme.objects.filter(bulletin=bulletin)
            .order_by("serial")
            .prefetch_related(
                Prefetch(
                    "scopes",
                    queryset=Scope.objects.order_by("order").prefetch_related(
                        "agency_links__agency",
                        Prefetch("targets", queryset=Target.objects.order_by("order")),
                        Prefetch("strategies", queryset=Strategy.objects.order_by("order")),
                        Prefetch("sections", queryset=Section.objects.order_by("order")),
                    ),
                )
            )
        )
        self.scopes = {s.pk: s for p in self.programmes for s in p.scopes.all()}
        self.programme_writes: list[Write] = []
        self.scope_writes: list[Write] = []
        self.part_writes: list[Write] = []
        self.missing_parts: list[models.Model] = []
        self.missing_labels: list[str] = []
        self.previews: list[RowPreview] = []

    def error(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self.errors.append(SheetError(message, row, column, str(self.table.row_word)))

    def refuse_if_errors(self) -> None:
        if self.errors:
            raise ImportRefused(self.errors)

    def plan(self) -> ImportPlan:
        self.check_headers()
        self.refuse_if_errors()
        rows = self.read_rows()
        self.refuse_if_errors()
        self.check_ids(rows)
        groups = self.group(rows)
        self.refuse_if_errors()
        self.match(groups)
        self.check_serials_of_missing_programmes(groups)
        self.refuse_if_errors()
        old_cells = {
            pk: self.resource.preview_cells(self.resource.values_of(scope))
            for pk, scope in self.scopes.items()
        }
        in_file = {row.values["id"] for row in rows if row.values["id"]}
        for group in sorted(groups, key=lambda g: g.serial):
            self.plan_group(group, in_file, old_cells)
        self.refuse_if_errors()
        matched = {group.programme.pk for group in groups if group.programme}
        missing_programmes = [p for p in self.programmes if p.pk not in matched]
        missing_scopes = [s for pk, s in self.scopes.items() if pk not in in_file]
        self.missing_labels = [
            *(_("政策性產業「%(name)s」") % {"name": p} for p in missing_programmes),
            *(_("產業範疇「%(name)s」") % {"name": s} for s in missing_scopes),
            *self.missing_labels,
        ]
        self.previews.sort(key=lambda preview: preview.number)
        return ImportPlan(
            bulletin=self.bulletin,
            allow_delete=self.allow_delete,
            notes=list(self.table.notes),
            rows=self.previews,
            programmes=self.programme_writes,
            scopes=self.scope_writes,
            parts=self.part_writes,
            missing_programmes=missing_programmes,
            missing_scopes=missing_scopes,
            missing_parts=self.missing_parts,
            missing_labels=self.missing_labels,
        )

    # Reading

    def check_headers(self) -> None:
        expected = self.resource.headers
        headers = [cell_text(header) for header in self.table.headers]
        while headers and not headers[-1]:
            headers.pop()
        self.headers = headers
        if not headers:
            self.error(
                _("找不到標題列；第一列須是欄位名稱：%(names)s。") % {"names": "、".join(expected)}
            )
            return
        header_row = 1 if self.table.first_row_number == 2 else None
        # Names behind a stray BOM or a control character: named below as such, not as missing.
        hidden = {"".join(c for c in h if text_problem(c) is None) for h in headers}
        for header in expected:
            if header not in headers and header not in hidden:
                self.error(_("缺少欄位「%(name)s」。") % {"name": header}, header_row)
        for position, header in enumerate(headers):
            problem = text_problem(header)
            if problem is not None:
                # A stray BOM (a file saved twice) or a control character hides a known name.
                self.error(
                    _("第 %(n)d 欄的欄位名稱%(problem)s")
                    % {"n": position + 1, "problem": problem.message()},
                    header_row,
                )
            elif not header:
                self.error(_("第 %(n)d 欄沒有欄位名稱。") % {"n": position + 1}, header_row)
            elif header not in expected:
                self.error(_("無法辨識的欄位「%(name)s」。") % {"name": header}, header_row)
            elif headers.index(header) != position:
                self.error(_("欄位「%(name)s」重複。") % {"name": header}, header_row)

    def read_rows(self) -> list[_Row]:
        rows = []
        width = len(self.headers)
        for index, raw in enumerate(self.table.rows):
            number = self.table.first_row_number + index
            cells = list(raw) + [None] * (width - len(raw))
            if any(cell_text(cell) for cell in cells[width:]):
                self.error(_("標題列以外的欄位有資料；請刪除或補上欄位名稱。"), number)
                continue
            if not any(cell_text(cell) for cell in cells[:width]):
                continue  # a blank row: spreadsheets leave them about
            values, errors = self.resource.clean_row(
                dict(zip(self.headers, cells, strict=False)), escaped=self.escaped
            )
            for column, message in errors.items():
                self.error(message, number, column)
            if not errors:
                rows.append(_Row(number, values))
        if not rows and not self.errors:
            self.error(_("檔案中沒有任何資料列。"))
        return rows

    def check_ids(self, rows: list[_Row]) -> None:
        seen: dict[int, int] = {}
        for row in rows:
            pk = row.values["id"]
            if pk is None:
                continue
            if pk in seen:
                self.error(
                    _("範疇識別碼 %(id)d 已在第 %(first)d %(word)s出現；每個產業範疇只能有一列。")
                    % {"id": pk, "first": seen[pk], "word": self.table.row_word},
                    row.number,
                    self.resource.column("id"),
                )
            elif pk not in self.scopes:
                self.error(
                    _("範疇識別碼 %(id)d 不是這份彙整表的產業範疇；新增的產業範疇請將此欄留空。")
                    % {"id": pk},
                    row.number,
                    self.resource.column("id"),
                )
            seen.setdefault(pk, row.number)

    def group(self, rows: list[_Row]) -> list[_Group]:
        groups: dict[int, _Group] = {}
        for row in rows:
            serial, name, period = (
                row.values["serial"],
                row.values["programme"],
                row.values["period"],
            )
            group = groups.get(serial)
            if group is None:
                groups[serial] = _Group(serial, name, period, [row])
                continue
            first = group.rows[0].number
            if name != group.name:
                self.error(
                    _(
                        "序號 %(serial)d 已在第 %(first)d %(word)s用於政策性產業「%(other)s」；"
                        "同一政策性產業的每一列須寫相同名稱，不同的政策性產業須使用不同序號。"
                    )
                    % {
                        "serial": serial,
                        "first": first,
                        "word": self.table.row_word,
                        "other": group.name,
                    },
                    row.number,
                    self.resource.column("programme"),
                )
            elif period != group.period:
                self.error(
                    _("與第 %(first)d %(word)s的同一政策性產業的實施期間不同。")
                    % {"first": first, "word": self.table.row_word},
                    row.number,
                    self.resource.column("period"),
                )
            else:
                group.rows.append(row)
        return list(groups.values())

    # Matching and planning

    def match(self, groups: list[_Group]) -> None:
        unmatched = list(self.programmes)

        def by_scopes(group: _Group, programme: Programme) -> bool:
            return any(
                self.scopes[row.values["id"]].programme_id == programme.pk
                for row in group.rows
                if row.values["id"]
            )

        rules: list[Callable[[_Group, Programme], bool]] = [
            lambda g, p: p.serial == g.serial and p.name == g.name,
            lambda g, p: p.name == g.name,
            lambda g, p: p.serial == g.serial,
            by_scopes,
        ]
        for rule in rules:
            for group in groups:
                if group.programme is not None:
                    continue
                found = next((p for p in unmatched if rule(group, p)), None)
                if found is not None:
                    group.programme = found
                    unmatched.remove(found)

    def check_serials_of_missing_programmes(self, groups: list[_Group]) -> None:
        """A programme the file no longer has keeps its serial unless it is deleted."""
        if self.allow_delete:
            return  # deleted ones are moved out of the way first (see apply_plan)
        matched = {group.programme.pk for group in groups if group.programme}
        missing = {p.serial: p for p in self.programmes if p.pk not in matched}
        for group in groups:
            if group.serial in missing:
                self.error(
                    _(
                        "序號 %(serial)d 已由檔案中沒有的政策性產業「%(name)s」使用；"
                        "請改用其他序號，或勾選「刪除檔案中沒有的項目」。"
                    )
                    % {"serial": group.serial, "name": missing[group.serial].name},
                    group.rows[0].number,
                    self.resource.column("serial"),
                )

    def plan_group(self, group: _Group, in_file: set[int], old_cells: dict[int, dict]) -> None:
        programme = group.programme or Programme(bulletin=self.bulletin)
        created = group.programme is None
        group.programme = programme
        start, end, open_end = group.period
        wanted = {
            "serial": group.serial,
            "name": group.name,
            "period_start": start,
            "period_end": end,
            "open_end": open_end,
        }
        changed = _assign(programme, wanted)
        programme_write = None
        if created or changed:
            programme_write = Write(
                programme, created, changed, parked=not created and "serial" in changed
            )
            self.validate(programme, exclude=["bulletin"], row=group.rows[0].number)
            self.programme_writes.append(programme_write)

        kept_orders = set()
        if not created and not self.allow_delete:
            kept_orders = {s.order for s in programme.scopes.all() if s.pk not in in_file}
        last = 0
        for row in group.rows:
            scope = self.scopes.get(row.values["id"]) or Scope()
            here = not created and scope.pk is not None and scope.programme_id == programme.pk
            if here and scope.order > last:
                order = scope.order
            else:
                order = last + 1
                while order in kept_orders:
                    order += 1
            last = order
            self.plan_scope(row, scope, programme, order, programme_write, old_cells)

    def plan_scope(
        self,
        row: _Row,
        scope: Scope,
        programme: Programme,
        order: int,
        programme_write: Write | None,
        old_cells: dict[int, dict],
    ) -> None:
        values = row.values
        created = scope.pk is None
        moved = not created and (scope.programme_id != programme.pk or scope.order != order)
        changed = _assign(
            scope,
            {
                "title": values["title"],
                "description": values["description"],
                "headline": values["headline"],
                "note": values["note"],
                "order": order,
            },
        )
        if created or scope.programme_id != programme.pk:
            scope.programme = programme
            changed.append("programme")
        # The cell's order is the scope's order: naming the same agencies in another order
        # changes the scope.
        current = [] if created else [a.pk for a in scope.ordered_agencies]
        agencies = values["agencies"]
        new_agencies = agencies if [a.pk for a in agencies] != current else None
        if new_agencies is not None and not created:
            changed.append("agencies")
        writes_before = len(self.part_writes)
        if created or changed:
            self.scope_writes.append(Write(scope, created, changed, new_agencies, parked=moved))
            self.validate(scope, exclude=["programme", "agencies"], row=row.number)
        self.plan_parts(row, scope, Target, "targets", _target_values)
        self.plan_parts(row, scope, Strategy, "strategies", _headed_values)
        self.plan_parts(row, scope, Section, "sections", _headed_values)

        action = "create" if created else "unchanged"
        if not created and (changed or programme_write or len(self.part_writes) > writes_before):
            action = "change"
        new = self.resource.preview_cells(values)
        old = old_cells.get(scope.pk) if not created else None
        cells = [
            CellPreview(column, text, old[column] if old and old[column] != text else None)
            for column, text in new.items()
        ]
        self.previews.append(RowPreview(row.number, action, cells))

    def plan_parts(
        self,
        row: _Row,
        scope: Scope,
        model: type[models.Model],
        name: str,
        values_of: Callable[[Any], dict[str, Any]],
    ) -> None:
        """Plan the parts of the column `name` (a field of the resource) by their position."""
        wanted, column = row.values[name], self.resource.column(name)
        existing = [] if scope.pk is None else list(getattr(scope, _related_name(model)).all())
        next_order = max((part.order for part in existing), default=0)
        for position, item in enumerate(wanted, start=1):
            if position <= len(existing):
                part = existing[position - 1]
                changed = _assign(part, values_of(item))
                if not changed:
                    continue
                write = Write(part, False, changed)
            else:
                next_order += 1
                part = model(scope=scope, order=next_order, **values_of(item))
                write = Write(part, True)
            self.part_writes.append(write)
            self.validate_part(part, row.number, column, position)
        for position, part in enumerate(existing[len(wanted) :], start=len(wanted) + 1):
            self.missing_parts.append(part)
            self.missing_labels.append(
                _("產業範疇「%(scope)s」的%(kind)s第 %(n)d 項「%(text)s」")
                % {"scope": scope, "kind": model._meta.verbose_name, "n": position, "text": part}
            )

    # Validation of what the widgets cannot see: the models' own rules

    def validate(self, obj: models.Model, *, exclude: list[str], row: int) -> None:
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = self.resource.error_column(type(obj), name)
                for message in messages:
                    self.error(message, row, column)

    def validate_part(self, part: models.Model, row: int, column: str, position: int) -> None:
        problems: list[str] = []
        try:
            part.full_clean(exclude=["scope"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                label = str(part._meta.get_field(name).verbose_name) if name != "__all__" else ""
                problems += [f"{label}{'：' if label else ''}{m}" for m in messages]
        if isinstance(part, Target) and part.unit and part.value is None:
            problems.append(_("填寫單位時也須填寫數值。"))
        for problem in problems:
            self.error(
                _("第 %(n)d 項：%(problem)s") % {"n": position, "problem": problem}, row, column
            )


def _related_name(model: type[models.Model]) -> str:
    return {Target: "targets", Strategy: "strategies", Section: "sections"}[model]


def _assign(obj: models.Model, values: dict[str, Any]) -> list[str]:
    """Set the values that differ on obj; return the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        current = getattr(obj, name)
        if name == "items":
            current = "\n".join(obj.item_list)  # type: ignore[attr-defined]
        if current != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed if obj.pk is not None else []


def _target_values(line: TargetLine) -> dict[str, Any]:
    return {
        "text": line.text,
        "value": line.value,
        "unit": line.unit,
        "deadline_year": line.deadline_year,
    }


def _headed_values(part: HeadedLines) -> dict[str, Any]:
    return {"heading": part.heading, "items": "\n".join(part.items)}


# Applying a plan


def apply_plan(plan: ImportPlan, *, user: Any, reason: str) -> None:
    """Carry out the plan; call inside a transaction. Each object written gets one revision."""
    who = {"user": user, "reason": reason}
    if plan.allow_delete:
        for part in plan.missing_parts:
            _delete(part, **who)
        for scope in plan.missing_scopes:
            for part in _parts_of(scope):
                _delete(part, **who)
            _delete(scope, **who)
    parked = [w.obj.pk for w in plan.programmes if w.parked]
    if plan.allow_delete:
        # Their serials may be wanted by others; the deletion's revision is written from the
        # object in memory, so it still shows the real serial.
        parked += [programme.pk for programme in plan.missing_programmes]
    _park(Programme, "serial", parked)
    _park(Scope, "order", [w.obj.pk for w in plan.scopes if w.parked])
    for write in plan.programmes:
        attribute(write.obj, **who)
        write.obj.save()
    for write in plan.scopes:
        scope = write.obj
        with one_revision(scope, **who):
            scope.save()
            if write.agencies is not None:
                scope.set_agencies(write.agencies)
    for write in plan.parts:
        attribute(write.obj, **who)
        write.obj.save()
    if plan.allow_delete:
        for programme in plan.missing_programmes:
            _delete(programme, **who)


def _park(model: type[models.Model], name: str, pks: list[int]) -> None:
    """Move serials or orders out of the way without a revision; the real save follows."""
    if pks:
        model._default_manager.filter(pk__in=pks).update(**{name: F("pk") + PARKING_OFFSET})


def _delete(obj: models.Model, *, user: Any, reason: str) -> None:
    attribute(obj, user=user, reason=reason)
    obj.delete()


__all__ = [
    "ImportPlan",
    "ImportRefused",
    "SheetError",
    "apply_plan",
    "plan_import",
]
