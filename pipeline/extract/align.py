"""Printed rows matched to a template's rows: by how alike their labels are, in the template's order.

A table's rows are printed in the order the template sets, but their labels are not always the
template's: shortened, re-worded, shredded over lines, run together with a group's label, numbered
wrongly, or ambiguous on their own (`3．其他` is a row of 其他处理 only because of where it sits). Matching
each label alone against the codes' keywords gets such rows wrong; matching the whole sequence at once,
keeping the template's order, does not: `align` finds the order-keeping assignment of printed rows to
template rows whose labels are most alike in total (a dynamic programme over both sequences), and leaves
out a printed row that resembles no template row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nianbao.pipeline import tables as T
from nianbao.pipeline.extract.cells import NUMBERING, norm_label

# below this a label is not taken to be a row's, however the order fits
_THRESHOLD = 0.34


@dataclass(frozen=True)
class Printed:
    """A printed row's label as read: its own text, and label lines that came just before it with no
    values (a wrapped label's first part, a group's label); `group` a group the text named, if any."""

    own: str
    before: str = ""
    group: str | None = None


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)} if len(s) > 1 else {s}


def _stripped(text: str, groups: Sequence[str]) -> str:
    """A label reduced for comparing: normalised, numbering gone, group labels it was run together with gone."""
    s = norm_label(text)
    for g in groups:
        s = s.replace(g, "")
    s = NUMBERING.sub("", s)
    # what is left of a group's numbering once its label is taken out: （三）不予公开1．… → 三1… → …
    return s.lstrip("一二三四五六七八九十0123456789")


def likeness(text: str, code: T.Code, groups: Sequence[str] = ()) -> float:
    """How alike a printed label is to a template row's, 0 to 1: the share of character pairs they have in
    common (Dice), or 0.8 of the share of a label fragment's pairs found in the row's label, or 0.8 when
    the label holds one of the row's distinguishing keywords. Compared with the
    group labels in it and without (a v2019 （六）其他处理 row is a group's label and a row at once)."""
    best = 0.0
    for strip in ((), groups) if groups else ((),):
        s = _stripped(text, strip)
        if not s:
            continue
        a, b = _bigrams(s), _bigrams(_stripped(code.label, strip))
        dice = 2 * len(a & b) / (len(a) + len(b))
        if len(s) >= 4:  # a fragment of the label (the rest cut off by a page or a wrap): most of it is in it
            dice = max(dice, 0.8 * len(a & b) / len(a))
        if any(k and k in s for k in code.keys):
            dice = max(dice, 0.8)
        best = max(best, dice)
    return best


def whole_label(text: str, code: T.Code) -> float:
    """How alike a printed label is to a template row's whole label, numbering left out: the share of
    character pairs they have in common (Dice), and 0 unless it begins as the row's label does (its first
    two characters), so the rest of a label cut by a wrap or a page (现成信息需要另行制作 of 2．没有现成…)
    scores 0 however much of the label it holds."""
    s, t = _stripped(text, ()), _stripped(code.label, ())
    if not s or not t or not s.startswith(t[:2]):
        return 0.0
    a, b = _bigrams(s), _bigrams(t)
    return 2 * len(a & b) / (len(a) + len(b))


def align(
    rows: Sequence[Printed],
    codes: Sequence[T.Code],
    groups: Sequence[str] = (),
    score: dict[tuple[int, int], float] | None = None,
) -> list[str | None]:
    """For each printed row, the template row it is (or None), keeping the template's order, with the
    labels most alike in total. A row's likeness is its own label's, or with the label lines before it
    joined on, whichever is higher; `score` may give extra likeness for (row, code index) pairs."""
    n, m = len(rows), len(codes)
    sim = [[0.0] * m for _ in range(n)]
    for i, row in enumerate(rows):
        for j, code in enumerate(codes):
            s = likeness(row.own, code, groups)
            if row.before:
                s = max(s, likeness(row.before + row.own, code, groups))
            s += (score or {}).get((i, j), 0.0)
            sim[i][j] = s if s >= _THRESHOLD else 0.0
    # best[i][j]: the highest total likeness matching the first i printed rows into the first j codes
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            match = best[i - 1][j - 1] + sim[i - 1][j - 1] if sim[i - 1][j - 1] else -1.0
            best[i][j] = max(best[i - 1][j], best[i][j - 1], match)
    out: list[str | None] = [None] * n
    i, j = n, m
    while i and j:
        if sim[i - 1][j - 1] and best[i][j] == best[i - 1][j - 1] + sim[i - 1][j - 1]:
            out[i - 1] = codes[j - 1].code
            i, j = i - 1, j - 1
        elif best[i][j] == best[i - 1][j]:
            i -= 1
        else:
            j -= 1
    return out
