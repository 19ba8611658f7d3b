"""Build the PDF fixtures of tests/test_extract_pdf.py and their golden JSON (a dev tool; tests use the files).

Each fixture's numbers come from a seeded, arithmetically consistent report; the golden is written from
those same numbers (never from an extractor). Producers: reportlab (canvas, STSong-Light CID font),
LibreOffice (a python-docx DOCX with merged cells, Noto Sans CJK), headless Chromium (HTML, Noto Sans
CJK: radical code points), qpdf (encryption). Run: .venv/bin/python tests/files/pdf/make_fixtures.py
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
GOLDEN = ROOT / "tests" / "golden"
sys.path.insert(0, str(ROOT))

from nianbao.pipeline import tables as T  # noqa: E402

PARTS = T.APPLICANT_PARTS
CJK_FONT = "Noto Sans CJK SC"


# ----------------------------------------------------------------------------- the numbers
def make_report(template: str, seed: int, agency: str, year: int, fees: float | None) -> dict[str, Any]:
    """A canonical report whose own arithmetic holds."""
    rnd = random.Random(seed)
    pro: dict[str, dict[str, Any]] = {}
    for item, measures in T.PROACTIVE_LAYOUT[template].items():
        pro[item] = {}
        for m in measures:
            if m == "change":
                pro[item][m] = rnd.choice([-28, -3, 0, 5, 231])
            elif m == "amount_yuan":  # exact in 万元 to two decimals (v2021 prints 万元)
                pro[item][m] = rnd.choice(
                    [1270084.4, 251000] if template == "v2019" else [123500, 251000, 961716000]
                )
            else:
                pro[item][m] = rnd.choice([0, 0, 3, 11, 27, 412, 5200])
    rows = T.application_row_codes(template)
    outcomes = [r for r in rows if r in T.OUTCOME_ROWS[template]]
    apps: dict[str, dict[str, int]] = {}
    for r in outcomes:
        apps[r] = {
            a: rnd.choice([0, 0, 0, 1, 2, 7, 15])
            if a in ("natural_person", "commercial")
            else rnd.choice([0, 0, 0, 0, 1])
            for a in PARTS
        }
    handled = {a: sum(apps[r][a] for r in outcomes) for a in PARTS}
    carried_in = {a: rnd.choice([0, 0, 1, 3]) for a in PARTS}
    carried_out = {a: rnd.choice([0, 0, 2]) for a in PARTS}
    received = {a: max(0, handled[a] + carried_out[a] - carried_in[a]) for a in PARTS}
    carried_in = {a: handled[a] + carried_out[a] - received[a] for a in PARTS}
    full = {
        "received_new": received,
        "carried_in": carried_in,
        **apps,
        "handled_total": handled,
        "carried_out": carried_out,
    }
    applications = {r: {**full[r], "total": sum(full[r].values())} for r in rows}
    rl = {}
    for p in T.PROCEEDING_CODES:
        parts = {o: rnd.choice([0, 0, 1, 2, 5]) for o in T.OUTCOME_PARTS}
        rl[p] = {**parts, "total": sum(parts.values())}
    return {
        "schema": "nianbao.report/1",
        "agency": agency,
        "year": year,
        "template": template,
        "proactive": pro,
        "applications": applications,
        "review_litigation": rl,
        "processing_fees_yuan": fees if template == "v2021" else None,
    }


# ----------------------------------------------------------------------------- printed tables as grids
@dataclass
class Grid:
    """A printed table: cells (row, col, rowspan, colspan, text), column weights, header row count."""

    ncols: int
    weights: list[float]
    cells: list[tuple[int, int, int, int, str]] = field(default_factory=list)
    header_rows: int = 0

    @property
    def nrows(self) -> int:
        """Number of grid rows."""
        return max(r + rs for r, _, rs, _, _ in self.cells)


def fmt_count(v: int, style: str) -> str:
    """A count as printed; `blank` style prints some zeros as nothing or a dash."""
    if v == 0 and style == "blank":
        return random.Random(v).choice(["", "—", ""])
    return str(v)


def grid_t2(rep: dict[str, Any], wan: bool) -> Grid:
    """Table 2 (v2019: four sub-tables; v2021: four) as a 4-column grid."""
    tpl = rep["template"]
    g = Grid(4, [2.2, 1.3, 1.3, 1.3])
    subs = [
        ("一", ["rules", "normative_documents"]),
        ("五", ["licensing", "other_services"] if tpl == "v2019" else ["licensing"]),
        ("六", ["penalty", "coercion"]),
        ("八", ["fees"]),
    ]
    if tpl == "v2019":
        subs.append(("九", ["procurement"]))
    r = 0
    for num, items in subs:
        g.cells.append((r, 0, 1, 4, f"第二十条第（{num}）项"))
        measures = T.PROACTIVE_LAYOUT[tpl][items[0]]
        spans = [1] * (len(measures) - 1) + [4 - len(measures)]
        g.cells.append((r + 1, 0, 1, 1, "信息内容"))
        col = 1
        for m, span in zip(measures, spans, strict=True):
            label = T.label_of("proactive", m, tpl)
            if m == "amount_yuan" and tpl == "v2021":
                label = "本年收费金额（单位：万元）"
            elif m == "amount_yuan":
                label = "采购总金额（元）"
            g.cells.append((r + 1, col, 1, span, label))
            col += span
        r += 2
        for item in items:
            g.cells.append((r, 0, 1, 1, T.label_of("proactive", item, tpl)))
            col = 1
            for m, span in zip(measures, spans, strict=True):
                v = rep["proactive"][item][m]
                if m == "change":
                    text = f"减少 {-v}" if v < 0 else (f"+{v}" if v > 0 else "0")
                elif m == "amount_yuan":
                    text = f"{v / 10000:.2f}".rstrip("0").rstrip(".") if wan else f"{v:,.2f}"
                else:
                    text = str(v)
                g.cells.append((r, col, 1, span, text))
                col += span
            r += 1
    return g


def grid_t3(rep: dict[str, Any], total_first: bool, style: str) -> Grid:
    """Table 3 with its three label columns and the seven applicant columns."""
    tpl = rep["template"]
    g = Grid(10, [1.0, 1.6, 3.2] + [1.0] * 7, header_rows=3)
    order = ["total", *PARTS] if total_first else [*PARTS, "total"]
    g.cells += [
        (0, 0, 3, 3, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"),
        (0, 3, 1, 7, "申请人情况"),
    ]
    legal = order.index("commercial") + 3
    g.cells.append((1, legal, 1, 5, "法人或其他组织"))
    for i, a in enumerate(order):
        if a in ("natural_person", "total"):
            g.cells.append((1, 3 + i, 2, 1, T.label_of("applications", a)))
        else:
            g.cells.append((2, 3 + i, 1, 1, T.label_of("applications", a)))
    rows = T.application_row_codes(tpl)
    r = 3
    groups = {
        "denied": "（三）不予公开",
        "unavailable": "（四）无法提供",
        "rejected": "（五）不予处理",
        "other": "（六）其他处理",
    }
    outcome_rows = [x for x in rows if x in T.OUTCOME_ROWS[tpl] or x == "handled_total"]
    for code in rows:
        label = T.label_of("applications", code, tpl)
        if code in ("received_new", "carried_in", "carried_out"):
            g.cells.append((r, 0, 1, 3, label))
        else:
            if code == outcome_rows[0]:
                g.cells.append((r, 0, len(outcome_rows), 1, "三、本年度办理结果"))
            group = code.split("_")[0]
            if group in groups and code != "other_handling":
                members = [x for x in rows if x.startswith(group + "_")]
                if code == members[0]:
                    g.cells.append((r, 1, len(members), 1, groups[group]))
                g.cells.append((r, 2, 1, 1, label))
            else:
                g.cells.append((r, 1, 1, 2, label))
        for i, a in enumerate(order):
            g.cells.append((r, 3 + i, 1, 1, fmt_count(rep["applications"][code][a], style)))
        r += 1
    return g


def grid_t4(rep: dict[str, Any]) -> Grid:
    """Table 4: three header rows and the fifteen counts."""
    g = Grid(15, [1.0] * 15, header_rows=3)
    g.cells += [
        (0, 0, 1, 5, "行政复议"),
        (0, 5, 1, 10, "行政诉讼"),
        (1, 5, 1, 5, "未经复议直接起诉"),
        (1, 10, 1, 5, "复议后起诉"),
    ]
    labels = [T.label_of("review_litigation", o) for o in T.OUTCOME_CODES]
    for i, lab in enumerate(labels):
        g.cells.append((1, i, 2, 1, lab))
        g.cells.append((2, 5 + i, 1, 1, lab))
        g.cells.append((2, 10 + i, 1, 1, lab))
    vals = [rep["review_litigation"][p][o] for p in T.PROCEEDING_CODES for o in T.OUTCOME_CODES]
    g.cells += [(3, i, 1, 1, str(v)) for i, v in enumerate(vals)]
    return g


def narrative(rep: dict[str, Any], fees_sentence: str) -> dict[str, str]:
    """Body text of sections 一, 五 and 六."""
    received = rep["applications"]["received_new"]["total"]
    return {
        "一": f"{rep['year']}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，全年共收到政府信息公开申请{received}件，"
        "均在法定期限内答复。进一步规范依申请公开办理流程，加强政府信息管理和平台建设，不断提升政务公开质量。",
        "五": "存在的主要问题是政策解读形式还不够丰富。下一步，将进一步加强业务培训，提升政务公开工作水平。",
        "六": fees_sentence,
    }


HEADINGS = {
    "二": "二、主动公开政府信息情况",
    "三": "三、收到和处理政府信息公开申请情况",
    "四": "四、政府信息公开行政复议、行政诉讼情况",
}


# ----------------------------------------------------------------------------- producer 1: reportlab canvas
class RLDoc:
    """A minimal flowing layout on a reportlab canvas: paragraphs, headings, ruled grids across pages."""

    W, H, M = 595.27, 841.89, 60.0

    def __init__(self, path: Path) -> None:
        """Open a canvas with the STSong-Light CID font."""
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas

        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        self.metrics = pdfmetrics
        self.c = canvas.Canvas(str(path), pagesize=(self.W, self.H))
        self.font = "STSong-Light"
        self.y = self.H - self.M
        self.page = 1

    def width(self, text: str, fs: float) -> float:
        """Advance width of text."""
        return self.metrics.stringWidth(text, self.font, fs)

    def wrap(self, text: str, width: float, fs: float) -> list[str]:
        """Greedy character wrap."""
        lines, cur = [], ""
        for ch in text:
            if self.width(cur + ch, fs) > width and cur:
                lines.append(cur)
                cur = ""
            cur += ch
        return [*lines, cur] if cur else lines or [""]

    def new_page(self) -> None:
        """Footer, then a fresh page."""
        self.c.setFont(self.font, 9)
        self.c.drawCentredString(self.W / 2, 30, f"- {self.page} -")
        self.c.showPage()
        self.page += 1
        self.y = self.H - self.M

    def landscape(self, on: bool) -> None:
        """Start a page shown landscape through /Rotate 90 (content drawn turned, as some producers do)."""
        self.new_page()
        if on:
            self.c.setPageSize((841.89, 595.27))  # reportlab swaps it under /Rotate 90: a portrait MediaBox
            self.c.setPageRotation(90)
            self.c.translate(595.27, 0)
            self.c.rotate(90)
            self.W, self.H = 841.89, 595.27
        else:
            self.c.setPageSize((RLDoc.W, RLDoc.H))
            self.c.setPageRotation(0)
            self.W, self.H = RLDoc.W, RLDoc.H
        self.y = self.H - self.M

    def need(self, h: float) -> None:
        """Start a new page unless h points fit."""
        if self.y - h < self.M:
            self.new_page()

    def text(self, x: float, y: float, s: str, fs: float, bold: bool = False) -> None:
        """Draw a string; fake bold draws it twice, a hair apart."""
        self.c.setFont(self.font, fs)
        self.c.drawString(x, y, s)
        if bold:
            self.c.drawString(x + 0.3, y, s)

    def title(self, lines: list[str], bold: bool = False) -> None:
        """Centred title lines."""
        for s in lines:
            self.need(30)
            self.text((self.W - self.width(s, 18)) / 2, self.y - 18, s, 18, bold)
            self.y -= 30
        self.y -= 10

    def heading(self, s: str) -> None:
        """A section heading."""
        self.need(60)
        self.text(self.M + 24, self.y - 14, s, 14)
        self.y -= 26

    def para(self, s: str, frame: bool = False) -> None:
        """A body paragraph, first line indented; optionally inside a bordered frame."""
        fs, lead = 12, 20
        lines = self.wrap("\u3000\u3000" + s, self.W - 2 * self.M - 8, fs)
        if frame:
            self.need(len(lines) * lead + 8)
            self.c.rect(
                self.M - 2, self.y - len(lines) * lead - 6, self.W - 2 * self.M + 4, len(lines) * lead + 6
            )
        for s2 in lines:
            self.need(lead)
            self.text(self.M + 2, self.y - fs - 2, s2, fs)
            self.y -= lead
        self.y -= 6

    def table(
        self,
        g: Grid,
        repeat_header: bool = False,
        open_sides: bool = False,
        break_before: int | None = None,
        cut_labels: bool = False,
        fs: float = 8.5,
        bold_header: bool = False,
    ) -> None:
        """Draw a grid, splitting it over pages at row boundaries."""
        width = self.W - 2 * self.M
        xs = [self.M]
        for w in g.weights:
            xs.append(xs[-1] + width * w / sum(g.weights))
        heights = [16.0] * g.nrows
        for r, col, rs, cs, s in g.cells:
            if rs == 1:
                n = len(self.wrap(s, xs[col + cs] - xs[col] - 4, fs))
                heights[r] = max(heights[r], n * fs * 1.3 + 6)
        segments: list[list[int]] = []
        cur: list[int] = []
        room = self.y - self.M
        for r in range(g.nrows):
            if cur and (heights[r] > room or r == break_before):
                segments.append(cur)
                cur = list(range(g.header_rows)) if repeat_header and g.header_rows else []
                room = self.H - 2 * self.M - sum(heights[x] for x in cur)
            cur.append(r)
            room -= heights[r]
        segments.append(cur)
        for n, seg in enumerate(segments):
            if n:
                self.new_page()
            ys = {}
            y = self.y
            for r in seg:
                ys[r] = (y, y - heights[r])
                y -= heights[r]
            for r, col, rs, cs, s in g.cells:
                rows = [x for x in range(r, r + rs) if x in ys]
                if not rows:
                    continue
                top, bottom = ys[rows[0]][0], ys[rows[-1]][1]
                x0, x1 = xs[col], xs[col + cs]
                self.c.line(x0, top, x1, top)
                self.c.line(x0, bottom, x1, bottom)
                if not (open_sides and col == 0):
                    self.c.line(x0, top, x0, bottom)
                if not (open_sides and col + cs == g.ncols):
                    self.c.line(x1, top, x1, bottom)
                first_here = r in ys
                spills = rows[-1] < r + rs - 1
                text = s
                if cut_labels and rs > 1 and (spills or not first_here):
                    half = len(s) // 2
                    text = s[:half] if first_here else s[half:]
                elif not first_here:
                    continue
                lines = self.wrap(text, x1 - x0 - 4, fs)
                ty = (top + bottom) / 2 + len(lines) * fs * 1.3 / 2 - fs
                numeric = all(ch in "0123456789,.+-— 减少" for ch in text)
                for ln in lines:
                    tx = (x0 + x1 - self.width(ln, fs)) / 2 if numeric else x0 + 2
                    self.text(tx, ty, ln, fs, bold=bold_header and r < g.header_rows)
                    ty -= fs * 1.3
            self.y = y - 12

    def save(self) -> None:
        """Finish the last page and write the file."""
        self.new_page()
        self.c.save()


def render_reportlab(
    path: Path,
    rep: dict[str, Any],
    title: list[str],
    fees_sentence: str,
    *,
    frame: bool,
    bold_title: bool,
    style: str,
    total_first: bool,
    repeat_header: bool,
    open_sides: bool,
    cut_labels: bool,
    break_in: str,
    wan: bool,
    landscape_t4: bool = False,
) -> None:
    """A whole report drawn on a reportlab canvas."""
    doc = RLDoc(path)
    text = narrative(rep, fees_sentence)
    doc.title(title, bold=bold_title)
    doc.para(
        "本报告根据《中华人民共和国政府信息公开条例》要求编制，报告中所列数据统计期限自1月1日起至12月31日止。"
    )
    doc.heading("一、总体情况")
    doc.para(text["一"], frame=frame)
    doc.para(text["一"][:60], frame=False)
    doc.heading(HEADINGS["二"])
    doc.table(grid_t2(rep, wan))
    doc.heading(HEADINGS["三"])
    g3 = grid_t3(rep, total_first, style)
    rows = T.application_row_codes(rep["template"])
    doc.table(
        g3,
        repeat_header=repeat_header,
        open_sides=open_sides,
        cut_labels=cut_labels,
        break_before=3 + rows.index(break_in),
        bold_header=bold_title,
    )
    if landscape_t4:
        doc.landscape(True)
    doc.heading(HEADINGS["四"])
    doc.table(grid_t4(rep), open_sides=open_sides, bold_header=bold_title)
    if landscape_t4:
        doc.landscape(False)
    doc.heading("五、存在的主要问题及改进情况")
    doc.para(text["五"])
    doc.heading("六、其他需要报告的事项")
    doc.para(text["六"])
    doc.save()


# ----------------------------------------------------------------------------- producer 2: HTML (Chromium)
def html_table(g: Grid) -> str:
    """A grid as an HTML table with rowspan/colspan."""
    by_row: dict[int, list[tuple[int, int, int, int, str]]] = {}
    for cell in sorted(g.cells, key=lambda c: (c[0], c[1])):
        by_row.setdefault(cell[0], []).append(cell)
    out = ["<table>"]
    for r in range(g.nrows):
        tds = "".join(f'<td rowspan="{rs}" colspan="{cs}">{s}</td>' for _, _, rs, cs, s in by_row.get(r, []))
        out.append(f"<tr>{tds}</tr>")
    return "\n".join([*out, "</table>"])


def render_html(rep: dict[str, Any], title: str, fees_sentence: str) -> str:
    """A report as an HTML page for Chromium to print."""
    text = narrative(rep, fees_sentence)
    style = (
        f"body{{font-family:'{CJK_FONT}';font-size:12pt;margin:0 10mm}} h1{{text-align:center;font-size:18pt;font-weight:normal}} h3{{font-weight:normal}}"
        "table{border-collapse:collapse;width:100%;font-size:8.5pt;margin-bottom:8pt} td{border:1px solid #000;padding:2px}"
        "p{text-indent:2em;line-height:1.6}"
    )
    body = [
        f"<h1>{title}</h1>",
        "<h3>一、总体情况</h3>",
        f"<p>{text['一']}</p>",
        f"<h3>{HEADINGS['二']}</h3>",
        html_table(grid_t2(rep, True)),
        f"<h3>{HEADINGS['三']}</h3>",
        html_table(grid_t3(rep, False, "plain")),
        f"<h3>{HEADINGS['四']}</h3>",
        html_table(grid_t4(rep)),
        "<h3>五、存在的主要问题及改进情况</h3>",
        f"<p>{text['五']}</p>",
        "<h3>六、其他需要报告的事项</h3>",
        f"<p>{text['六']}</p>",
    ]
    return f"<!doctype html><html><head><meta charset='utf-8'><style>{style}</style></head><body>{''.join(body)}</body></html>"


def chromium_pdf(html: str, out: Path) -> None:
    """Print HTML to PDF with headless Chromium."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "r.html"
        src.write_text(html, encoding="utf-8")
        raw = Path(tmp) / "raw.pdf"
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--user-data-dir={tmp}/profile",
                f"--print-to-pdf={raw}",
                src.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        # Chromium compresses lightly; recompress to keep the fixture small (fonts and text untouched)
        subprocess.run(
            [
                "qpdf",
                "--object-streams=generate",
                "--recompress-flate",
                "--compression-level=9",
                str(raw),
                str(out),
            ],
            check=True,
        )


