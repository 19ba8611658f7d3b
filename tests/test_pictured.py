"""Reports whose tables are pictures in a web page: a genuine report's pages pasted into an article as
images (`data:` URIs), cut into screenshots, or saved with the page as a web archive (.mht), read by OCR
and compared with the report's golden; a site whose report article shows its tables as pictures, crawled
over loopback (the page and its pictures assembled into one archive), loaded, and crawled again with
nothing changed and with one picture changed; Word files (.docx, and .doc through LibreOffice) whose
tables are pictures, read the same way."""

from __future__ import annotations

import base64
import json
import re
import subprocess
from email.message import EmailMessage
from email.policy import SMTP
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import extract_report, ocr, sniff
from nianbao.pipeline.extract.html import parse_html
from nianbao.pipeline.extract.mhtml import write_mhtml
from nianbao.pipeline.sources.base import DEFAULT_PLATFORM
from nianbao.pipeline.sources.discover import Discovery, follow_report_link

from helpers import missing, rows, settings_for

TESTS = Path(__file__).resolve().parent
REAL = TESTS / "files" / "real"
GENUINE = ("06_hongze-qzf-2023", "07_hongze-qzf-2024", "08_huaian-szf-2024")
GOLDEN = json.loads((TESTS / "golden" / "08_huaian-szf-2024.json").read_text(encoding="utf-8"))
TITLE = "淮安市人民政府2024年政府信息公开工作年度报告"
needs_ocr = pytest.mark.skipif(not ocr.available(), reason="rapidocr-onnxruntime is not installed")


@cache
def _pages(name: str = GENUINE[-1], dpi: float = 96) -> tuple[Image.Image, ...]:
    """A genuine report's pages as greyscale pictures, as a site shows them (96 px to the inch)."""
    doc = pdfium.PdfDocument((REAL / f"{name}.pdf").read_bytes())
    try:
        return tuple(
            doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in range(len(doc))
        )
    finally:
        doc.close()


