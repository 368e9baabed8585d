"""The grammar of the sheet's cells, both ways: what export writes, import reads back the same.

Every `format_*` has a `parse_*` with `parse(format(x)) == x` for everything the catalogue
can hold, so that export → import changes nothing. Parsers raise `CellError` with a message
for the editor in Traditional Chinese; the caller adds the row and the column.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ..models import format_period
from ..numbers import plain_decimal as format_decimal

# OWASP "CSV injection": a cell starting with = + - @, a tab or a carriage return is a formula
# to Excel and LibreOffice. A line that a spreadsheet could run is one that starts so after any
# apostrophes (a line that already starts with one keeps it: the escape adds one more, the
# unescape takes exactly one off) and any blanks (LibreOffice may trim them on import).
_FORMULA_LINE = re.compile(r"'*(?:[ \u3000\xa0]*[=+\-@]|[\t\r])")
# The same, at the start of any line of a cell (^ follows each \n, as the lines are split).
_FORMULA_LINE_ANYWHERE = re.compile(f"^(?:{_FORMULA_LINE.pattern})", re.MULTILINE)

AGENCY_SEPARATOR = "、"
_AGENCY_SPLIT = re.compile(r"[、,，;；\n]+")

HEADING_MARK = "■"
ITEM_MARK = "•"
# What people type instead: headings may start with □ or #, items with ・ ‧ · or ●.
_HEADING_MARKS = ("■", "□", "#")
_ITEM_MARKS = ("•", "・", "‧", "·", "●")

_PERIOD = re.compile(
    r"(?P<start>\d{1,4})\s*年?\s*"
    r"(?:[-－–—~～至到]\s*(?:(?P<end>\d{1,4})\s*年?|(?P<open>未定|迄今))\s*)?"
)
OPEN_ENDS = ("未定", "迄今")

# A target's figures ride at the end of its line: 〔數值：50；單位：%；目標年：117〕
_ANNOTATION = re.compile(r"(?P<text>.*?)\s*〔(?P<body>[^〔〕]*)〕")
_KEYS = {"數值": "value", "單位": "unit", "目標年": "deadline_year"}
_PART = re.compile(r"\s*(?P<key>數值|單位|目標年)\s*[：:=]\s*(?P<value>.*?)\s*")


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in Traditional Chinese."""


def escape_formula(text: str) -> str:
    """Every line that a spreadsheet could read as a formula, prefixed with an apostrophe.

    The one neutraliser of the project: the editors' sheet and the open data write every text
    cell through it (see `writers`). Every line counts, not only the first: a tool that splits
    a multi-line cell, or an editor who cuts a line into a cell of its own, gets inert text.
    """
    if _FORMULA_LINE_ANYWHERE.search(text) is None:
        return text  # most cells: one scan instead of a split, a match per line and a join
    return "\n".join("'" + line if _FORMULA_LINE.match(line) else line for line in text.split("\n"))


def unescape_formula(text: str) -> str:
    """Remove exactly the apostrophes that `escape_formula` added, one per line."""
    return "\n".join(
        line[1:] if line.startswith("'") and _FORMULA_LINE.match(line) else line
        for line in text.split("\n")
    )


def parse_period(text: str) -> tuple[int, int | None, str]:
    """「113-117年」「114年-未定」「106年-迄今」「113年」→ (start, end or None, open end)."""
    match = _PERIOD.fullmatch(text.strip())
    if match is None:
        raise CellError(
            _("無法辨識實施期間「%(text)s」；請寫成「113-117年」、「114年-未定」或「106年-迄今」。")
            % {"text": text}
        )
    start = int(match["start"])
    if start < 1:
        raise CellError(_("實施起始年須大於 0。"))
    if match["open"]:
        return start, None, match["open"]
    end = int(match["end"]) if match["end"] else start
    if end < start:
        raise CellError(_("實施結束年不可早於起始年。"))
    return start, end, ""


def format_agencies(names: list[str]) -> str:
    return AGENCY_SEPARATOR.join(names)


def split_agencies(text: str) -> list[str]:
    """The names in a 部會/機關 cell, separated by 、 (or commas, semicolons, line breaks)."""
    return [name.strip() for name in _AGENCY_SPLIT.split(text) if name.strip()]


@dataclass(frozen=True)
class TargetLine:
    text: str
    value: Decimal | None = None
    unit: str = ""
    deadline_year: int | None = None


def format_targets(targets: list[TargetLine]) -> str:
    return "\n".join(_format_target(target) for target in targets)


