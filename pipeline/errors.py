"""Typed, expected failures. Each carries a short snake_case code (spec/interfaces.md) and one line."""

from __future__ import annotations

ERROR_CODES = (
    "empty",
    "not_a_report",
    "no_text_layer",
    "garbled_text",
    "encrypted",
    "truncated",
    "unsupported_format",
    "tables_not_found",
    "fetch_failed",
    "host_not_allowed",
    "scheme_not_allowed",  # a link found on the web that is not http(s): never followed (only a catalog names files)
    "deadline_exceeded",  # one document's whole download, or an agency's crawl, ran over its deadline
    "too_large",  # a size limit of a download or a document (pages, inflated bytes, XML, elements): named
    "resource_limit",  # the reader's memory or time cap was reached while reading a document
    "reader_crashed",  # the reader process died (a crash in a parsing library): the document, not the night
    "extractor_error",  # a reader bug: the document is quarantined with the exception's name
    "year_not_covered",  # a report year no template covers (before 2019)
    "bad_catalog",
    "no_snapshot",
    "ocr_missing",  # a scan or image needs OCR and rapidocr-onnxruntime is not installed (issue 13)
    "converter_missing",  # a legacy .doc/.wps needs LibreOffice, which is not installed: the package is named  # no analysts' snapshot is published yet (the first run has not finished)
)


class NianbaoError(Exception):
    """An expected failure: printed as one line, never as a traceback."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        # picklable across processes and Prefect's result store (Exception pickles only `args`)
        return (type(self), (self.code, self.message))

    def as_json(self) -> dict[str, str]:
        """The `error` object of `nianbao extract`'s output."""
        return {"code": self.code, "message": self.message}


class ExtractError(NianbaoError):
    """A document that cannot be read as a report."""


class ReviewError(NianbaoError):
    """A review decision that cannot be recorded (code `review_refused`: no such report, unknown cell, …)."""


class FetchError(NianbaoError):
    """A document that could not be fetched; `data` holds an incomplete body when one arrived, `http_status`
    the server's answer when it refused (a 404 is kept as 404 in raw.fetch_log, issue 16)."""

    data: bytes | None = None
    http_status: int | None = None
