"""HTML article pages (often exported from Word) → body text and table grids with merged cells expanded.

Many sites paste a report's tables into the article as pictures (screenshots of the Word tables, or each
page of the PDF as an image) and keep only the narrative as text. When the markup's own tables do not
hold the report's tables, the page's pictures are read by OCR, as a scan's pages are
(`pipeline/extract/scan.py`), and their tables join the markup's: pictures the page carries itself
(`data:` URIs), or those a web archive holds beside it (`mhtml.py` resolves `src` to its parts); a
picture the page links to without showing it (附件1：表二.png) is read where its link stands.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Callable, Iterator

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract.cells import Cell, ParsedDocument, RawTable, Row, split_row
from nianbao.pipeline.extract.glyphs import clean_text
from nianbao.pipeline.extract.limits import check_html, check_table_cells
from nianbao.pipeline.extract.pictures import PicturePage, Shown, pictured_tables, wanted
from nianbao.pipeline.extract.pictures import picture_pages as shown_pages
from nianbao.pipeline.extract.sections import all_sections, classify_table
from nianbao.pipeline.model import Location

# ----------------------------------------------------------------------------- decoding
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_CHINESE_ALIASES = {
    "gb2312",
    "gbk",
    "x-gbk",
    "gb_2312-80",
    "cp936",
    "ms936",
    "windows-936",
    "euc-cn",
    "gb18030",
}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def declared_charset(data: bytes) -> str | None:
    """The encoding a page declares (BOM, XML declaration, `<meta charset>` or http-equiv), normalised."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    head = data[:8192]
    m = _XML_DECL.match(head) or _META_CHARSET.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").lower()
    if name in _CHINESE_ALIASES:
        return "gb18030"  # a superset of GB2312 and GBK: pages labelled gb2312 often use GBK characters
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(data: bytes) -> str:
    """Page bytes to str: strict UTF-8, else the declared charset, else charset-normalizer's guess."""
    # UTF-8 first: real GBK text never passes it, and pages labelled gb2312 are often UTF-8
    declared = declared_charset(data)
    order = (declared,) if declared in ("utf-16", "utf-8-sig") else ("utf-8", declared)
    for enc in order:
        if enc is None:
            continue
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("gb18030", errors="replace")


# ----------------------------------------------------------------------------- text walking
_SKIP = {
    "head",
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "aside",
    "select",
    "option",
    "textarea",
    "button",
    "input",
    "iframe",
    "object",
    "svg",
    "map",
    "title",
    "meta",
    "link",
}
_BLOCK = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "blockquote",
    "pre",
    "center",
    "hr",
    "address",
    "figure",
    "figcaption",
    "caption",
    "form",
    "tbody",
    "thead",
    "tfoot",
    "body",
    "html",
}
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WS = re.compile(r"[ \t\r\n\f\u00a0\u3000]+")
# a source line break between two CJK characters is not a space in the text (HTML wraps long lines)
_CJK_GAP = re.compile(
    r"(?<=[\u3001-\u303f\u4e00-\u9fff\uff01-\uff60]) (?=[\u3001-\u303f\u4e00-\u9fff\uff01-\uff60])"
)


def _tag(el: HtmlElement) -> str:
    """Lower-case local tag name ('' for comments and processing instructions)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit(":", 1)[-1].lower() if ":" in tag else tag.lower()


def _skipped(el: HtmlElement) -> bool:
    """True for an element whose text is not the page's: scripts, navigation, hidden blocks."""
    return _tag(el) in _SKIP or bool(_HIDDEN.search(el.get("style") or ""))


# a site's furniture by its containers' names (class or id): menus, headers and footers, logos, pagers
_CHROME_NAMES = ("nav", "footer", "header", "breadcrumb", "crumb", "pager", "menu", "sidebar", "logo")


