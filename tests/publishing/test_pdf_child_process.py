"""The PDF compiled in a child process (PUBLISHING_PDF_CHILD_PROCESS_SCOPES): the same PDF,
and Typst's refusals still reported."""

import datetime
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from publishing.rendering import typst_child
from publishing.rendering.document import Document
from publishing.rendering.pdf import font_dirs, in_child_process, render_pdf
from publishing.snapshot import build_snapshot

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed"),
]


def _text(pdf: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_the_child_process_gives_the_same_pdf_as_the_worker(
    demo_bulletin: Any, settings: Any, tmp_path: Path
) -> None:
    document = Document(build_snapshot(demo_bulletin), datetime.date(2025, 12, 30))
    settings.PUBLISHING_PDF_CHILD_PROCESS_SCOPES = None
    assert not in_child_process(document)
    here = render_pdf(document)
    settings.PUBLISHING_PDF_CHILD_PROCESS_SCOPES = 20  # the real bulletin's scopes
    assert in_child_process(document)
    child = render_pdf(document)
    assert child.startswith(b"%PDF") and len(child) == len(here)
    assert _text(child, tmp_path, "child.pdf") == _text(here, tmp_path, "here.pdf")
    assert "五大信賴產業推動方案" in _text(child, tmp_path, "child.pdf")


def test_the_child_reports_typsts_refusal_as_json(tmp_path: Path) -> None:
    template = tmp_path / "broken.typ"
    template.write_text("#let x = (\n", encoding="utf-8")
    request = {
        "template": str(template),
        "font_dirs": font_dirs(),
        "inputs": {},
        "pdf_standards": [],
        "timestamp": "2025-12-30T00:00:00+08:00",
    }
    done = subprocess.run(
        [sys.executable, typst_child.__file__],
        input=json.dumps(request).encode(),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == b""
    assert json.loads(done.stderr)["message"]


def test_a_bulletin_below_the_threshold_is_compiled_in_the_worker(
    demo_bulletin: Any, settings: Any
) -> None:
    document = Document(build_snapshot(demo_bulletin), datetime.date(2025, 12, 30))
    settings.PUBLISHING_PDF_CHILD_PROCESS_SCOPES = 21
    assert not in_child_process(document)
