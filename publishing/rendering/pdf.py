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
# The widest run Typst may leave unbroken, in ems: seven of the widest glyph (W, 9 pt bold)
# fit the narrowest text column (部會/機關, 30 mm less its insets). Typst has no "break
# anywhere" (typst/typst#674), so wider runs get zero-width spaces.
MAX_UNBROKEN_EMS = 7.0
_WIDE = set("MWmw@%&#—…‰")
ZERO_WIDTH_SPACE = "\u200b"


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


@functools.lru_cache(maxsize=65_536)
def breakable(text: str) -> str:
    """text with zero-width spaces inside each run that the Unicode line-breaking rules
    (UAX #14) give no break and that is wider than MAX_UNBROKEN_EMS: long URLs, Latin strings,
    digits, runs of closing punctuation. Texts that break anyway (Chinese, ordinary words)
    stay as they are.

    Kept per process: uniseg's pure-Python rules cost about a millisecond per text, the most
    of a render, and an edition repeats the texts of the one before it.
    """
    if len(text) <= MAX_UNBROKEN_EMS:  # no character is wider than one em
        return text
    pieces = []
    for unit in line_break_units(text):
        body = unit.rstrip()
        if sum(map(_ems, body)) > MAX_UNBROKEN_EMS:
            chunks: list[str] = []
            width = 0.0
            for cluster in grapheme_clusters(body):
                if chunks and width + _ems(cluster) > MAX_UNBROKEN_EMS:
                    chunks.append(ZERO_WIDTH_SPACE)
                    width = 0.0
                chunks.append(cluster)
                width += _ems(cluster)
            unit = "".join(chunks) + unit[len(body) :]
        pieces.append(unit)
    return "".join(pieces)


def _breakable_texts(value: Any, key: str = "") -> Any:
    """The catalogue texts of the template's data made breakable; names of kinds untouched."""
    if isinstance(value, str):
        return value if key == "kind" else breakable(value)
    if isinstance(value, dict):
        return {k: _breakable_texts(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_breakable_texts(item, key) for item in value]
    return value


def creation_time(document: Document) -> datetime.datetime:
    """The edition's date at midnight in Taipei: the same PDF every time it is rendered."""
    taipei = datetime.timezone(datetime.timedelta(hours=8))  # Typst wants a fixed offset
    return datetime.datetime.combine(document.date, datetime.time(), taipei)


def typst_inputs(document: Document) -> tuple[dict[str, Any], dict[str, str]]:
    """The template's data (checked for glyphs, texts made breakable) and Typst's sys.inputs."""
    data = typst_data(document)
    check_glyphs(data)
    for key in ("title", "programmes", "rows"):
        data[key] = _breakable_texts(data[key])
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