def in_chrome(el: HtmlElement) -> bool:
    """Whether an element is the site's furniture, not the page's own: in an element whose text is not
    the page's (`_skipped`), or within a header, footer or a container named as furniture. Discovery
    follows no link and fetches no picture there, and the reader reads none of the pictures there."""
    if _skipped(el):
        return True
    for e in el.iterancestors():
        names = f"{e.get('class', '')} {e.get('id', '')}".lower()
        if _skipped(e) or _tag(e) in ("header", "footer") or any(n in names for n in _CHROME_NAMES):
            return True
    return False


def _tokens(el: HtmlElement, stop: set[HtmlElement], links: bool) -> Iterator[str | None]:
    """Text pieces of an element in document order; None marks a line break. `stop` elements yield a break."""
    tag = _tag(el)
    if el in stop:
        yield None
        return
    block = tag in _BLOCK
    if block:
        yield None
    if tag == "br":
        yield None
    skip_own = not links and tag == "a" and el.get("href") is not None
    if tag and not _skipped(el) and not skip_own:
        if el.text:
            yield el.text
        for child in el:
            if isinstance(child.tag, str):
                yield from _tokens(child, stop, links)
            if child.tail:
                yield child.tail
            if _tag(child) in {"td", "th"}:
                yield " "
    if block:
        yield None


def _lines(tokens: Iterator[str | None]) -> list[str]:
    """Tokens joined into lines, whitespace collapsed, empty lines dropped."""
    lines: list[str] = []
    buf: list[str] = []
    for tok in [*tokens, None]:
        if tok is None:
            line = _CJK_GAP.sub("", _WS.sub(" ", "".join(buf)).strip())
            if line:
                lines.append(line)
            buf = []
        else:
            buf.append(tok)
    return lines


def cell_text(td: HtmlElement) -> str:
    """A cell's text: paragraphs and <br> as line breaks, `&nbsp;` fillers and Word's markup dropped."""
    return "\n".join(_lines(_tokens(td, set(), links=True)))


# ----------------------------------------------------------------------------- grids
def _span(el: HtmlElement, attr: str, limit: int) -> int:
    """A cell's rowspan or colspan, digits only, between 1 and `limit`."""
    try:
        n = int(re.sub(r"[^0-9]", "", el.get(attr) or "1") or "1")
    except ValueError:
        n = 1
    return max(1, min(n, limit))


