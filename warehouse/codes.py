"""The canonical code lists as warehouse rows (curated.dim_code …) and the wide views, from nianbao.pipeline.tables."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable

import duckdb

from nianbao.pipeline import tables as T

_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[．.、]\s*)")

# kinds per table: (row kind, column kind)
KINDS = {
    "proactive": ("item", "measure"),
    "applications": ("row", "applicant"),
    "review_litigation": ("proceeding", "outcome"),
}
FACT_COLUMNS = {
    "proactive": ("item", "measure"),
    "applications": ("row_code", "applicant"),
    "review_litigation": ("proceeding", "outcome"),
}


def short_label(label: str) -> str:
    """A printed label without its numbering and the parenthesised note: '（一）予以公开' → '予以公开'."""
    out = _NUMBERING.sub("", label.strip())
    out = re.sub(r"（区分处理的.*?）$", "", out)
    return out.strip()


def _row_group(code: str) -> str:
    """The outcome family of a table 3 row: intake, granted, partially_granted, denied, unavailable, rejected, other, …"""
    if code in ("received_new", "carried_in"):
        return "intake"
    for prefix in ("denied", "unavailable", "rejected", "other"):
        if code == prefix or code.startswith(prefix + "_"):
            return prefix
    return code


def _merge_order(sequences: Iterable[tuple[str, ...]]) -> list[str]:
    """One order for codes printed in several templates: each new code goes right after its predecessor."""
    order: list[str] = []
    for seq in sequences:
        prev: str | None = None
        for code in seq:
            if code not in order:
                order.insert(order.index(prev) + 1 if prev is not None else 0, code)
            prev = code
    return order


def _pools(table: str, template: str) -> tuple[tuple[T.Code, ...], tuple[T.Code, ...]]:
    if table == "proactive":
        items = tuple(c for c in T.PROACTIVE_ITEMS[template] if c.code in T.PROACTIVE_LAYOUT[template])
        used = {m for ms in T.PROACTIVE_LAYOUT[template].values() for m in ms}
        return items, tuple(c for c in T.PROACTIVE_MEASURES[template] if c.code in used)
    if table == "applications":
        return T.APPLICATION_ROWS[template], T.APPLICANTS
    return T.PROCEEDINGS, T.OUTCOMES


def code_label_rows() -> list[dict[str, object]]:
    """curated.dim_code_label: one row per (table, kind, code, template) with the label that template prints."""
    rows: list[dict[str, object]] = []
    for template in T.TEMPLATES:
        for table in T.TABLE_NAMES:
            for kind, pool in zip(KINDS[table], _pools(table, template), strict=True):
                rows.extend(
                    {
                        "table_name": table,
                        "code_kind": kind,
                        "code": c.code,
                        "template": template,
                        "label_zh": c.label,
                    }
                    for c in pool
                )
    return rows


def code_rows() -> list[dict[str, object]]:
    """curated.dim_code: one row per (table, kind, code) with the newest template's label and a display order."""
    labels = code_label_rows()
    out: list[dict[str, object]] = [
        {
            "table_name": t,
            "code_kind": "table",
            "code": t,
            "label_zh": T.TABLE_LABELS[t],
            "short_label_zh": T.TABLE_LABELS[t],
            "templates": list(T.TEMPLATES),
            "group_code": None,
            "sort_order": i,
        }
        for i, t in enumerate(T.TABLE_NAMES)
    ]
    for table in T.TABLE_NAMES:
        for kind_index, kind in enumerate(KINDS[table]):
            seqs = [tuple(c.code for c in _pools(table, t)[kind_index]) for t in reversed(T.TEMPLATES)]
            for pos, code in enumerate(_merge_order(seqs)):
                mine = [
                    r for r in labels if (r["table_name"], r["code_kind"], r["code"]) == (table, kind, code)
                ]
                label = str(mine[-1]["label_zh"])  # the newest template's wording
                group = None
                if table == "applications":
                    group = (
                        _row_group(code)
                        if kind == "row"
                        else (code if code in ("natural_person", "total") else "legal_person_or_org")
                    )
                out.append(
                    {
                        "table_name": table,
                        "code_kind": kind,
                        "code": code,
                        "label_zh": label,
                        "short_label_zh": short_label(label),
                        "templates": [str(r["template"]) for r in mine],
                        "group_code": group,
                        "sort_order": pos,
                    }
                )
    return out


