"""Rendering an edition's frozen snapshot into the files the public downloads.

`render_edition_files(edition)` is what publishing calls: it returns the bytes of every format,
or raises RenderingError before anything is stored. Before any rendering, `check.check_texts`
lists every text that a file could not carry (a control character, a character without a glyph
in the PDF's fonts), each with its programme, scope and part. `write_edition_files(edition,
out_dir)` writes the same bytes to a folder (`manage.py edition render ID --out DIR`).
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import translation

from .check import check_texts
from .document import Document
from .html import render_html
from .opendata import render_csv, render_datapackage, render_json, render_ods, render_xlsx
from .pdf import render_pdf

RENDERERS: dict[str, Callable[[Document], bytes]] = {
    "html": render_html,
    "pdf": render_pdf,
    "csv": render_csv,
    "xlsx": render_xlsx,
    "ods": render_ods,
    "json": render_json,
}
# The data package describes the others, so it is rendered after them, from their bytes.
FORMATS = (*RENDERERS, "datapackage")


def render_document(document: Document) -> dict[str, bytes]:
    """Every format of one document, always in the site's own language (zh-Hant)."""
    with translation.override(settings.LANGUAGE_CODE):
        check_texts(document)
        files = {name: render(document) for name, render in RENDERERS.items()}
        files["datapackage"] = render_datapackage(document, files)
        return files


def render_edition_files(edition: Any) -> dict[str, bytes]:
    """{"html": b"...", "pdf": ..., "csv": ..., ..., "datapackage": ...}: every format's bytes."""
    return render_document(Document.of(edition))


def write_edition_files(edition: Any, out_dir: Path) -> list[Path]:
    """Render an edition into out_dir, with the file names publishing gives them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in render_edition_files(edition).items():
        path = out_dir / edition.file_name(name)
        path.write_bytes(data)
        written.append(path)
    return written
