"""The check before any rendering: every text of an edition that a file could not carry.

Publishing must never fail half-way on a text the catalogue accepted, nor with an English
message from Typst naming no row. So before anything is rendered, every text of the snapshot
(and the change note) is checked against the catalogue's text rule (catalogue/text.py: a
snapshot frozen before the rule, or written around it, may still hold a control character)
and against the PDF's fonts; every problem is listed with the programme, the scope and the
part it sits in, in one refusal.
"""

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from catalogue.text import text_problem
from publishing.exceptions import RenderingError

from . import fonts
from .document import Document

# (where, text, single line)
Located = tuple[str, str, bool]


def _texts(document: Document) -> Iterator[Located]:
    snapshot = document.snapshot
    bulletin = snapshot["bulletin"]
    yield _("彙整表標題"), bulletin["title"], True
    yield _("發布機關名稱"), bulletin["issuing_agency"]["name"], True
    yield _("本版異動說明"), document.change_note, False
    for programme in snapshot["programmes"]:
        serial = programme["serial"]
        yield _("序號 %(serial)s 的政策性產業名稱") % {"serial": serial}, programme["name"], True
        for scope in programme["scopes"]:
            yield from _scope_texts(serial, scope)


def _scope_texts(serial: Any, scope: dict[str, Any]) -> Iterator[Located]:
    at = _("序號 %(serial)s 第 %(order)s 個產業範疇") % {"serial": serial, "order": scope["order"]}
    yield f"{at}「{_('範疇名稱')}」", scope["title"], True
    yield f"{at}「{_('產業範疇說明')}」", scope["description"], False
    yield f"{at}「{_('願景')}」", scope["headline"], True
    yield f"{at}「{_('備註')}」", scope["note"], False
    for agency in scope["agencies"]:
        yield f"{at}「{_('部會/機關')}」", agency["name"], True
    for n, target in enumerate(scope["targets"], start=1):
        where = _("%(at)s推動目標第 %(n)d 項") % {"at": at, "n": n}
        yield where, target["text"], True
        yield where, target["unit"], True
    for kind, key in ((_("推動策略"), "strategies"), (_("其他段落"), "sections")):
        for n, part in enumerate(scope[key], start=1):
            where = _("%(at)s%(kind)s第 %(n)d 項") % {"at": at, "kind": kind, "n": n}
            yield where + _("的標題"), part["heading"], True
            for m, item in enumerate(part["items"], start=1):
                yield where + _("的第 %(m)d 個項目") % {"m": m}, item, True


def text_problems(document: Document, *, font_dirs: list[str], families: list[str]) -> list[str]:
    """Every problem, one sentence each, with where it is; empty when the edition can be
    rendered. Raises RenderingError when a configured font family cannot be found."""
    texts = list(_texts(document))
    try:
        missing = set(
            fonts.missing_characters(
                "".join(text for _where, text, _one in texts), dirs=font_dirs, families=families
            )
        )
    except LookupError as exc:
        raise RenderingError(
            _("找不到字型「%(family)s」，請確認字型目錄設定（PUBLISHING_FONT_DIRS）。")
            % {"family": exc.args[0]}
        ) from exc
    problems = []
    for where, text, single_line in texts:
        problem = text_problem(text, single_line=single_line)
        if problem is not None and problem.character == "\n":
            problems.append(f"{where}：{_('須為單行文字，不可換行。')}")
        elif problem is not None:
            problems.append(f"{where}：{problem.message()}")
        for character in dict.fromkeys(c for c in text if c in missing):
            problems.append(
                f"{where}："
                + _("字元「%(char)s」(U+%(code)04X) 在設定的字型中沒有字形；請修改文字或安裝字型。")
                % {"char": character, "code": ord(character)}
            )
    return problems


def check_texts(document: Document) -> None:
    """Refuse, listing every problem with its place, an edition whose files cannot be made."""
    from .pdf import font_dirs, font_families

    problems = text_problems(document, font_dirs=font_dirs(), families=font_families())
    if problems:
        raise RenderingError(
            _("下列 %(count)d 處文字無法公告，請在目錄中修改後重新整理版本：")
            % {"count": len(problems)}
            + "\n"
            + "\n".join(problems)
        )
