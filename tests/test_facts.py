"""What the body text says beside the tables (issue 12): titles in all their forms, the issuing body from the
best evidence (never a body sentence), and section 六's fee however it is phrased."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract.cells import Cell, RawTable
from nianbao.pipeline.extract.facts import read_agency, read_fees, read_title
from nianbao.pipeline.model import Location


@pytest.mark.parametrize(
    ("text", "agency", "year"),
    [
        ("杭州市民政局2022年政府信息公开工作年度报告\n正文", "杭州市民政局", 2022),
        ("2021年度杭州市司法局政府信息公开工作年度报告", "杭州市司法局", 2021),
        ("杭州市西湖区人民政府2023年政府信息公开工作年报", "杭州市西湖区人民政府", 2023),
        ("杭州市财政局2 0 2 2 年政府信息公开工作年度报告", "杭州市财政局", 2022),
        ("杭州市财政局二〇二二年度政府信息公开工作年度报告", "杭州市财政局", 2022),
        ("杭州市教育局2020年政府信息公开年度工作报告", "杭州市教育局", 2020),
        ("2023 年杭州市上城区政府信息公开工作\n年度报告\n一、总体情况", "杭州市上城区", 2023),
        ("淮安市人民政府\n2024 年政府信息公开工作年度报告", "淮安市人民政府", 2024),
        (
            "当前位置：首页 > 政务公开 > 杭州市林业水利局2021年政府信息公开工作年度报告",
            "杭州市林业水利局",
            2021,
        ),
        ("2022年度政府信息公开工作年度报告\n本报告根据《条例》编制。", None, 2022),
    ],
)
def test_title_forms(text: str, agency: str | None, year: int) -> None:
    titled, got_year = read_title(text)
    assert got_year == year
    assert (titled.name if titled else None) == agency


def test_no_title_is_not_a_report() -> None:
    with pytest.raises(ExtractError) as err:
        read_title("关于开展2022年政务公开工作的通知\n各单位：……")
    assert err.value.code == "not_a_report"


BODY = "2022年度政府信息公开工作年度报告\n一、总体情况\n本年度，在杭州市人民政府办公厅的指导下，我局认真落实条例。\n"


@pytest.mark.parametrize(
    ("text", "metadata", "name", "source"),
    [
        ("杭州市城市管理局\n" + BODY, {}, "杭州市城市管理局", "heading"),
        (
            BODY + "六、其他需要报告的事项\n无。\n杭州市城市管理局\n2023年1月18日",
            {},
            "杭州市城市管理局",
            "signature",
        ),
        (BODY + "杭州市余杭区人民政府\n二〇二三年一月十八日", {}, "杭州市余杭区人民政府", "signature"),
        (BODY, {"ContentSource": "杭州市体育局"}, "杭州市体育局", "metadata"),
        (BODY, {"title": "2022年度政府信息公开工作年度报告_杭州市体育局"}, "杭州市体育局", "metadata"),
        ("发布机构：杭州市统计局\n" + BODY, {}, "杭州市统计局", "metadata"),
    ],
)
def test_agency_from_the_best_evidence_after_the_title(
    text: str, metadata: dict[str, str], name: str, source: str
) -> None:
    found = read_agency(text, metadata)
    assert found is not None and (found.name, found.source) == (name, source)


def test_a_body_sentence_never_names_the_agency() -> None:
    assert read_agency(BODY + "二、主动公开政府信息情况\n……", {}) is None


SIX = "六、其他需要报告的事项\n"


@pytest.mark.parametrize(
    ("sentence", "yuan", "none"),
    [
        ("本年度未收取信息处理费。", Decimal(0), True),
        ("本机关未向申请人收取信息处理费。", Decimal(0), True),
        ("本年度未发生收费情况。", Decimal(0), True),
        ("没有收取任何费用。", Decimal(0), True),
        ("本年度收取信息处理费0元。", Decimal(0), False),
        ("共收取信息处理费0.00万元。", Decimal(0), False),
        ("共收取信息处理费400元。", Decimal(400), False),
        ("全年收取政府信息公开信息处理费 3940 元。", Decimal(3940), False),
        ("收取信息处理费1.2345万元。", Decimal("12345"), False),
        ("收取信息处理费0.000125万元。", Decimal("1.25"), False),
        ("共收取1,250元信息处理费。", Decimal(1250), False),
    ],
)
def test_fee_sentences(sentence: str, yuan: Decimal, none: bool) -> None:
    fees = read_fees("五、存在的主要问题\n问题。\n" + SIX + sentence)
    assert fees is not None and (fees.yuan, fees.stated_none) == (yuan, none)


def test_a_section_six_silent_on_fees_is_null_and_section_five_fees_do_not_count() -> None:
    assert read_fees("五、存在的主要问题\n收费标准不统一。\n" + SIX + "无其他需要报告的事项。") is None


def test_a_fee_in_a_table_row() -> None:
    row = [
        Cell("信息处理费（万元）", Location(raw="x", table_index=5, cell=(0, 0))),
        Cell("0.5", Location(raw="0.5", table_index=5, cell=(0, 1))),
    ]
    fees = read_fees(SIX + "见下表。", [RawTable(rows=[row])])
    assert fees is not None and fees.yuan == Decimal(5000) and fees.cell is row[1]


def test_a_fee_in_a_row_of_a_wider_table_its_other_cells_empty() -> None:
    """LibreOffice (held out, 796371): section 六's small fee table at a page's top, read as the page
    before's table 4 going on, a row of fifteen cells with one printed: its fee was not read."""
    blank = [Cell("", Location(raw="", page=4)) for _ in range(14)]
    header = [
        Cell("项目", Location(raw="项目", page=4)),
        *blank[:7],
        Cell("收取金额（元）", Location(raw="x", page=4)),
    ]
    amount = Cell("1250.5", Location(raw="1250.5", page=4))
    row = [Cell("信息处理费", Location(raw="x", page=4)), *blank[:6], amount, *blank[6:12]]
    fees = read_fees(SIX + "本年度政府信息公开信息处理费收取情况如下：", [RawTable(rows=[header, row])])
    assert fees is not None and fees.yuan == Decimal("1250.5") and fees.cell is amount


def test_a_table_rows_label_about_fees_is_no_statement_that_none_were_collected() -> None:
    """Table 3's 申请人逾期未按收费通知要求缴纳费用 in a text without section 六 (a scan's OCR'd table
    pages) read as "no fee collected" (未按收费): fees 0 where the report states 3,940 yuan."""
    text = "三、收到和处理政府信息公开申请情况\n（六）其他处理 1．申请人无正当理由逾期不补正 0\n2．申请人逾期未按收费通知要\n求缴纳费用 0 0 0"
    assert read_fees(text) is None
    amount = read_fees(text + "\n六、其他需要报告的事项\n全年收取信息处理费3940元。")
    assert amount is not None and amount.yuan == 3940
    stated = read_fees(text + "\n六、其他需要报告的事项\n本年度未收取信息处理费。")
    assert stated is not None and stated.stated_none and stated.yuan == 0
