"""Web archives (`.mht`, `.mhtml`: MIME multipart/related, RFC 2557) → the page they hold, with its pictures.

Word's 单个文件网页, WPS and the browsers' "save as one file" write a page and the pictures it shows into
one MIME message; so does the crawl for an article whose tables are pictures (`write_mhtml`: the page and
its pictures as fetched, one document kept by its hash). The page is read as any HTML page (`html.py`);
its `<img>`s are resolved to the parts beside it (by Content-Location, relative to the page's own, or by
Content-ID for `cid:`), so that tables pasted in as pictures are read by OCR with the rest.
"""

from __future__ import annotations

import codecs
import email.parser
import email.policy
import hashlib
from collections.abc import Sequence
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from urllib.parse import unquote, urldefrag, urljoin

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract.cells import ParsedDocument
from nianbao.pipeline.extract.html import Pictures, data_uri, parse_html
from nianbao.pipeline.extract.html import picture_pages as html_picture_pages
from nianbao.pipeline.extract.limits import check_mhtml
from nianbao.pipeline.extract.pictures import PicturePage

MAX_PARTS = 200  # a saved report page: its HTML, a stylesheet or two and its pictures


def _html_bytes(part: EmailMessage) -> bytes:
    """The page's bytes, as UTF-8 with a BOM when the part names its charset (its meta tag may not)."""
    raw = part.get_payload(decode=True)
    assert isinstance(raw, bytes)
    charset = part.get_content_charset()
    if charset:
        try:
            return codecs.BOM_UTF8 + raw.decode(charset).encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            pass
    return raw


def _opened(data: bytes) -> tuple[bytes, Pictures]:
    """The archive's page (its bytes) and the lookup of its pictures among the parts beside it."""
    check_mhtml(data)
    msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(data)
    parts = [p for p in msg.walk() if not p.is_multipart()]
    if len(parts) > MAX_PARTS:
        raise ExtractError("too_large", f"a web archive of {len(parts)} parts (limit {MAX_PARTS})")
    page = next((p for p in parts if p.get_content_type() == "text/html"), None)
    if not isinstance(page, EmailMessage):
        raise ExtractError("not_a_report", "a web archive without an HTML page")
    base = str(page.get("Content-Location") or "")
    by_location: dict[str, EmailMessage] = {}
    by_name: dict[str, EmailMessage] = {}
    by_id: dict[str, EmailMessage] = {}
    for p in parts:
        if p is page or not isinstance(p, EmailMessage):
            continue
        if location := str(p.get("Content-Location") or "").strip():
            by_location[location] = p
            by_name.setdefault(unquote(location.replace("\\", "/")).rsplit("/", 1)[-1], p)
        if cid := str(p.get("Content-ID") or "").strip().strip("<>"):
            by_id[cid] = p

    def picture(src: str) -> bytes | None:
        src = src.strip()
        if src.lower().startswith("data:"):
            return data_uri(src)
        if src.lower().startswith("cid:"):
            found = by_id.get(unquote(src[4:]))
        else:
            found = by_location.get(urldefrag(urljoin(base, src))[0]) or by_location.get(src)
            if found is None:  # Word: "报告.files/image001.png" beside "file:///C:/…/报告.files/image001.png"
                found = by_name.get(unquote(src.replace("\\", "/")).rsplit("/", 1)[-1])
        if found is None or found.get_content_maintype() == "text":
            return None
        payload = found.get_payload(decode=True)
        return payload if isinstance(payload, bytes) else None

    return _html_bytes(page), picture


def parse_mhtml(data: bytes) -> ParsedDocument:
    """The archive's page read with its pictures; `not_a_report` when it holds no HTML page."""
    page, picture = _opened(data)
    parsed = parse_html(page, picture)
    parsed.format = "mhtml"
    return parsed


def picture_pages(data: bytes) -> list[PicturePage]:
    """The archive's pictures as its page shows them, each frame as OCR reads it (`html.picture_pages`)."""
    page, picture = _opened(data)
    return html_picture_pages(page, picture)


_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
)


def _picture_type(data: bytes) -> tuple[str, str]:
    """A picture's MIME type told from its bytes (what a server says of it is often wrong)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image", "webp"
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            main, sub = kind.split("/")
            return main, sub
    return "application", "octet-stream"


def write_mhtml(page_url: str, page: bytes, pictures: Sequence[tuple[str, bytes]]) -> bytes:
    """A web archive of a page and its pictures (absolute URLs as Content-Location), byte for byte the same
    for the same inputs: no date, and a boundary made from the contents, so that a night that fetched the
    same page and pictures stores the same document."""
    digest = hashlib.sha256(page)
    for url, data in pictures:
        digest.update(url.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    msg = MIMEMultipart("related", boundary=f"----nianbao-{digest.hexdigest()[:32]}", type="text/html")
    msg["Snapshot-Content-Location"] = page_url
    html = MIMEApplication(page, "octet-stream")  # the page's bytes as served: its meta tag names the charset
    html.replace_header("Content-Type", "text/html")
    html["Content-Location"] = page_url
    msg.attach(html)
    for url, data in pictures:
        main, sub = _picture_type(data)
        part = MIMEApplication(data, sub)
        part.replace_header("Content-Type", f"{main}/{sub}")
        part["Content-Location"] = url
        msg.attach(part)
    return msg.as_bytes(policy=email.policy.SMTP)
