"""The data dictionary's reference part, generated from the live schema: every table, view and column comment.

`docs/data-dictionary.md` has a hand-written top (how to read the warehouse, the usual questions as SQL)
and, below the marker line, what `render` makes of a new warehouse. `make docs` rewrites that part, and
the same text as one self-contained HTML page beside it (`docs/data-dictionary.html`, `to_html`):

    python -m nianbao.warehouse.dictionary docs/data-dictionary.md
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import duckdb

from nianbao.warehouse.connect import BASELINE, connect

MARKER = "<!-- everything below is generated from the warehouse schema: make docs -->"
SCHEMAS = {
    "raw": "Every document fetched (by content hash), every fetch attempt, and what each run did with them.",
    "staging": "What extraction and the checks made of each document, the findings, and reviewers' decisions.",
    "curated": "Admitted reports only, values as printed (or as a reviewer corrected them), keyed by canonical codes; "
    "the dimensions that name them.",
    "marts": "The rollups analysts read. All but the `wide_*` views (and their `wide_*_zh` forms under the "
    "printed Chinese labels) are tables, rewritten once per run from the "
    "views of the same name in `build` for every year whose inputs changed (a fingerprint of that year's "
    "reports and blocking findings, and of the dimensions), plus the year after it for `yoy_change`. "
    "A reader that finds them stale (`nianbao.warehouse.marts.is_fresh`) reads `build.*` instead.",
    "build": "Internal, and not in the analysts' snapshot: the definitions of the mart tables, as views "
    "(`build.<mart>` has the columns of `marts.<mart>`), and what the last refresh covered.",
}


def render(con: duckdb.DuckDBPyConnection) -> str:
    """The reference part: each schema, its tables and views, their columns with type and meaning."""
    objects = con.execute(
        """
        select schema_name, table_name, 'table' as kind, comment from duckdb_tables() where not internal
        union all
        select schema_name, view_name, 'view', comment from duckdb_views() where not internal
        """
    ).fetchall()
    by_schema: dict[str, list[tuple[str, str, str | None]]] = {}
    for schema, name, kind, comment in objects:
        if schema in SCHEMAS:
            by_schema.setdefault(schema, []).append((name, kind, comment))
    out = [MARKER, "", f"## Tables and views (schema version {BASELINE})", ""]
    for schema, note in SCHEMAS.items():
        out += [f"## `{schema}`", "", note, ""]
        for name, kind, comment in sorted(by_schema.get(schema, [])):
            if schema == "build" and kind == "view":
                continue  # the mart definitions: documented once, as marts.<name>
            cols = con.execute(
                "select column_name, data_type, comment from duckdb_columns() where schema_name = ? and table_name = ?"
                " order by column_index",
                [schema, name],
            ).fetchall()
            out += [f"### `{schema}.{name}`", "", f"{comment or ''} ({kind})".strip(), ""]
            pairs = [c for c in cols if "__" in c[0]]
            out += ["| column | type | meaning |", "|---|---|---|"]
            out += [f"| `{c}` | {t} | {m or ''} |" for c, t, m in cols if "__" not in c]
            if pairs:
                out.append(
                    f"| `<row>__<column>` × {len(pairs)} | {pairs[0][1]} | one column per code pair "
                    "(codes in `curated.dim_code`; each column's comment gives its Chinese labels) |"
                )
            out.append("")
    return "\n".join(out)


_CSS = """
body { font: 15px/1.5 system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
code, pre { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
pre { background: #f6f8fa; padding: .75rem; overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; margin-top: 2.5rem; }
"""


def to_html(markdown: str) -> str:
    """The data dictionary's Markdown as one self-contained HTML page (no script, nothing loaded from outside)."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        "<title>nianbao data dictionary</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def update(path: Path) -> bool:
    """Rewrite the generated part of the data dictionary at `path` and its HTML twin; True when either changed."""
    text = path.read_text(encoding="utf-8")
    head = text.split(MARKER)[0]
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "schema.duckdb")
        try:
            new = head + render(con)
        finally:
            con.close()
    page = path.with_suffix(".html")
    html = to_html(new)
    changed = new != text or not page.exists() or page.read_text(encoding="utf-8") != html
    if changed:
        path.write_text(new, encoding="utf-8")
        page.write_text(html, encoding="utf-8")
    return changed


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/data-dictionary.md")
    print(f"{target} and {target.with_suffix('.html').name}: {'updated' if update(target) else 'up to date'}")
