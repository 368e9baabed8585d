"""One rule for every text that enters: forms, import, the ORM and the database all refuse
control characters, NUL, bidi controls and stray BOMs, naming the character and its place."""

import io
import json
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from catalogue.models import Agency, Programme, Scope, Section, Strategy, Target
from catalogue.spreadsheet.formats import FORMATS
from catalogue.spreadsheet.importer import ImportRefused
from catalogue.spreadsheet.resources import export_dataset
from catalogue.spreadsheet.services import import_bulletin
from catalogue.text import normalise_line_breaks, text_problem
from publishing.snapshot import build_snapshot

pytestmark = pytest.mark.django_db

REFUSED = {
    "\x00": "空字元（NUL）",
    "\x01": "控制字元",
    "\x07": "控制字元",
    "\t": "控制字元",
    "\x1b": "控制字元",
    "\x7f": "控制字元",
    "\x85": "控制字元",
    "\u2028": "行分隔字元",
    "\u202a": "文字方向控制字元",
    "\u202e": "文字方向控制字元",
    "\u2066": "文字方向控制字元",
    "\u2069": "文字方向控制字元",
    "\ufeff": "位元組順序標記（BOM）",
}


@pytest.fixture
def semiconductor(demo_bulletin: Any) -> Scope:
    return Scope.objects.get(programme__bulletin=demo_bulletin, programme__serial=1, order=1)


# The rule


@pytest.mark.parametrize(("character", "kind"), REFUSED.items())
def test_the_rule_names_the_character_its_kind_and_its_place(character: str, kind: str) -> None:
    problem = text_problem(f"第一行\n半導{character}體")
    assert problem is not None
    assert problem.message() == (
        f"含有不允許的{kind} U+{ord(character):04X}（第 2 行第 3 個字）；請刪除這個字元。"
    )


def test_line_breaks_chinese_punctuation_and_other_scripts_are_clean() -> None:
    assert text_problem("包括晶片設計、IC 設計（2.5D/3D）\n• 第二行 — Ünïcödé ١٢٣") is None
    assert normalise_line_breaks("一\r\n二\r三") == "一\n二\n三"


# The ORM: full_clean, as forms, import and commands call it


@pytest.mark.parametrize("character", list(REFUSED))
def test_full_clean_refuses_the_character_in_a_multi_line_text(
    semiconductor: Scope, character: str
) -> None:
    semiconductor.description = f"包括{character}晶片設計"
    with pytest.raises(ValidationError) as refusal:
        semiconductor.full_clean()
    assert f"U+{ord(character):04X}" in refusal.value.message_dict["description"][0]


def test_full_clean_keeps_line_breaks_in_a_multi_line_text_and_turns_crlf_into_lf(
    semiconductor: Scope,
) -> None:
    semiconductor.note = "第一行\r\n第二行\r第三行"
    semiconductor.full_clean()
    assert semiconductor.note == "第一行\n第二行\n第三行"


def test_full_clean_refuses_a_line_break_in_a_one_line_text(semiconductor: Scope) -> None:
    programme = semiconductor.programme
    programme.name = "五大信賴\n產業推動方案"
    with pytest.raises(ValidationError) as refusal:
        programme.full_clean()
    assert refusal.value.message_dict["name"] == ["須為單行文字，不可換行。"]


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    [
        (Scope, "description", 2000),
        (Scope, "note", 1000),
        (Target, "text", 300),
        (Strategy, "items", 3000),
        (Section, "items", 3000),
        (Programme, "name", 200),
        (Scope, "headline", 300),
    ],
)
def test_every_text_field_has_its_limit_in_full_clean(
    semiconductor: Scope, model: Any, field: str, limit: int
) -> None:
    obj = {
        Scope: semiconductor,
        Programme: semiconductor.programme,
        Target: semiconductor.targets.first(),
        Strategy: semiconductor.strategies.first(),
        Section: Section(scope=semiconductor, order=1, heading="段落"),
    }[model]
    setattr(obj, field, "字" * limit)
    obj.full_clean(validate_unique=False, validate_constraints=False)  # the limit itself
    setattr(obj, field, "字" * (limit + 1))
    with pytest.raises(ValidationError) as refusal:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    assert field in refusal.value.message_dict


# The database: CHECK constraints, on SQLite (GLOB) and PostgreSQL (regular expression)