def _cut(page: Image.Image) -> list[Image.Image]:
    """A page's printed area cut out and cut again at a blank line near its middle."""
    a = np.asarray(page)
    ys, xs = np.where(a < 200)
    inked = page.crop((int(xs.min()) - 8, int(ys.min()) - 8, int(xs.max()) + 8, int(ys.max()) + 8))
    b = np.asarray(inked)
    h = b.shape[0]
    blank = [y for y in range(h // 3, 2 * h // 3) if (b[y] > 200).all()]
    if not blank:
        return [inked]
    y = min(blank, key=lambda y: abs(y - h // 2))
    return [inked.crop((0, 0, inked.width, y)), inked.crop((0, y, inked.width, h))]


def _screenshots(name: str = GENUINE[-1]) -> list[Image.Image]:
    """Each page's printed area cut out and cut again at a blank line near its middle: pictures shaped
    like no page, so read at the size the page shows them (CSS pixels)."""
    return [shot for page in _pages(name) for shot in _cut(page)]


def _png(img: Image.Image) -> bytes:
    buf = BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _article(srcs: list[str], narrative: str = "", title: str = TITLE) -> str:
    imgs = "".join(f'<p style="text-align:center"><img src="{s}"></p>' for s in srcs)
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        '<div class="nav"><a href="/">首页</a></div>'
        f"<h1>{title}</h1><p>{narrative}</p>{imgs}</body></html>"
    )


def _data_uri(img: Image.Image) -> str:
    return "data:image/png;base64," + base64.b64encode(_png(img)).decode("ascii")


def _mhtml(html: str, pictures: dict[str, bytes], base: str) -> bytes:
    """A web archive as the browsers write one: the page, then each picture with its Content-Location."""
    msg = EmailMessage()
    msg["From"] = "<Saved by Blink>"
    msg["Snapshot-Content-Location"] = base
    msg["Subject"] = TITLE
    msg["MIME-Version"] = "1.0"
    msg.make_related()
    page = EmailMessage()
    page.set_content(html, subtype="html", charset="utf-8", cte="quoted-printable")
    page["Content-Location"] = base
    msg.attach(page)
    for location, data in pictures.items():
        part = EmailMessage()
        part.set_content(data, maintype="image", subtype="png", cte="base64")
        part["Content-Location"] = location
        msg.attach(part)
    return msg.as_bytes(policy=SMTP)


def _same_as_the_golden(data: bytes, fmt: str, name: str = GENUINE[-1]) -> None:
    report = extract_report(data)
    assert report.format == fmt
    assert report.reading.method == "ocr"
    assert report.canonical() == json.loads((TESTS / "golden" / f"{name}.json").read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- fast
def test_a_web_archive_is_told_by_its_headers() -> None:
    archive = _mhtml("<html><body><p>x</p></body></html>", {}, "https://gov.example/a.html")
    assert sniff(archive) == "mhtml"
    assert sniff(b"MIME-Version: 1.0\nContent-Type: text/plain\n\n<html>not an archive</html>") != "mhtml"
    assert sniff(b"Subject: x\r\nContent-Type: multipart/related; boundary=b\r\n\r\n--b\r\n") == "mhtml"
    assert sniff(b"<html><body>MIME-Version: 1.0 multipart/related</body></html>") == "html"


def test_a_page_whose_markup_holds_the_tables_does_not_read_its_pictures() -> None:
    """Pictures beside complete markup tables (a logo, a photo) are not read by OCR: not even looked up
    (a blank picture read by OCR would change nothing else, so what is asked for is what is checked)."""
    page = (TESTS / "files" / "html" / "html_hz-sfj_2020.html").read_bytes()
    logo = _data_uri(Image.new("L", (400, 300), 255))
    with_picture = page.replace(b"</body>", f'<img src="{logo}"><img src="photo.png"></body>'.encode())
    assert with_picture != page
    asked: list[str] = []

    def look_up(src: str) -> bytes | None:
        asked.append(src)
        return None

    parse_html(with_picture, look_up)
    assert asked == []
    parsed = parse_html(with_picture)
    assert "ocr" not in parsed.reading
    assert parsed.tables == parse_html(page).tables


def test_a_page_with_pictures_of_its_own_or_a_web_archive_gets_the_ocr_time_budget() -> None:
    """Reading its pictures is OCR: `ocr_seconds`, not the parsers' `seconds`, or a page of a dozen
    pictures is killed as `resource_limit` on a slow machine."""
    from nianbao.pipeline.extract.limits import may_need_ocr

    page = _article([_data_uri(Image.new("L", (300, 200), 255))]).encode("utf-8")
    assert may_need_ocr(page)
    assert may_need_ocr(write_mhtml("http://127.0.0.1/a.html", b"<html></html>", []))
    assert not may_need_ocr(_article([]).encode("utf-8"))
    assert not may_need_ocr((TESTS / "files" / "html" / "html_hz-sfj_2020.html").read_bytes())


def test_a_broken_or_foreign_picture_source_is_no_picture() -> None:
    from nianbao.pipeline.extract.html import data_uri

    assert data_uri("data:image/png;base64,@@@") is None
    assert data_uri("https://gov.example/a.png") is None
    assert data_uri("data:text/html;base64,PGh0bWw+") is None
    assert data_uri("data:image/png;base64,iVBO Rw0K\n") == base64.b64decode("iVBORw0K")


def test_an_article_pages_pictures_are_its_bodys_not_its_chromes() -> None:
    page = """<html><body><div class="header"><img src="/logo.png"></div>
      <div class="content"><h1>2024年度报告</h1><img src="img/t1.png"><img src="data:image/png;base64,AAAA">
      <img src="/icons/dot.gif" width="8" height="8"><img src="img/t1.png#x"><img src="img/t2.jpg" width="640">
      </div><div class="footer"><img src="/qr.png"></div></body></html>"""
    article = DEFAULT_PLATFORM.parse_article(page.encode(), "http://127.0.0.1/a/2024.html")
    assert article.pictures == ["http://127.0.0.1/a/img/t1.png", "http://127.0.0.1/a/img/t2.jpg"]
    assert not article.inline and not article.attachments


def test_a_thumbnails_full_picture_and_a_lazy_loaded_picture_are_fetched_before_their_src() -> None:
    page = """<html><body><div class="content">
      <a href="full/t1.png?v=2"><img src="thumb/t1.png"></a>
      <img src="/static/loading.gif" data-original="img/t2.png">
      <a href="2023.html"><img src="img/t3.png"></a></div></body></html>"""
    article = DEFAULT_PLATFORM.parse_article(page.encode(), "http://127.0.0.1/a/2024.html")
    base = "http://127.0.0.1/a/"
    assert article.pictures == [
        base + "full/t1.png?v=2",
        base + "thumb/t1.png",
        base + "img/t2.png",
        "http://127.0.0.1/static/loading.gif",
        base + "img/t3.png",
    ]


class _Page:
    def __init__(self, data: bytes) -> None:
        self.data, self.error_code, self.final_url = data, None, None


def _found(page: bytes) -> list[tuple[str, str, str | None, tuple[str, ...]]]:
    """What discovery makes of a report link leading to this article page."""
    from nianbao.pipeline.catalog import Agency

    agency = Agency("hz-x", "杭州市X局", "杭州市", "municipal", "department", "http://127.0.0.1/x/")
    found = follow_report_link(
        agency, 2024, ARTICLE, lambda u, r, o: _Page(page), DEFAULT_PLATFORM, Discovery("hz-x")
    )
    return [(f.how, f.url, f.via, f.pictures) for f in found]


ARTICLE = "http://127.0.0.1/x/2024.html"


def test_only_an_article_with_no_tables_and_nothing_attached_is_read_from_its_pictures() -> None:
    pictured = b'<html><body><p>\xe6\x8a\xa5\xe5\x91\x8a</p><img src="t.png"></body></html>'
    attached = pictured.replace(b"</body>", b'<a href="r.pdf">\xe9\x99\x84\xe4\xbb\xb6</a></body>')
    assert _found(pictured) == [("pictured", ARTICLE + "#pictures", ARTICLE, ("http://127.0.0.1/x/t.png",))]
    assert [how for how, *_ in _found(attached)] == ["attachment"]


def test_an_article_whose_markup_shows_some_of_its_tables_is_kept_with_its_pictures() -> None:
    """Table 2 typed into the page, tables 3 and 4 pasted as pictures: the page alone would be read
    without them, so it is fetched with its pictures; a page whose markup shows all three tables is
    read as the page, whatever pictures it has (the site's logo is furniture, never fetched)."""
    whole = (TESTS / "files" / "html" / "html_hz-mzj_2022_gbk.html").read_text(encoding="gbk")
    whole = re.sub(r'<div class="attach">.*?</div>', "", whole)  # nothing attached
    cut = whole.index("三、收到和处理")
    some = whole[:cut] + '<p><img src="t3.png"></p><p><img src="t4.png"></p></div></body></html>'
    assert _found(some.encode("gbk")) == [
        (
            "pictured",
            ARTICLE + "#pictures",
            ARTICLE,
            ("http://127.0.0.1/x/t3.png", "http://127.0.0.1/x/t4.png"),
        )
    ]
    photo = whole.replace("五、", '<p><img src="photo.jpg" width="400"></p>五、', 1)
    assert _found(photo.encode("gbk")) == [("inline", ARTICLE, ARTICLE, ())]


def test_tables_linked_as_picture_attachments_are_the_articles_pictures() -> None:
    """附件1：表二.png … under an article whose markup holds no table: each picture alone is a partial
    report, so they are fetched with the page, in page order with the pictures it shows, and read as one
    report. A document attached beside them (a PDF) is the report, the pictures attachments as before; a
    picture linked from the page's chrome (a QR code) is never one of its pictures."""
    base = "http://127.0.0.1/x/"
    linked = (
        '<html><body><div class="content"><p>报告正文</p><p><a href="t2.png">附件1：表二.png</a></p>'
        '<img src="t3.png"><p><a href="files/t4.JPG?v=1">附件3：表四</a></p>'
        '<p><a href="t2.png">附件1：表二.png</a></p></div>'
        '<div class="footer"><a href="/qr.jpg">附件：二维码</a></div></body></html>'
    )
    assert _found(linked.encode()) == [
        (
            "pictured",
            ARTICLE + "#pictures",
            ARTICLE,
            (base + "t2.png", base + "t3.png", base + "files/t4.JPG?v=1"),
        )
    ]
    with_pdf = linked.replace("</div><div", '<a href="r.pdf">附件4</a></div><div')
    assert [(how, url) for how, url, *_ in _found(with_pdf.encode())] == [
        ("attachment", base + "t2.png"),
        ("attachment", base + "files/t4.JPG?v=1"),
        ("attachment", base + "r.pdf"),
    ]


def test_pictures_linked_behind_download_addresses_are_known_by_the_names_their_links_give() -> None:
    """The same article on a CMS whose attachments are served by a script (download.jsp?id=2, /attach/4):
    the address names no file, the link does (附件1：表二.png, or its `download` attribute), so they are the
    article's pictures all the same. A document behind such an address (附件：年报.pdf) is the report, the
    pictures attachments beside it; an address naming a document is one whatever its link says."""
    base = "http://127.0.0.1/x/"
    linked = (
        '<html><body><div class="content"><p>报告正文</p>'
        '<p><a href="download.jsp?id=2">附件1：表二.png</a></p>'
        '<p><a href="/attach/3" download="表三.JPG">附件2：表三</a></p>'
        '<p><a href="download.jsp?id=4">附件3：表四.jpeg</a></p></div></body></html>'
    )
    assert _found(linked.encode()) == [
        (
            "pictured",
            ARTICLE + "#pictures",
            ARTICLE,
            (base + "download.jsp?id=2", "http://127.0.0.1/attach/3", base + "download.jsp?id=4"),
        )
    ]
    with_pdf = linked.replace("</div>", '<a href="download.jsp?id=9">附件：年报.pdf</a></div>')
    assert [how for how, *_ in _found(with_pdf.encode())] == ["attachment"] * 4
    named_pdf = linked.replace("download.jsp?id=4", "files/r.pdf")
    assert [(how, url) for how, url, *_ in _found(named_pdf.encode())][-1] == (
        "attachment",
        base + "files/r.pdf",
    )
    assert len(_found(named_pdf.encode())) == 3
    # and the crawl's archive of the article is read from those pictures, in page order
    from nianbao.pipeline.extract.mhtml import picture_pages

    shots = [_png(Image.new("L", (300 + 10 * i, 200), 255)) for i in range(3)]
    urls = [base + "download.jsp?id=2", "http://127.0.0.1/attach/3", base + "download.jsp?id=4"]
    archive = write_mhtml(ARTICLE, linked.encode(), list(zip(urls, shots, strict=True)))
    assert [frame.shape for frame, _ppi in picture_pages(archive)] == [(200, 300), (200, 310), (200, 320)]


def test_discovery_and_the_reader_take_the_same_pictures_as_the_pages_own() -> None:
    """One notion of a site's furniture for both: a picture in a hidden block or an <aside> (whose text the
    reader never read) is not fetched by discovery, and a picture in a footer or a container named as
    furniture (class="logo", id="footer") is not read by the reader even when the page carries it itself
    (a data: URI). Before, discovery fetched the hidden ones and the reader read the footer's."""
    from nianbao.pipeline.extract.html import picture_pages as html_picture_pages

    shots = [_png(Image.new("L", (300 + 10 * i, 200), 255)) for i in range(5)]
    uri = ["data:image/png;base64," + base64.b64encode(shot).decode() for shot in shots]
    page = (
        f'<html><body><div class="content"><p>报告正文</p><img src="{uri[0]}">'
        f'<div style="display:none"><img src="{uri[1]}"></div><aside><img src="{uri[2]}"></aside></div>'
        f'<div id="footer"><img src="{uri[3]}"></div><div class="site-logo"><img src="{uri[4]}"></div>'
        "</body></html>"
    ).encode()
    assert [frame.shape for frame, _ppi in html_picture_pages(page)] == [(200, 300)]
    linked = page
    for i, u in enumerate(uri):
        linked = linked.replace(u.encode(), f"t{i}.png".encode())
    assert _found(linked) == [("pictured", ARTICLE + "#pictures", ARTICLE, ("http://127.0.0.1/x/t0.png",))]


def test_a_web_archives_linked_pictures_are_read_in_page_order_once_each() -> None:
    """The crawl's archive of such an article: a link to a picture the archive holds is a picture of the
    page where the link stands, and a link to a picture the page also shows (下载原图) is not read twice;
    a link around a shown picture is that picture's full size, not another."""
    from nianbao.pipeline.extract.mhtml import picture_pages

    shots = [_png(Image.new("L", (300 + 10 * i, 200), 255)) for i in range(4)]
    page = (
        '<html><body><p><a href="t0.png">附件1</a></p><img src="t1.png"><p><a href="t1.png">下载原图</a></p>'
        '<a href="t2.png"><img src="thumb.png"></a><p><a href="t3.png">附件2</a></p></body></html>'
    )
    archive = write_mhtml(
        ARTICLE, page.encode(), [(f"http://127.0.0.1/x/t{i}.png", shot) for i, shot in enumerate(shots)]
    )
    assert [frame.shape for frame, _ppi in picture_pages(archive)] == [
        (200, 300),
        (200, 310),
        (200, 320),
        (200, 330),
    ]


def test_the_crawls_web_archive_is_the_same_bytes_for_the_same_page_and_reads_as_the_page() -> None:
    """A GBK page whose markup holds its tables, archived with a picture: the same record as the page,
    and the same archive bytes every time (the document's hash does not move between nights)."""
    page = (TESTS / "files" / "html" / "html_hz-mzj_2022_gbk.html").read_bytes()
    picture = _png(Image.new("L", (300, 200), 255))
    archive = write_mhtml("http://127.0.0.1/a.html", page, [("http://127.0.0.1/p.png", picture)])
    assert archive == write_mhtml("http://127.0.0.1/a.html", page, [("http://127.0.0.1/p.png", picture)])
    assert archive != write_mhtml("http://127.0.0.1/a.html", page, [("http://127.0.0.1/q.png", picture)])
    assert sniff(archive) == "mhtml"
    from_archive, from_page = extract_report(archive), extract_report(page)
    assert from_archive.format == "mhtml"
    assert from_archive.canonical() == from_page.canonical()


# ----------------------------------------------------------------------------- OCR
@needs_ocr
@pytest.mark.slow
@pytest.mark.parametrize("name", GENUINE)
def test_a_reports_pages_pasted_into_an_article_as_pictures_are_read_exactly(name: str) -> None:
    """Every page of a genuine report pasted as a picture (page-shaped: A4 across its shorter side), the
    page's own text naming nothing: title, agency, tables and fees (section 六, after the tables) are all
    read from the pictures."""
    html = _article([_data_uri(p) for p in _pages(name)], title="信息公开")
    _same_as_the_golden(html.encode("utf-8"), "html", name)


@needs_ocr
@pytest.mark.slow
@pytest.mark.parametrize("name", GENUINE)
def test_tables_cut_into_screenshots_are_read_exactly_at_the_size_the_page_shows_them(name: str) -> None:
    """Pictures shaped like no page, a table running across two of them, read at 96 CSS px to the inch."""
    html = _article([_data_uri(p) for p in _screenshots(name)], title="信息公开")
    _same_as_the_golden(html.encode("utf-8"), "html", name)


@needs_ocr
@pytest.mark.slow
def test_a_web_archive_of_an_article_with_pictured_tables_is_read_exactly() -> None:
    """A saved page (.mht) whose pictures are parts beside it, named relative to the page's location."""
    shots = _screenshots()
    names = [f"images/t{i}.png" for i in range(len(shots))]
    base = "https://www.huaian.gov.cn/zwgk/2025/report.html"
    archive = _mhtml(
        _article(names),
        {f"https://www.huaian.gov.cn/zwgk/2025/{n}": _png(s) for n, s in zip(names, shots, strict=True)},
        base,
    )
    _same_as_the_golden(archive, "mhtml")


@needs_ocr
@pytest.mark.slow
def test_the_full_picture_behind_a_thumbnail_and_a_lazy_loaded_picture_are_the_ones_read() -> None:
    """A web archive whose page shows thumbnails too small to read, each linking to its full picture, and
    lazy-loaded pictures whose `src` is a placeholder: read from the full and the real pictures."""
    shots = _screenshots()
    base = "https://www.huaian.gov.cn/zwgk/2025/"
    parts: dict[str, bytes] = {base + "loading.gif": _png(Image.new("L", (32, 32), 200))}
    markup = []
    for i, shot in enumerate(shots):
        if i % 2:
            markup.append(f'<img src="loading.gif" data-src="img/t{i}.png">')
        else:
            thumb = shot.resize((shot.width // 4, shot.height // 4))
            parts[base + f"thumb/t{i}.png"] = _png(thumb)
            markup.append(f'<a href="img/t{i}.png" target="_blank"><img src="thumb/t{i}.png"></a>')
        parts[base + f"img/t{i}.png"] = _png(shot)
    page = _article([]).replace("</body>", "".join(f"<p>{m}</p>" for m in markup) + "</body>")
    _same_as_the_golden(_mhtml(page, parts, base + "report.html"), "mhtml")


@needs_ocr
def test_an_article_whose_pictures_are_no_tables_is_still_refused() -> None:
    page = _article([_data_uri(Image.new("L", (600, 200), 255))], narrative="本机关2024年度报告正文。")
    with pytest.raises(ExtractError) as err:
        extract_report(page.encode("utf-8"))
    assert err.value.code == "tables_not_found"


def _listing(root: Path) -> Path:
    """An agency site on disk with a listing linking 2024.html; the folder the article and its `img/` go in."""
    folder = root / "site" / "ha-szf" / "ndbg"
    (folder / "img").mkdir(parents=True)
    (folder / "index.html").write_text(
        f'<html><body><ul><li><a href="2024.html">{TITLE}</a></li></ul></body></html>', encoding="utf-8"
    )
    return folder


def _catalog(tmp_path: Path, index_url: str) -> Path:
    """A catalog of the one agency whose listing is at `index_url`."""
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "city: 淮安市\nallowed_hosts: [127.0.0.1]\nagencies:\n  - id: ha-szf\n    name: 淮安市人民政府\n"
        "    region: 淮安市\n    level: municipal\n    kind: government\n"
        f"    index_url: {index_url}\n",
        encoding="utf-8",
    )
    return catalog


def _site(root: Path, shots: list[Image.Image]) -> None:
    """An agency site on disk: a listing, the report's article (its tables as pictures, a logo in the
    page's header), the pictures."""
    folder = _listing(root)
    article = _article([f"img/t{i}.png" for i in range(len(shots))]).replace(
        '<div class="nav">', '<div class="header"><img src="/logo.png"></div><div class="nav">'
    )
    (folder / "2024.html").write_text(article, encoding="utf-8")
    for i, shot in enumerate(shots):
        (folder / "img" / f"t{i}.png").write_bytes(_png(shot))
    (root / "site" / "logo.png").write_bytes(_png(Image.new("L", (120, 40), 0)))


@needs_ocr
@pytest.mark.slow
def test_a_site_that_pastes_its_tables_as_pictures_is_crawled_loaded_and_skipped_when_unchanged(
    tmp_path: Path,
) -> None:
    from nianbao.demo.server import SampleServer
    from nianbao.flows.ingest import ingest_documents
    from nianbao.flows.nightly import crawl_and_record
    from nianbao.pipeline.catalog import load_catalog
    from nianbao.pipeline.rawstore import RawStore
    from nianbao.warehouse.lock import writing
    from nianbao.warehouse.nights import pending
    from nianbao.warehouse.read import failed_documents

    _site(tmp_path / "city", _screenshots())
    wh, raw = tmp_path / "wh" / "nianbao.duckdb", tmp_path / "raw"
    settings = settings_for(wh, raw)
    with SampleServer(tmp_path / "city", lifetime_s=300) as srv:
        catalog = _catalog(tmp_path, srv.url("/ha-szf/ndbg/index.html"))
        article = srv.url("/ha-szf/ndbg/2024.html")
        first = crawl_and_record(load_catalog(catalog), settings, "night-1")
        [ref] = first.fetched()
        assert (ref.url, ref.via) == (article + "#pictures", article)
        assert sniff(RawStore(raw).get(ref.sha256)) == "mhtml"
        [outcome] = ingest_documents(first.fetched(), settings, "night-1", prefect=False)
        # read from pixels: loaded, or held for a reviewer only because OCR's reading is not verified
        assert set(outcome.checks) <= {"ocr_unverified"}, outcome
        assert outcome.status == ("quarantined" if outcome.checks else "loaded"), outcome
        assert not any("logo" in path for _m, path, _s in srv.requests)  # the header's picture is chrome

        second = crawl_and_record(load_catalog(catalog), settings, "night-2")
        [again] = second.fetched()
        assert again.sha256 == ref.sha256 and second.announce() == []
        with writing(wh, 60) as con:  # an event-driven ingest has nothing left; a rerun takes the archive
            assert pending(con) == []
            again_rows = [(t["url"], t["sha256"], t["why"]) for t in failed_documents(con)]
        assert again_rows == ([] if outcome.status == "loaded" else [(ref.url, ref.sha256, "quarantined")])
        tonight = [(path, status) for _m, path, status in srv.requests if "/img/" in path][
            -len(_screenshots()) :
        ]
        assert {status for _p, status in tonight} == {304}  # every picture asked for conditionally, no body

        img = tmp_path / "city" / "site" / "ha-szf" / "ndbg" / "img"
        (img / "t1.png").rename(tmp_path / "t1.png")  # a picture the site fails to serve one night
        bad = crawl_and_record(load_catalog(catalog), settings, "night-bad")
        [kept] = bad.fetched()
        assert kept.sha256 == ref.sha256 and bad.announce() == []  # the last whole archive stands
        (tmp_path / "t1.png").rename(img / "t1.png")

        (img / "t0.png").write_bytes(_png(_screenshots()[0].rotate(0.3, fillcolor=255)))
        third = crawl_and_record(load_catalog(catalog), settings, "night-3")
        [changed] = third.announce()
        assert changed.url == ref.url and changed.sha256 != ref.sha256

    record = json.loads(rows(wh, "select record from staging.reports where sha256 = ?", [ref.sha256])[0][0])
    for table in ("proactive", "applications", "review_litigation"):
        assert record[table] == GOLDEN[table]
    log = rows(
        wh,
        "select role, url, http_status, sha256 = ? from raw.fetch_log where run_id = 'night-1' and url like ? "
        "order by role, url",
        [ref.sha256, article + "%"],
    )
    assert log[0] == ("document", article + "#pictures", None, True)  # the archive: no request of its own
    assert log[1][:2] == ("target", article)  # the page, as discovery read it


def _typed_table_2() -> str:
    """Table 2 of the genuine report typed into a page as an HTML table, from its golden record."""
    from nianbao.pipeline.model import Report

    from samplegen.layout import Style, proactive_grid
    from samplegen.render_html import HtmlStyle, table_html

    return table_html(proactive_grid(Report.from_json(GOLDEN), Style()), HtmlStyle())


@needs_ocr
@pytest.mark.slow
def test_an_article_with_table_2_typed_and_tables_3_and_4_as_pictures_is_crawled_and_read_whole(
    tmp_path: Path,
) -> None:
    """The genuine report's table 2 in the page's markup, its later pages pasted below as pictures: the
    crawl keeps the page with its pictures (the page alone lacks tables 3 and 4), and the archive reads
    as the golden, table 2 from the markup and tables 3 and 4 from the pictures."""
    pages = _pages()
    later = [i for i in range(len(pages)) if i > 2]  # page 3 (from 0) opens section 三
    folder = _listing(tmp_path / "city")
    article = _article([f"img/p{i}.png" for i in later]).replace(
        "<p></p>", f"<p>二、主动公开政府信息情况</p>{_typed_table_2()}"
    )
    (folder / "2024.html").write_text(article, encoding="utf-8")
    for i in later:
        (folder / "img" / f"p{i}.png").write_bytes(_png(pages[i]))
    record = _crawled_and_loaded(tmp_path, [f"p{i}.png" for i in later])
    for table in ("proactive", "applications", "review_litigation"):
        assert record[table] == GOLDEN[table], table


def _crawled_and_loaded(tmp_path: Path, pictures: list[str]) -> Any:
    """One night over the site under `tmp_path / "city"` (`_listing`'s): its one document is the article
    with its pictures, each of `pictures` (in `img/`) fetched; ingested, the record is loaded (or held
    for a reviewer only because OCR's reading is not verified). The record, as staged."""
    from nianbao.demo.server import SampleServer
    from nianbao.flows.ingest import ingest_documents
    from nianbao.flows.nightly import crawl_and_record
    from nianbao.pipeline.catalog import load_catalog

    wh, raw = tmp_path / "wh" / "nianbao.duckdb", tmp_path / "raw"
    settings = settings_for(wh, raw)
    with SampleServer(tmp_path / "city", lifetime_s=300) as srv:
        catalog = _catalog(tmp_path, srv.url("/ha-szf/ndbg/index.html"))
        night = crawl_and_record(load_catalog(catalog), settings, "night-1")
        [ref] = night.fetched()
        assert ref.url == srv.url("/ha-szf/ndbg/2024.html") + "#pictures"
        assert sorted(p for _m, p, _s in srv.requests if "/img/" in p) == sorted(
            f"/ha-szf/ndbg/img/{name}" for name in pictures
        )
        [outcome] = ingest_documents(night.fetched(), settings, "night-1", prefect=False)
    assert set(outcome.checks) <= {"ocr_unverified"}, outcome
    return json.loads(rows(wh, "select record from staging.reports where sha256 = ?", [ref.sha256])[0][0])


@needs_ocr
@pytest.mark.slow
def test_an_article_linking_its_tables_as_picture_attachments_is_crawled_and_read_as_one_report(
    tmp_path: Path,
) -> None:
    """The genuine report's pages, cut into screenshots, linked under its article as 附件1 … 附件N (nothing
    shown, nothing else attached): one document, the page and its pictures in one archive, read as the
    golden; read one by one, as before, each picture was a partial report."""
    shots = _screenshots()
    folder = _listing(tmp_path / "city")
    links = "".join(
        f'<p><a href="img/t{i}.png">附件{i + 1}：第{i + 1}页.png</a></p>' for i in range(len(shots))
    )
    (folder / "2024.html").write_text(
        _article([]).replace("<p></p>", f"<p>见附件。</p>{links}"), encoding="utf-8"
    )
    for i, shot in enumerate(shots):
        (folder / "img" / f"t{i}.png").write_bytes(_png(shot))
    record = _crawled_and_loaded(tmp_path, [f"t{i}.png" for i in range(len(shots))])
    for table in ("proactive", "applications", "review_litigation"):
        assert record[table] == GOLDEN[table], table


@needs_ocr
@pytest.mark.slow
@pytest.mark.parametrize("form", ["mhtml", "docx"])
def test_the_sites_evidence_crops_a_pictured_reports_cells_from_its_pictures(
    tmp_path: Path, form: str
) -> None:
    """Evidence for an OCR'd picture's cell (of a web archive, of a Word file): the crop process cuts it
    from the same picture, at the same pixels per inch, as the reader read it, and each cell's box lands
    on its printed digits."""
    from nianbao.pipeline.extract import picture_pages
    from nianbao.site.child import run_module
    from nianbao.site.crops import SCALE

    doc = tmp_path / f"report.{form}"
    shots = _screenshots()
    base = "https://www.huaian.gov.cn/zwgk/2025/"
    if form == "mhtml":
        doc.write_bytes(
            _mhtml(
                _article([f"img/t{i}.png" for i in range(len(shots))]),
                {base + f"img/t{i}.png": _png(s) for i, s in enumerate(shots)},
                base + "report.html",
            )
        )
    else:
        doc.write_bytes(_word([(s, s.width / 96) for s in shots]))
    report = extract_report(doc.read_bytes())
    cells = [
        (loc.page, loc.bbox, loc.raw)
        for loc in report.provenance.values()
        if loc.page is not None and loc.bbox is not None and loc.raw not in ("0", "")
    ][:6]
    assert len(cells) == 6
    pages = picture_pages(doc.read_bytes())
    for page, bbox, raw in cells:  # the reader's own box, on the picture it names, holds ink
        frame, ppi = pages[page - 1]
        x0, top, x1, bottom = (round(v * ppi / 72) for v in bbox)
        assert frame[top:bottom, x0:x1].min() < 100, (raw, page, bbox)
    outs = [tmp_path / f"c{i}.png" for i in range(len(cells))]
    jobs = [
        {"pdf": str(doc), "page": page, "boxes": [list(bbox)], "out": str(out)}
        for (page, bbox, _raw), out in zip(cells, outs, strict=True)
    ]
    results = run_module("nianbao.site.crops", jobs)
    for (page, _bbox, _raw), out, result in zip(cells, outs, results, strict=True):
        assert "error" not in result, result
        frame, ppi = pages[page - 1]
        width = Image.open(out).size[0]
        assert width == round(frame.shape[1] * 72 / ppi * SCALE)


# ----------------------------------------------------------------------------- Word files
def _word(
    pictures: list[tuple[Image.Image, float]], typed_table_2: bool = False, title: str = "信息公开"
) -> bytes:
    """A Word file: a title, table 2 typed in as a Word table if asked, then each picture at the width
    (inches) the document shows it."""
    from docx import Document
    from docx.shared import Inches

    doc = Document()
    doc.add_paragraph(title)
    if typed_table_2:
        from nianbao.pipeline.model import Report

        from samplegen.layout import Style, proactive_grid
        from samplegen.render_docx import _table

        doc.add_paragraph("二、主动公开政府信息情况")
        _table(doc, proactive_grid(Report.from_json(GOLDEN), Style()))
    for picture, inches in pictures:
        doc.add_picture(BytesIO(_png(picture)), width=Inches(inches))
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _as_vml(drawing: Any, style: str) -> Any:
    """A VML picture (`w:pict`, as older Word wrote them) of the same image as this DrawingML one."""
    from docx.oxml import parse_xml

    rid = drawing.xpath(".//a:blip/@r:embed")[0]
    return parse_xml(
        '<w:pict xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<v:shape style="{style}"><v:imagedata r:id="{rid}"/></v:shape></w:pict>'
    )


def test_a_word_files_pictures_are_taken_in_order_at_the_width_it_shows_them() -> None:
    """DrawingML pictures (in a paragraph, in a table's cell), a VML one, one written both ways for old
    and new readers (taken once), an icon (left out): each frame at its pixels per inch of the page."""
    from docx import Document
    from docx.oxml import parse_xml
    from docx.shared import Inches

    from nianbao.pipeline.extract import picture_pages

    shapes = {"a": (400, 300), "b": (600, 200), "c": (300, 100), "d": (500, 100), "icon": (32, 32)}
    img = {k: Image.new("L", size, 40 + 30 * i) for i, (k, size) in enumerate(shapes.items())}
    doc = Document()
    doc.add_paragraph("本机关2024年度报告")
    doc.add_picture(BytesIO(_png(img["a"])), width=Inches(2))
    doc.add_table(rows=1, cols=1).cell(0, 0).paragraphs[0].add_run().add_picture(
        BytesIO(_png(img["b"])), width=Inches(4)
    )
    doc.add_picture(BytesIO(_png(img["c"])), width=Inches(1))  # made VML below, 144 pt wide
    doc.add_picture(BytesIO(_png(img["d"])), width=Inches(5))  # wrapped below, DrawingML and VML
    doc.add_picture(BytesIO(_png(img["icon"])), width=Inches(0.3))
    drawings = doc.element.body.xpath(".//w:drawing")
    c, d = drawings[2], drawings[3]
    c.getparent().replace(c, _as_vml(c, "width:144pt;height:48pt"))
    both = parse_xml(
        '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<mc:Choice Requires="wps"/><mc:Fallback/></mc:AlternateContent>'
    )
    d.getparent().replace(d, both)
    both[1].append(_as_vml(d, "width:360pt;height:72pt"))
    both[0].append(d)
    out = BytesIO()
    doc.save(out)
    data = out.getvalue()

    pages = picture_pages(data)
    assert [(f.shape[1], f.shape[0]) for f, _ppi in pages] == [shapes[k] for k in "abcd"]
    assert [round(ppi) for _f, ppi in pages] == [200, 150, 150, 100]
    assert [(f == img[k].getpixel((0, 0))).all() for (f, _p), k in zip(pages, "abcd", strict=True)] == [
        True
    ] * 4


def test_a_word_file_whose_tables_are_its_own_does_not_read_its_pictures() -> None:
    """A picture (a seal, a photo) in a Word file whose tables show all of 2-4: read as before, no OCR;
    a Word file with pictures gets the OCR time budget, one without does not."""
    from docx import Document
    from docx.shared import Inches

    from nianbao.pipeline.extract.limits import may_need_ocr

    plain = (TESTS / "files" / "docx" / "docx_hz-ghzy_2020.docx").read_bytes()
    doc = Document(BytesIO(plain))
    doc.add_picture(BytesIO(_png(Image.new("L", (400, 300), 0))), width=Inches(2))
    out = BytesIO()
    doc.save(out)
    sealed = out.getvalue()
    assert may_need_ocr(sealed) and not may_need_ocr(plain)
    report = extract_report(sealed)
    assert report.reading.method != "ocr"
    assert report.canonical() == extract_report(plain).canonical()


@needs_ocr
@pytest.mark.slow
@pytest.mark.parametrize("name", GENUINE)
def test_a_reports_pages_pasted_into_a_word_file_as_pictures_are_read_exactly(name: str) -> None:
    """Every page of a genuine report pasted into a Word file as a picture, 6 inches wide (page-shaped:
    read as A4 across its shorter side); the file's own text names nothing."""
    _same_as_the_golden(_word([(p, 6.0) for p in _pages(name)]), "docx", name)


@needs_ocr
@pytest.mark.slow
@pytest.mark.parametrize("saved", ["docx", "doc"])
def test_a_word_file_with_table_2_typed_and_the_rest_as_screenshots_is_read_exactly(
    saved: str, tmp_path: Path
) -> None:
    """Table 2 a Word table, the genuine report's later pages pasted below it as screenshots at their own
    size: table 2 from the file's markup, tables 3 and 4 from the pictures; saved as DOCX, and as a
    legacy .doc (LibreOffice writes it; the reader converts it back), pictures and all."""
    later = [shot for page in _pages()[3:] for shot in _cut(page)]  # page 3 (from 0) opens section 三
    data = _word([(s, s.width / 96) for s in later], typed_table_2=True, title=TITLE)
    if saved == "doc":
        data = _saved_by_libreoffice(data, "doc", tmp_path)
        assert sniff(data) == "doc"
    report = extract_report(data)
    assert report.format == saved and report.reading.method == "ocr"
    record = report.canonical()
    for table in ("proactive", "applications", "review_litigation"):
        assert record[table] == GOLDEN[table], table


def _saved_by_libreoffice(docx: bytes, fmt: str, tmp_path: Path) -> bytes:
    """A Word file saved by LibreOffice as `fmt` (doc, pdf); skipped (failed in CI) without LibreOffice."""
    from nianbao.pipeline.extract import legacy

    program = legacy.converter()
    if program is None:
        missing(legacy.PACKAGE)
    (tmp_path / "report.docx").write_bytes(docx)
    subprocess.run(
        [
            program,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(tmp_path),
            str(tmp_path / "report.docx"),
        ],
        capture_output=True,
        timeout=180,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return (tmp_path / f"report.{fmt}").read_bytes()


# the genuine report's tables where its PDF prints them (page from 0, box in points): table 2 over pages
# 2-3, table 3 over pages 3-4, table 4 at the foot of page 4
_TABLE_BOXES = {
    "二、主动公开政府信息情况": [(2, (74, 468, 519, 752)), (3, (73, 80, 520, 294))],
    "三、收到和处理政府信息公开申请情况": [(3, (73, 370, 520, 782)), (4, (70, 80, 523, 451))],
    "四、政府信息公开行政复议、行政诉讼情况": [(4, (70, 503, 523, 691))],
}


def _table_screenshots_in_word() -> bytes:
    """A report written in Word with each table pasted in as a screenshot of itself (cut tight round the
    table, at 150 dpi, shown at its printed size) under its heading, between paragraphs of text."""
    from docx import Document
    from docx.shared import Inches

    pdf = pdfium.PdfDocument((REAL / f"{GENUINE[-1]}.pdf").read_bytes())
    doc = Document()
    doc.add_paragraph(TITLE)
    doc.add_paragraph(
        "一、总体情况\n" + "本年度，本机关认真贯彻落实《中华人民共和国政府信息公开条例》。" * 12
    )
    try:
        for heading, boxes in _TABLE_BOXES.items():
            doc.add_paragraph(heading)
            for page, (x0, top, x1, bottom) in boxes:
                image = pdf[page].render(scale=150 / 72, grayscale=True).to_pil().convert("L")
                k = 150 / 72
                shot = image.crop(
                    (int((x0 - 4) * k), int((top - 4) * k), int((x1 + 4) * k), int((bottom + 4) * k))
                )
                doc.add_picture(BytesIO(_png(shot)), width=Inches((x1 - x0 + 8) / 72))
    finally:
        pdf.close()
    doc.add_paragraph("五、存在的主要问题及改进情况\n" + "进一步提高政务公开质量。" * 20)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


@needs_ocr
@pytest.mark.slow
def test_a_pdf_saved_from_word_with_each_table_a_screenshot_is_read_exactly(tmp_path: Path) -> None:
    """The Word file above saved as PDF by LibreOffice: narrative in the text layer, each table an image
    on its page; table 2's second half, a short wide picture (a fifth of its page), is read as well."""

    report = extract_report(_saved_by_libreoffice(_table_screenshots_in_word(), "pdf", tmp_path))
    assert report.format == "pdf" and report.reading.method == "ocr"
    assert report.reading.details["ocr"]["why"] == "table_image"
    record = report.canonical()
    for table in ("proactive", "applications", "review_litigation"):
        assert record[table] == GOLDEN[table], table


def test_the_pdf_pages_read_for_pictured_tables_are_those_with_table_shaped_pictures() -> None:
    """Which pages of a text PDF are read by OCR when its text lacks tables: a page-sized picture, a short
    wide one (a table of a header and a row), one cut into strips; not a seal, a logo or a rule."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from nianbao.pipeline.extract.pdf import _image_pages

    grey = ImageReader(Image.new("L", (300, 200), 128))
    out = BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    pages = {
        "page-sized": [(60, 200, 480, 500)],
        "short and wide": [(70, 300, 450, 110)],  # 18 % of the page, 76 % of its width
        "in strips": [(70, 300 + 12 * k, 450, 12) for k in range(6)],  # 72 pt together
        "a seal": [(380, 100, 120, 120)],
        "a rule": [(70, 400, 450, 4)],
        "a logo beside the text": [(70, 760, 200, 50)],
    }
    for boxes in pages.values():
        c.drawString(72, 800, "text")
        for x, y, w, h in boxes:
            c.drawImage(grey, x, y, w, h)
        c.showPage()
    c.save()
    chosen = _image_pages(out.getvalue())
    assert [name for n, name in enumerate(pages, 1) if n in chosen] == [
        "page-sized",
        "short and wide",
        "in strips",
    ]