def template_rows() -> list[dict[str, object]]:
    """curated.dim_template: each template with the report years it is for."""
    return [{"template": t, "first_year": lo, "last_year": hi} for t, (lo, hi) in T.TEMPLATE_YEARS.items()]


@functools.cache
def fingerprint() -> str:
    """A hash of every code row and wide-view column this package defines (what `sync_codes` writes).

    Computed once per process (~15 ms): every warehouse connection compares it with the stored one."""
    body = json.dumps(
        [code_rows(), code_label_rows(), template_rows(), wide_views_sql()],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def sync_codes(con: duckdb.DuckDBPyConnection) -> None:
    """Make curated.dim_code, dim_code_label, dim_template and the wide views equal nianbao.pipeline.tables.

    Called when the stored code fingerprint differs from this package's (a new warehouse, or a new
    version of the code lists), inside the caller's transaction.
    """
    import pandas as pd  # only when the code lists change: not on every open

    wanted = {
        "curated.dim_code": pd.DataFrame(code_rows()),
        "curated.dim_code_label": pd.DataFrame(code_label_rows()),
        "curated.dim_template": pd.DataFrame(template_rows()),
    }
    for table, df in wanted.items():
        con.execute(f"delete from {table}")
        con.execute(f"insert into {table} ({', '.join(df.columns)}) select * from df")
    con.execute(wide_views_sql())


def wide_columns(table: str) -> list[tuple[str, str]]:
    """(column name, comment) of a wide view: every `row__column` code pair any template carries, in order."""
    rows = [r for r in code_rows() if r["table_name"] == table]
    first_kind, second_kind = KINDS[table]
    firsts = sorted(
        (r for r in rows if r["code_kind"] == first_kind), key=lambda r: int(str(r["sort_order"]))
    )
    seconds = sorted(
        (r for r in rows if r["code_kind"] == second_kind), key=lambda r: int(str(r["sort_order"]))
    )
    pairs: set[tuple[str, str]] = set()
    for template in T.TEMPLATES:
        if table == "proactive":
            pairs |= {(i, m) for i, ms in T.PROACTIVE_LAYOUT[template].items() for m in ms}
        elif table == "applications":
            pairs |= {(r, a) for r in T.application_row_codes(template) for a in T.APPLICANT_CODES}
        else:
            pairs |= {(p, o) for p in T.PROCEEDING_CODES for o in T.OUTCOME_CODES}
    unit = {"proactive": "件; 元 for amount_yuan; signed for change"}.get(table, "件")
    out = []
    for a in firsts:
        for b in seconds:
            if (a["code"], b["code"]) in pairs:
                out.append(
                    (f"{a['code']}__{b['code']}", f"{a['short_label_zh']} · {b['short_label_zh']} ({unit})")
                )
    return out


def _labelled(table: str, kind: str, row: dict[str, object]) -> str:
    """A code's short label, under the printed label of the family it belongs to where the form groups it.

    Table 3's refusal rows read 不予公开/属于国家秘密, its organisation columns 法人或其他组织/商业企业, so that
    a bare 其他 or 总计 still says which one it is.
    """
    own = str(row["short_label_zh"])
    group = row["group_code"]
    parent = None
    if table == "applications" and kind == "row" and group in T.APPLICATION_GROUPS:
        parent = short_label(T.APPLICATION_GROUPS[str(group)])
    elif table == "applications" and kind == "applicant" and group == "legal_person_or_org":
        parent = T.APPLICANT_GROUP
    return own if parent is None or parent == own else f"{parent}/{own}"


def wide_labels(table: str) -> list[tuple[str, str]]:
    """(coded column, Chinese column name) of a wide view's cells: `row · column` in the printed labels.

    Made from the same code lists as `wide_columns`, so the two views always pair up; a name two code pairs
    would share (none today) gets its codes appended, so every name is unique.
    """
    first_kind, second_kind = KINDS[table]
    by_code = {(str(r["code_kind"]), str(r["code"])): r for r in code_rows() if r["table_name"] == table}
    out = []
    for column, _ in wide_columns(table):
        a, b = column.split("__")
        out.append(
            (
                column,
                f"{_labelled(table, first_kind, by_code[first_kind, a])} · "
                f"{_labelled(table, second_kind, by_code[second_kind, b])}",
            )
        )
    counts = Counter(name for _, name in out)
    return [(c, n if counts[n] == 1 else f"{n}（{c}）") for c, n in out]


_KEYS = (  # the identifying columns every wide view starts with, and what they hold
    ("agency_id", "Catalog agency id."),
    ("agency_name", "Agency name from the catalog (curated.dim_agency)."),
    ("year", "Report year."),
    ("template", "Report template (v2019 or v2021)."),
    ("sha256", "sha256 of the source document."),
    ("is_current", "True for the current version of the agency-year."),
    ("status", "Report status (loaded for every row here)."),
    ("report_id", "agency_id/year/sha256."),
)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def wide_views_sql() -> str:
    """The wide views (one row per loaded report, one column per code pair), made from the code lists."""
    parts = []
    for table in T.TABLE_NAMES:
        a, b = FACT_COLUMNS[table]
        cols = wide_columns(table)
        keys = ", ".join(f"'{c}'" for c, _ in cols)
        view = f"marts.wide_{table}"
        parts += [
            f"create or replace view {view} as",
            "with cells as (",
            f"    select report_id, {a} || '__' || {b} as cell, value from curated.fct_{table}",
            "),",
            "pivoted as (",
            # one value per report and cell: first() keeps the fact's type (sum() would make it HUGEINT)
            f"    pivot cells on cell in ({keys}) using first(value) group by report_id",
            "),",
            "final as (",
            "    select d.agency_id, a.name as agency_name, d.year, d.template, d.sha256, d.is_current, d.status, p.*",
            "    from pivoted as p",
            "    join curated.dim_report as d using (report_id)",
            "    left join curated.dim_agency as a on a.agency_id = d.agency_id",
            ")",
            "select * from final;",
            "",
            f"comment on view {view} is 'One row per loaded report: table {table} "
            f"({T.TABLE_LABELS[table]}) with one column per code pair.';",
        ]
        parts += [f"comment on column {view}.{c} is {_text(note)};" for c, note in _KEYS]
        parts += [f"comment on column {view}.{c} is '{note}';" for c, note in cols]
        parts.append("")
        # the same rows and values under the printed Chinese labels: a renaming of the coded view, so each
        # labelled column is its coded column
        labelled = wide_labels(table)
        notes = dict(cols)
        zh = f"{view}_zh"
        select = [c for c, _ in _KEYS] + [f"{c} as {_ident(name)}" for c, name in labelled]
        parts += [
            f"create or replace view {zh} as",
            "select " + ",\n    ".join(select),
            f"from {view};",
            "",
            f"comment on view {zh} is {_text(f'{view} with its columns named by the printed Chinese labels (row · column; a family under its heading, as 不予公开/属于国家秘密).')};",
        ]
        parts += [f"comment on column {zh}.{c} is {_text(note)};" for c, note in _KEYS]
        parts += [
            f"comment on column {zh}.{_ident(name)} is {_text(f'{c}: {notes[c]}')};" for c, name in labelled
        ]
        parts.append("")
    return "\n".join(parts)