def _format_target(target: TargetLine) -> str:
    parts = []
    if target.value is not None:
        parts.append(f"數值：{format_decimal(target.value)}")
    if target.unit:
        parts.append(f"單位：{target.unit}")
    if target.deadline_year is not None:
        parts.append(f"目標年：{target.deadline_year}")
    if parts:
        return f"{target.text}〔{'；'.join(parts)}〕"
    if _annotation(target.text) is not None:
        # The text itself ends like figures; an empty pair of brackets keeps it text.
        return f"{target.text}〔〕"
    return target.text


def parse_targets(text: str) -> list[TargetLine]:
    """One target per line, each optionally ending in 〔數值：…；單位：…；目標年：…〕."""
    targets = []
    for number, line in _lines(text):
        try:
            targets.append(_parse_target(line))
        except CellError as error:
            raise CellError(
                _("第 %(line)d 行：%(reason)s") % {"line": number, "reason": error}
            ) from None
    return targets


def _annotation(line: str) -> re.Match[str] | None:
    match = _ANNOTATION.fullmatch(line)
    if match is None:
        return None
    body = match["body"].strip()
    if body and not any(body.startswith(key) for key in _KEYS):
        return None  # 〔…〕 that is just part of the text
    return match


def _parse_target(line: str) -> TargetLine:
    match = _annotation(line)
    if match is None:
        return TargetLine(text=line)
    text = match["text"]
    if not text:
        raise CellError(_("推動目標的文字不可空白。"))
    figures: dict[str, str] = {}
    body = match["body"].strip()
    for part in re.split(r"[；;]", body) if body else []:
        found = _PART.fullmatch(part)
        if found is None:
            raise CellError(
                _("無法辨識「%(part)s」；請寫成〔數值：50；單位：%%；目標年：117〕。")
                % {"part": part}
            )
        figures[_KEYS[found["key"]]] = found["value"]
    return TargetLine(
        text=text,
        value=_parse_value(figures.get("value", "")),
        unit=figures.get("unit", ""),
        deadline_year=_parse_year(figures.get("deadline_year", "")),
    )


def _parse_value(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise CellError(_("數值「%(text)s」不是數字。") % {"text": text}) from None
    if not value.is_finite():
        raise CellError(_("數值「%(text)s」不是數字。") % {"text": text})
    return value


def _parse_year(text: str) -> int | None:
    if not text:
        return None
    digits = text.removesuffix("年").strip()
    if not digits.isascii() or not digits.isdigit():
        raise CellError(_("目標年「%(text)s」須為民國年，例如 117。") % {"text": text})
    return int(digits)


@dataclass(frozen=True)
class HeadedLines:
    heading: str
    items: tuple[str, ...] = ()


def format_headed_lists(parts: list[HeadedLines]) -> str:
    lines = []
    for part in parts:
        lines.append(f"{HEADING_MARK} {part.heading}")
        lines.extend(f"{ITEM_MARK} {item}" for item in part.items)
    return "\n".join(lines)


def parse_headed_lists(text: str) -> list[HeadedLines]:
    """「■ 標題」lines (or any line without a bullet) start a part; 「• 項目」lines are items."""
    parts: list[tuple[str, list[str]]] = []
    for number, line in _lines(text):
        if line.startswith(_ITEM_MARKS):
            item = line[1:].strip()
            if not parts:
                raise CellError(
                    _("第 %(line)d 行：項目「%(item)s」之前須有一行標題（以「■」開頭）。")
                    % {"line": number, "item": item}
                )
            if item:
                parts[-1][1].append(item)
            continue
        heading = line[1:].strip() if line.startswith(_HEADING_MARKS) else line
        if not heading:
            raise CellError(_("第 %(line)d 行：標題不可空白。") % {"line": number})
        parts.append((heading, []))
    return [HeadedLines(heading=heading, items=tuple(items)) for heading, items in parts]


def _lines(text: str) -> list[tuple[int, str]]:
    """The non-empty lines of a cell, trimmed, with their line numbers from 1."""
    return [
        (number, line.strip())
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip()
    ]


__all__ = [
    "OPEN_ENDS",
    "CellError",
    "HeadedLines",
    "TargetLine",
    "escape_formula",
    "format_agencies",
    "format_decimal",
    "format_headed_lists",
    "format_period",
    "format_targets",
    "parse_headed_lists",
    "parse_period",
    "parse_targets",
    "split_agencies",
    "unescape_formula",
]
