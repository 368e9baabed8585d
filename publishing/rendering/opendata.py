"""Open data of an edition: one row per scope (產業範疇) in CSV, XLSX, ODS and JSON.

The first columns are the table's own; structured ones follow (stable catalogue ids, the period
as numbers, targets, strategies, sections). The spreadsheets are written by the editors' sheet's
writers (catalogue/spreadsheet/writers.py), which make every line of every text cell inert
where a spreadsheet would read it as a formula (OWASP "CSV injection"); the JSON keeps the
texts as they are.
"""

import hashlib
import json
from typing import Any, NamedTuple

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from catalogue.spreadsheet.writers import DEFAULT_WIDTH, write_csv, write_ods, write_xlsx
from publishing.snapshot import snapshot_sha256

from .document import Document, file_name
from .table import groups
from .wording import labels

OPEN_DATA_FORMAT = "policy-industries-open-data"
# 2: the field list names every column (agency_ids came back), edition_date_iso, the licence.
OPEN_DATA_VERSION = 2

# The licence of every edition's data (政府資料開放授權條款－第1版, compatible with CC BY 4.0).
LICENCE: dict[str, str] = {
    "name": "OGDL-Taiwan-1.0",
    "title": "政府資料開放授權條款－第1版",
    "path": "https://data.gov.tw/license",
}


class Field(NamedTuple):
    """One column of the open data: its key, its label, its type in the CSV and in the JSON.

    Types are Table Schema types (the data package declares the CSV with them); a JSON value
    of type "array" is a list of texts or objects where the CSV has one text. The width, in
    characters, is the column's in the XLSX and the ODS.
    """

    key: str
    label: str
    csv_type: str
    json_type: str
    width: int = DEFAULT_WIDTH


def _field(
    key: str,
    label: str,
    csv_type: str = "string",
    json_type: str = "",
    *,
    width: int = DEFAULT_WIDTH,
) -> Field:
    return Field(key, label, csv_type, json_type or csv_type, width)


# The table's five columns first; edition_date_iso last, so that a reader of version 1 by
# position finds every earlier column where it was.
FIELDS: tuple[Field, ...] = (
    _field("serial", N_("序號"), "integer", width=6),
    _field("programme", N_("政策性產業"), width=18),
    _field("agencies", N_("部會/機關"), "string", "array"),
    _field("scope", N_("產業範疇"), width=30),
    _field("recognition", N_("認定方式"), width=48),
    _field("edition_date", N_("版本日期")),
    _field("programme_id", N_("政策性產業編號"), "integer"),
    _field("programme_name", N_("政策性產業名稱")),
    _field("period_start", N_("實施起始年（民國）"), "integer"),
    _field("period_end", N_("實施結束年（民國）"), "integer"),
    _field("open_end", N_("未定結束年")),
    _field("scope_id", N_("產業範疇編號"), "integer"),
    _field("scope_order", N_("產業範疇順序"), "integer"),
    _field("scope_title", N_("範疇名稱")),
    _field("scope_description", N_("產業範疇說明"), width=36),
    _field("agency_ids", N_("部會/機關編號"), "string", "array"),
    _field("recognition_scope_id", N_("認定方式所屬產業範疇編號"), "integer"),
    _field("headline", N_("願景"), width=20),
    _field("targets", N_("推動目標"), "string", "array", width=40),
    _field("strategies", N_("推動策略"), "string", "array", width=48),
    _field("sections", N_("其他段落"), "string", "array", width=40),
    _field("note", N_("備註"), width=24),
    _field("edition_date_iso", N_("版本日期（西元）"), "date"),
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
        "edition_date_iso": document.date.isoformat(),
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
    return [gettext(field.label) for field in FIELDS]


def sheet_rows(document: Document) -> list[list[Any]]:
    keys = [field.key for field in FIELDS]
    return [[_cell(key, record[key]) for key in keys] for record in records(document)]


def render_csv(document: Document) -> bytes:
    return write_csv(header(), sheet_rows(document))


def licence_note(document: Document) -> str:
    """What a spreadsheet says of itself outside its table: source, date and licence."""
    return gettext(
        "{title}（{roc_date}，{iso_date}）。本資料依{licence}（{url}，與 CC BY 4.0 相容）提供，"
        "利用時請註明出處：{agency}。"
    ).format(
        title=document.title,
        roc_date=document.roc_date,
        iso_date=document.date.isoformat(),
        licence=LICENCE["title"],
        url=LICENCE["path"],
        agency=document.snapshot["bulletin"]["issuing_agency"]["name"],
    )


def render_xlsx(document: Document) -> bytes:
    return write_xlsx(
        header(),
        sheet_rows(document),
        title=gettext("政策性產業彙整表"),
        description=licence_note(document),
        widths=[field.width for field in FIELDS],
    )


def render_ods(document: Document) -> bytes:
    return write_ods(
        header(),
        sheet_rows(document),
        title=gettext("政策性產業彙整表"),
        description=licence_note(document),
        widths=[field.width for field in FIELDS],
    )


def render_json(document: Document) -> bytes:
    """The records with their structure, plus what the columns mean, in a fixed byte form."""
    snapshot = document.snapshot
    rows = []
    for record in records(document):
        row = {field.key: record[field.key] for field in FIELDS}
        row["agencies"] = record["agency_list"]
        rows.append(row)
    payload = {
        "format": OPEN_DATA_FORMAT,
        "version": OPEN_DATA_VERSION,
        "license": LICENCE,
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
        # One entry per key of every row, in the rows' order: the same columns as the CSV.
        "fields": [
            {"key": field.key, "label": gettext(field.label), "type": field.json_type}
            for field in FIELDS
        ],
        "rows": rows,
    }
    return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# (format, resource name, Table Schema of the file or None): what the data package lists.
# The CSV and the XLSX are tables with the same columns; the others are files it hashes. Not
# the PDF: the package is rendered with the files at submission, and publication signs the PDF
# (its bytes change then); manifest.json and the seal itself cover the published PDF.
PACKAGE_RESOURCES: tuple[tuple[str, str, bool], ...] = (
    ("csv", "scopes-csv", True),
    ("xlsx", "scopes-xlsx", True),
    ("ods", "scopes-ods", False),
    ("json", "scopes-json", False),
    ("html", "bulletin-html", False),
)
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "json": "application/json",
    "pdf": "application/pdf",
    "html": "text/html",
}


