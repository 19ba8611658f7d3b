"""Reading numbers as reports print them: counts, signed changes and money.

Pure functions from a cell's text to a value. Garbage raises `ValueError`; it is never read as 0.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

# Cells that mean "nothing here" in a count column (templates.md: blank, —, -, /, 无)
ZERO_MARKS = frozenset({"", "—", "——", "-", "--", "－", "/", "／", "无", "―", "–", "0"})

_SPACES = re.compile(r"[\s\u3000\u00a0]+")
_DIGITS = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+$|^[0-9]+$")
_DECIMAL = re.compile(r"^([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?$")
# Full-width ASCII (Ｕ+FF01–FF5E) and the other minus/comma/stop forms reports print, folded to ASCII.
# Deliberately not NFKC: NFKC turns ① into 1 and a footnote mark 12¹ into 121, reading garbage as numbers.
_NUMBER_FOLD = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {
    0x2212: "-",
    0xFE63: "-",
    0xFE62: "+",
    0xFE50: ",",
    0xFE51: ",",
    0xFE52: ".",
}
_MAX_DIGITS = 18  # more digits than any printed amount: garbage, and past exact Decimal arithmetic


def _number_text(text: str | None) -> str:
    """A numeric cell's text folded to ASCII digits and signs, whitespace removed (no NFKC)."""
    if text is None:
        return ""
    return _SPACES.sub("", text.translate(_NUMBER_FOLD))


def normalize(text: str | None) -> str:
    """NFKC (full-width digits and punctuation to ASCII) and all whitespace removed."""
    if text is None:
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def is_blank(text: str | None) -> bool:
    """True when a cell is empty or one of the printed zero marks."""
    return normalize(text) in ZERO_MARKS - {"0"} or normalize(text) == ""


def parse_count(text: str | None) -> int:
    """A non-negative count: '1,234', '１２', '12件', blank/—/无 → 0. Raises ValueError on anything else."""
    s = _number_text(text)
    if s in ZERO_MARKS:
        return 0
    s = s.removesuffix("件").removesuffix("个").removesuffix("项").removesuffix("条")
    if not _DIGITS.match(s):
        raise ValueError(f"not a count: {text!r}")
    return int(s.replace(",", ""))


_CHANGE = re.compile(
    r"^(?P<word>增加|减少|增|减|新增|\+|-)?(?P<num>[0-9]{1,3}(,[0-9]{3})+|[0-9]+)(件|个|项)?$"
)


def parse_change(text: str | None) -> int:
    """A signed change: '减少 28', '减28', '-28', '－28', '增加 231', '+231', '231', '0', blank → 0."""
    s = _number_text(text)
    if s in ZERO_MARKS:
        return 0
    m = _CHANGE.match(s)
    if not m:
        raise ValueError(f"not a change: {text!r}")
    n = int(m.group("num").replace(",", ""))
    return -n if m.group("word") in {"减少", "减", "-"} else n


_MONEY = re.compile(r"^(?P<num>([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?)(?P<unit>万元|万|元)?$")


def parse_amount(text: str | None, unit: str = "元") -> Decimal:
    """Money in yuan as an exact Decimal. `unit` is the column heading's unit ('元' or '万元');
    a unit printed in the cell wins. '127.01万元' → 1270100, '1,270,084.4 元' → 1270084.4."""
    s = _number_text(text)
    if s in ZERO_MARKS:
        return Decimal(0)
    m = _MONEY.match(s)
    if not m or sum(ch.isdigit() for ch in m.group("num")) > _MAX_DIGITS:
        raise ValueError(f"not an amount: {text!r}")
    try:
        value = Decimal(m.group("num").replace(",", ""))
    except InvalidOperation as e:  # pragma: no cover - the regex admits only decimals
        raise ValueError(f"not an amount: {text!r}") from e
    cell_unit = m.group("unit")
    effective = cell_unit or unit
    if effective.startswith("万"):
        value *= 10000
    # plain notation, never exponent form: 123500, not Decimal.normalize()'s 1.235E+5
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def amount_to_json(value: Decimal) -> int | float:
    """An amount as a JSON number: integral yuan as int, fen as the shortest float that prints exactly."""
    if value == value.to_integral():
        return int(value)
    return float(value)
