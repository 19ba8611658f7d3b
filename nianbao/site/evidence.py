"""Evidence for every finding: where its cells are printed in the source document, shown.

A finding's locations point into documents (its own, or another such as last year's report): page and
bbox in a PDF, table index and cell in HTML and DOCX, line in text, or a quote of the narrative. For each
document and page the finding names, the reader sees:

* PDF: a crop of the page around the cells, cells highlighted, rendered by pdfium from the raw store in a
  separate process (`crops.py` says why: the reader's metrics font must not draw it);
* HTML, DOCX: the printed table re-drawn from the reader's own grid, merged cells restored, the cells
  highlighted (`redraw.py`);
* text: the lines around the cited line; a narrative quote as quoted.

A document missing from the raw store, or one that cannot be parsed any more, is said so in place.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nianbao.pipeline.rawstore import RawStore
from nianbao.site.child import run_module
from nianbao.site.printed import Grid
from nianbao.site.redraw import redraw, source_spans


@dataclass
class Evidence:
    """One piece of evidence a page shows for a finding."""

    kind: str  # crop | table | lines | quote | missing
    caption: str
    src: str = ""  # crop: the PNG's path inside the site
    grid: Grid | None = None  # table: the re-drawn table
    lines: list[tuple[int, str, bool]] = field(default_factory=list)  # lines: (number, text, cited)
    text: str = ""  # quote, missing: the words


@dataclass(frozen=True)
class DocFile:
    """A stored document: its format and where the raw store keeps it."""

    sha256: str
    format: str | None
    store_path: str | None


@dataclass
class Crop:
    """A crop job for the renderer, and what came of it."""

    pdf: str
    page: int
    boxes: list[list[float]]
    out: str
    error: str | None = None


class Evidencer:
    """Plans every finding's evidence, then renders the PDF crops in one batch."""

    def __init__(self, files: dict[str, DocFile], raw_store: Path, site: Path) -> None:
        self.files = files
        self.store = RawStore(raw_store)
        self.site = site
        self.crops: dict[str, Crop] = {}  # site-relative PNG path → job
        self._parsed: dict[str, Any] = {}

    def path(self, sha: str) -> Path | None:
        """Where the document's bytes are: its recorded store path, or the raw store's place for its hash."""
        doc = self.files.get(sha)
        candidates = [Path(doc.store_path)] if doc and doc.store_path else []
        candidates.append(self.store.path(sha))
        return next((p for p in candidates if p.is_file()), None)

    def plan(self, finding: dict[str, Any]) -> list[Evidence]:
        """The evidence of one finding, a crop job queued for each PDF page it names."""
        own = finding.get("document") or ""
        groups: dict[tuple[str, Any], list[dict[str, Any]]] = defaultdict(list)
        quotes: list[Evidence] = []
        for loc in finding.get("locations") or []:
            sha = loc.get("document") or own
            if loc.get("page") is not None:
                groups[(sha, ("page", loc["page"]))].append(loc)
            elif loc.get("table_index") is not None and loc.get("cell"):
                groups[(sha, ("table", loc["table_index"]))].append(loc)
            elif loc.get("line") is not None:
                groups[(sha, ("lines", 0))].append(loc)
            elif loc.get("raw"):
                quotes.append(Evidence("quote", _caption(loc, own), text=str(loc["raw"])))
        out: list[Evidence] = []
        for (sha, (kind, where)), locs in groups.items():
            caption = _caption(locs[0], own, where if kind == "page" else None)
            path = self.path(sha)
            if path is None:
                out.append(Evidence("missing", caption, text=f"document {sha[:12]} is not in the raw store"))
            elif kind == "page":
                out.append(self._crop(sha, path, int(where), locs, caption))
            elif kind == "table":
                out.append(self._table(sha, path, int(where), locs, caption))
            else:
                out.append(self._lines(sha, path, locs, caption))
        return out + quotes

    def _crop(self, sha: str, path: Path, page: int, locs: list[dict[str, Any]], caption: str) -> Evidence:
        boxes = [list(map(float, loc["bbox"])) for loc in locs if loc.get("bbox")]
        digest = hashlib.sha256(json.dumps([sha, page, boxes]).encode()).hexdigest()[:12]
        src = f"evidence/{sha[:12]}-p{page}-{digest}.png"
        self.crops.setdefault(src, Crop(str(path), page, boxes, str(self.site / src)))
        return Evidence("crop", caption, src=src)

    def _parse(self, sha: str, path: Path) -> Any:
        """The document's tables as its reader grids them (cached per document)."""
        if sha not in self._parsed:
            fmt = (self.files.get(sha) or DocFile(sha, None, None)).format
            reader: Callable[[bytes], Any]
            if fmt == "docx":
                from nianbao.pipeline.extract.docx import parse_docx as reader
            else:
                from nianbao.pipeline.extract.html import parse_html as reader
            try:
                self._parsed[sha] = reader(path.read_bytes())
            except Exception as e:  # a document a newer reader no longer takes: say so, go on
                self._parsed[sha] = e
        return self._parsed[sha]

    def _table(self, sha: str, path: Path, index: int, locs: list[dict[str, Any]], caption: str) -> Evidence:
        doc = self._parse(sha, path)
        if isinstance(doc, Exception):
            return Evidence("missing", caption, text=f"the document cannot be parsed: {doc}")
        hits = {tuple(loc["cell"]) for loc in locs}
        for table in doc.tables:
            cells = [c for row in table.rows for c in row if c is not None]
            if cells and cells[0].loc.table_index == index:
                fmt = (self.files.get(sha) or DocFile(sha, None, None)).format
                spans = source_spans(fmt, path.read_bytes(), index)
                return Evidence("table", caption, grid=redraw(table.rows, hits, f"table {index + 1}", spans))
        return Evidence("missing", caption, text=f"the document has no table {index}")

    def _lines(self, sha: str, path: Path, locs: list[dict[str, Any]], caption: str) -> Evidence:
        from nianbao.pipeline.extract.text import decode

        text = decode(path.read_bytes()).splitlines()
        cited = {int(loc["line"]) for loc in locs}
        shown = sorted({n for c in cited for n in range(max(1, c - 2), min(len(text), c + 2) + 1)})
        return Evidence("lines", caption, lines=[(n, text[n - 1], n in cited) for n in shown])

    def render(self) -> list[Crop]:
        """Render every queued crop in one child process; the jobs, each with its error if it failed."""
        jobs = list(self.crops.values())
        if not jobs:
            return []
        (self.site / "evidence").mkdir(parents=True, exist_ok=True)
        payload = [{"pdf": j.pdf, "page": j.page, "boxes": j.boxes, "out": j.out} for j in jobs]
        try:
            results = run_module("nianbao.site.crops", payload)
        except RuntimeError as e:
            for j in jobs:
                j.error = str(e)
            return jobs
        for j, result in zip(jobs, results, strict=True):
            j.error = result.get("error")
        return jobs


def _caption(loc: dict[str, Any], own: str, page: Any = None) -> str:
    """Which document and where: this report, or another (last year's) by its reference and hash."""
    ref = str(loc.get("ref") or "")
    other = loc.get("document") and loc.get("document") != own
    whose = f"{ref.split(':')[0]} report, document {str(loc['document'])[:12]}" if other else "this report"
    return f"{whose}, page {page}" if page is not None else whose
