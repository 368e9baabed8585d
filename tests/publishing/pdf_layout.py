"""The PDF's table read back by position (`pdftotext -bbox-layout`): its lines, column by column,
page by page, and the layout rules of the agency's table checked on them (tests/publishing/
test_pdf_layout.py)."""

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from publishing.rendering.pdf import LAYOUT, MM

XHTML = "{http://www.w3.org/1999/xhtml}"
AGENCIES, SCOPE = 2, 3
# Lines of one cell follow each other at the line pitch (9 pt text, 0.5 em leading: 13.5 pt);
# the next row's first line is at least two cell insets further down.
SAME_CELL_PITCH = 17.0


@dataclass(frozen=True)
class Line:
    page: int
    column: int | None
    top: float
    bottom: float
    text: str


def edges(columns_mm: tuple[float, ...] | None = None) -> list[float]:
    """The x of each column's rules, in pt, from the layout the template reads."""
    x = LAYOUT["margin_mm"] * MM
    result = [x]
    for width in columns_mm or LAYOUT["columns_mm"]:
        x += width * MM
        result.append(x)
    result.append((LAYOUT["page_mm"][0] - LAYOUT["margin_mm"]) * MM)
    return result


def pages(path: Path) -> list[ElementTree.Element]:
    """The pages of `pdftotext -bbox-layout`: each with its blocks, lines and words."""
    html = subprocess.run(
        ["pdftotext", "-bbox-layout", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return list(ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", html)).iter(f"{XHTML}page"))


def lines(path: Path, columns_mm: tuple[float, ...] | None = None) -> list[Line]:
    """Every line of text, with its page, its column (None: across columns) and its height."""
    rules = edges(columns_mm)
    found = []
    for number, page in enumerate(pages(path), start=1):
        for line in page.iter(f"{XHTML}line"):
            words = list(line.iter(f"{XHTML}word"))
            left, right = float(line.get("xMin")), float(line.get("xMax"))
            column = next(
                (
                    index
                    for index, (a, b) in enumerate(zip(rules, rules[1:], strict=False))
                    if left >= a - 5 and right <= b + 5
                ),
                None,
            )
            text = "".join(w.text or "" for w in words)
            found.append(
                Line(number, column, float(line.get("yMin")), float(line.get("yMax")), text)
            )
    return found


def column_lines(found: list[Line], page: int, column: int) -> list[Line]:
    return sorted((x for x in found if x.page == page and x.column == column), key=lambda x: x.top)


def split_names(found: list[Line], names: set[str]) -> list[str]:
    """The names that a line ends inside of, somewhere in the agencies' column."""
    split = set()
    for page in sorted({x.page for x in found}):
        text, ends = "", set()  # the column's text without its line ends, and where they were
        for line in column_lines(found, page, AGENCIES):
            text += line.text
            ends.add(len(text))
        for name in names:
            start = text.find(name)
            while start >= 0:
                if any(start < end < start + len(name) for end in ends):
                    split.add(name)
                start = text.find(name, start + 1)
    return sorted(split)


def cell_starts(column: list[Line]) -> list[Line]:
    """The first line of each cell in a column's lines of one page."""
    starts = []
    for index, line in enumerate(column):
        if index == 0 or line.top - column[index - 1].top > SAME_CELL_PITCH:
            starts.append(line)
    return starts


def stranded_starts(found: list[Line], *, header: str = "產業範疇") -> list[str]:
    """Where a page's last scope starts without two lines of its text on that page: its title
    (【…】) with fewer than two lines below it, or its agencies with no text of the scope's own
    beside them. A scope whose whole text is there is not stranded."""
    problems = []
    pages = sorted({x.page for x in found})
    for page in pages:
        scope = [x for x in column_lines(found, page, SCOPE) if x.text != header]
        agencies = [x for x in column_lines(found, page, AGENCIES) if x.text != "部會/機關"]
        if agencies:
            top = cell_starts(agencies)[-1].top
            if not any(x.top >= top - 2 for x in scope):
                problems.append(f"page {page}: agencies {agencies[-1].text!r} without their scope")
        titles = [i for i, x in enumerate(scope) if x.text.startswith("【")]
        if not titles:
            continue
        last = titles[-1]
        below = scope[last + 1 :]
        # Below the title on this page: the cell's lines until the next cell's start.
        cell = []
        for line in below:
            if cell and line.top - cell[-1].top > SAME_CELL_PITCH:
                break
            if not cell and line.top - scope[last].top > SAME_CELL_PITCH:
                break
            cell.append(line)
        if len(cell) >= 2 or len(cell) < len(below):
            continue
        if _continues(found, page + 1, header) and page + 1 in pages:
            problems.append(f"page {page}: {scope[last].text!r} with {len(cell)} line(s) below")
    return problems


def _continues(found: list[Line], page: int, header: str) -> bool:
    """Whether the scope column of page starts with the rest of a cell from the page before:
    its first line is not a title and starts no row (no agencies line beside it)."""
    scope = [x for x in column_lines(found, page, SCOPE) if x.text != header]
    if not scope:
        return False
    first = scope[0]
    if first.text.startswith("【"):
        return False
    agencies = [x for x in column_lines(found, page, AGENCIES) if x.text != "部會/機關"]
    return not any(abs(a.top - first.top) < 2 for a in agencies)