# ----------------------------------------------------------------------------- producer 3: DOCX → LibreOffice
def render_docx(path: Path, rep: dict[str, Any], title: str, fees_sentence: str) -> None:
    """A report as a DOCX with merged table cells, fonts set to Noto Sans CJK."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = docx.Document()
    st = d.styles["Normal"]
    st.font.name = CJK_FONT
    st.font.size = Pt(10.5)
    st.element.rPr.rFonts.set(qn("w:eastAsia"), CJK_FONT)
    text = narrative(rep, fees_sentence)
    d.add_paragraph(title).alignment = 1
    d.add_paragraph("一、总体情况")
    d.add_paragraph(text["一"])

    def table(g: Grid, fs: float) -> None:
        """A grid as a Word table, merged cells merged."""
        t = d.add_table(rows=g.nrows, cols=g.ncols)
        t.style = "Table Grid"
        for r, col, rs, cs, s in g.cells:
            cell = t.cell(r, col)
            if rs > 1 or cs > 1:
                cell = cell.merge(t.cell(r + rs - 1, col + cs - 1))
            cell.text = s
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(fs)

    d.add_paragraph(HEADINGS["二"])
    table(grid_t2(rep, True), 9)
    d.add_paragraph(HEADINGS["三"])
    table(grid_t3(rep, False, "plain"), 7.5)
    d.add_paragraph(HEADINGS["四"])
    table(grid_t4(rep), 7)
    d.add_paragraph("五、存在的主要问题及改进情况")
    d.add_paragraph(text["五"])
    d.add_paragraph("六、其他需要报告的事项")
    d.add_paragraph(text["六"])
    d.save(str(path))


def soffice_pdf(docx_path: Path, outdir: Path) -> Path:
    """Convert a DOCX to PDF with headless LibreOffice."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp}/lo",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                str(docx_path),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    return outdir / (docx_path.stem + ".pdf")


