"""Checks the hand-structured 114.12.30 bulletin against the text extracted from the PDF.

The JSON data file (catalogue/demo/policy-industries-114-12-30.json) is written by hand from
catalogue/demo/seed-114-12-30.txt.  These tests make sure it neither loses nor invents content:

* the programmes, periods and per-scope counts are the ones counted by hand from the seed;
* every text of the data file occurs in the seed (whitespace normalised), except for a short,
  explicit list of editorial normalisations;
* every bullet item, scope title, table cell and run of CJK / Latin text of the seed is found
  again in the data file, except for explicitly listed layout artefacts.

Plain pytest, no database or Django needed: it runs under the project's normal ``pytest``, or
alone with ``pytest tests/catalogue/test_demo_data_file.py -p no:django --noconftest`` (the
shared tests/conftest.py imports Django models, so it cannot load without the Django plugin).
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA_FILE = ROOT / "catalogue/demo/policy-industries-114-12-30.json"
SEED_FILE = ROOT / "catalogue/demo/seed-114-12-30.txt"

TAG_RE = re.compile(r"<[^>]*>")
LAYOUT_CHARS = ("<", ">", "\t", "■", "•")


def norm(text):
    """Collapse every run of whitespace to one space and trim."""
    return " ".join(text.split())


def squash(text):
    """Drop all whitespace and unify the colon, to compare re-joined fragments."""
    return re.sub(r"\s+", "", text).replace(":", "：")


@pytest.fixture(scope="module")
def seed_raw():
    return SEED_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(seed_raw):
    """The seed as plain text: HTML tags and tabs become spaces, whitespace normalised."""
    return norm(TAG_RE.sub(" ", seed_raw))


@pytest.fixture(scope="module")
def data():
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Expected content, counted by hand from the seed
# ---------------------------------------------------------------------------------------------

# serial, name, period_start, period_end, period_end_text, period as printed in the seed
EXPECTED_PROGRAMMES = [
    (1, "五大信賴產業推動方案", 113, 117, "", "(113-117年)"),
    (2, "六大區域產業及生活圈", 114, None, "未定", "(114年-未定)"),
    (3, "智慧國家2.0綱領", 114, 117, "", "(114-117年)"),
    (4, "新南向政策推動計畫", 106, None, "迄今", "(106年-迄今)"),
    (5, "國家人才競爭力躍升方案", 113, 116, "", "(113-116年)"),
    (6, "AI新十大建設推動方案", 114, 117, "", "(114-117年)"),
    (7, "台灣AI行動計畫2.0", 112, 115, "", "(112-115年)"),
    (8, "智慧機器人產業推動方案", 115, 118, "", "(115-118年)"),
    (9, "臺灣2050淨零轉型", 111, 139, "", "(111—139年)"),
]

# (serial, scope title, or its index when the scope has no title) ->
#     (targets, strategy headings, strategy items, section headings, section items)
# Listed in the order of the seed, so the key order also pins the order of the scopes.
EXPECTED_COUNTS = {
    (1, "半導體"): (5, 4, 12, 0, 0),
    (1, "人工智能"): (4, 5, 9, 0, 0),
    (1, "軍工"): (3, 3, 8, 0, 0),
    (1, "安控"): (4, 3, 7, 0, 0),
    (1, "次世代通訊"): (4, 3, 7, 0, 0),
    (2, "首都圈黃金廊帶推動方案"): (3, 0, 0, 3, 22),
    (2, "中部精密智慧新核心推動方案"): (0, 0, 0, 0, 0),
    (2, "大南方新矽谷推動方案"): (0, 0, 0, 0, 0),
    (2, "東部慢活城鄉"): (0, 0, 0, 0, 0),
    (3, "智慧科技"): (0, 0, 0, 0, 0),
    (3, "智慧產業"): (0, 0, 0, 0, 0),
    (3, "智慧治理"): (0, 0, 0, 0, 0),
    (3, "智慧共融"): (0, 0, 0, 0, 0),
    (4, "資源共享"): (0, 0, 0, 0, 0),
    (5, 0): (0, 0, 0, 3, 9),
    (6, 0): (0, 0, 0, 3, 3),
    (7, 0): (0, 0, 0, 4, 15),
    (8, 0): (0, 0, 0, 4, 14),
    (9, "「運具電動化及無碳化」關鍵戰略行動計畫"): (0, 0, 0, 3, 7),
    (9, "淨零綠領人才培育課程"): (0, 0, 0, 5, 16),
}

# Items under each heading, in order: pins which heading every item was assigned to.
# (serial, scope key) -> (items per strategy heading, items per section heading)
EXPECTED_ITEMS_PER_HEADING = {
    (1, "半導體"): ((2, 3, 4, 3), ()),
    (1, "人工智能"): ((2, 2, 1, 2, 2), ()),
    (1, "軍工"): ((3, 3, 2), ()),
    (1, "安控"): ((3, 3, 1), ()),
    (1, "次世代通訊"): ((3, 2, 2), ()),
    (2, "首都圈黃金廊帶推動方案"): ((), (5, 9, 8)),
    (5, 0): ((), (3, 2, 4)),
    (6, 0): ((), (1, 1, 1)),
    (7, 0): ((), (5, 4, 4, 2)),
    (8, 0): ((), (3, 2, 3, 6)),
    (9, "「運具電動化及無碳化」關鍵戰略行動計畫"): ((), (1, 1, 5)),
    (9, "淨零綠領人才培育課程"): ((), (4, 4, 2, 3, 3)),
}

MOEA, NSTC, NDC, MODA = "經濟部", "國家科學及技術委員會", "國家發展委員會", "數位發展部"

EXPECTED_SCOPE_AGENCIES = {
    (1, "半導體"): [MOEA],
    (1, "人工智能"): [MODA],
    (1, "軍工"): [MOEA],
    (1, "安控"): [MODA],
    (1, "次世代通訊"): [MOEA],
    (2, "首都圈黃金廊帶推動方案"): [MOEA, NSTC, NDC],
    (2, "中部精密智慧新核心推動方案"): [MOEA, NSTC, NDC],
    (2, "大南方新矽谷推動方案"): [MOEA, NSTC, NDC],
    (2, "東部慢活城鄉"): [MOEA, NSTC, NDC],
    (3, "智慧科技"): [NSTC, MOEA, MODA],
    (3, "智慧產業"): [MOEA, MODA],
    (3, "智慧治理"): [MODA, NDC],
    (3, "智慧共融"): ["教育部", MODA],
    (4, "資源共享"): ["行政院經貿談判辦公室"],
    (5, 0): [NDC],
    (6, 0): [NDC],
    (7, 0): [NSTC],
    (8, 0): [NSTC],
    (9, "「運具電動化及無碳化」關鍵戰略行動計畫"): ["交通部"],
    (9, "淨零綠領人才培育課程"): ["環境部"],
}

# ---------------------------------------------------------------------------------------------
# Allowed exceptions to "every text of the file occurs in the seed"
# ---------------------------------------------------------------------------------------------

# Texts re-joined from fragments the PDF layout split apart (line breaks inside a cell, two <p>
# of one banner, interleaved columns) or with the spaced colon " : " normalised to "：".
# Each fragment must occur in the seed, and the text must equal the fragments joined, once
# whitespace is dropped and the colon unified.
REJOINED_TEXTS = {
    # programme 6 headline: banner split over "建設 推動方案 ➞" and a second <p>
    "政府推動AI新十大建設推動方案 ➞ 三項關鍵技術推動重點": (
        "政府推動AI新十大建設 推動方案 ➞",
        "三項關鍵技術推動重點",
    ),
    # programme 7: "平台 : 開發工具 (Python...)" with the colon normalised
    "平台：開發工具 (Python...)": ("平台 : 開發工具 (Python...)",),
    # programme 7: "架構 : 深度學習框架 (Tensorflow...)" with the colon normalised
    "架構：深度學習框架 (Tensorflow...)": ("架構 : 深度學習框架 (Tensorflow...)",),
    # programme 9: one box of the diagram, its two lines interleaved with the next box
    "公共運輸導向之土地使用": ("公共運輸導向之", "土地使用"),
    # programme 9: headline printed on two lines
    "環境部「淨零綠領人才培育課程」合計48小時": ("環境部「淨零綠領人才培育課程」 合計48小時",),
}

# Editorial texts that are not in the seed at all, with the seed fragments that justify them.
EDITORIAL_TEXTS = {
    # programme 7: heading given to the two loose "平台 : …" / "架構 : …" lines
    "平台與架構": ("平台 : 開發工具", "架構 : 深度學習框架"),
}

# Seed text deliberately not carried into the file: page header row, the bulletin's title line
# and edition date (carried as bulletin/edition metadata), the 推動目標 / 推動策略 labels (they
# become the targets / strategies fields), the "一" dash artefact before 增就業 / 提薪資 / 繁地方,
# the English image captions of programme 7 and the "..." continuation marks.
DROPPED_CJK_RUNS = {
    "序號",
    "政策性產業",
    "部會",
    "機關",
    "產業範疇",
    "認定方式",
    "勞動部勞動力發展署公告政府推動之",
    "推動目標",
    "推動策略",
    "一增就業",
    "一提薪資",
    "一繁地方",
}
DROPPED_PATTERNS = [
    r"\(Examples:[^)]*\)",  # programme 7 image captions
    r"(?<=[^.(])\.\.\.(?!\))",  # "..." after 推論預測 (but not "(Python...)")
    r"^114\.12\.30$",  # edition date line (-> edition.date)
]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def scope_key(programme, index, scope):
    return (programme["serial"], scope["title"] or index)


def iter_scopes(data):
    for programme in data["programmes"]:
        for index, scope in enumerate(programme["scopes"]):
            yield programme, scope_key(programme, index, scope), scope


def scope_texts(scope):
    """Every human-readable text of a scope, labelled by where it comes from."""
    yield "title", scope["title"]
    yield "description", scope["description"]
    yield "headline", scope["headline"]
    yield "note", scope["note"]
    for target in scope["targets"]:
        yield "target", target["text"]
    for block in ("strategies", "sections"):
        for group in scope[block]:
            yield f"{block} heading", group["heading"]
            for item in group["items"]:
                yield f"{block} item", item


def all_texts(data):
    for programme in data["programmes"]:
        yield f"programme {programme['serial']} name", programme["name"]
        for _, key, scope in iter_scopes({"programmes": [programme]}):
            for label, text in scope_texts(scope):
                if text:
                    yield f"{key} {label}", text


def all_strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from all_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_strings(value)


def file_items(data):
    """Target texts, strategy items and section items of the whole file."""
    items = set()
    for _, _, scope in iter_scopes(data):
        items.update(target["text"] for target in scope["targets"])
        for block in ("strategies", "sections"):
            for group in scope[block]:
                items.update(group["items"])
    return items


def file_corpus(data):
    """All file texts joined, plus metadata, for the seed -> file coverage checks."""
    parts = [text for _, text in all_texts(data)]
    parts += [agency["name"] for agency in data["agencies"]]
    parts += [data["bulletin"]["title"]]
    for programme in data["programmes"]:
        parts += [str(programme["serial"]), str(programme["period_start"])]
        parts += [str(programme["period_end"] or ""), programme["period_end_text"]]
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------------------------


def test_schema(data):
    assert list(data) == ["agencies", "bulletin", "edition", "programmes"]
    assert data["bulletin"] == {
        "slug": "policy-industries",
        "title": "政府推動之「政策性產業」彙整表",
        "issuing_agency": "勞動部勞動力發展署",
    }
    assert data["edition"] == {"date": "2025-12-30", "change_note": "114年12月30日公告版本。"}
    for agency in data["agencies"]:
        assert list(agency) == ["name", "short_name"]
    for programme in data["programmes"]:
        assert list(programme) == [
            "serial",
            "name",
            "period_start",
            "period_end",
            "period_end_text",
            "scopes",
        ]
        for scope in programme["scopes"]:
            assert list(scope) == [
                "title",
                "description",
                "agencies",
                "headline",
                "targets",
                "strategies",
                "sections",
                "note",
            ]
            for target in scope["targets"]:
                assert list(target) == ["text", "value", "unit", "deadline_year"]
            for block in ("strategies", "sections"):
                for group in scope[block]:
                    assert list(group) == ["heading", "items"]
                    assert group["heading"], (
                        f"{programme['serial']} {scope['title']}: empty heading"
                    )
                    assert group["items"], f"{group['heading']}: no items"
                    assert all(group["items"])


def test_file_is_pretty_printed_utf8():
    raw = DATA_FILE.read_text(encoding="utf-8")
    assert "\\u" not in raw, "written with ensure_ascii=True"
    assert raw == json.dumps(json.loads(raw), ensure_ascii=False, indent=2) + "\n"


def test_edition_date_matches_seed(seed_raw, data):
    assert "114.12.30" in seed_raw
    year, month, day = (int(part) for part in data["edition"]["date"].split("-"))
    assert (year - 1911, month, day) == (114, 12, 30)


# ---------------------------------------------------------------------------------------------
# Programmes, periods, counts
# ---------------------------------------------------------------------------------------------


def test_programmes_serials_names_periods(data):
    actual = [
        (p["serial"], p["name"], p["period_start"], p["period_end"], p["period_end_text"])
        for p in data["programmes"]
    ]
    assert actual == [row[:5] for row in EXPECTED_PROGRAMMES]
    assert [p["serial"] for p in data["programmes"]] == list(range(1, 10))


@pytest.mark.parametrize("serial,name,start,end,end_text,printed", EXPECTED_PROGRAMMES)
def test_programme_name_and_period_are_in_seed(
    seed_raw, seed, serial, name, start, end, end_text, printed
):
    assert f"{name} {printed}" in seed
    assert re.search(rf"(^|\n){serial}[\t ]{re.escape(name)} ", seed_raw), (serial, name)
    match = re.fullmatch(r"\((\d+)年?[-—](\d+|未定|迄今)年?\)", printed)
    assert match, printed
    assert int(match.group(1)) == start
    if match.group(2).isdigit():
        assert (int(match.group(2)), "") == (end, end_text)
    else:
        assert (None, match.group(2)) == (end, end_text)


def test_per_scope_counts(data):
    actual = {}
    for _, key, scope in iter_scopes(data):
        actual[key] = (
            len(scope["targets"]),
            len(scope["strategies"]),
            sum(len(group["items"]) for group in scope["strategies"]),
            len(scope["sections"]),
            sum(len(group["items"]) for group in scope["sections"]),
        )
    assert list(actual) == list(EXPECTED_COUNTS), "scopes missing, extra or out of order"
    assert actual == EXPECTED_COUNTS


def test_items_per_heading(data):
    actual = {}
    for _, key, scope in iter_scopes(data):
        per_heading = tuple(
            tuple(len(group["items"]) for group in scope[block])
            for block in ("strategies", "sections")
        )
        if per_heading != ((), ()):
            actual[key] = per_heading
    assert actual == EXPECTED_ITEMS_PER_HEADING
    # both hand counts agree with each other
    for key, (strategies, sections) in EXPECTED_ITEMS_PER_HEADING.items():
        expected = EXPECTED_COUNTS[key]
        assert (len(strategies), sum(strategies), len(sections), sum(sections)) == expected[1:]


def test_dropped_artefacts_are_not_in_file(data):
    """The English captions and "..." marks that DROPPED_PATTERNS skips stay out of the file."""
    for where, text in all_texts(data):
        for pattern in DROPPED_PATTERNS:
            assert not re.search(pattern, text, flags=re.MULTILINE), (where, text)
        assert "Examples" not in text, (where, text)


def test_scope_agencies(data):
    actual = {key: scope["agencies"] for _, key, scope in iter_scopes(data)}
    assert actual == EXPECTED_SCOPE_AGENCIES


def test_untitled_scopes_are_only_programmes_5_to_8(data):
    for programme, key, scope in iter_scopes(data):
        assert (scope["title"] == "") == (5 <= programme["serial"] <= 8), key


# ---------------------------------------------------------------------------------------------
# File -> seed: nothing invented
# ---------------------------------------------------------------------------------------------


def test_every_text_occurs_in_seed(seed, data):
    missing = []
    for where, text in all_texts(data):
        if text in REJOINED_TEXTS or text in EDITORIAL_TEXTS:
            continue
        if norm(text) not in seed:
            missing.append((where, text))
    assert not missing, missing


@pytest.mark.parametrize("text,fragments", sorted(REJOINED_TEXTS.items()))
def test_rejoined_exceptions(seed, data, text, fragments):
    for fragment in fragments:
        assert fragment in seed, fragment
    assert squash(text) == squash("".join(fragments))
    assert text in {t for _, t in all_texts(data)}, f"stale exception: {text}"


@pytest.mark.parametrize("text,fragments", sorted(EDITORIAL_TEXTS.items()))
def test_editorial_exceptions(seed, data, text, fragments):
    for fragment in fragments:
        assert fragment in seed, fragment
    assert text in {t for _, t in all_texts(data)}, f"stale exception: {text}"


def test_texts_follow_seed_reading_order(seed, data):
    """Targets, strategy headings / items and section headings / items of each scope appear
    in the seed in the order the file lists them (searching forward from the description)."""
    problems = []
    for _, key, scope in iter_scopes(data):
        start = seed.find(scope["description"])
        assert start >= 0, key
        sequences = {
            "targets": [t["text"] for t in scope["targets"]],
            "strategy headings": [g["heading"] for g in scope["strategies"]],
            "strategy items": [i for g in scope["strategies"] for i in g["items"]],
            "section headings": [g["heading"] for g in scope["sections"]],
            "section items": [i for g in scope["sections"] for i in g["items"]],
        }
        for label, texts in sequences.items():
            position = start
            for text in texts:
                if text in REJOINED_TEXTS or text in EDITORIAL_TEXTS:
                    continue
                found = seed.find(text, position)
                if found < 0:
                    problems.append((key, label, text))
                    break
                position = found + len(text)
    assert not problems, problems


def test_target_quantities_are_stated_in_text(data):
    for _, key, scope in iter_scopes(data):
        for target in scope["targets"]:
            text = target["text"]
            if target["value"] is not None:
                assert re.fullmatch(r"\d+(\.\d+)?", target["value"]), (key, target)
                assert target["value"] in text.replace(",", ""), (key, target)
            if target["unit"]:
                assert target["value"] is not None, (key, target)
                assert target["value"] + target["unit"] in text.replace(",", ""), (key, target)
            year = target["deadline_year"]
            if year is not None:
                assert isinstance(year, int) and 100 <= year <= 200, (key, target)
                assert f"{year}年" in text or f"{year + 1911}年" in text, (key, target)


def test_target_quantities_spot_checks(data):
    targets = {t["text"]: t for _, _, s in iter_scopes(data) for t in s["targets"]}

    def q(text):
        t = targets[text]
        return (t["value"], t["unit"], t["deadline_year"])

    assert q("IC設計產業維持全球前2名、117年採先進製程占比達50%") == ("50", "%", 117)
    assert q("半導體材料產值增加3成(528億元)") == ("528", "億元", None)
    assert q("推動AI、軟體、資安等數位經濟產業，2026年產值突破兆元") == (None, "", 115)
    assert q("無人機產業產值117年前成長10倍，達300億元") == ("300", "億元", 117)
    assert q("2027年發射首顆B5G低軌通訊衛星，建立自主星鏈") == (None, "", 116)


# ---------------------------------------------------------------------------------------------
# Seed -> file: nothing lost
# ---------------------------------------------------------------------------------------------


def test_every_seed_bullet_is_in_file(seed_raw, data):
    items = file_items(data)
    bullets = set()
    for piece in re.split(r"[■•]", seed_raw)[1:]:
        text = norm(re.split(r"[■•<\t\n]", piece)[0])
        if text:
            bullets.add(text)
    assert len(bullets) == 39  # 9 targets (■) + 21 strategy items + 9 programme-5 items (•)
    missing = sorted(bullets - items)
    assert not missing, missing


def test_every_seed_scope_title_is_in_file(seed_raw, data):
    titles = [title for title in re.findall(r"【([^】]+)】", seed_raw)]
    file_titles = [scope["title"] for _, _, scope in iter_scopes(data)]
    assert titles == [t for t in file_titles if t]


def test_every_seed_table_cell_is_in_file(seed_raw, data):
    """Simple <td> cells: strategy headings (programme 1) and course modules / lessons
    (programme 9); each space-separated part is a heading or an item of the file."""
    known = file_items(data)
    for _, _, scope in iter_scopes(data):
        for block in ("strategies", "sections"):
            known.update(group["heading"] for group in scope[block])
    missing = set()
    for cell in re.findall(r"<td[^>]*>([^<]*)</td>", seed_raw):
        for part in cell.split():
            if part not in known:
                missing.add(part)
    assert not missing, sorted(missing)


def test_every_seed_cjk_run_is_in_file(seed_raw, data):
    corpus = file_corpus(data)
    text = TAG_RE.sub(" ", seed_raw)
    runs = set(re.findall(r"[\u4e00-\u9fff]+", text))
    missing = sorted(run for run in runs - DROPPED_CJK_RUNS if run not in corpus)
    assert not missing, missing
    stale = sorted(run for run in DROPPED_CJK_RUNS if run not in runs)
    assert not stale, f"stale DROPPED_CJK_RUNS: {stale}"


def test_every_seed_latin_token_is_in_file(seed_raw, data):
    corpus = file_corpus(data)
    text = TAG_RE.sub(" ", seed_raw)
    for pattern in DROPPED_PATTERNS:
        text, count = re.subn(pattern, " ", text, flags=re.MULTILINE)
        assert count, f"stale DROPPED_PATTERNS entry: {pattern}"
    tokens = set(re.findall(r"[A-Za-z0-9]+(?:[.,:/&@][A-Za-z0-9]+)*", text))
    missing = sorted(token for token in tokens if token not in corpus)
    assert not missing, missing


# ---------------------------------------------------------------------------------------------
# Agencies
# ---------------------------------------------------------------------------------------------


def test_agencies_unique_and_referenced(seed, data):
    names = [agency["name"] for agency in data["agencies"]]
    short_names = [agency["short_name"] for agency in data["agencies"]]
    assert len(names) == len(set(names)), names
    assert len(short_names) == len(set(short_names)), short_names
    assert all(names) and all(short_names)
    for name in names:
        assert name in seed, f"agency not named in the seed: {name}"

    used = {data["bulletin"]["issuing_agency"]}
    for _, key, scope in iter_scopes(data):
        assert scope["agencies"], f"{key}: no agency"
        assert len(scope["agencies"]) == len(set(scope["agencies"])), key
        for agency in scope["agencies"]:
            assert agency in names, f"{key}: unknown agency {agency}"
        used.update(scope["agencies"])
    assert used == set(names), f"agencies listed but never named: {set(names) - used}"


# ---------------------------------------------------------------------------------------------
# Clean text
# ---------------------------------------------------------------------------------------------


def test_no_html_or_layout_characters(data):
    for text in all_strings(data):
        for char in LAYOUT_CHARS:
            assert char not in text, (char, text)


def test_whitespace_is_normalised(data):
    for text in all_strings(data):
        assert text == norm(text), repr(text)


def test_scope_titles_without_brackets_and_targets_without_bullets(data):
    for _, key, scope in iter_scopes(data):
        assert "【" not in scope["title"] and "】" not in scope["title"], key
        for target in scope["targets"]:
            assert not target["text"].startswith(("一", "-", "·")), target
        assert "—" not in scope["headline"], key  # the "半導體 —— …" dash is layout
