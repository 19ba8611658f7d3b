"""Property tests for pipeline/numbers.py: every printed form round-trips exactly; garbage is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nianbao.pipeline.numbers import amount_to_json, is_blank, parse_amount, parse_change, parse_count

FULLWIDTH = str.maketrans("0123456789,.+-", "０１２３４５６７８９，．＋－")
SPACES = st.sampled_from(["", " ", "  ", "\u3000", "\u00a0", "\t", "\n"])


def grouped(n: int, sep: str) -> str:
    """Thousands separators as printed ("1,234,567")."""
    return f"{n:,}".replace(",", sep)


@st.composite
def digits(draw: st.DrawFn, n: int) -> str:
    """A non-negative integer as reports print it: plain, grouped, full-width, padded."""
    sep = draw(st.sampled_from(["", ",", "，"]))
    s = grouped(n, sep) if sep else str(n)
    if draw(st.booleans()):
        s = s.translate(FULLWIDTH)
    return s


@given(st.integers(0, 10**12), st.data())
def test_count_round_trips(n: int, data: st.DataObject) -> None:
    s = data.draw(digits(n))
    unit = data.draw(st.sampled_from(["", "件", "个", "项", "条"]))
    text = data.draw(SPACES) + s + data.draw(SPACES) + unit + data.draw(SPACES)
    value = parse_count(text)
    assert value == n and type(value) is int


@given(st.integers(-(10**9), 10**9), st.data())
def test_change_round_trips(n: int, data: st.DataObject) -> None:
    s = data.draw(digits(abs(n)))
    if n < 0:
        word = data.draw(st.sampled_from(["减少", "减少 ", "减", "-", "－", "−", "﹣"]))
    elif n > 0:
        word = data.draw(st.sampled_from(["增加", "增加 ", "增", "+", "＋", "", "新增"]))
    else:
        word = data.draw(st.sampled_from(["", "+", "-", "增加", "减少"]))
    text = (
        data.draw(SPACES) + word + data.draw(SPACES) + s + data.draw(st.sampled_from(["", "件", "个", "项"]))
    )
    value = parse_change(text)
    assert value == n and type(value) is int


@given(st.decimals(min_value=0, max_value=10**11, places=2, allow_nan=False, allow_infinity=False), st.data())
def test_yuan_round_trips(v: Decimal, data: st.DataObject) -> None:
    whole, _, frac = f"{v:f}".partition(".")
    frac = frac.rstrip("0") if data.draw(st.booleans()) else frac
    s = data.draw(digits(int(whole))) + ("." + frac if frac else "")
    if data.draw(st.booleans()):
        s = s.translate(FULLWIDTH)
    unit_in_cell = data.draw(st.sampled_from(["元", " 元", ""]))
    heading_unit = (
        data.draw(st.sampled_from(["元", "万元"])) if unit_in_cell else "元"
    )  # the cell's unit wins
    value = parse_amount(data.draw(SPACES) + s + unit_in_cell + data.draw(SPACES), heading_unit)
    assert isinstance(value, Decimal) and value == v
    assert "E" not in str(value)  # plain notation: what a warehouse or a CSV prints
    assert Decimal(str(amount_to_json(value))) == v  # the JSON number reads back exactly


@given(st.decimals(min_value=0, max_value=10**7, places=6, allow_nan=False, allow_infinity=False), st.data())
def test_wan_yuan_round_trips(w: Decimal, data: st.DataObject) -> None:
    s = f"{w:f}"
    if data.draw(st.booleans()):
        whole, _, frac = s.partition(".")
        s = grouped(int(whole), ",") + ("." + frac if frac else "")
    form = data.draw(st.sampled_from(["cell", "heading", "wan"]))
    if form == "cell":
        value = parse_amount(s + "万元", "元")
    elif form == "wan":
        value = parse_amount(s + "万", "元")
    else:
        value = parse_amount(s, "万元")
    assert isinstance(value, Decimal) and value == w * 10000
    assert "E" not in str(value)


def test_cell_unit_wins_over_heading() -> None:
    assert parse_amount("1270084.4元", "万元") == Decimal("1270084.4")
    assert parse_amount("127.01万元", "元") == Decimal("1270100")
    assert str(parse_amount("12.35", "万元")) == "123500"
    assert str(parse_amount("100")) == "100"


@pytest.mark.parametrize(
    "mark",
    [
        "",
        " ",
        "—",
        "——",
        "-",
        "－",
        "/",
        "／",
        "无",
        "―",
        "–",
        "\u3000",
        "&nbsp;".replace("&nbsp;", "\u00a0"),
    ],
)
def test_blank_marks_mean_zero(mark: str) -> None:
    assert parse_count(mark) == 0 and parse_change(mark) == 0 and parse_amount(mark) == 0
    assert is_blank(mark)


JUNK = "abcxyzXYZ%#@?!~;:()（）年月日人次元万①②⑩²³¹٣३٤〇零一二三十百千.,，+"


@given(
    st.text(alphabet="0123456789", max_size=4),
    st.text(alphabet=JUNK, min_size=1, max_size=4),
    st.text(alphabet="0123456789", max_size=4),
)
def test_count_garbage_is_refused(a: str, junk: str, b: str) -> None:
    text = a + junk + b
    if junk.strip(",，") == "" and a and b and len(b) == 3 and len(a) <= 3:
        return  # "1,234" is a grouped number, not junk
    with pytest.raises(ValueError):
        parse_count(text)


@given(
    st.text(alphabet="0123456789", max_size=4),
    st.text(alphabet=JUNK.replace("+", ""), min_size=1, max_size=4),
    st.text(alphabet="0123456789", max_size=4),
)
def test_change_garbage_is_refused(a: str, junk: str, b: str) -> None:
    text = a + junk + b
    if junk.strip(",，") == "" and a and b and len(b) == 3 and len(a) <= 3:
        return
    with pytest.raises(ValueError):
        parse_change(text)


@pytest.mark.parametrize(
    "text",
    [
        "①",
        "⑫",
        "12¹",
        "３²",
        "٣",
        "१२",
        "〇",
        "零",
        "十二",
        "N/A",
        "不详",
        "?",
        "1.5",
        "12,34",
        "1,2345",
        "-3",
        "－3",
        "3-",
        "1 2 件件",
        "12元",
        "0x1F",
        "1e3",
        "∞",
        "１２．０",
    ],
)
def test_count_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_count(text)


@pytest.mark.parametrize(
    "text", ["减少", "增加", "+", "减少-28", "增加－5", "28减少", "±3", "1.5", "减少⑤", "增加²"]
)
def test_change_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_change(text)


@pytest.mark.parametrize(
    "text",
    [
        "-12.5",
        "12.5.1",
        ".5",
        "5.",
        "1,27.5",
        "元",
        "万元",
        "12.5美元",
        "¹²元",
        "①万元",
        "1e5",
        "NaN",
        "Infinity",
        "1" * 40,
    ],
)
def test_amount_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)
