"""Reading agency pages: pure functions from page bytes (and the page's URL) to links.

The rules are those of spec/interfaces.md (Discovery): on a listing page, a link whose text contains
政府信息公开 and 年度报告 (or 年报) and a four-digit year is a report for that year; 下一页 leads to
the next listing page. An article page carries the report inline (HTML tables in its body), as
attachments (.pdf/.docx/.doc, or link text with 附件/下载), or both; an article with nothing attached
whose markup shows some of the report's tables or none may carry the others as pictures, shown or
linked as attachments (`Article.pictured`: the page is fetched with its pictures and read by OCR).
Sites whose pages differ subclass `Platform` and override only the method that differs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml.html import HtmlElement

from nianbao.pipeline.extract.html import (
    decode_html,
    in_chrome,
    linked_picture,
    picture_sources,
    tables_in_markup,
)
from nianbao.pipeline.extract.limits import check_html
from nianbao.pipeline.extract.pictures import MIN_PICTURE_PX

_YEAR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(?!\d)")
_ATTACHMENT_EXT = (".pdf", ".docx", ".doc", ".wps")
_ATTACHMENT_WORDS = ("附件", "下载")
_NEXT_WORDS = ("下一页", "下页")


@dataclass(frozen=True)
class Link:
    """An <a href> of a page: absolute URL (fragment dropped) and its visible text."""

    url: str
    text: str


@dataclass(frozen=True)
class ReportLink:
    """A listing's link to one year's report (the document itself or an article page carrying it)."""

    year: int
    url: str
    title: str


@dataclass
class Listing:
    """What a listing page says: its report links and the next page, if any."""

    reports: list[ReportLink] = field(default_factory=list)
    next_url: str | None = None


@dataclass
class Article:
    """What an article page carries: the report inline (tables), attachment links, or both."""

    inline: bool = False
    attachments: list[Link] = field(default_factory=list)
    # the pictures of its body (outside the page's chrome), shown or linked, absolute http(s) URLs in page
    # order: where a site pastes the report's tables as pictures, or links them as attachments
    pictures: list[str] = field(default_factory=list)
    # it has such pictures and its markup does not show all of tables 2-4 (`html.tables_in_markup`): the
    # others may be pictures, which the reader reads when the page is kept with them
    pictured: bool = False


def parse_html(data: bytes) -> HtmlElement | None:
    """Page bytes → an lxml tree (charset as the page declares), or None when it is not HTML at all.

    A page over the HTML limits (size, elements) raises ExtractError('too_large') unread.
    """
    check_html(data)
    text = decode_html(data)
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError):
        return None


def _text(el: HtmlElement) -> str:
    return re.sub(r"\s+", " ", el.text_content() or el.get("title") or "").strip()


def page_links(root: HtmlElement, base_url: str, *, skip_chrome: bool = False) -> list[Link]:
    """Every followable link of a page, absolute, in page order (javascript:/mailto: left out)."""
    out: list[Link] = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        if skip_chrome and in_chrome(a):
            continue
        url = urldefrag(urljoin(base_url, href))[0]
        if urlsplit(url).scheme not in ("http", "https", "file"):
            continue
        out.append(Link(url, _text(a)))
    return out


def page_pictures(root: HtmlElement, base_url: str) -> list[str]:
    """The pictures of a page's body, absolute http(s) URLs in page order, each once: every source of each
    (`html.picture_sources`: a thumbnail's full-size picture, a lazy-loaded one, `src`), and the pictures
    it links to without showing them (`html.linked_picture`: 附件1：表二.png); `data:` URIs stay in the
    page, which carries them itself."""
    out: dict[str, None] = {}
    for el in root.iter("img", "a"):
        if in_chrome(el):
            continue
        if el.tag == "a":
            # a picture linked, not shown (附件1：表二.png): the reader takes it where the link is
            sources = [href] if (href := linked_picture(el)) else []
        else:
            shown = [v for v in (el.get("width"), el.get("height")) if v and v.strip().isdigit()]
            if any(int(v) < MIN_PICTURE_PX for v in shown):  # shown smaller: an icon
                continue
            sources = picture_sources(el)  # each source the reader may take it from, best first
        for src in sources:
            url = urldefrag(urljoin(base_url, src))[0]
            if urlsplit(url).scheme in ("http", "https"):
                out[url] = None
    return list(out)


def report_year(title: str) -> int | None:
    """The report year a link's text names, if it is a 政府信息公开 annual-report link; else None."""
    if "政府信息公开" not in title or not ("年度报告" in title or "年报" in title):
        return None
    years = [int(y) for y in _YEAR.findall(title)]
    return years[0] if years else None


def is_attachment(link: Link) -> bool:
    """An attachment link: its path ends in a document extension, or its text says 附件/下载."""
    path = urlsplit(link.url).path.lower()
    name = link.text.lower()
    return (
        path.endswith(_ATTACHMENT_EXT)
        or name.endswith(_ATTACHMENT_EXT)
        or any(w in link.text for w in _ATTACHMENT_WORDS)
    )


class Platform:
    """The common CMS pattern (listing column + article pages); odd sites override single methods."""

    def find_report_links(self, links: list[Link]) -> list[ReportLink]:
        """Report links of a listing page, first of each URL kept, in page order."""
        seen: set[str] = set()
        out: list[ReportLink] = []
        for link in links:
            year = report_year(link.text)
            if year is None or link.url in seen:
                continue
            seen.add(link.url)
            out.append(ReportLink(year, link.url, link.text))
        return out

    def find_next_page(self, links: list[Link]) -> str | None:
        """The URL behind 下一页, if the listing has one."""
        for link in links:
            if link.text.strip() in _NEXT_WORDS or link.text.strip().startswith("下一页"):
                return link.url
        return None

    def parse_listing(self, data: bytes, url: str) -> Listing:
        """A listing page's report links and next page."""
        root = parse_html(data)
        if root is None:
            return Listing()
        links = page_links(root, url)
        return Listing(self.find_report_links(links), self.find_next_page(links))

    def has_inline_report(self, root: HtmlElement) -> bool:
        """True when the page's body (outside its chrome) holds a table with a few rows."""
        return any(len(t.findall(".//tr")) >= 3 and not in_chrome(t) for t in root.iter("table"))

    def parse_article(self, data: bytes, url: str) -> Article:
        """An article page's inline report (if any) and its attachment links (deduplicated)."""
        root = parse_html(data)
        if root is None:
            return Article()
        seen: set[str] = set()
        attachments = []
        for link in page_links(root, url, skip_chrome=True):
            if is_attachment(link) and link.url not in seen and link.url != url:
                seen.add(link.url)
                attachments.append(link)
        pictures = page_pictures(root, url)
        pictured = bool(pictures) and not tables_in_markup(root)
        if pictured and all(a.url in pictures for a in attachments):
            # nothing attached but pictures (附件1：表二.png …): each alone is a partial report, so they are
            # the article's pictures, fetched with the page and read with it as one report
            attachments = []
        return Article(self.has_inline_report(root), attachments, pictures, pictured)


DEFAULT_PLATFORM = Platform()
