"""What the PDF claims, we check: docs/verify.md lists, clause by clause, the tests that check
the PDF/UA-1 and PDF/A-3u requirements, and says which clauses nothing here checks. This test
holds that list to the tests: every test it names exists, and the clauses that the rendering
and the seal touch are all in it."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## 5. PDF 宣告的標準"
# The clauses whose requirements the template, tagging.py and seal.py meet by their own work.
REQUIRED = {
    "PDF/UA-1 5",
    "PDF/UA-1 7.1",
    "PDF/UA-1 7.2",
    "PDF/UA-1 7.5",
    "PDF/UA-1 7.6",
    "PDF/UA-1 7.8",
    "PDF/UA-1 7.18.4",
    "PDF/UA-1 7.21",
    "PDF/A-3 6.2.11.7",
    "PDF/A-3 6.3.2",
    "PDF/A-3 6.3.3",
    "PDF/A-3 6.4.1",
    "PDF/A-3 6.6",
    "PDF/A-3 6.8",
}


def _rows() -> list[list[str]]:
    text = (ROOT / "docs" / "verify.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", 1)]
    rows = [line.strip("|").split(" | ") for line in section.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row] for row in rows[1:]]  # without the header row


def _clauses(cell: str) -> set[str]:
    standard, _, numbers = cell.partition(" ")
    return {f"{standard} {n.split('（')[0]}" for n in numbers.split("、")}


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def test_every_test_the_list_names_exists() -> None:
    named = [ref for row in _rows() for ref in re.findall(r"(tests/\S+?\.py)::(test_\w+)", row[2])]
    assert len(named) >= 20
    missing = [f"{m}::{t}" for m, t in named if t not in _test_names(ROOT / m)]
    assert missing == []


def test_the_list_covers_every_clause_that_the_rendering_and_the_seal_meet() -> None:
    listed = set().union(*(_clauses(row[0]) for row in _rows()))
    assert REQUIRED <= listed, REQUIRED - listed
    assert all(len(row) == 3 and row[2] for row in _rows())


def test_the_list_says_what_no_machine_checks_here() -> None:
    text = (ROOT / "docs" / "verify.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    assert "veraPDF" in section and "沒有由機器檢查的條文" in section
    for clause in ("6.2.4", "6.2.10", "6.6.2.3", "7.21.3"):
        assert clause in section.rsplit("沒有由機器檢查的條文", 1)[1]
