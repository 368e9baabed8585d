"""The bulletin as a PDF, typeset by Typst from the snapshot (never from catalogue markup)."""

import datetime
import functools
import json
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import typst
from django.conf import settings
from django.utils.translation import gettext as _
from uniseg.graphemecluster import grapheme_clusters
from uniseg.linebreak import line_break_units

from publishing.exceptions import RenderingError
from publishing.snapshot import canonical_bytes

from . import fonts, typst_child
from .document import Document
from .table import pdf_rows
from .tagging import tag_table
from .wording import labels

TEMPLATE = Path(__file__).resolve().parent.parent / "typst" / "bulletin.typ"
PDF_STANDARDS = ["ua-1", "a-3u"]
DEFAULT_FONT_FAMILIES = ["Noto Sans CJK TC", "DejaVu Sans"]
# The page and the table, read by the template (data.layout) and by the line breaking below:
# A4 landscape, the table's fixed columns in mm (序號, 政策性產業, 部會/機關, 產業範疇; 認定方式
# takes the rest), cell insets and the text size in pt. 部會/機關 holds ten Chinese characters
# (國家科學及技術委員會, 行政院經貿談判辦公室) on one line, as the agency's table does.
LAYOUT = {
    "page_mm": (297, 210),
    "margin_mm": 12,
    "columns_mm": (12, 38, 36, 62),
    "inset_pt": 4,
    "size_pt": 9,
}
MM = 72 / 25.4
# Room a list's marker and its indent take from an item's line, in ems (bulletin.typ's list).
LIST_INDENT_EMS = 1.5
_WIDE = set("MWmw@%&#—…‰")


def font_dirs() -> list[str]:
    return list(settings.PUBLISHING_FONT_DIRS)


def font_families() -> list[str]:
    return list(getattr(settings, "PUBLISHING_FONT_FAMILIES", DEFAULT_FONT_FAMILIES))


def typst_data(document: Document) -> dict[str, Any]:
    """What the template reads: the layout, the wording and the texts, as plain JSON."""
    snapshot = document.snapshot
    bulletin = snapshot["bulletin"]
    return {
        "title": bulletin["full_title"],
        "author": bulletin["issuing_agency"]["name"],
        "keywords": [bulletin["title"], document.roc_date],
        "date": document.roc_date,
        "fonts": font_families(),
        "labels": labels(),
        "programmes": [
            {"serial": p["serial"], "name": p["name"], "period_display": p["period_display"]}
            for p in snapshot["programmes"]
        ],
        "rows": pdf_rows(snapshot),
    }


def check_glyphs(data: dict[str, Any]) -> None:
    """Refuse a text that the configured fonts cannot draw: no tofu boxes in a published PDF."""
    text = "".join(_strings(data)) + "0123456789"
    try:
        missing = fonts.missing_characters(text, dirs=font_dirs(), families=font_families())
    except LookupError as exc:
        raise RenderingError(
            _("找不到字型「%(family)s」，請確認字型目錄設定（PUBLISHING_FONT_DIRS）。")
            % {"family": exc.args[0]}
        ) from exc
    if missing:
        shown = "、".join(f"「{c}」(U+{ord(c):04X})" for c in missing)
        raise RenderingError(
            _(
                "下列字元在設定的字型中沒有字形，無法產生 PDF：%(chars)s。"
                "請修改文字或安裝含有這些字元的字型。"
            )
            % {"chars": shown}
        )


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [str(value)] if isinstance(value, int | float) and not isinstance(value, bool) else []


def _ems(cluster: str) -> float:
    """A generous estimate of a character's width: CJK and the widest Latin letters a full
    em, capitals three quarters, other Latin and digits 0.6; anything else a full em."""
    character = cluster[0]
    if unicodedata.east_asian_width(character) in ("W", "F") or character in _WIDE:
        return 1.0
    if ord(character) > 0x24F:
        return 1.0
    return 0.75 if character.isupper() else 0.6


def text_ems(text: str) -> float:
    """A generous estimate of a text's width on one line, in ems (see _ems)."""
    return sum(map(_ems, text))


@functools.lru_cache(maxsize=65_536)
def breakable(text: str, ems: float) -> str | tuple[str, ...]:
    """text as it is when each run that the Unicode line-breaking rules (UAX #14) give no
    break fits in `ems` (its column's width); otherwise its pieces, each long run cut into
    grapheme clusters: the template sets an empty box between the pieces, which Typst may break
    a line at (an inline object is a break opportunity), and which adds nothing to the text
    layer. Typst has no "break anywhere" (typst/typst#674); a zero-width space would do it, but
    it stays in the text: a word copied or searched from the PDF would not be the word.

    Kept per process: uniseg's pure-Python rules cost about a millisecond per text, the most
    of a render, and an edition repeats the texts of the one before it.
    """
    if len(text) <= ems:  # no character is wider than one em
        return text
    pieces: list[str] = []
    run = ""  # text up to the next piece boundary
    for unit in line_break_units(text):
        body = unit.rstrip()
        if text_ems(body) <= ems:
            run += unit
            continue
        clusters = list(grapheme_clusters(body))
        pieces.append(run + clusters[0])
        pieces.extend(clusters[1:])
        run = unit[len(body) :]
    if not pieces:
        return text
    pieces[-1] += run
    return tuple(pieces)


