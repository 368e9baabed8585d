"""The grammar of the sheet's cells: what export writes, import reads back unchanged."""

from decimal import Decimal

import pytest

from catalogue.spreadsheet.cells import (
    CellError,
    HeadedLines,
    TargetLine,
    escape_formula,
    format_headed_lists,
    format_targets,
    parse_headed_lists,
    parse_period,
    parse_targets,
    split_agencies,
    unescape_formula,
)


@pytest.mark.parametrize(
    "text",
    ["=SUM(A1:A2)", "+886", "-5%", "@cmd", "\tx", "\rx", "'=quoted", "''-x", "'plain", "plain", ""],
)
def test_formula_escape_round_trips_every_text(text):
    assert unescape_formula(escape_formula(text)) == text


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"])
def test_cells_that_a_spreadsheet_would_run_are_prefixed_with_an_apostrophe(text):
    assert escape_formula(text) == "'" + text


def test_plain_text_and_numbers_in_the_middle_are_left_alone():
    assert escape_formula("半導體 = 晶片") == "半導體 = 晶片"


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("113-117年", (113, 117, "")),
        ("113年-117年", (113, 117, "")),
        ("113～117年", (113, 117, "")),
        ("114年-未定", (114, None, "未定")),
        ("106年-迄今", (106, None, "迄今")),
        ("106年 - 迄今", (106, None, "迄今")),
        ("113年", (113, 113, "")),
    ],
)
def test_periods_are_read_as_the_bulletin_writes_them(text, period):
    assert parse_period(text) == period


@pytest.mark.parametrize("text", ["明年", "117-113年", "113-", "113年-不知道"])
def test_an_unreadable_period_is_refused_in_chinese(text):
    with pytest.raises(CellError, match="實施"):
        parse_period(text)


def test_agencies_are_split_on_the_enumeration_comma_and_its_lookalikes():
    assert split_agencies("經濟部、國科會，數發部\n環境部") == [
        "經濟部",
        "國科會",
        "數發部",
        "環境部",
    ]


def test_targets_keep_their_figures_through_the_cell():
    targets = [
        TargetLine("穩固晶圓代工及封測產業全球第1的領先地位"),
        TargetLine("117年採先進製程占比達50%", Decimal("50.0000"), "%", 117),
        TargetLine("新增15,000架", Decimal("15000.0000"), "架"),
        TargetLine("2026年產值突破兆元", deadline_year=115),
        TargetLine("看起來像數據〔數值：1〕"),
        TargetLine("結尾是空括號〔〕"),
        TargetLine("-5% 的碳排"),
    ]
    text = format_targets(targets)
    assert "〔數值：15000；單位：架〕" in text
    assert parse_targets(text) == targets


def test_a_typed_target_may_omit_any_figure():
    assert parse_targets("產值倍增〔目標年：117年〕\n\n另一目標") == [
        TargetLine("產值倍增", deadline_year=117),
        TargetLine("另一目標"),
    ]


def test_a_bad_figure_names_the_line():
    with pytest.raises(CellError, match="第 2 行.*不是數字"):
        parse_targets("目標一\n目標二〔數值：很多〕")


def test_headed_lists_round_trip_even_with_bullets_inside_the_text():
    parts = [
        HeadedLines("發展先進製程及先進封裝", ("致力發展2.5D/3D", "-以減號開頭的項目")),
        HeadedLines("■ 以方塊開頭的標題", ("• 以圓點開頭的項目", "■ 以方塊開頭的項目")),
        HeadedLines("• 以圓點開頭的標題"),
        HeadedLines("沒有項目的標題"),
    ]
    assert parse_headed_lists(format_headed_lists(parts)) == parts


def test_a_person_may_type_headings_without_a_mark_and_items_with_other_bullets():
    assert parse_headed_lists("發展AI\n・培育人才\n‧ 吸引投資\n# 強化研發\n● 研發補助") == [
        HeadedLines("發展AI", ("培育人才", "吸引投資")),
        HeadedLines("強化研發", ("研發補助",)),
    ]


def test_an_item_before_any_heading_is_refused():
    with pytest.raises(CellError, match="第 1 行.*之前須有一行標題"):
        parse_headed_lists("• 沒有標題的項目")