@pytest.mark.parametrize("character", [c for c in REFUSED if c != "\x00"])
def test_the_database_refuses_the_character_that_a_plain_update_tries_to_write(
    semiconductor: Scope, character: str
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Scope.objects.filter(pk=semiconductor.pk).update(description=f"包括{character}晶片")
    with pytest.raises(IntegrityError), transaction.atomic():
        Strategy.objects.filter(scope=semiconductor).update(heading=f"策略{character}")
    # The allowed path beside it: a line break in a multi-line text.
    Scope.objects.filter(pk=semiconductor.pk).update(description="包括\n晶片")


def test_the_database_refuses_a_line_break_in_a_one_line_text_and_an_overlong_text(
    semiconductor: Scope,
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(pk=semiconductor.programme_id).update(name="五大\n信賴")
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(pk=semiconductor.agencies.first().pk).update(name="經濟\r部")
    with pytest.raises(IntegrityError), transaction.atomic():
        Scope.objects.filter(pk=semiconductor.pk).update(note="字" * 1001)
    Scope.objects.filter(pk=semiconductor.pk).update(note="字" * 1000)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="raw SQL against PostgreSQL")
@pytest.mark.parametrize("character", ["\x07", "\x1b", "\x9f", "\u202e", "\u2067", "\ufeff"])
def test_postgresql_refuses_the_character_in_raw_sql(semiconductor: Scope, character: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalogue_target SET text = %s WHERE scope_id = %s",
            [f"目標{character}", semiconductor.pk],
        )
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE catalogue_target SET text = %s WHERE scope_id = %s AND "order" = 1',
            ["目標 2.5D/3D 〔〕", semiconductor.pk],
        )


# The admin's forms


def _post_change(client: Any, obj: Any, **changes: Any) -> Any:
    """Post the admin's change page back as a browser would (see test_admin_saving)."""
    from django.urls import reverse
    from test_admin_saving import form_data  # the same module folder, on sys.path

    url = reverse(f"admin:catalogue_{obj._meta.model_name}_change", args=[obj.pk])
    return client.post(url, form_data(client.get(url), **changes))


def test_the_admin_form_refuses_a_control_character_and_changes_nothing(
    client: Any, editor: Any, semiconductor: Scope
) -> None:
    client.force_login(editor)
    before = build_snapshot(semiconductor.programme.bulletin)
    response = _post_change(
        client, semiconductor, description="包括\x07晶片設計", change_reason="測試"
    )
    assert response.status_code == 200
    assert "含有不允許的控制字元 U+0007（第 1 行第 3 個字）" in response.content.decode()
    assert build_snapshot(semiconductor.programme.bulletin) == before


def test_the_admin_form_stores_a_browsers_crlf_as_lf(
    client: Any, editor: Any, semiconductor: Scope
) -> None:
    client.force_login(editor)
    response = _post_change(client, semiconductor, note="第一行\r\n第二行", change_reason="測試")
    assert response.status_code == 302
    semiconductor.refresh_from_db()
    assert semiconductor.note == "第一行\n第二行"
    assert "\r" not in "".join(Strategy.objects.values_list("items", flat=True))


# The import, in every format


def _rows(bulletin: Any) -> tuple[list[str], list[list[Any]]]:
    dataset = export_dataset(bulletin)
    return list(dataset.headers), [list(row) for row in dataset]


def _refused(bulletin: Any, user: Any, content: bytes, file_name: str) -> list[str]:
    before = build_snapshot(bulletin)
    with pytest.raises(ImportRefused) as refusal:
        import_bulletin(
            bulletin=bulletin, content=content, file_name=file_name, user=user, allow_delete=False
        )
    assert build_snapshot(bulletin) == before
    return [str(error) for error in refusal.value.errors]


def _csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, *rows])
    return buffer.getvalue().encode("utf-8")


def _json(headers: list[str], rows: list[list[Any]]) -> bytes:
    return json.dumps([dict(zip(headers, row, strict=True)) for row in rows]).encode()


