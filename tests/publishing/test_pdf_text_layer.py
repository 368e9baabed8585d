"""The PDF's text layer is the text: read back with pdftotext (raw, and layout column by
column), and with pypdf cell by cell in the order of the structure tree (pikepdf), every field
of the snapshot is there as written, line ends aside, and nothing is there that the bulletin
does not print: no zero-width space, soft hyphen or other invisible character.

For the demo bulletin and for a synthetic one whose texts are long Latin words, numbers,
addresses and runs of Chinese too wide for their columns (which publishing.rendering.pdf cuts
with an empty box, not a character, between the pieces).
"""

import json
import math
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfua
import pikepdf
import pypdf
import pytest
from demo_pdf import EDITION_DATE, demo_snapshot, write_pdf
from pdf_layout import edges

from publishing.rendering.document import Document
from publishing.rendering.pdf import breakable, column_ems, typst_data

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed"),
]

WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis"
ADDRESS = "https://www.wda.gov.tw/News_Content.aspx?n=1F4A3D1E2B&sms=87415A8B9CE81B16"
NUMBER = "1234567890" * 6
CHINESE = "半導體先進製程" * 12


def _synthetic(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The demo's snapshot with texts wider than their columns in every kind of field."""
    changed = json.loads(json.dumps(snapshot))
    programme = changed["programmes"][0]
    first, second = programme["scopes"][0], programme["scopes"][1]
    programme["name"] = f"Internationalization{WORD}推動方案"
    first["title"] = WORD
    first["description"] = f"包括{WORD}、{ADDRESS}、{NUMBER}、{CHINESE}等。"
    first["agencies"][0]["name"] = "Bureau of Standards, Metrology and Internationalization"
    first["headline"] = f"成為 {WORD}{WORD} 主導者"
    first["targets"][0]["text"] = f"提升 ISO/IEC 27001:2022 認證數至 {NUMBER} 家，見 {ADDRESS}"
    first["strategies"][0]["heading"] = WORD * 2
    first["strategies"][0]["items"][0] = f"Supercalifragilisticexpialidocious{WORD}{NUMBER}"
    second["note"] = f"資料來源：{ADDRESS}{ADDRESS}"
    return changed


@pytest.fixture(scope="module", params=["demo", "synthetic"])
def rendered(
    request: pytest.FixtureRequest,
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, Any]]:
    snapshot = demo_snapshot(django_db_blocker)
    if request.param == "synthetic":
        snapshot = _synthetic(snapshot)
    path = tmp_path_factory.mktemp(f"text-{request.param}") / "bulletin.pdf"
    return write_pdf(snapshot, path), snapshot


def _fields(snapshot: dict[str, Any]) -> Iterator[str]:
    """Every text of the snapshot that the table prints."""
    for programme in snapshot["programmes"]:
        yield programme["name"]
        yield programme["period_display"]
        for scope in programme["scopes"]:
            yield from (a["name"] for a in scope["agencies"])
            yield from (scope["title"], scope["description"], scope["headline"], scope["note"])
            yield from (t["text"] for t in scope["targets"])
            for part in scope["strategies"] + scope["sections"]:
                yield part["heading"]
                yield from part["items"]


def _pattern(field: str) -> str:
    """field as a regular expression that allows a line end between any two characters and
    lets a space or a line break stand for any run of whitespace in it."""
    parts = []
    for token in re.findall(r"\s+|\S", field.strip()):
        parts.append(r"(?:[ \t]+|[ \t]*\n[ \t]*)" if token.isspace() else re.escape(token))
    return r"(?:[ \t]*\n[ \t]*)?".join(parts)


def _found(field: str, text: str) -> bool:
    """field is in text as written, or, where its cell runs onto the next page, in two pieces
    (in a whole-page reading the text of the cells beside it comes between them)."""
    field = field.strip()
    if re.search(_pattern(field), text):
        return True
    return any(
        re.search(_pattern(field[:cut]), text) and re.search(_pattern(field[cut:]), text)
        for cut in range(1, len(field))
        if not field[cut - 1].isspace() and not field[cut].isspace()
    )


def _missing(snapshot: dict[str, Any], text: str) -> list[str]:
    return [field for field in _fields(snapshot) if field.strip() and not _found(field, text)]


def _pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *args, str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _layout_by_column(path: Path) -> str:
    """pdftotext's layout mode, one column of the table at a time (cropped), so that the lines
    of a cell follow each other as they do on the page."""
    rules = edges()
    columns = []
    for left, right in zip(rules, rules[1:], strict=False):
        # Inside the rules: 【 starting a cell hangs half an em into the cell's inset, onto
        # the rule before it (test_pdf_long_text.py).
        x, width = math.ceil(left) + 1, math.floor(right - 1) - math.ceil(left) - 1
        box = ["-x", str(x), "-y", "0", "-W", str(width), "-H", "600"]
        columns.append(_pdftotext(path, "-layout", *box))
    return "\n\n\x00\n\n".join(columns)


