"""The one rule for every text that enters the catalogue, and the fields that carry it.

Line ends are normalised (CRLF and a lone CR become LF). Everything else that cannot be seen
or that changes how the text around it reads is refused, with the character named: C0 and C1
control characters (tab included) other than the line break, NUL, the bidirectional
embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069, which reorder the text
around them in the PDF and the public page), the line and paragraph separators (U+2028,
U+2029) and the byte-order mark U+FEFF anywhere in a text. A single-line field refuses line
breaks too.

The rule runs on every path: the model fields below validate it (forms, the spreadsheet
import and the commands all call `full_clean`), the import checks each cell with
`text_problem` to name the row and the column, and a named CHECK constraint repeats it in the
database (a regular expression on PostgreSQL, GLOB on SQLite, which cannot hold NUL anyway).
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Lookup, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# The ranges refused, as (first, last) code points, and how the editor is told about each.
FORBIDDEN_RANGES: tuple[tuple[int, int, Any], ...] = (
    (0x0000, 0x0000, _("空字元（NUL）")),
    (0x0001, 0x0009, _("控制字元")),
    (0x000B, 0x001F, _("控制字元")),
    (0x007F, 0x009F, _("控制字元")),
    (0x2028, 0x2029, _("行分隔字元")),
    (0x202A, 0x202E, _("文字方向控制字元")),
    (0x2066, 0x2069, _("文字方向控制字元")),
    (0xFEFF, 0xFEFF, _("位元組順序標記（BOM）")),
)
LINE_BREAK = "\n"


def _class(ranges: tuple[tuple[int, int, Any], ...], *, escaped: bool) -> str:
    parts = []
    for first, last, _label in ranges:
        one = (lambda c: f"\\u{c:04x}") if escaped else chr
        parts.append(one(first) if first == last else f"{one(first)}-{one(last)}")
    return "".join(parts)


# What the database checks: PostgreSQL gets escapes in its regular expression; SQLite's GLOB
# takes the characters themselves and cannot hold NUL (its strings end there).
_MULTI_LINE = FORBIDDEN_RANGES
_SINGLE_LINE = (*FORBIDDEN_RANGES, (0x000A, 0x000A, None))
_PATTERNS = {
    "postgresql": {
        "multi_line": "[" + _class(_MULTI_LINE, escaped=True) + "]",
        "single_line": "[" + _class(_SINGLE_LINE, escaped=True) + "]",
    },
    "sqlite": {
        "multi_line": "*[" + _class(_MULTI_LINE[1:], escaped=False) + "]*",
        "single_line": "*[" + _class(_SINGLE_LINE[1:], escaped=False) + "]*",
    },
}


@dataclass(frozen=True)
class TextProblem:
    """The first character a text may not hold: what it is, its code point and its place."""

    character: str
    kind: str
    position: int  # from 1, in characters
    line: int  # from 1

    @property
    def code(self) -> str:
        return f"U+{ord(self.character):04X}"

    def message(self) -> str:
        return str(
            _(
                "含有不允許的%(kind)s %(code)s（第 %(line)d 行第 %(position)d 個字）；"
                "請刪除這個字元。"
            )
            % {"kind": self.kind, "code": self.code, "line": self.line, "position": self.position}
        )


def normalise_line_breaks(text: str) -> str:
    """CRLF and a lone CR become LF: the one line break the catalogue stores."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _kind(character: str, *, single_line: bool) -> str | None:
    code = ord(character)
    if character == LINE_BREAK:
        return str(_("換行")) if single_line else None
    for first, last, kind in FORBIDDEN_RANGES:
        if first <= code <= last:
            return str(kind)
    return None


def text_problem(text: str, *, single_line: bool = False) -> TextProblem | None:
    """The first character of text that the rule refuses, or None when the text is clean."""
    line, column = 1, 0
    for character in text:
        column += 1
        kind = _kind(character, single_line=single_line)
        if kind is not None:
            return TextProblem(character, kind, column, line)
        if character == LINE_BREAK:
            line, column = line + 1, 0
    return None