# ----------------------------------------------------------------------------- refusals and main
def write_golden(name: str, rep: dict[str, Any]) -> None:
    """The golden JSON beside a fixture."""
    (GOLDEN / f"pdf_{name}.json").write_text(
        json.dumps(rep, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def scanned_pdf(src: Path, out: Path) -> None:
    """An image-only PDF: page 1 of src rasterised (no text layer at all)."""
    from reportlab.pdfgen import canvas

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["pdftoppm", "-r", "50", "-gray", "-jpeg", "-f", "1", "-l", "1", str(src), f"{tmp}/p"], check=True
        )
        img = next(Path(tmp).glob("p*.jpg"))
        c = canvas.Canvas(str(out), pagesize=(595.27, 841.89))
        c.drawImage(str(img), 0, 0, 595.27, 841.89)
        c.showPage()
        c.save()


def main() -> None:
    """Build every fixture and its golden."""
    made: list[Path] = []
    # 1. reportlab, v2019: fake-bold title, framed body text, table 3 split with its header repeated,
    #    blank/— zeros, merged label cells, wrapped labels
    a = make_report("v2019", 1, "杭州市测试区民政局", 2020, None)
    render_reportlab(
        HERE / "rl_v2019_split_repeat.pdf",
        a,
        ["杭州市测试区民政局2020年政府信息公开工作年度报告"],
        "本年度无其他需要报告的事项。",
        frame=True,
        bold_title=True,
        style="blank",
        total_first=False,
        repeat_header=True,
        open_sides=False,
        cut_labels=False,
        break_in="rejected_petition",
        wan=False,
    )
    write_golden("rl_v2019_split_repeat", a)
    # 2. reportlab, v2021: two-line title, 总计 column first, table 3 split without header and a group label
    #    cut in two by the break, open-sided (partly ruled) tables 3 and 4, 万元 amounts, table 4 on a
    #    landscape page made with /Rotate 90
    b = make_report("v2021", 2, "宁波市海曙区人民政府", 2022, 400)
    render_reportlab(
        HERE / "rl_v2021_total_first.pdf",
        b,
        ["宁波市海曙区人民政府", "2022年政府信息公开工作年度报告"],
        "本年度共收取信息处理费400元。",
        frame=False,
        bold_title=False,
        style="plain",
        total_first=True,
        repeat_header=False,
        open_sides=True,
        cut_labels=True,
        break_in="unavailable_needs_creation",
        wan=True,
        landscape_t4=True,
    )
    write_golden("rl_v2021_total_first", b)
    made += [HERE / "rl_v2019_split_repeat.pdf", HERE / "rl_v2021_total_first.pdf"]
    # 3. LibreOffice from a DOCX with merged cells
    if shutil.which("soffice"):
        c = make_report("v2021", 3, "温州市交通运输局", 2023, 1250.5)
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "lo_v2021_docx.docx"
            render_docx(
                src, c, "温州市交通运输局2023年政府信息公开工作年度报告", "本年度共收取信息处理费1,250.5元。"
            )
            shutil.move(str(soffice_pdf(src, Path(tmp))), HERE / "lo_v2021_docx.pdf")
        write_golden("lo_v2021_docx", c)
        made.append(HERE / "lo_v2021_docx.pdf")
    # 4. Chromium print of HTML with Noto Sans CJK (Type 3 glyphs that extract as radicals)
    if shutil.which("chromium"):
        d = make_report("v2021", 4, "宁波市海曙区卫生健康局", 2023, 0)
        chromium_pdf(
            render_html(
                d, "宁波市海曙区卫生健康局2023年政府信息公开工作年度报告", "本年度未收取信息处理费。"
            ),
            HERE / "chromium_v2021_radicals.pdf",
        )
        write_golden("chromium_v2021_radicals", d)
        made.append(HERE / "chromium_v2021_radicals.pdf")
    # refusals
    src = HERE / "rl_v2021_total_first.pdf"
    subprocess.run(
        [
            "qpdf",
            "--encrypt",
            "user-pw",
            "owner-pw",
            "256",
            "--",
            str(src),
            str(HERE / "refuse_encrypted.pdf"),
        ],
        check=True,
    )
    data = src.read_bytes()
    (HERE / "refuse_truncated.pdf").write_bytes(data[: len(data) * 2 // 3])
    scanned_pdf(src, HERE / "refuse_no_text_layer.pdf")
    for f in [*made, *HERE.glob("refuse_*.pdf")]:
        print(f"{f.name}: {f.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
