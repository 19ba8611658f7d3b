"""Reading a stored document without ever raising, and the version its cached reading is valid for."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import extract_report
from nianbao.pipeline.model import EXTRACTOR_VERSION, Report

DISAGREEMENT = "document_disagreement"


@cache
def code_version() -> str:
    """EXTRACTOR_VERSION plus a hash of the readers' and checks' sources: a code change invalidates cached reads."""
    h = hashlib.sha256(EXTRACTOR_VERSION.encode())
    root = Path(__file__).resolve().parent
    for folder in (root / "extract", root / "tables", root.parent / "expectations"):
        for p in sorted(folder.glob("*.py")):
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return f"{EXTRACTOR_VERSION}+{h.hexdigest()[:12]}"


def extract_document(data: bytes) -> Report | ExtractError:
    """The document's report, or the typed reason it cannot be read (never an exception)."""
    try:
        return extract_report(data)
    except ExtractError as e:
        return e
    except Exception as e:  # a reader bug must not stop the night: quarantine the document with the reason
        return ExtractError("extractor_error", f"{type(e).__name__}: {e}")
