"""The one generator (tests/samplegen/fixtures.py) remakes the committed format fixtures and their goldens."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import skip_unless_installed
from samplegen import fixtures, producers

TESTS = Path(__file__).resolve().parent
STABLE = [f for f in fixtures.FIXTURES if f.stable]
UNSTABLE = [f for f in fixtures.FIXTURES if not f.stable]
# transcribed by hand from real documents, not generated
HAND_MADE = {"06_hongze-qzf-2023", "07_hongze-qzf-2024", "08_huaian-szf-2024", "hz-yjglj_2020"}


def _id(fx: fixtures.Fixture) -> str:
    """Test ids: the fixture's file name."""
    return Path(fx.path).name


@pytest.mark.parametrize("fx", STABLE, ids=_id)
def test_generator_regenerates_the_committed_fixture_byte_for_byte(
    fx: fixtures.Fixture, tmp_path: Path
) -> None:
    pytest.importorskip("reportlab")
    if fx.source and not fx.source.exists():
        pytest.skip(f"{fx.source} is not mounted")
    assert fixtures.write_fixture(fx, tmp_path) == "written"
    assert (tmp_path / "files" / fx.path).read_bytes() == (TESTS / "files" / fx.path).read_bytes()


@pytest.mark.parametrize("name", sorted(fixtures.RECORDS))
def test_golden_is_written_from_the_generating_record(name: str) -> None:
    committed = (TESTS / "golden" / f"{name}.json").read_text(encoding="utf-8")
    assert fixtures.golden_json(fixtures.record(name)) == committed


def test_every_golden_is_generated_or_hand_made() -> None:
    goldens = {p.stem for p in (TESTS / "golden").glob("*.json")}
    assert goldens - HAND_MADE == set(fixtures.RECORDS)
    assert {f.golden for f in fixtures.FIXTURES if f.golden} == set(fixtures.RECORDS)


def test_every_fixture_record_balances() -> None:
    for name in fixtures.RECORDS:
        rec = fixtures.record(name)
        apps = rec.applications
        for a, received in apps["received_new"].items():
            assert received + apps["carried_in"][a] == apps["handled_total"][a] + apps["carried_out"][a], name
        for row in apps.values():
            assert row["total"] == sum(v for k, v in row.items() if k != "total"), name


def test_missing_programs_skip_their_fixtures_and_name_the_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setattr(producers, "_weasyprint", lambda: False)  # as where pango is not installed
    for fx in UNSTABLE:
        said = fixtures.write_fixture(fx, tmp_path)
        assert said.startswith("skipped: needs ") and producers.APT_INSTALL in said, (fx.path, said)
        assert not (tmp_path / "files" / fx.path).exists()
    assert (tmp_path / "golden" / "pdf_lo_v2021_docx.json").exists()  # goldens need no program


@pytest.mark.slow
@pytest.mark.parametrize("fx", UNSTABLE, ids=_id)
def test_unreproducible_fixtures_come_out_as_the_same_document(fx: fixtures.Fixture) -> None:
    """LibreOffice, Chromium and qpdf's AES stamp dates, IDs and salts; apart from those, nothing changes."""
    skip_unless_installed(producers.missing(fx.needs))
    committed = (TESTS / "files" / fx.path).read_bytes()
    # a Word 97 file is no PDF, and a face substituted for the one asked for is the machine's choice (as is
    # LibreOffice's or Chromium's version): the same document reads as the same record
    if fx.path.endswith(".doc") or Path(fx.path).name in {*fixtures.ALIGNED, *fixtures.VARIANTS}:
        from nianbao.pipeline.extract import extract_report

        assert extract_report(fx.build()).canonical() == extract_report(committed).canonical()
        return
    assert producers.same_pdf(fx.build(), committed, fx.password)
