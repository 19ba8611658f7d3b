"""Discovery: from an agency's listing (and its explicit `reports:`) to the documents that carry its reports.

`discover_agency` walks the listing pages (下一页), follows each report link, and tells a document
from an article page by its bytes (pipeline.extract.sniff): an article yields its inline report (the
page itself) and/or its attachments. All I/O goes through the `get` callable, so this module is
tested on saved pages with a dict. `get` is told who named each URL: the catalog (the agency's
`index_url`) or the web (every link found on a page), so that the URL policy can refuse a web link to
a local file. A site cannot make discovery endless: listing pages, report links and attachments are
counted, and a report year no template covers is skipped with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urldefrag

from nianbao.pipeline.catalog import Agency
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import sniff
from nianbao.pipeline.extract.pictures import MAX_PICTURES
from nianbao.pipeline.sources.base import DEFAULT_PLATFORM, Platform
from nianbao.pipeline.tables import template_of_year
from nianbao.pipeline.urlpolicy import Origin

MAX_LISTING_PAGES = 50
MAX_REPORT_LINKS = 200  # per agency: real listings hold a few dozen
MAX_ATTACHMENTS = 20  # per article page: real ones carry one or two
PICTURED = "#pictures"  # the fragment naming an article page assembled with its pictures (never requested)


def pictured_url(page_url: str) -> str:
    """The document URL of an article assembled with its pictures: the page's, with a fragment of its own
    (a fragment is never sent; the fetch log keeps the page's requests and the archive's row apart)."""
    return urldefrag(page_url)[0] + PICTURED


class Page(Protocol):
    """What `get` returns: the body (None when the fetch failed) and, for failures, a code."""

    @property
    def data(self) -> bytes | None: ...

    @property
    def error_code(self) -> str | None: ...

    @property
    def final_url(self) -> str | None: ...


Getter = Callable[[str, str, Origin], Page]  # (url, role, who named the URL) → the page


@dataclass(frozen=True)
class Found:
    """A document found for an agency-year: its URL, the article it hangs on (if any), and how it was found."""

    agency_id: str
    year: int
    url: str
    via: str | None
    # listed (the link is the document) | inline (the article page) | attachment | explicit | pictured (the
    # article page and its pictures, assembled into one web archive: `url` is the page's with `#pictures`)
    how: str
    pictures: tuple[str, ...] = ()  # pictured: the pictures' URLs, in page order


@dataclass
class Discovery:
    """An agency's discovery: documents found, pages read, and what went wrong where."""

    agency_id: str
    documents: list[Found] = field(default_factory=list)
    listing_pages: int = 0
    report_links: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)  # (url, why)


def kind_of(data: bytes) -> str:
    """'html' for a page (article or listing), else 'document' (PDF, DOCX, .doc, text, or unreadable bytes)."""
    try:
        return "html" if sniff(data) == "html" else "document"
    except ExtractError:
        return "document"


def walk_listing(
    agency: Agency, get: Getter, platform: Platform, out: Discovery
) -> list[tuple[int, str, str]]:
    """(year, url, title) of every report link over the listing's pages, following 下一页 (no loops)."""
    links: list[tuple[int, str, str]] = []
    url: str | None = agency.index_url
    visited: set[str] = set()
    origin: Origin = "catalog"  # the first page is the catalog's; 下一页 is a link found on the web
    while url and url not in visited and len(visited) < MAX_LISTING_PAGES:
        visited.add(url)
        page = get(url, "listing", origin)
        if page.data is None:
            out.problems.append((url, page.error_code or "fetch_failed"))
            break
        out.listing_pages += 1
        try:
            listing = platform.parse_listing(page.data, page.final_url or url)
        except ExtractError as e:  # a page over the size or element limits is not read
            out.problems.append((url, e.code))
            break
        links += [(r.year, r.url, r.title) for r in listing.reports]
        url, origin = listing.next_url, "web"
    if len(links) > MAX_REPORT_LINKS:
        out.problems.append((agency.index_url or "", "too_many_links"))
        links = links[:MAX_REPORT_LINKS]
    return links


def follow_report_link(
    agency: Agency, year: int, url: str, get: Getter, platform: Platform, out: Discovery
) -> list[Found]:
    """The documents behind one report link: the document itself, or an article's inline report and attachments."""
    page = get(url, "target", "web")
    if page.data is None:
        # a listed link that cannot be fetched is still this year's document: it is logged as a failed fetch
        return [Found(agency.id, year, url, None, "listed")]
    if kind_of(page.data) == "document":
        return [Found(agency.id, year, url, None, "listed")]
    # an article listed under an old address: name it (and resolve its links) by where it now lives
    here = page.final_url or url
    if here != url:
        get(here, "target", "web")
    url = here
    try:
        article = platform.parse_article(page.data, url)
    except ExtractError as e:  # a page over the size or element limits is not read
        out.problems.append((url, e.code))
        return []
    if len(article.attachments) > MAX_ATTACHMENTS:
        out.problems.append((url, "too_many_links"))
    if article.pictured and not article.attachments:
        # nothing attached, and its markup shows some of tables 2-4 or none: the others may be pictures
        # (read by OCR), so the page is kept with its pictures (tables in its markup are read as well)
        return [
            Found(agency.id, year, pictured_url(url), url, "pictured", tuple(article.pictures[:MAX_PICTURES]))
        ]
    found = [Found(agency.id, year, url, url, "inline")] if article.inline else []
    found += [Found(agency.id, year, a.url, url, "attachment") for a in article.attachments[:MAX_ATTACHMENTS]]
    if not found:
        # the listing says this year's report is here, yet the page carries none (页面不存在 served as 200, an
        # empty article): the page itself is the document, so that the year is read as unreadable with the
        # reader's reason, not as a year with no report
        out.problems.append((url, "no_document_on_page"))
        found = [Found(agency.id, year, url, url, "inline")]
    return found


def discover_agency(
    agency: Agency, get: Getter, platform: Platform = DEFAULT_PLATFORM, year: int | None = None
) -> Discovery:
    """Every document of an agency: its explicit `reports:` and what its listing leads to (one per URL)."""
    out = Discovery(agency.id)
    candidates: list[Found] = [Found(agency.id, r.year, r.url, None, "explicit") for r in agency.reports]
    if agency.index_url:
        report_links = walk_listing(agency, get, platform, out)
        out.report_links = len(report_links)
        for y, url, _title in report_links:
            if template_of_year(y) is None:
                out.problems.append((url, "year_not_covered"))  # e.g. a 2018 report: no template reads it
            elif year is None or y == year:
                candidates += follow_report_link(agency, y, url, get, platform, out)
    seen: set[str] = set()
    for f in candidates:
        if (year is None or f.year == year) and f.url not in seen:
            seen.add(f.url)
            out.documents.append(f)
    return out
