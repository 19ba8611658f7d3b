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
    "too_large",
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
    """A document that could not be fetched; `data` holds an incomplete body when one arrived."""

    data: bytes | None = None
