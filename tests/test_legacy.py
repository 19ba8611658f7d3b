"""Legacy Word .doc / WPS .wps attachments (issue 13): converted by LibreOffice headless, then read as DOCX.

LibreOffice is a Debian program (libreoffice-writer-nogui) that `.ci/run` installs; where it is missing
these tests skip naming it, unless CI requires it (`helpers.required`) and its absence is a failure.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import extract_report, legacy, sniff

from helpers import required

FILES = Path(__file__).parent / "files" / "docx"
GOLDEN = Path(__file__).parent / "golden"

if legacy.converter() is None:
    if required(legacy.PACKAGE):
        raise RuntimeError(f"NIANBAO_REQUIRE_PACKAGES names {legacy.PACKAGE}, missing here")
    needs_soffice = pytest.mark.skip(reason=f"LibreOffice is not installed: apt-get install {legacy.PACKAGE}")
else:
    needs_soffice = pytest.mark.skipif(False, reason="")


def test_legacy_doc_is_sniffed_as_doc() -> None:
    assert sniff((FILES / "doc_hz-ghzy_2020.doc").read_bytes()) == "doc"


@needs_soffice
@pytest.mark.timeout(300)
def test_legacy_doc_reads_as_its_docx() -> None:
    """A .doc saved by LibreOffice from a DOCX fixture gives that fixture's golden record."""
    report = extract_report((FILES / "doc_hz-ghzy_2020.doc").read_bytes())
    golden = json.loads((GOLDEN / "docx_hz-ghzy_2020.json").read_text(encoding="utf-8"))
    assert report.canonical() == golden
    assert report.reading.details["converted_by"] == "libreoffice"


@needs_soffice
@pytest.mark.timeout(300)
def test_a_broken_legacy_doc_is_refused_with_a_reason() -> None:
    with pytest.raises(ExtractError) as e:
        extract_report((FILES / "refuse_legacy.doc").read_bytes())
    assert e.value.code == "truncated"


def test_without_libreoffice_the_refusal_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(legacy.shutil, "which", lambda name: None)
    with pytest.raises(ExtractError) as e:
        extract_report((FILES / "doc_hz-ghzy_2020.doc").read_bytes())
    assert e.value.code == "converter_missing"
    assert legacy.PACKAGE in e.value.message
