"""Rendering an edition's frozen snapshot into the files the public downloads.

`render_edition_files(edition)` is what publishing calls once an edition is submitted (the
`render` step, in the background worker): it returns the bytes of every format, or raises
RenderingError before anything is stored. The same source gives the same bytes, so a process
keeps the last few renderings, keyed by `source_sha256` and RENDERER_VERSION. Before any
rendering, `check.check_texts` lists every text that a file could not carry (a control
character, a character without a glyph in the PDF's fonts), each with its programme, scope and
part. `write_edition_files(edition, out_dir)` writes the same bytes to a folder
(`manage.py edition render ID --out DIR`).

The renderers are imported on first use, not with this package: they bring Typst, pikepdf,
fontTools and openpyxl, which every process that merely reads an edition (each management
command, each web worker, `publishing.models` for the file names) would otherwise load.
"""

import functools
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import translation

from .document import Document

# In the order they are rendered; the data package describes the others, so it comes last,
# rendered from their bytes.
FORMATS = ("html", "pdf", "csv", "xlsx", "ods", "json", "datapackage")
# Raise when a change of the renderers changes their bytes: a process then renders afresh
# instead of reusing what it kept.
RENDERER_VERSION = "3"
# Renderings a process keeps (each some hundred kilobytes): a few editions' worth.
KEPT_RENDERINGS = 8
_kept: OrderedDict[tuple[str, str], dict[str, bytes]] = OrderedDict()
_kept_lock = threading.Lock()


def source_sha256(edition: Any) -> str:
    """SHA-256 of what an edition's files are rendered from: snapshot, date and change note."""
    source = {
        "snapshot_sha256": edition.snapshot_sha256,
        "date": edition.date.isoformat(),
        "change_note": edition.change_note,
    }
    return hashlib.sha256(json.dumps(source, sort_keys=True).encode()).hexdigest()


@functools.cache
def renderers() -> dict[str, Callable[[Document], bytes]]:
    """The renderer of each format but the data package, in FORMATS order."""
    from .html import render_html
    from .opendata import render_csv, render_json, render_ods, render_xlsx
    from .pdf import render_pdf

    return {
        "html": render_html,
        "pdf": render_pdf,
        "csv": render_csv,
        "xlsx": render_xlsx,
        "ods": render_ods,
        "json": render_json,
    }


def render_document(document: Document) -> dict[str, bytes]:
    """Every format of one document, always in the site's own language (zh-Hant)."""
    from .check import check_texts
    from .opendata import render_datapackage

    with translation.override(settings.LANGUAGE_CODE):
        check_texts(document)
        files = {name: render(document) for name, render in renderers().items()}
        files["datapackage"] = render_datapackage(document, files)
        return files


def render_edition_files(edition: Any) -> dict[str, bytes]:
    """{"html": b"...", "pdf": ..., "csv": ..., ..., "datapackage": ...}: every format's bytes.

    The caller must have checked the snapshot against its SHA-256 (the key trusts it).
    """
    key = (source_sha256(edition), RENDERER_VERSION)
    with _kept_lock:
        if key in _kept:
            _kept.move_to_end(key)
            return dict(_kept[key])
    rendered = render_document(Document.of(edition))
    with _kept_lock:
        _kept[key] = dict(rendered)
        while len(_kept) > KEPT_RENDERINGS:
            _kept.popitem(last=False)
    return rendered


def write_edition_files(edition: Any, out_dir: Path) -> list[Path]:
    """Render an edition into out_dir, with the file names publishing gives them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in render_edition_files(edition).items():
        path = out_dir / edition.file_name(name)
        path.write_bytes(data)
        written.append(path)
    return written
