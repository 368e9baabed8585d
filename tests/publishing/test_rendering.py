"""Rendering an edition's snapshot: the same bytes every time, the table's layout, the command."""

import datetime
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from publishing.rendering import FORMATS, render_document, render_edition_files
from publishing.rendering.document import Document
from publishing.rendering.table import groups, pdf_rows, table
from publishing.snapshot import build_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(demo_bulletin: Any) -> Document:
    return Document(build_snapshot(demo_bulletin), datetime.date(2025, 12, 30), "說明")


def test_rendering_gives_every_format(document: Document) -> None:
    files = render_document(document)
    assert tuple(files) == FORMATS == ("html", "pdf", "csv", "xlsx", "ods", "json", "datapackage")
    assert files["pdf"].startswith(b"%PDF-")
    assert files["xlsx"].startswith(b"PK") and files["ods"].startswith(b"PK")


def test_rendering_twice_gives_identical_html_csv_json_and_pdf(document: Document) -> None:
    first, second = render_document(document), render_document(document)
    for name in ("html", "csv", "json", "pdf"):
        assert first[name] == second[name], name


def test_rendered_files_are_in_chinese_whatever_the_active_language(document: Document) -> None:
    from django.utils import translation

    with translation.override("en"):
        html = render_document(document)["html"].decode()
    assert "認定方式" in html and '<html lang="zh-Hant-TW">' in html


def test_html_file_is_self_contained(document: Document) -> None:
    html = render_document(document)["html"].decode()
    assert "<style>" in html and ".bulletin" in html
    assert "<link" not in html and "<script" not in html
    assert "http://" not in html and "https://" not in html


def test_html_file_escapes_catalogue_text(demo_bulletin: Any) -> None:
    snapshot = build_snapshot(demo_bulletin)
    snapshot["programmes"][0]["scopes"][0]["description"] = (
        '<script>x</script> #read("/etc/passwd")'
    )
    html = render_document(Document(snapshot, datetime.date(2025, 12, 30)))["html"].decode()
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt; #read(&quot;/etc/passwd&quot;)" in html


def test_scopes_without_recognition_text_share_the_one_before_them(document: Document) -> None:
    programme_2 = document.snapshot["programmes"][1]
    assert [len(g.scopes) for g in groups(programme_2)] == [4]
    rows = table(document.snapshot)[1].rows
    assert rows[0].recognition_rowspan == 4
    assert [r.shares_recognition for r in rows] == [False, True, True, True]


def test_scopes_without_recognition_text_and_nothing_before_get_an_empty_cell(
    document: Document,
) -> None:
    programme_3 = document.snapshot["programmes"][2]
    found = groups(programme_3)
    assert [len(g.scopes) for g in found] == [1, 1, 1, 1]
    assert all(g.recognition is None for g in found)


def test_pdf_rows_are_one_per_scope_with_the_recognition_text_in_blocks(
    document: Document,
) -> None:
    rows = pdf_rows(document.snapshot)
    scopes = [s for p in document.snapshot["programmes"] for s in p["scopes"]]
    assert [r["scope"]["id"] for r in rows] == [s["id"] for s in scopes]
    semiconductor = rows[0]
    # The headline and targets, then one block per strategy: a page may break between them.
    kinds = [b["value"]["kind"] for b in semiconductor["blocks"]]
    assert kinds == ["lead"] + ["strategy"] * 4
    assert semiconductor["blocks"][0]["value"]["headline"] == "成為全球半導體全供應鏈主導者"
    assert semiconductor["spans"]["programme"] == len(document.snapshot["programmes"][0]["scopes"])
    assert sum(r["first_in_programme"] for r in rows) == 9
    # Programme 2's regions share one recognition text: the first row carries it for all.
    regions = [r for r in rows if r["programme"] == 1]
    assert [r["spans"]["recognition"] for r in regions] == [len(regions)] + [0] * (len(regions) - 1)
    assert all(not r["blocks"] for r in regions[1:])


def _approved_hashes(edition: Any) -> dict[str, str]:
    """Each file's SHA-256 as approved: for the sealed PDF, of the bytes its signature follows."""
    return {f.format: f.unsigned_sha256 or f.sha256 for f in edition.files.all()}


def test_published_files_are_what_rendering_the_edition_gives(published_edition: Any) -> None:
    rendered = render_edition_files(published_edition)
    stored = _approved_hashes(published_edition)
    for name in ("html", "csv", "xlsx", "ods", "json", "pdf"):
        assert hashlib.sha256(rendered[name]).hexdigest() == stored[name], name


def test_edition_render_command_writes_the_published_files(
    published_edition: Any, tmp_path: Path
) -> None:
    call_command(
        "edition", "render", str(published_edition.pk), "--out", str(tmp_path), stdout=io.StringIO()
    )
    stored = _approved_hashes(published_edition)
    for name in ("html", "csv", "xlsx", "ods", "json", "pdf"):
        data = (tmp_path / f"policy-industries-114-12-30.{name}").read_bytes()
        assert hashlib.sha256(data).hexdigest() == stored[name], name


def test_write_edition_files_names_files_as_publishing_does(
    published_edition: Any, tmp_path: Path
) -> None:
    from publishing.rendering import write_edition_files

    written = write_edition_files(published_edition, tmp_path / "out")
    assert sorted(p.name for p in written) == sorted(
        [*(f"policy-industries-114-12-30.{name}" for name in FORMATS[:-1]), "datapackage.json"]
    )
    data = json.loads((tmp_path / "out" / "policy-industries-114-12-30.json").read_text("utf-8"))
    assert data["edition"]["roc_date"] == "114.12.30"
