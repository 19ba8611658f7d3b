"""Bytes of a published document → the canonical report. Formats are told apart by content.

`reader_version()` names what the reading was done with, for keying cached extractions.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from io import BytesIO
from typing import Any

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract.cells import ParsedDocument
from nianbao.pipeline.extract.limits import is_web_archive
from nianbao.pipeline.extract.report import build_report
from nianbao.pipeline.extract.version import reader_version
from nianbao.pipeline.model import Report

__all__ = ["extract_report", "picture_pages", "reader_version", "sniff"]


def sniff(data: bytes) -> str:
    """The document's format from its bytes: pdf, docx, html, mhtml, doc, image, text, or raises unsupported_format."""
    head = data[:2048].lstrip()
    if not data.strip():
        raise ExtractError("empty", "the document is empty")
    if data[:1024].find(b"%PDF-") != -1:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(BytesIO(data)).namelist()
        except zipfile.BadZipFile as e:
            raise ExtractError("truncated", "a ZIP container that cannot be opened (truncated DOCX?)") from e
        if "word/document.xml" in names:
            return "docx"
        raise ExtractError("unsupported_format", "a ZIP file that is not a Word document")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"  # legacy Word .doc or WPS .wps (OLE2): converted by LibreOffice (issue 13)
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")):
        return "image"  # a scanned page or pages: OCR (issue 13)
    if is_web_archive(data):
        return "mhtml"  # a web page saved with its pictures (.mht)
    lower = head[:1024].lower()
    if (
        lower.startswith((b"<!doctype html", b"<html", b"<?xml"))
        or b"<html" in lower
        or b"<body" in lower
        or b"<table" in lower
    ):
        return "html"
    if b"\x00" in data[:4096]:
        raise ExtractError("unsupported_format", "binary data of an unknown format")
    return "text"


def _reader(fmt: str) -> Callable[[bytes], ParsedDocument]:
    """The parse function of a format, imported only when a document of that format comes."""
    if fmt == "text":
        from nianbao.pipeline.extract.text import parse_text

        return parse_text
    if fmt == "pdf":
        from nianbao.pipeline.extract.pdf import parse_pdf

        return parse_pdf
    if fmt == "html":
        from nianbao.pipeline.extract.html import parse_html

        return parse_html
    if fmt == "docx":
        from nianbao.pipeline.extract.docx import parse_docx

        return parse_docx
    if fmt == "doc":
        from nianbao.pipeline.extract.legacy import parse_legacy

        return parse_legacy
    if fmt == "mhtml":
        from nianbao.pipeline.extract.mhtml import parse_mhtml

        return parse_mhtml
    if fmt == "image":
        from nianbao.pipeline.extract.image import parse_image

        return parse_image
    raise ExtractError("unsupported_format", f"no reader for {fmt}")


def picture_pages(data: bytes) -> list[tuple[Any, float]]:
    """The pages OCR reads of an image, or of a web page, web archive or Word file whose tables are
    pictures: each a greyscale array and its pixels per inch (an OCR'd location's page and box, in
    points, are on these). `unsupported_format` for any other format (a PDF's pages are rendered by
    pdfium instead)."""
    fmt = sniff(data)
    if fmt == "image":
        from nianbao.pipeline.extract.image import picture_pages as of_image

        return of_image(data)
    if fmt == "html":
        from nianbao.pipeline.extract.html import picture_pages as of_page

        return of_page(data)
    if fmt == "mhtml":
        from nianbao.pipeline.extract.mhtml import picture_pages as of_archive

        return of_archive(data)
    if fmt in ("docx", "doc"):
        from nianbao.pipeline.extract.docx import picture_pages as of_word

        if fmt == "doc":
            from nianbao.pipeline.extract.legacy import to_docx

            data = to_docx(data)  # converted as the reader converted it
        return of_word(data)
    raise ExtractError("unsupported_format", f"a {fmt} document has no picture pages")


def extract_report(data: bytes) -> Report:
    """Read one document's bytes into a Report, or raise ExtractError with a code and one line."""
    fmt = sniff(data)
    try:
        reader = _reader(fmt)
    except ImportError as e:
        raise ExtractError("unsupported_format", f"{fmt} reader is not available: {e}") from e
    doc = reader(data)
    doc.format = fmt
    method = doc.reading.pop("method", None)
    report = build_report(doc)
    if method:
        report.reading.method = str(method)  # "ocr": the values were read from pixels (issue 13)
    return report


def read_document(data: bytes) -> Report | ExtractError:
    """The document's report, or the typed reason it cannot be read; never an exception (a night goes on)."""
    try:
        return extract_report(data)
    except ExtractError as e:
        return e
    except Exception as e:  # a reader bug must not stop the night: quarantine the document with the reason
        return ExtractError("extractor_error", f"{type(e).__name__}: {e}")
