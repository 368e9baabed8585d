"""The bulletin as a PDF, typeset by Typst from the snapshot (never from catalogue markup)."""

import datetime
import json
from pathlib import Path
from typing import Any

import typst
from django.conf import settings
from django.utils.translation import gettext as _

from publishing.exceptions import RenderingError
from publishing.snapshot import canonical_bytes

from . import fonts
from .document import Document
from .table import pdf_rows
from .wording import labels

TEMPLATE = Path(__file__).resolve().parent.parent / "typst" / "bulletin.typ"
PDF_STANDARDS = ["ua-1", "a-3u"]
DEFAULT_FONT_FAMILIES = ["Noto Sans CJK TC", "DejaVu Sans"]


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


def creation_time(document: Document) -> datetime.datetime:
    """The edition's date at midnight in Taipei: the same PDF every time it is rendered."""
    taipei = datetime.timezone(datetime.timedelta(hours=8))  # Typst wants a fixed offset
    return datetime.datetime.combine(document.date, datetime.time(), taipei)


def render_pdf(document: Document) -> bytes:
    data = typst_data(document)
    check_glyphs(data)
    try:
        return typst.compile(
            TEMPLATE,
            font_paths=fonts.typst_fonts(font_dirs()),
            sys_inputs={
                "data": json.dumps(data, ensure_ascii=False),
                "snapshot": canonical_bytes(document.snapshot).decode("utf-8"),
            },
            pdf_standards=PDF_STANDARDS,
            timestamp=creation_time(document),
        )
    except typst.TypstError as exc:
        detail = f"{exc.message} {exc.diagnostic}".strip()
        raise RenderingError(_("PDF 排版失敗：%(detail)s") % {"detail": detail}) from exc