def _xlsx(headers: list[str], rows: list[list[Any]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in [headers, *rows]:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _ods(headers: list[str], rows: list[list[Any]]) -> bytes:
    import tablib

    dataset = tablib.Dataset(*rows, headers=headers)
    return FORMATS["ods"].export_data(dataset)


@pytest.mark.parametrize(
    ("file_format", "write", "character"),
    [
        ("csv", _csv, "\x07"),
        ("csv", _csv, "\x1b"),
        ("json", _json, "\x00"),
        ("json", _json, "\x01"),
        ("xlsx", _xlsx, "\u202e"),
        ("xlsx", _xlsx, "\x85"),
        ("ods", _ods, "\ufeff"),
        ("ods", _ods, "\u2066"),
    ],
)
def test_the_import_refuses_the_character_naming_row_column_and_character(
    demo_bulletin: Any, editor: Any, file_format: str, write: Any, character: str
) -> None:
    headers, rows = _rows(demo_bulletin)
    strategies = headers.index("推動策略")
    rows[1][strategies] = rows[1][strategies].replace("\n", f"\n■ 新策略{character}\n", 1)
    content = write(headers, rows)
    file_name = f"edited.{file_format}"
    messages = _refused(demo_bulletin, editor, content, file_name)
    word = "筆" if file_format == "json" else "列"
    row = 2 if file_format == "json" else 3
    code = f"U+{ord(character):04X}"
    assert len(messages) == 1
    assert messages[0].startswith(f"第 {row} {word}「推動策略」欄：含有不允許的")
    assert f"{code}（第 2 行第 6 個字）" in messages[0]


def test_a_nul_in_a_json_import_is_a_clear_refusal_on_every_database(
    demo_bulletin: Any, editor: Any
) -> None:
    headers, rows = _rows(demo_bulletin)
    rows[0][headers.index("政策性產業")] = "五大\x00信賴產業推動方案"
    messages = _refused(demo_bulletin, editor, _json(headers, rows), "edited.json")
    assert messages == [
        "第 1 筆「政策性產業」欄：含有不允許的空字元（NUL） U+0000（第 1 行第 3 個字）；"
        "請刪除這個字元。"
    ]


def test_the_import_reads_crlf_in_a_cell_as_lf(demo_bulletin: Any, editor: Any) -> None:
    headers, rows = _rows(demo_bulletin)
    rows[0][headers.index("備註")] = "第一行\r\n第二行"
    plan = import_bulletin(
        bulletin=demo_bulletin,
        content=_csv(headers, rows),
        file_name="edited.csv",
        user=editor,
        allow_delete=False,
    )
    assert plan.change_count == 1
    scope = Scope.objects.get(pk=rows[0][headers.index("範疇識別碼")])
    assert scope.note == "第一行\n第二行"


def test_the_import_refuses_a_text_over_its_limit_naming_the_limit(
    demo_bulletin: Any, editor: Any
) -> None:
    headers, rows = _rows(demo_bulletin)
    rows[0][headers.index("產業範疇說明")] = "字" * 2001
    messages = _refused(demo_bulletin, editor, _csv(headers, rows), "edited.csv")
    assert messages == ["第 2 列「產業範疇說明」欄：超過 2000 字的上限（目前 2001 字）。"]


def test_an_ods_with_a_tab_in_a_cell_is_refused(demo_bulletin: Any, editor: Any) -> None:
    headers, rows = _rows(demo_bulletin)
    rows[0][headers.index("願景")] = "成為\t主導者"
    messages = _refused(demo_bulletin, editor, _ods(headers, rows), "edited.ods")
    assert messages == [
        "第 2 列「願景」欄：含有不允許的控制字元 U+0009（第 1 行第 3 個字）；請刪除這個字元。"
    ]
    with zipfile.ZipFile(io.BytesIO(_ods(headers, rows))) as archive:
        assert "<text:tab/>" in archive.read("content.xml").decode()


def test_the_import_refuses_a_target_over_its_limit_naming_the_item(
    demo_bulletin: Any, editor: Any
) -> None:
    headers, rows = _rows(demo_bulletin)
    targets = headers.index("推動目標")
    rows[0][targets] = rows[0][targets].replace("\n", "\n" + "字" * 301 + "\n", 1)
    messages = _refused(demo_bulletin, editor, _csv(headers, rows), "edited.csv")
    assert messages == [
        "第 2 列「推動目標」欄：第 2 項：推動目標："
        "請確認這個值至多包含 300 個字 (目前為 301 個字)。"
    ]


def test_a_stray_bom_in_a_header_is_named_instead_of_an_unknown_column(
    demo_bulletin: Any, editor: Any
) -> None:
    headers, rows = _rows(demo_bulletin)
    headers[4] = "\ufeff" + headers[4]
    messages = _refused(demo_bulletin, editor, _csv(headers, rows), "edited.csv")
    assert messages == [
        "第 1 列：第 5 欄的欄位名稱含有不允許的位元組順序標記（BOM） U+FEFF（第 1 行第 1 個字）；"
        "請刪除這個字元。"
    ]