@deconstructible
class CleanTextValidator:
    """Refuse a text that breaks the rule, naming the character and where it is."""

    code = "forbidden_character"

    def __init__(self, *, single_line: bool = False) -> None:
        self.single_line = single_line

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        problem = text_problem(value, single_line=self.single_line)
        if problem is not None:
            if problem.character == LINE_BREAK:
                raise ValidationError(_("須為單行文字，不可換行。"), code=self.code)
            raise ValidationError(problem.message(), code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CleanTextValidator) and other.single_line == self.single_line


class BreaksTextRule(Lookup):
    """`field__breaks_text_rule="single_line"|"multi_line"`: true when a refused character is in
    the text. Only the constraints use it, negated."""

    lookup_name = "breaks_text_rule"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        pattern = _PATTERNS.get(connection.vendor, _PATTERNS["postgresql"])[self.rhs]
        if connection.vendor == "sqlite":
            return f"{lhs} GLOB %s", [*params, pattern]
        if connection.vendor == "postgresql":
            return f"{lhs} ~ %s", [*params, pattern]
        return "1 = 0", []  # other databases: the model validators alone


models.CharField.register_lookup(BreaksTextRule)
models.TextField.register_lookup(BreaksTextRule)


class LineEndsMixin:
    """Normalise line ends when the model is cleaned, before the validators see the text."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)  # type: ignore[misc]
        return normalise_line_breaks(value) if isinstance(value, str) else value


class SingleLineField(LineEndsMixin, models.CharField):
    """A one-line text (a name, a title, a heading), under the text rule."""

    default_validators = [CleanTextValidator(single_line=True)]


class MultiLineField(LineEndsMixin, models.TextField):
    """A text of several lines, under the text rule, with a maximum length that is enforced
    (Django's TextField only passes max_length to the form's widget)."""

    default_validators = [CleanTextValidator()]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))


# The database's copies of rules that the fields' validators apply first, in Python, with the
# same outcome: a text rule, a maximum length, a required text.
MIRRORED_BY_VALIDATORS = ("_clean_text", "_max_length", "_not_blank")


class TextRuleModel(models.Model):
    """A model whose text-rule CHECKs `full_clean` leaves to the database.

    Django validates each CheckConstraint with a query of its own, in a savepoint: three queries
    per rule, per field, per row, about two thirds of the queries of an import or a demo load.
    A value reaching `validate_constraints` has passed the field validators that apply the same
    rule (tests/catalogue/test_text_rule.py holds both to one list of characters), so the
    constraints stay in the database for paths that skip `full_clean`, not in `full_clean`.
    """

    class Meta:
        abstract = True

    def get_constraints(self) -> list[tuple[type[models.Model], list[Any]]]:
        return [
            (model, [c for c in constraints if not c.name.endswith(MIRRORED_BY_VALIDATORS)])
            for model, constraints in super().get_constraints()
        ]


def text_constraints(model: str, **fields: tuple[str, int | None]) -> list[models.BaseConstraint]:
    """The database's copy of the rule for each field: {name: ("single_line"|"multi_line",
    max length or None)}. A CharField's length the column type holds already."""
    constraints: list[models.BaseConstraint] = []
    for name, (kind, max_length) in fields.items():
        constraints.append(
            models.CheckConstraint(
                condition=~Q(**{f"{name}__breaks_text_rule": kind}),
                name=f"{model}_{name}_clean_text",
                violation_error_message=_("文字含有不允許的字元。"),
            )
        )
        if max_length is not None:
            constraints.append(
                models.CheckConstraint(
                    condition=LessThanOrEqual(Length(name), max_length),
                    name=f"{model}_{name}_max_length",
                    violation_error_message=_("文字超過長度上限。"),
                )
            )
    return constraints