def table_rows(table: HtmlElement) -> list[HtmlElement]:
    """The table's own rows (directly or under thead/tbody/tfoot), not a nested table's."""
    return list(table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"))


def _check_grid(trs: list[HtmlElement]) -> None:
    """Refuse (too_large) a table whose spans would spread into more cells than a reader may hold: the cells
    the spans cover, and the rectangle the widest row makes of all rows."""
    covered = widest = 0
    for r, tr in enumerate(trs):
        width = 0
        for td in tr.xpath("./td | ./th"):
            colspan = _span(td, "colspan", 1000)
            covered += _span(td, "rowspan", len(trs) - r) * colspan
            width += colspan
        widest = max(widest, width)
    check_table_cells(max(covered, widest * len(trs)))


def table_grid(table: HtmlElement, table_index: int) -> list[Row]:
    """The table as a rectangular grid: each cell at its top-left position, None where a span covers."""
    trs = table_rows(table)
    _check_grid(trs)
    grid: list[dict[int, Cell | None]] = [{} for _ in trs]
    for r, tr in enumerate(trs):
        col = 0
        for td in tr.xpath("./td | ./th"):
            while col in grid[r]:
                col += 1
            rowspan = _span(td, "rowspan", len(trs) - r)
            colspan = _span(td, "colspan", 1000)
            text = cell_text(td)
            cell = Cell(text, Location(raw=text, table_index=table_index, cell=(r, col)))
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[r + dr][col + dc] = cell if dr == dc == 0 else None
            col += colspan
    width = max((max(row) + 1 for row in grid if row), default=0)
    return [[row.get(c) for c in range(width)] for row in grid]


# ----------------------------------------------------------------------------- document
def _document(text: str) -> HtmlElement:
    """The parsed page, or not_a_report when lxml cannot read it."""
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        return lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as e:
        raise ExtractError("not_a_report", f"not a readable HTML page: {e}") from e


Pictures = Callable[[str], bytes | None]  # an <img>'s src → the picture's bytes (None: not at hand)


def markup_tables(root: HtmlElement) -> tuple[list[RawTable], set[HtmlElement]]:
    """The page's data tables as grids, in page order (layout tables around others and tables inside
    navigation chrome left out), and which of its <table> elements are the report's."""
    tables: list[RawTable] = []
    report_tables: set[HtmlElement] = set()
    previous_report = False
    for index, table in enumerate(t for t in root.iter("table") if isinstance(t, HtmlElement)):
        if table.xpath(".//table") or any(_skipped(a) for a in table.iterancestors()):
            continue  # a layout table around other tables, or one inside navigation chrome
        rows = [r for r in table_grid(table, index) if any(c is not None for c in r)]
        if not rows:
            continue
        raw = RawTable(rows=rows)
        section = classify_table(raw)
        has_values = any(split_row(r)[1] for r in rows)
        if section is not None or (previous_report and has_values):
            report_tables.add(table)
            previous_report = True
        else:
            previous_report = False
        tables.append(raw)
    return tables, report_tables


def tables_in_markup(root: HtmlElement) -> bool:
    """Whether the page's markup shows every one of tables 2-4. When it does not, the reader reads the
    page's pictures for the others (`parse_html`), and the crawl fetches them with the page."""
    return all_sections(markup_tables(root)[0])


def parse_html(data: bytes, pictures: Pictures | None = None) -> ParsedDocument:
    """An HTML page into its body text (title and narrative, reading order) and its data tables as grids;
    the tables of its pictures (`data:` URIs, or whatever `pictures` resolves) when the markup lacks some."""
    check_html(data)  # resource limits (issue 18): size and elements
    root = _document(decode_html(data))
    tables, report_tables = markup_tables(root)
    body = root.find("body")
    start = body if body is not None else root
    text = clean_text("\n".join(_lines(_tokens(start, report_tables, links=False))))
    # the pictures are looked up (an archive's parts decoded) only when the markup lacks some table
    pictured = pictured_tables(tables, _pictures(start, pictures or data_uri)) if wanted(tables) else None
    if pictured is not None:
        pictured.text = f"{text}\n{pictured.text}"
        pictured.metadata = page_metadata(root)
        pictured.format = "html"
        return pictured
    if not text.strip() and not tables:
        raise ExtractError("empty", "the page has no text")
    return ParsedDocument(text=text, tables=tables, format="html", metadata=page_metadata(root))


# ----------------------------------------------------------------------------- tables pasted as pictures
_PX = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$", re.I)
_STYLE_WIDTH = re.compile(r"(?:^|;)\s*width\s*:\s*(\d+(?:\.\d+)?)\s*px", re.I)


def data_uri(src: str) -> bytes | None:
    """The bytes of a base64 `data:image/...` URI; None for anything else or a broken one."""
    m = re.match(r"\s*data:image/[\w.+-]+(?:;[\w.+-]+=[\w.+-]+)*;base64,", src, re.I)
    if m is None:
        return None
    try:
        return base64.b64decode(re.sub(r"\s+", "", src[m.end() :]), validate=True)
    except (binascii.Error, ValueError):
        return None


def _shown_width(img: HtmlElement) -> float | None:
    """The width, in CSS pixels, the page shows the picture at (its width attribute or style), if it says."""
    for value in (img.get("width"), *(_STYLE_WIDTH.findall(img.get("style") or "") or [None])):
        m = _PX.match(value or "")
        if m and float(m.group(1)) > 0:
            return float(m.group(1))
    return None


# where lazy-loading scripts keep the real picture while `src` shows a placeholder
_LAZY_SOURCES = ("data-original", "data-src", "data-lazy-src", "data-actualsrc", "_src")
_PICTURE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp")


# files of other kinds an address may name (a script's address, download.jsp, names none)
_DOCUMENT_EXTENSIONS = (
    ".pdf",
    ".doc",
    ".docx",
    ".wps",
    ".xls",
    ".xlsx",
    ".et",
    ".ofd",
    ".txt",
    ".zip",
    ".rar",
)


def is_picture_url(url: str) -> bool:
    """Whether a link leads to a picture, by its path's ending (its query and fragment aside)."""
    return _path(url).endswith(_PICTURE_EXTENSIONS)


def _names_picture(url: str, name: str) -> bool:
    """Whether a link leads to a picture: its address's path ends as a picture's does, or it names no file of
    another kind (a script serving attachments: download.jsp?id=2, /attach/3) and the file name the link
    gives does (its text or `download` attribute: 附件1：表二.png)."""
    if is_picture_url(url):
        return True
    return not _path(url).endswith(_DOCUMENT_EXTENSIONS) and name.strip().lower().endswith(
        _PICTURE_EXTENSIONS
    )


def _path(url: str) -> str:
    return url.split("#", 1)[0].split("?", 1)[0].lower()


def picture_sources(img: HtmlElement) -> list[str]:
    """Where an <img>'s picture may be had, best first: the full-size picture its link opens (a thumbnail
    in `<a href="….png">`), the real picture a lazy-loading attribute names, then `src`."""
    out: list[str] = []
    parent = img.getparent()
    if parent is not None and _tag(parent) == "a":
        href = (parent.get("href") or "").strip()
        if is_picture_url(href):
            out.append(href)
    out += [v.strip() for name in (*_LAZY_SOURCES, "src") if (v := img.get(name)) and v.strip()]
    return list(dict.fromkeys(out))


def linked_picture(a: HtmlElement) -> str | None:
    """The picture a link opens when the link shows none itself: a table's picture linked as an attachment
    (`<a href="表二.png">附件1：表二</a>`, `<a href="download.jsp?id=2">附件1：表二.png</a>`). A link
    around a shown picture is that picture's full size (`picture_sources`), not another."""
    href = (a.get("href") or "").strip()
    names = [a.get("download") or "", a.text_content()]
    if not any(_names_picture(href, name) for name in names) or any(_tag(el) == "img" for el in a.iter()):
        return None
    return href


def _pictures(start: HtmlElement, resolve: Pictures) -> list[Shown]:
    """The page's pictures outside its chrome, in document order: (bytes, shown width), each from the first
    of its sources that resolves; a picture the page links to (`linked_picture`) where its link stands,
    once, and not when the page shows it too (下载原图 under the picture)."""
    found: list[tuple[bytes, float | None, bool]] = []  # (bytes, shown width, linked)
    for el in start.iter("img", "a"):
        if not isinstance(el, HtmlElement) or in_chrome(el):
            continue
        if _tag(el) == "a":
            href = linked_picture(el)
            if href and (data := resolve(href)):
                found.append((data, None, True))
        elif data := next((d for src in picture_sources(el) if (d := resolve(src))), None):
            found.append((data, _shown_width(el), False))
    seen = {data for data, _w, linked in found if not linked}
    out: list[Shown] = []
    for data, width, linked in found:
        if linked and data in seen:
            continue
        seen.add(data)
        out.append((data, width))
    return out


def picture_pages(data: bytes, pictures: Pictures | None = None) -> list[PicturePage]:
    """The pictures of an HTML page, each frame as OCR reads it (the page numbers of an OCR'd picture's
    locations count these): what the analysts' site crops its evidence from."""
    check_html(data)
    root = _document(decode_html(data))
    body = root.find("body")
    return shown_pages(_pictures(body if body is not None else root, pictures or data_uri))


_META_NAMES = {"contentsource": "ContentSource", "source": "ContentSource", "author": "发布机构"}


def page_metadata(root: HtmlElement) -> dict[str, str]:
    """What the page says of itself: <title> and the CMS's meta tags naming the publishing body."""
    out: dict[str, str] = {}
    title = root.find(".//title")
    if title is not None and (title.text or "").strip():
        out["title"] = clean_text(title.text or "").strip()
    for meta in root.iter("meta"):
        key = _META_NAMES.get((meta.get("name") or "").strip().lower())
        content = clean_text(meta.get("content") or "").strip()
        if key and content and key not in out:
            out[key] = content
    return out
