"""The public table's layout, computed once from a snapshot for the HTML page and the PDF.

One row per scope (產業範疇). A scope without recognition text (認定方式) that follows a scope of
the same programme that has one shares that scope's cell, as the agency's own table does for the
six regions of programme 2; a scope without text and nothing before it to share gets an empty cell.
"""

from dataclasses import dataclass, field
from typing import Any

Scope = dict[str, Any]
Programme = dict[str, Any]


def has_recognition(scope: Scope) -> bool:
    return bool(
        scope["headline"]
        or scope["targets"]
        or scope["strategies"]
        or scope["sections"]
        or scope["note"]
    )


@dataclass
class Group:
    """Scopes that show one recognition cell: its owner first, then the scopes sharing it."""

    scopes: list[Scope]

    @property
    def owner(self) -> Scope:
        return self.scopes[0]

    @property
    def recognition(self) -> Scope | None:
        return self.owner if has_recognition(self.owner) else None


@dataclass
class Row:
    """A scope's row, with what the HTML needs to merge cells."""

    programme: Programme
    scope: Scope
    first_in_programme: bool
    programme_rowspan: int
    # The scope whose recognition text this row's cell shows, when the cell starts here.
    recognition: Scope | None
    recognition_rowspan: int
    # True when the cell above spans this row (the scope shares a recognition text).
    shares_recognition: bool
    # The scopes whose rows the recognition cell starting here spans (its headers).
    recognition_scopes: list[Scope] = field(default_factory=list)


@dataclass
class ProgrammeRows:
    programme: Programme
    rows: list[Row] = field(default_factory=list)


def groups(programme: Programme) -> list[Group]:
    result: list[Group] = []
    for scope in programme["scopes"]:
        if result and not has_recognition(scope) and result[-1].recognition is not None:
            result[-1].scopes.append(scope)
        else:
            result.append(Group([scope]))
    return result


def table(snapshot: dict[str, Any]) -> list[ProgrammeRows]:
    """The rows of the HTML table, programme by programme."""
    result = []
    for programme in snapshot["programmes"]:
        entry = ProgrammeRows(programme)
        count = len(programme["scopes"])
        for group in groups(programme):
            for position, scope in enumerate(group.scopes):
                entry.rows.append(
                    Row(
                        programme=programme,
                        scope=scope,
                        first_in_programme=not entry.rows,
                        programme_rowspan=count,
                        recognition=group.recognition if position == 0 else None,
                        recognition_rowspan=len(group.scopes) if position == 0 else 0,
                        shares_recognition=position > 0,
                        recognition_scopes=group.scopes if position == 0 else [],
                    )
                )
        result.append(entry)
    return result


def recognition_blocks(scope: Scope | None) -> list[dict[str, Any]]:
    """A recognition text cut into blocks that a page may break between (in the PDF's cell).

    lead: the targets; strategy: one 推動策略 heading with its items (the first carries the
    label); section: another heading with items; note: the closing note. The headline opens the
    first block, so that a short headline never sits alone at the foot of a page.
    """
    if scope is None:
        return []
    blocks: list[dict[str, Any]] = []
    if scope["targets"]:
        blocks.append({"kind": "lead", "targets": scope["targets"]})
    for position, strategy in enumerate(scope["strategies"]):
        blocks.append({"kind": "strategy", "first": position == 0, **strategy})
    blocks.extend({"kind": "section", **section} for section in scope["sections"])
    if scope["note"]:
        blocks.append({"kind": "note", "text": scope["note"]})
    if scope["headline"]:
        if not blocks:
            blocks.append({"kind": "lead", "targets": []})
        blocks[0] = {"headline": scope["headline"], **blocks[0]}
    return blocks


def pdf_rows(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """The PDF table's rows: one per scope, as in the HTML, so that the structure tree has one
    table row (TR) per scope; a long row breaks across pages inside its cells.

    The template draws no cell spanning rows: Typst lays a row-spanning cell out after the rows
    it spans, which puts a programme's name after its scopes in the content stream. A programme's
    serial and name head its scopes in a sub-header row (repeated, as an artifact, on the pages
    it runs onto); a shared recognition text sits in the first row of its group and the rows
    below leave that cell empty. The PDF's post-processing (tagging.py) moves the programme's
    cells into its first row and merges the cells in the structure tree from `spans`.
    """
    rows: list[dict[str, Any]] = []
    for p_index, entry in enumerate(table(snapshot)):
        for row in entry.rows:
            blocks = recognition_blocks(row.recognition) if row.recognition_rowspan else []
            rows.append(
                {
                    "programme": p_index,
                    "first_in_programme": row.first_in_programme,
                    "scope": row.scope,
                    "blocks": [
                        {"value": block, "breakable": _breakable(block)} for block in blocks
                    ],
                    "spans": {
                        "programme": row.programme_rowspan if row.first_in_programme else 0,
                        "recognition": row.recognition_rowspan,
                    },
                }
            )
    return rows


# A block longer than this (items, or characters) may break across pages; shorter ones move
# to the next page whole (the row breaks between blocks). A block taller than a page must
# break, or it runs off the page.
UNBREAKABLE_ITEMS = 15
UNBREAKABLE_CHARACTERS = 600


def _characters(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_characters(v) for k, v in value.items() if k not in ("kind", "id"))
    if isinstance(value, list):
        return sum(_characters(v) for v in value)
    return 0


def _breakable(block: dict[str, Any]) -> bool:
    count = len(block.get("items", block.get("targets", [])))
    return count > UNBREAKABLE_ITEMS or _characters(block) > UNBREAKABLE_CHARACTERS