def _cells_in_reading_order(path: Path) -> str:
    """The text of each table cell and heading as a screen reader gets it: the marked content
    of each structure element, across pages, in the structure tree's order (pikepdf for the
    tree, pypdf for the text of each marked-content id)."""
    painted: dict[tuple[int, int], list[str]] = {}
    for number, page in enumerate(pypdf.PdfReader(path).pages):
        stack: list[int | None] = []

        def before(operator: bytes, operands: list[Any], *_: Any, stack: list = stack) -> None:
            if operator == b"BDC":
                properties = operands[1] if len(operands) > 1 else {}
                mcid = properties.get("/MCID") if hasattr(properties, "get") else None
                stack.append(mcid if mcid is not None else (stack[-1] if stack else None))
            elif operator == b"BMC":
                stack.append(stack[-1] if stack else None)
            elif operator == b"EMC":
                stack.pop()

        def text(value: str, *_: Any, stack: list = stack, number: int = number) -> None:
            if stack and stack[-1] is not None and value:
                painted.setdefault((number, int(stack[-1])), []).append(value)

        page.extract_text(visitor_operand_before=before, visitor_text=text)

    with pikepdf.open(path) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        cells: list[str] = []

        def content(node: Any, page: int | None) -> Iterator[str]:
            page = pages[node.Pg.objgen] if "/Pg" in node else page
            kids = node.get("/K")
            for kid in list(kids) if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, int):
                    yield from painted.get((page, kid), [])
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    where = pages[kid.Pg.objgen] if "/Pg" in kid else page
                    yield from painted.get((where, int(kid.MCID)), [])
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    yield from content(kid, page)

        def walk(node: Any, page: int | None) -> None:
            page = pages[node.Pg.objgen] if "/Pg" in node else page
            kids = node.get("/K")
            for kid in list(kids) if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    if kid.S in ("/TD", "/TH", "/Title"):
                        # pypdf ends each painted line with line ends and spaces: one line end.
                        cells.append(re.sub(r"[ \t]*\n\s*", "\n", "\n".join(content(kid, page))))
                    else:
                        walk(kid, page)

        walk(pdf.Root.StructTreeRoot, None)
    return "\n\n\x00\n\n".join(cells)


def _printed_characters(snapshot: dict[str, Any]) -> set[str]:
    """Every character the bulletin prints: its texts and wording, digits for the page
    numbers, the lists' markers, the template's brackets, and an extraction's line and page
    ends."""
    data = typst_data(Document(snapshot, EDITION_DATE))
    return set(json.dumps(data, ensure_ascii=False)) | set("0123456789■•【】() \n\f\x00")


READINGS = {
    "pdftotext -raw": lambda path: _pdftotext(path, "-raw"),
    "pdftotext -layout": _layout_by_column,
    "pypdf, cell by cell": _cells_in_reading_order,
}


@pytest.mark.parametrize("reading", READINGS)
def test_every_field_reads_back_as_written(
    rendered: tuple[Path, dict[str, Any]], reading: str
) -> None:
    path, snapshot = rendered
    text = READINGS[reading](path)
    assert _missing(snapshot, text) == []


@pytest.mark.parametrize("reading", READINGS)
def test_the_text_layer_has_no_character_the_bulletin_does_not_print(
    rendered: tuple[Path, dict[str, Any]], reading: str
) -> None:
    path, snapshot = rendered
    text = READINGS[reading](path)
    invisible = sorted({f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cf"})
    assert invisible == []  # zero-width spaces, joiners, soft hyphens, marks
    assert sorted(set(text) - _printed_characters(snapshot)) == []


def test_the_synthetic_texts_were_too_wide_to_stay_unbroken() -> None:
    # The forbidden path: without their pieces these texts would run out of their columns.
    ems = column_ems()
    assert isinstance(breakable(WORD, ems["scope"] - 2), tuple)
    assert isinstance(breakable(f"包括{NUMBER}、", ems["scope"]), tuple)
    assert isinstance(breakable("Internationalization", ems["agencies"]), tuple)
    assert breakable(CHINESE, ems["scope"]) == CHINESE  # Chinese breaks between characters


def test_the_boxes_between_pieces_add_nothing_to_the_structure_tree(
    rendered: tuple[Path, dict[str, Any]],
) -> None:
    path, _ = rendered
    roles = set()
    with pikepdf.open(path) as pdf:
        pending = [pdf.Root.StructTreeRoot]
        while pending:
            kids = pending.pop().get("/K")
            for kid in list(kids) if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    roles.add(str(kid.S))
                    pending.append(kid)
    assert not roles & {"/Span", "/Div", "/Figure"}
    assert pdfua.validate(str(path)).findings == ()