def column_ems() -> dict[str, float]:
    """The width of the text in each column (and of the title), in ems of the table's text."""
    layout = LAYOUT
    page_width, margin = layout["page_mm"][0], layout["margin_mm"]
    fixed = layout["columns_mm"]
    widths_mm = [*fixed, page_width - 2 * margin - sum(fixed)]
    size, inset = layout["size_pt"], layout["inset_pt"]
    names = ("serial", "programme", "agencies", "scope", "recognition")
    ems = {name: (w * MM - 2 * inset) / size for name, w in zip(names, widths_mm, strict=True)}
    ems["title"] = (page_width - 2 * margin) * MM / size
    return ems


def _breakable_texts(value: Any, ems: float, key: str = "") -> Any:
    """The catalogue texts of the template's data made breakable; names of kinds untouched."""
    if isinstance(value, str):
        return value if key in ("kind", "id") else breakable(value, ems)
    if isinstance(value, dict):
        return {k: _breakable_texts(v, ems, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_breakable_texts(item, ems, key) for item in value]
    return value


def _breakable_row(row: dict[str, Any], ems: dict[str, float]) -> dict[str, Any]:
    """A row's texts made breakable for the columns they are printed in."""
    scope = row["scope"]
    shown = {
        "title": _breakable_texts(scope["title"], ems["scope"] - 2),  # in 【】
        "description": _breakable_texts(scope["description"], ems["scope"]),
        "agencies": [
            {"name": _breakable_texts(a["name"], ems["agencies"])} for a in scope["agencies"]
        ],
    }
    # The recognition text: list items lose their marker's room, the headline is 10 pt.
    recognition = ems["recognition"] * 9 / 10 - LIST_INDENT_EMS
    blocks = [
        {**block, "value": _breakable_texts(block["value"], recognition)} for block in row["blocks"]
    ]
    return {**row, "scope": shown, "blocks": blocks}


def creation_time(document: Document) -> datetime.datetime:
    """The edition's date at midnight in Taipei: the same PDF every time it is rendered."""
    taipei = datetime.timezone(datetime.timedelta(hours=8))  # Typst wants a fixed offset
    return datetime.datetime.combine(document.date, datetime.time(), taipei)


def typst_inputs(document: Document) -> tuple[dict[str, Any], dict[str, str]]:
    """The template's data (checked for glyphs, texts made breakable) and Typst's sys.inputs.

    The title stays as it is for the document's metadata; `shown_title` is the one printed.
    """
    data = typst_data(document)
    check_glyphs(data)
    ems = column_ems()
    data["layout"] = LAYOUT
    data["shown_title"] = breakable(data["title"], ems["title"] * 9 / 15)  # 15 pt
    data["programmes"] = [
        {
            **p,
            "name": breakable(p["name"], ems["programme"]),
            "period_display": breakable(p["period_display"], ems["programme"] - 1),  # in ()
        }
        for p in data["programmes"]
    ]
    data["rows"] = [_breakable_row(row, ems) for row in data["rows"]]
    inputs = {
        "data": json.dumps(data, ensure_ascii=False),
        "snapshot": canonical_bytes(document.snapshot).decode("utf-8"),
    }
    return data, inputs


def render_pdf(document: Document) -> bytes:
    data, inputs = typst_inputs(document)
    return tag_table(compile_pdf(document, inputs), data["rows"])


def compile_pdf(document: Document, inputs: dict[str, str]) -> bytes:
    """Typst's PDF, before its post-processing (tagging.tag_table)."""
    if in_child_process(document):
        return _compile_in_child(document, inputs)
    try:
        return typst.compile(
            TEMPLATE,
            font_paths=fonts.typst_fonts(font_dirs()),
            sys_inputs=inputs,
            pdf_standards=PDF_STANDARDS,
            timestamp=creation_time(document),
        )
    except typst.TypstError as exc:
        raise _layout_error(exc.message, exc.diagnostic) from exc


def in_child_process(document: Document) -> bool:
    """Whether this document is compiled in a child process: from
    PUBLISHING_PDF_CHILD_PROCESS_SCOPES scopes on (None: never). A small bulletin is compiled
    here, where the fonts stay loaded; a child would first start Python and load them."""
    least = getattr(settings, "PUBLISHING_PDF_CHILD_PROCESS_SCOPES", None)
    if least is None:
        return False
    scopes = sum(len(p["scopes"]) for p in document.snapshot["programmes"])
    return scopes >= least


def _compile_in_child(document: Document, inputs: dict[str, str]) -> bytes:
    """The same compilation in a process of its own (typst_child.py), whose memory goes back
    to the system when it ends: a 100× bulletin takes Typst about 0.9 GB that a long-lived
    worker would otherwise keep (bench/pdf_memory.py)."""
    done = subprocess.run(
        child_command(),
        input=json.dumps(child_request(document, inputs), ensure_ascii=False).encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if done.returncode == 2:
        error = json.loads(done.stderr)
        raise _layout_error(error["message"], error["diagnostic"])
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        detail = done.stderr.decode("utf-8", "replace").strip()[-500:] or f"exit {done.returncode}"
        raise _layout_error(detail, "")
    return done.stdout


def child_request(document: Document, inputs: dict[str, str]) -> dict[str, Any]:
    """What typst_child.py reads on its stdin."""
    return {
        "template": str(TEMPLATE),
        "font_dirs": font_dirs(),
        "inputs": inputs,
        "pdf_standards": PDF_STANDARDS,
        "timestamp": creation_time(document).isoformat(),
    }


def child_command() -> list[str]:
    return [sys.executable, str(Path(typst_child.__file__))]


def _layout_error(message: str, diagnostic: str) -> RenderingError:
    detail = f"{message} {diagnostic}".strip()
    return RenderingError(_("PDF 排版失敗：%(detail)s") % {"detail": detail})
