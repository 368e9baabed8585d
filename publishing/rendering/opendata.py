"""Open data of an edition: one row per scope (產業範疇) in CSV, XLSX, ODS and JSON.

The first columns are the table's own; structured ones follow (stable catalogue ids, the period
as numbers, targets, strategies, sections). The spreadsheets are written by the editors' sheet's
writers (catalogue/spreadsheet/writers.py), which make every line of every text cell inert
where a spreadsheet would read it as a formula (OWASP "CSV injection"); the JSON keeps the
texts as they are.
"""

import json
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from catalogue.spreadsheet.writers import write_csv, write_ods, write_xlsx
from publishing.snapshot import snapshot_sha256

from .document import Document
from .table import groups
from .wording import labels

OPEN_DATA_FORMAT = "policy-industries-open-data"
OPEN_DATA_VERSION = 1

# (key, column label msgid): the table's five columns first.
FIELDS: tuple[tuple[str, str], ...] = (
    ("serial", N_("序號")),
    ("programme", N_("政策性產業")),
    ("agencies", N_("部會/機關")),
    ("scope", N_("產業範疇")),
    ("recognition", N_("認定方式")),
    ("edition_date", N_("版本日期")),
    ("programme_id", N_("政策性產業編號")),
    ("programme_name", N_("政策性產業名稱")),
    ("period_start", N_("實施起始年（民國）")),
    ("period_end", N_("實施結束年（民國）")),
    ("open_end", N_("未定結束年")),
    ("scope_id", N_("產業範疇編號")),
    ("scope_order", N_("產業範疇順序")),
    ("scope_title", N_("範疇名稱")),
    ("scope_description", N_("產業範疇說明")),
    ("agency_ids", N_("部會/機關編號")),
    ("recognition_scope_id", N_("認定方式所屬產業範疇編號")),
    ("headline", N_("願景")),
    ("targets", N_("推動目標")),
    ("strategies", N_("推動策略")),
    ("sections", N_("其他段落")),
    ("note", N_("備註")),
)


def _headed_text(parts: list[dict[str, Any]]) -> str:
    return "\n".join(
        "\n".join([part["heading"], *(f"• {item}" for item in part["items"])]) for part in parts
    )


def recognition_text(scope: dict[str, Any] | None) -> str:
    """The recognition cell as plain text, in the order the table shows it."""
    if scope is None:
        return ""
    words = labels()
    lines: list[str] = []
    if scope["headline"]:
        lines.append(scope["headline"])
    if scope["targets"]:
        lines.append(words["targets"])
        lines.extend(f"■ {target['text']}" for target in scope["targets"])
    if scope["strategies"]:
        lines.append(words["strategies"])
        lines.append(_headed_text(scope["strategies"]))
    if scope["sections"]:
        lines.append(_headed_text(scope["sections"]))
    if scope["note"]:
        lines.append(scope["note"])
    return "\n".join(lines)


def records(document: Document) -> list[dict[str, Any]]:
    """One structured record per scope, in table order."""
    result = []
    for programme in document.snapshot["programmes"]:
        for group in groups(programme):
            for scope in group.scopes:
                result.append(_record(document, programme, scope, group.recognition))
    return result


def _record(
    document: Document,
    programme: dict[str, Any],
    scope: dict[str, Any],
    recognition: dict[str, Any] | None,
) -> dict[str, Any]:
    title = f"【{scope['title']}】" if scope["title"] else ""
    return {
        "serial": programme["serial"],
        "programme": f"{programme['name']} ({programme['period_display']})",
        "agencies": "、".join(a["name"] for a in scope["agencies"]),
        "scope": title + scope["description"],
        "recognition": recognition_text(recognition),
        "edition_date": document.roc_date,
        "programme_id": programme["id"],
        "programme_name": programme["name"],
        "period_start": programme["period_start"],
        "period_end": programme["period_end"],
        "open_end": programme["open_end"],
        "scope_id": scope["id"],
        "scope_order": scope["order"],
        "scope_title": scope["title"],
        "scope_description": scope["description"],
        "agency_ids": [a["id"] for a in scope["agencies"]],
        "agency_list": scope["agencies"],
        "recognition_scope_id": recognition["id"] if recognition else None,
        "headline": recognition["headline"] if recognition else "",
        "targets": recognition["targets"] if recognition else [],
        "strategies": recognition["strategies"] if recognition else [],
        "sections": recognition["sections"] if recognition else [],
        "note": recognition["note"] if recognition else "",
    }


def _cell(key: str, value: Any) -> Any:
    """A record's value as one spreadsheet cell (the writer makes its texts inert)."""
    if value is None:
        return ""
    if key == "agency_ids":
        return ",".join(str(i) for i in value)
    if key == "targets":
        return "\n".join(target["text"] for target in value)
    if key in ("strategies", "sections"):
        return _headed_text(value)
    return value


def header() -> list[str]:
    return [gettext(label) for _, label in FIELDS]


def sheet_rows(document: Document) -> list[list[Any]]:
    return [[_cell(key, record[key]) for key, _ in FIELDS] for record in records(document)]


def render_csv(document: Document) -> bytes:
    return write_csv(header(), sheet_rows(document))


def render_xlsx(document: Document) -> bytes:
    return write_xlsx(header(), sheet_rows(document), title=gettext("政策性產業彙整表"))


def render_ods(document: Document) -> bytes:
    return write_ods(header(), sheet_rows(document), title=gettext("政策性產業彙整表"))


def render_json(document: Document) -> bytes:
    """The records with their structure, plus what the columns mean, in a fixed byte form."""
    snapshot = document.snapshot
    rows = []
    for record in records(document):
        row = {key: record[key] for key, _ in FIELDS}
        row["agencies"] = record["agency_list"]
        del row["agency_ids"]
        rows.append(row)
    payload = {
        "format": OPEN_DATA_FORMAT,
        "version": OPEN_DATA_VERSION,
        "bulletin": {
            "id": snapshot["bulletin"]["id"],
            "slug": snapshot["bulletin"]["slug"],
            "title": snapshot["bulletin"]["full_title"],
            "issuing_agency": snapshot["bulletin"]["issuing_agency"]["name"],
        },
        "edition": {
            "date": document.date.isoformat(),
            "roc_date": document.roc_date,
            "change_note": document.change_note,
            "snapshot_sha256": snapshot_sha256(snapshot),
        },
        "fields": [
            {"key": key, "label": gettext(label)} for key, label in FIELDS if key != "agency_ids"
        ],
        "rows": rows,
    }
    return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
