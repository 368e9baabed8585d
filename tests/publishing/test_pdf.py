"""The PDF, read back with poppler (pdftotext, pdffonts, pdfinfo) and pypdf."""

import datetime
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest

from publishing.exceptions import RenderingError
from publishing.rendering.document import Document
from publishing.rendering.pdf import render_pdf
from publishing.snapshot import build_snapshot, canonical_bytes

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed"),
]

INJECTION = '#read("/etc/passwd") $x^2$ *bold* [link] <script>alert(1)</script> \\ #let x = 1'


@pytest.fixture
def snapshot(demo_bulletin: Any) -> dict[str, Any]:
    return build_snapshot(demo_bulletin)


@pytest.fixture
def pdf_file(snapshot: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(render_pdf(Document(snapshot, datetime.date(2025, 12, 30))))
    return path


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _text(path: Path) -> str:
    # -raw keeps the order Typst wrote the text in: cell by cell, not line across cells.
    return _run("pdftotext", "-raw", "-enc", "UTF-8", str(path), "-")


def _without_page_furniture(text: str) -> str:
    # What a page break adds inside a cell that runs on: the footer, the repeated column header
    # and the programme's name with the continuation label.
    return re.sub(
        r"第 \d+ 頁，共 \d+ 頁\n序號 政策性產業 部會/機關 產業範疇 認定方式\n"
        r"(?:[^\n]*\n){1,6}?（續）\n",
        "",
        text,
    )


def _in_text(needle: str, text: str) -> bool:
    """needle is in text, whole or, where a cell breaks across pages, in two pieces (the text
    of the cells beside it comes between them in the content stream)."""
    needle = _squeezed(needle)
    return needle in text or any(
        needle[:cut] in text and needle[cut:] in text for cut in range(1, len(needle))
    )


def _squeezed(text: str) -> str:
    # Line ends (and the spaces at them) are the only thing a cell's lines add to its text;
    # tests/publishing/test_pdf_text_layer.py reads every field back with nothing else.
    return re.sub(r"\s+", "", text)


def _info(path: Path) -> dict[str, str]:
    lines = _run("pdfinfo", str(path)).splitlines()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


def test_pdf_has_the_title_and_the_roc_date_on_its_first_page(pdf_file: Path) -> None:
    first = _run("pdftotext", "-enc", "UTF-8", "-f", "1", "-l", "1", str(pdf_file), "-")
    assert "勞動部勞動力發展署公告政府推動之「政策性產業」彙整表" in first
    assert "114.12.30" in first
    for column in ("序號", "政策性產業", "部會/機關", "產業範疇", "認定方式"):
        assert column in first


def test_pdf_contains_every_text_of_the_snapshot(pdf_file: Path, snapshot: dict[str, Any]) -> None:
    text = _squeezed(_without_page_furniture(_text(pdf_file)))
    for programme in snapshot["programmes"]:
        assert _squeezed(programme["name"]) in text
        for scope in programme["scopes"]:
            assert _in_text(scope["description"], text)
            for agency in scope["agencies"]:
                assert agency["name"] in text
            for target in scope["targets"]:
                assert _in_text(target["text"], text)
            for part in scope["strategies"] + scope["sections"]:
                assert _in_text(part["heading"], text)
                for item in part["items"]:
                    assert _in_text(item, text)


def test_pdf_copies_latin_and_chinese_without_added_spaces(pdf_file: Path) -> None:
    text = _text(pdf_file)
    assert "IC設計產業維持全球前2名" in text
    assert "➞" in text


def test_pdf_numbers_its_pages_in_chinese(pdf_file: Path) -> None:
    pages = int(_info(pdf_file)["Pages"])
    text = _text(pdf_file)
    assert f"第 1 頁，共 {pages} 頁" in text
    assert f"第 {pages} 頁，共 {pages} 頁" in text


def test_pdf_is_a4_landscape_tagged_with_title_and_author(pdf_file: Path) -> None:
    info = _info(pdf_file)
    assert info["Page size"].startswith("841.89 x 595.276 pts (A4)")
    assert info["Tagged"] == "yes"
    assert info["Title"] == "勞動部勞動力發展署公告政府推動之「政策性產業」彙整表"
    assert info["Author"] == "勞動部勞動力發展署"
    assert 3 <= int(info["Pages"]) <= 10


def test_pdf_embeds_every_font(pdf_file: Path) -> None:
    rows = _run("pdffonts", str(pdf_file)).splitlines()[2:]
    assert rows
    for row in rows:
        # name type… encoding emb sub uni object: "emb" is the fourth field from the end.
        assert row.split()[-5] == "yes", row
    assert any("NotoSansCJKtc" in row for row in rows)


def test_pdf_declares_its_language_and_standards(pdf_file: Path) -> None:
    reader = pypdf.PdfReader(pdf_file)
    assert reader.trailer["/Root"]["/Lang"] == "zh-TW"
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert (
        "<pdfaid:part>3</pdfaid:part>" in raw
        and "<pdfaid:conformance>U</pdfaid:conformance>" in raw
    )
    assert "pdfuaid:part>1<" in raw


def test_pdf_carries_the_snapshot_as_an_attachment(
    pdf_file: Path, snapshot: dict[str, Any]
) -> None:
    reader = pypdf.PdfReader(pdf_file)
    attached = reader.attachments["snapshot.json"][0]
    assert attached == canonical_bytes(snapshot)
    assert json.loads(attached)["format"] == "policy-industries-snapshot"


def test_pdf_has_a_bookmark_per_programme(pdf_file: Path, snapshot: dict[str, Any]) -> None:
    titles = [item.title for item in pypdf.PdfReader(pdf_file).outline]
    assert titles == [f"{p['name']} ({p['period_display']})" for p in snapshot["programmes"]]


def test_pdf_repeats_header_and_programme_on_a_continued_page(pdf_file: Path) -> None:
    second = _run("pdftotext", "-enc", "UTF-8", "-f", "2", "-l", "2", str(pdf_file), "-")
    assert "認定方式" in second  # the header row again
    assert "五大信賴產業推動方案" in second and "（續）" in second


def test_pdf_prints_typst_markup_in_catalogue_text_literally(
    snapshot: dict[str, Any], tmp_path: Path
) -> None:
    snapshot["programmes"][0]["scopes"][0]["description"] = INJECTION
    snapshot["programmes"][0]["scopes"][0]["targets"][0]["text"] = INJECTION
    path = tmp_path / "injection.pdf"
    path.write_bytes(render_pdf(Document(snapshot, datetime.date(2025, 12, 30))))
    text = _squeezed(_text(path))
    assert text.count(_squeezed(INJECTION)) == 2
    assert "root:" not in text


def test_pdf_refuses_a_character_that_no_configured_font_has(snapshot: dict[str, Any]) -> None:
    snapshot["programmes"][0]["scopes"][0]["description"] = "包括𠀀及\ue000"
    with pytest.raises(RenderingError) as error:
        render_pdf(Document(snapshot, datetime.date(2025, 12, 30)))
    assert "「𠀀」(U+20000)" in str(error.value) and "U+E000" in str(error.value)


def test_pdf_refuses_when_the_font_directory_lacks_the_chinese_font(
    snapshot: dict[str, Any], settings: Any
) -> None:
    settings.PUBLISHING_FONT_DIRS = ["/usr/share/fonts/truetype/dejavu"]
    with pytest.raises(RenderingError) as error:
        render_pdf(Document(snapshot, datetime.date(2025, 12, 30)))
    assert "Noto Sans CJK TC" in str(error.value)


def test_rendering_refuses_an_edition_with_a_missing_glyph_and_changes_nothing(
    submitted_edition: Any, approver: Any
) -> None:
    from django.db import connection

    from publishing import services
    from publishing.models import Edition, EditionFile
    from publishing.snapshot import snapshot_sha256

    # The snapshot is frozen since submission; the glyph is missing in the frozen text itself,
    # put there behind the model's and the triggers' backs.
    snapshot = _with_description(submitted_edition.snapshot, "含有罕用字𠀀的說明")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE publishing_edition SET snapshot = %s, snapshot_sha256 = %s WHERE id = %s",
            [
                json.dumps(snapshot, ensure_ascii=False),
                snapshot_sha256(snapshot),
                submitted_edition.pk,
            ],
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
    submitted_edition.refresh_from_db()
    files = list(EditionFile.objects.values_list("pk", "sha256"))
    # Files are rendered after each submission (publishing.tasks): that is where it stops.
    with pytest.raises(RenderingError, match="U\\+20000"):
        services.render_edition(edition=submitted_edition)
    submitted_edition.refresh_from_db()
    assert submitted_edition.status == Edition.Status.SUBMITTED
    assert list(EditionFile.objects.values_list("pk", "sha256")) == files


def _with_description(snapshot: dict[str, Any], text: str) -> dict[str, Any]:
    changed = json.loads(json.dumps(snapshot))
    changed["programmes"][0]["scopes"][0]["description"] = text
    return changed


def test_pdf_text_is_the_same_when_rendered_twice(snapshot: dict[str, Any], tmp_path: Path) -> None:
    document = Document(snapshot, datetime.date(2025, 12, 30))
    first, second = tmp_path / "1.pdf", tmp_path / "2.pdf"
    first.write_bytes(render_pdf(document))
    second.write_bytes(render_pdf(document))
    assert _text(first) == _text(second)
    created = pypdf.PdfReader(io.BytesIO(first.read_bytes())).metadata.creation_date
    taipei = datetime.timezone(datetime.timedelta(hours=8))
    assert created == datetime.datetime(2025, 12, 30, tzinfo=taipei)  # the edition's date