def _schema() -> dict[str, Any]:
    """The columns as a Table Schema: names are the header's labels, as the files carry them."""
    return {
        "fields": [
            {
                "name": gettext(field.label),
                "title": gettext(field.label),
                "description": f"JSON: {field.key}",
                "type": field.csv_type,
            }
            for field in FIELDS
        ],
        "primaryKey": [gettext("產業範疇編號")],
        "missingValues": [""],
    }


def _resource(document: Document, fmt: str, name: str, tabular: bool, data: bytes) -> dict:
    resource: dict[str, Any] = {
        "name": name,
        "path": file_name(document.file_basename, fmt),
        "format": fmt,
        "mediatype": MEDIA_TYPES[fmt],
        "bytes": len(data),
        "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
    }
    if fmt == "csv":
        resource["encoding"] = "utf-8-sig"
    if fmt == "xlsx":
        resource["dialect"] = {"excel": {"sheet": gettext("政策性產業彙整表")}}
    # Declared, not guessed: a reader would otherwise read the ODS as a table (with a plugin
    # the site does not need) and the JSON as a descriptor of its own.
    resource["type"] = "table" if tabular else "file"
    if tabular:
        resource["schema"] = _schema()
    return resource


def render_datapackage(document: Document, files: dict[str, bytes]) -> bytes:
    """A Frictionless data package of the other files: their columns, sizes, hashes, licence.

    Rendered after the files it describes; its resource paths are relative, so it describes
    them both in the edition's folder of the site and in a folder they were saved to.
    """
    snapshot = document.snapshot
    basename = document.file_basename
    package = {
        "name": basename,
        "title": f"{document.title}（{document.roc_date}）",
        "description": gettext(
            "勞動部勞動力發展署公告之政府推動之「政策性產業」彙整表，每列為一個產業範疇。"
        ),
        "version": document.date.isoformat(),
        "keywords": [gettext("政策性產業"), gettext("產業範疇"), gettext("勞動力發展署")],
        "licenses": [LICENCE],
        "sources": [{"title": snapshot["bulletin"]["issuing_agency"]["name"]}],
        "edition": {
            "date": document.date.isoformat(),
            "roc_date": document.roc_date,
            "snapshot_sha256": snapshot_sha256(snapshot),
        },
        "resources": [
            _resource(document, fmt, name, tabular, files[fmt])
            for fmt, name, tabular in PACKAGE_RESOURCES
            if fmt in files
        ],
    }
    return (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
