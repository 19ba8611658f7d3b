"""Scanned and image-only reports read by OCR (issue 13).

The fast tests drive the real engine (PP-OCRv4 models from the rapidocr-onnxruntime wheel) on small
images made here, and the page geometry on synthetic pages. The slow ones read the scans of our own
fixtures (`tests/files/scans`, made by `samplegen.scans`; more are generated at run time) against their
sources' goldens: at least 95% cell-exact, and **no** document that is not exact verified; the garbled
real PDF stays refused; a scanned report goes through ingestion and is admitted or quarantined with
`ocr_unverified` findings that open the right cells.
"""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from nianbao.pipeline.extract import ocr

from helpers import installed_fonts, required

pytestmark = pytest.mark.skipif(not ocr.available(), reason="rapidocr-onnxruntime is not installed")

ROOT = Path(__file__).resolve().parents[1]
SCANS = ROOT / "tests" / "files" / "scans"


def _text_image(text: str, height: int = 40) -> np.ndarray:
    """A greyscale crop of printed ASCII text (OpenCV's own stroke font: no font file needed)."""
    import cv2

    scale = height / 30
    (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
    img = np.full((h + base + 16, w + 16), 255, np.uint8)
    cv2.putText(img, text, (8, h + 8), cv2.FONT_HERSHEY_SIMPLEX, scale, 0, 2, cv2.LINE_AA)
    return img


def test_models_ship_in_the_wheel_and_nothing_is_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    """The det/rec models are files inside the installed package; loading and reading opens no socket."""
    sizes = ocr.model_files()
    assert {"ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx"} <= set(sizes)
    assert all(n > 500_000 for n in sizes.values())

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("OCR tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    (line,) = ocr.Engine().recognize([_text_image("2024")])
    assert line.text == "2024"


def test_a_number_is_read_restricted_to_number_characters() -> None:
    """Crops that read as numbers are decoded over digits and zero markers only, with a confidence."""
    lines = ocr.engine().recognize([_text_image("1,234"), _text_image("0"), _text_image("57")])
    assert [ln.text for ln in lines] == ["1,234", "0", "57"]
    assert all(ln.restricted for ln in lines)
    assert all(0.0 < ln.conf <= 1.0 for ln in lines)
    assert all(0.0 <= g.at <= 1.0 for ln in lines for g in ln.glyphs)
    places = [g.at for g in lines[0].glyphs]
    assert places == sorted(places)  # characters are placed left to right along the crop


def test_words_are_not_restricted() -> None:
    (line,) = ocr.engine().recognize([_text_image("Total")])
    assert not line.restricted


def _grid_page(angle: float = 0.0) -> np.ndarray:
    """A synthetic A4 page at 100 dpi: a 6×4 ruled grid and text-like bars, turned by `angle` degrees."""
    import cv2

    img = np.full((1169, 827), 255, np.uint8)
    for r in range(7):
        cv2.line(img, (100, 200 + 40 * r), (700, 200 + 40 * r), 0, 2)
    for c in range(5):
        cv2.line(img, (100 + 150 * c, 200), (100 + 150 * c, 440), 0, 2)
    for y in range(520, 1000, 30):  # lines of "characters": glyph-sized blots with gaps
        for x in range(100, 650, 20):
            cv2.rectangle(img, (x, y), (x + 13, y + 13), 0, 1)
    m = cv2.getRotationMatrix2D((413, 584), angle, 1.0)
    return cv2.warpAffine(img, m, (827, 1169), borderValue=255)


def test_straightening_undoes_a_scanners_skew() -> None:
    from nianbao.pipeline.extract.scan import rules, straighten

    turned = _grid_page(1.3)
    flat, matrix = straighten(turned)
    assert flat.shape == (1169, 827)
    # OpenCV's matrix turns the other way round: it undoes +1.3° with a matrix of angle +1.3° in its terms
    assert abs(np.degrees(np.arctan2(matrix[1, 0], matrix[0, 0])) - 1.3) < 0.2
    assert len([s for s in rules(flat, 100)[1] if s[1] == s[3]]) == 7


def test_ruling_lines_are_found_by_morphology() -> None:
    from nianbao.pipeline.extract.scan import grid_strength, rules

    _mask, segments = rules(_grid_page(), 100)
    horizontal = [s for s in segments if s[1] == s[3]]
    vertical = [s for s in segments if s[0] == s[2]]
    assert len(horizontal) == 7 and len(vertical) >= 5
    assert grid_strength(_grid_page(), 100) >= 4
    assert grid_strength(np.full((1169, 827), 255, np.uint8), 100) == 0


def test_a_rule_broken_under_glyphs_is_carried_on_to_the_rule_across_it() -> None:
    """A faint rule under a cell's label breaks up where the glyphs sit (scan_lo_v2021_docx: the rule under
    1．属于国家秘密 was found only from ~22 pt right of the label column, so two rows' labels merged and the
    table was refused `tables_not_found`). Its ink still runs along: the rule is carried on to the vertical
    rule it ends on. A rule beside a row of glyphs, whose ink covers the stretch only in blots, is not."""
    import cv2

    from nianbao.pipeline.extract.scan import rules

    img = np.full((600, 900), 255, np.uint8)
    for x in (100, 800):
        cv2.line(img, (x, 100), (x, 500), 0, 2)
    for y in (100, 500):
        cv2.line(img, (100, y), (800, y), 0, 2)
    cv2.line(img, (180, 250), (800, 250), 0, 2)
    for x in range(100, 180, 8):  # the same rule's first 80 px, a pixel missing every 8: no 90-px run
        img[249:251, x : x + 7] = 0
    cv2.line(img, (180, 400), (800, 400), 0, 2)
    for x in range(104, 176, 20):  # glyph-sized blots on the next rule's line, not a rule
        img[394:406, x : x + 12] = 0
    _mask, segments = rules(img, 200)
    starts = {round(t): round(x0) for x0, t, _x1, b in segments if t == b}
    assert abs(starts[250] - 100) <= 2  # carried on to the left rule's line
    assert starts[400] >= 180  # left where it was found
    assert abs(starts[100] - 100) <= 6 and abs(starts[500] - 100) <= 6


def test_an_image_is_sniffed_and_a_non_report_image_refused() -> None:
    import cv2

    from nianbao.pipeline.errors import ExtractError
    from nianbao.pipeline.extract import extract_report, sniff

    page = np.full((1169, 827), 255, np.uint8)
    for r in range(7):  # a ruled grid with nothing in it: OCR finds no report tables
        cv2.line(page, (100, 200 + 40 * r), (700, 200 + 40 * r), 0, 2)
    for c in range(5):
        cv2.line(page, (100 + 150 * c, 200), (100 + 150 * c, 440), 0, 2)
    png = bytes(cv2.imencode(".png", page)[1])
    assert sniff(png) == "image"
    with pytest.raises(ExtractError) as e:
        extract_report(png)
    assert e.value.code == "not_a_report"


# ----------------------------------------------------------------------------- the scanned set (slow)
def _manifest() -> list[dict[str, object]]:
    docs: list[dict[str, object]] = json.loads((SCANS / "manifest.json").read_text("utf-8"))["documents"]
    return docs


@pytest.fixture(scope="session")
def left_out_scans() -> dict[str, str]:
    """The scans of the set that this machine cannot make as they were measured: id → why. A source that
    does not embed its fonts is drawn in the machine's substitute for them; without it its CJK text is not
    drawn at all and the scan would be read as blank pages, a failure of the machine, not of OCR."""
    from samplegen.scans import extra

    return {s.id: why for s in extra() if (why := _cannot_draw(ROOT / s.source))}


@pytest.fixture(scope="session")
def scanned_set(
    tmp_path_factory: pytest.TempPathFactory, left_out_scans: dict[str, str]
) -> list[tuple[str, Path, dict[str, object]]]:
    """The committed scans and, made now, a scan of every other source that this machine can draw: (id,
    file, golden)."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from samplegen.scans import extra, make

    out = [
        (str(d["id"]), ROOT / str(d["path"]), json.loads((ROOT / str(d["golden"])).read_text("utf-8")))
        for d in _manifest()
    ]
    folder = tmp_path_factory.mktemp("scans")
    for scan in extra():
        if scan.id in left_out_scans:
            continue
        name, data = make(scan)
        (folder / name).write_bytes(data)
        out.append((scan.id, folder / name, json.loads((ROOT / scan.golden).read_text("utf-8"))))
    return out


@dataclass(frozen=True)
class Scanned:
    """One scan as admission sees it: exact, verified, ruled, and what is wrong (cells or a refusal)."""

    exact: bool
    verified: bool
    ruled: bool  # tables printed with ruling lines (not read by the positional reader)
    wrong: tuple[str, ...] = ()  # "cell: read R, expected E" for each differing cell, or "refused CODE: …"


def _whole_set(left_out: dict[str, str]) -> None:
    """The set's targets are figures over all of it: skip (naming what is missing) when scans were left out."""
    if left_out:
        pytest.skip(
            "measured on the whole set; left out here: "
            + "; ".join(f"{k} ({v})" for k, v in left_out.items())
        )


def _wrong(readings: dict[str, Scanned], ids: list[str]) -> str:
    """The documents named, each with what it got wrong: a failure explains itself."""
    return "; ".join(f"{s}: {', '.join(readings[s].wrong[:8]) or '?'}" for s in ids)


@pytest.fixture(scope="session")
def readings(scanned_set: list[tuple[str, Path, dict[str, object]]]) -> dict[str, Scanned]:
    """Each scan read and checked as admission would."""
    import sys

    from nianbao.expectations.admit import Known, admit
    from nianbao.pipeline.extract import read_document
    from nianbao.pipeline.model import DocRef

    sys.path.insert(0, str(ROOT / "tests"))
    from samplegen.expect import differences

    out: dict[str, Scanned] = {}
    for sid, path, golden in scanned_set:
        report = read_document(path.read_bytes())
        if not hasattr(report, "canonical"):
            out[sid] = Scanned(False, False, True, (f"refused {report.code}: {report.message}",))
            continue
        assert report.reading.method == "ocr", sid
        (o,) = admit([(DocRef(sid, report.year, None, sid), report)], Known()).outcomes
        wrong = tuple(
            f"{cell}: read {got!r}, expected {expected!r}"
            for cell, expected, got in differences(golden, report.canonical())
            if cell.startswith(("proactive.", "applications.", "review_litigation."))
        )
        verified = bool(o.report is not None and o.report.reading.verified)
        out[sid] = Scanned(
            not wrong, verified, not report.reading.details.get("tables_from_positions"), wrong
        )
    for sid, r in out.items():  # shown with -rA: what each scan came to
        print(f"{sid}: exact={r.exact} verified={r.verified} ruled={r.ruled} {'; '.join(r.wrong[:4])}")
    return out


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_no_scan_that_is_not_read_exactly_is_verified(readings: dict[str, Scanned]) -> None:
    """Over the whole scanned set: a reading that differs from the golden in any cell is never verified."""
    trusted_wrong = [s for s, r in readings.items() if r.verified and not r.exact]
    assert trusted_wrong == [], _wrong(readings, trusted_wrong)
    assert any(r.verified for r in readings.values())  # trust is reachable: some scans are verified


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_scans_of_ruled_tables_are_mostly_read_cell_exact(
    readings: dict[str, Scanned], left_out_scans: dict[str, str]
) -> None:
    """A floor under what was measured on the scans whose tables print ruling lines (docs/ocr.md)."""
    _whole_set(left_out_scans)
    missed = sorted(s for s, r in readings.items() if r.ruled and not r.exact)
    ruled = sum(r.ruled for r in readings.values())
    assert ruled - len(missed) >= 18 / 19 * ruled, _wrong(readings, missed)


@pytest.mark.slow
@pytest.mark.timeout(3600)
@pytest.mark.xfail(
    reason="issue 13's target of 95% cell-exact over the ruled scans, not met (18 of 19): in "
    "`scan_lo_v2021_docx` a value 11, its serifs run together at 150 dpi, reads as `n` (docs/ocr.md)",
    strict=True,
)
def test_scans_of_ruled_tables_are_read_cell_exact(
    readings: dict[str, Scanned], left_out_scans: dict[str, str]
) -> None:
    _whole_set(left_out_scans)
    missed = sorted(s for s, r in readings.items() if r.ruled and not r.exact)
    ruled = sum(r.ruled for r in readings.values())
    assert ruled - len(missed) >= 0.95 * ruled, _wrong(readings, missed)


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_the_whole_scanned_set_is_read_cell_exact(
    readings: dict[str, Scanned], left_out_scans: dict[str, str]
) -> None:
    """Issue 13's target: at least 95% of the scanned set cell-exact."""
    _whole_set(left_out_scans)
    missed = sorted(s for s, r in readings.items() if not r.exact)
    assert len(readings) - len(missed) >= 0.95 * len(readings), _wrong(readings, missed)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_garbled_cid_pdf_is_read_by_ocr_and_still_refused() -> None:
    """Its glyphs themselves are Latin mojibake: OCR reads no report, so it stays `garbled_text`."""
    from nianbao.pipeline.errors import ExtractError
    from nianbao.pipeline.extract import extract_report

    with pytest.raises(ExtractError) as e:
        extract_report((ROOT / "tests/files/real/N1_synthetic-cid-garbled-2023.pdf").read_bytes())
    assert e.value.code == "garbled_text"
    assert "OCR" in e.value.message


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("hard", [False, True], ids=["committed-scan", "noisy-scan"])
def test_a_scanned_report_through_ingestion_opens_its_doubtful_cells(tmp_path: Path, hard: bool) -> None:
    """A scan goes through the ingest flow's function in a reader process: admitted when verified, else
    quarantined with `ocr_unverified` findings whose locations are the doubtful cells' boxes on their
    pages (the cell the finding names, at the place its value was read, with its confidence under the
    threshold). For the committed scan, a reviewer's corrections of those cells (to the printed values)
    admit it. The noisy scan (150 dpi, heavy noise) is made now from the same source."""
    import sys

    import duckdb

    from nianbao.flows.ingest import ingest_documents
    from nianbao.pipeline.extract import extract_report
    from nianbao.pipeline.extract.scan import OCR_MIN_CONF
    from nianbao.pipeline.model import DocRef
    from nianbao.pipeline.rawstore import RawStore
    from nianbao.warehouse.connect import connect
    from nianbao.warehouse.read import findings
    from nianbao.warehouse.review import reload as reprocess
    from nianbao.warehouse.review import review

    from helpers import settings_for

    (doc,) = [d for d in _manifest() if d["id"] == "scan_reportlab_ttf_sx-zjj_2020"]
    golden = json.loads((ROOT / str(doc["golden"])).read_text("utf-8"))
    data = (ROOT / str(doc["path"])).read_bytes()
    if hard:
        sys.path.insert(0, str(ROOT / "tests"))
        from samplegen.scans import Scan, make

        _name, data = make(Scan("noisy", "scan", str(doc["source"]), "", 150, 1.3, 3, 14.0, 40, 7))
    wh, raw = tmp_path / "wh.duckdb", tmp_path / "raw"
    sha = RawStore(raw).put(data)
    (done,) = ingest_documents(
        [DocRef("sx-zjj", 2020, "http://127.0.0.1/sx-zjj/2020.pdf", sha)],
        settings_for(wh, raw),
        "scan-run",
        prefect=False,
    )
    con = duckdb.connect(str(wh), read_only=True)
    try:
        found = [f for f in findings(con) if f["check"] == "ocr_unverified"]
    finally:
        con.close()
    if done.status == "loaded":
        assert not hard and not found
        return
    assert done.status == "quarantined"
    assert found
    report = extract_report(data)
    for f in found:
        (loc,) = f["locations"]
        assert loc["page"] >= 1 and len(loc["bbox"]) == 4 and "conf" in loc
        x0, top, x1, bottom = loc["bbox"]
        assert 0 <= x0 < x1 <= 600 and 0 <= top < bottom <= 850  # on an A4 page, in points
        read = report.provenance[loc["ref"]]
        assert read.page == loc["page"] and [round(v, 2) for v in read.bbox or ()] == loc["bbox"]
        assert (read.conf or 0.0) < OCR_MIN_CONF
    if hard:
        return
    con = connect(wh)
    try:
        for f in found:
            cell = f["locations"][0]["ref"]
            table, row, col = cell.split(".")
            review(
                con,
                "sx-zjj",
                2020,
                "correct",
                decided_by="tester",
                cell=cell,
                value=str(golden[table][row][col]),
                citation="page image",
            )
        o = reprocess(con, "sx-zjj", 2020)
    finally:
        con.close()
    assert o.status == "loaded"


# the standard 14 fonts a PDF may name without embedding them: pdfium draws them with fonts of its own
_STANDARD_14 = re.compile(r"(Helvetica|Times|Courier|Symbol|ZapfDingbats)(-[A-Za-z]+)?")


def _embeds_its_fonts(pdf: Path) -> bool:
    """Whether the PDF's pages are drawn without the machine's fonts: every font embedded, a Type 3 font
    (its glyphs are drawings) or one of the standard 14 (which pdfium brings)."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    with pdf.open("rb") as f:
        for page in PDFPage.create_pages(PDFDocument(PDFParser(f))):
            for ref in (resolve1((page.resources or {}).get("Font")) or {}).values():
                font = resolve1(ref)
                for face in [font, *(resolve1(d) for d in resolve1(font.get("DescendantFonts", [])))]:
                    kind = face["Subtype"].name if face.get("Subtype") is not None else ""
                    base = face["BaseFont"].name if face.get("BaseFont") is not None else ""
                    if kind in ("Type0", "Type3") or _STANDARD_14.fullmatch(base):
                        continue  # a Type 0 font's descendant carries the descriptor
                    descriptor = resolve1(face.get("FontDescriptor")) or {}
                    if not any(k in descriptor for k in ("FontFile", "FontFile2", "FontFile3")):
                        return False
    return True


def _cannot_draw(source: Path) -> str:
    """Why a scan of `source` made on this machine would not be the one measured ('' when it would): it
    does not embed its fonts and the substitute they were drawn with (`samplegen.scans.SUBSTITUTE`,
    docs/ocr.md) is missing. Where CI requires its package (`helpers.required`) a missing substitute is a
    failure, not a reason to skip."""
    from samplegen.scans import SUBSTITUTE

    if _embeds_its_fonts(source) or installed_fonts(f"*{SUBSTITUTE}*"):
        return ""
    assert not required(f"fonts-{SUBSTITUTE}"), f"CI installs fonts-{SUBSTITUTE}: it is missing"
    return f"{source.relative_to(ROOT)} does not embed its fonts and this machine has no {SUBSTITUTE}"


def _scans() -> list[object]:
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from samplegen.scans import plan

    return [pytest.param(s, id=s.id) for s in plan()]


@pytest.mark.parametrize("scan", _scans())
def test_the_committed_scans_are_made_by_their_generator(scan: object) -> None:
    """`samplegen.scans` makes each committed scan byte for byte; also in a process where nianbao's PDF
    reader has replaced pdfium's fonts with its metrics font, as in the slow test, which makes its scans
    beside the readers. A source that does not embed its fonts is drawn in the machine's substitute for
    them: compared only where that is the font the committed scan was made with (CI installs it)."""
    from nianbao.pipeline.extract import pdffonts

    from samplegen.scans import Scan, make

    assert isinstance(scan, Scan)
    if why := _cannot_draw(ROOT / scan.source):
        pytest.skip(why)
    pdffonts.install()
    name, data = make(scan)
    assert (SCANS / name).read_bytes() == data


def test_the_committed_scans_manifest_names_each_scan_and_its_golden() -> None:
    """The manifest lists the generator's committed scans in its order, each with a golden that exists."""
    from samplegen.scans import plan

    assert [d["id"] for d in _manifest()] == [s.id for s in plan()]
    assert all((ROOT / str(d["golden"])).exists() for d in _manifest())


def test_held_out_variant_scans_carry_their_own_truth(tmp_path: Path) -> None:
    """`samplegen.scans.variants` (the held-out OCR measure): each perturbed variant is printed, its
    expected record written beside it as the scan's golden; one series gives the same documents every
    time, another series others."""
    from samplegen import design, perturb
    from samplegen.scans import variants

    first = variants(["reportlab_cid"], 2, tmp_path / "a", "one")
    assert [s.id for s in variants(["reportlab_cid"], 2, tmp_path / "b", "one")] == [s.id for s in first]
    assert not {s.id for s in variants(["reportlab_cid"], 2, tmp_path / "c", "two")} & {s.id for s in first}
    for s in first:
        assert Path(s.source).read_bytes()[:5] == b"%PDF-"
        seed = Path(s.source).stem.rsplit("_", 1)[1]
        names = s.id.split(f"_{seed}_", 1)[1]
        truth = json.loads(Path(s.golden).read_text(encoding="utf-8"))
        d = perturb.variant(int(seed), truth["template"], names.split("+"))
        assert truth == design.expected_record(d).canonical()


def test_a_dash_alone_in_a_cell_is_read_as_the_zero_marker() -> None:
    """A dash (—, the zero marker) alone in a cell is a stroke thinner than a digit: it was dropped as a
    speck, so the cell kept what the detector's box read, 1 (12 cells of the committed TIFF). One solid
    horizontal stroke is read as a dash by its shape; a digit beside it is still read by the recogniser,
    and a rule's remains running across a cell are no dash."""
    import cv2

    from nianbao.pipeline.extract import image, scan

    frames = image.frames((SCANS / "tiff_rl_v2019_split_repeat.tif").read_bytes())
    flat, _matrix = scan.straighten(frames[1])  # page 2: table 3's 不予公开 rows, at 200 dpi
    mask, _segments = scan.rules(flat, 200)
    clean = flat.copy()
    clean[mask > 0] = 255

    def cell(x0: float, top: float, x1: float, bottom: float) -> list[str]:
        k = 200 / 72  # the row 1．属于国家秘密 as the table finder gives its cells (points)
        found = scan.ink_lines(clean, (x0 * k + 3, top * k + 3, x1 * k - 3, bottom * k - 3), cell_box=True)
        return [line.text for line in scan.recognize([crop for crop, _ in found])]

    assert cell(313, 159, 352, 177) == ["7"]  # 商业企业
    assert cell(352, 159, 392, 177) == ["—"]  # 科研机构: a dash
    assert cell(432, 159, 471, 177) == ["—"]  # 法律服务机构
    assert cell(471, 159, 511, 177) == ["1"]  # 其他

    blank = np.full((60, 120), 250, np.uint8)
    across = blank.copy()
    cv2.line(across, (0, 30), (119, 30), 20, 2)  # what a wiped rule can leave: a line across the cell
    assert scan.ink_lines(across, (0, 0, 120, 60), cell_box=True) == []
    one = blank.copy()
    cv2.line(one, (60, 15), (60, 45), 20, 3)  # a stroke upright is no dash
    assert not scan.stroke(one)
    dash = blank.copy()
    cv2.line(dash, (45, 30), (75, 30), 20, 2)
    assert scan.stroke(dash)
    # a faint 5 whose top bar the ink threshold cut off from its body (genuine report 08, cover scan):
    # the bar is no dash of its own, the cell holds one line of text (it read 5 twice: 55)
    five = blank.copy()
    cv2.line(five, (52, 12), (66, 12), 20, 2)
    cv2.putText(five, "5", (50, 50), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 20, 2, cv2.LINE_AA)
    five[:18, :][five[:18, :] < 200] = 250  # the glyph's own top bar gone: only the cut-off bar above
    cv2.line(five, (52, 12), (66, 12), 20, 2)
    assert len(scan.ink_lines(five, (0, 0, 120, 60), cell_box=True)) == 1


@pytest.mark.parametrize(
    ("crop", "text"),
    [
        ("chromium_slash_read_as_1.png", "/"),
        ("chromium_slash_read_as_1_b.png", "/"),
        ("chromium_slash.png", "/"),
        ("chromium_one.png", "1"),
        ("photo_reportlab_one.png", "1"),
        ("libreoffice_one.png", "1"),
    ],
)
def test_a_slash_alone_in_a_cell_is_read_as_the_zero_marker(crop: str, text: str) -> None:
    """Value cells cut from scans (tests/files/crops): a held-out scan printing its zeros as a slash read
    25 of them as 1 (the recogniser gave the lone stroke 1 with up to 0.58; the first two crops read 1
    before). One thin stroke leaning right of upright is a slash by its shape; a 1 of Chromium's,
    LibreOffice's and a photographed reportlab page's faces leans left with its flag and stays 1."""
    import cv2

    from nianbao.pipeline.extract import scan

    grey = cv2.imread(str(ROOT / "tests" / "files" / "crops" / crop), cv2.IMREAD_GRAYSCALE)
    assert scan.slash(grey) is (text == "/")
    assert [line.text for line in scan.recognize([grey])] == [text]


def test_a_dash_of_fewer_pixels_than_a_speck_is_still_a_dash() -> None:
    """A value cell cut from a held-out scan (LibreOffice, 200 dpi, JPEG 45; tests/files/crops): its zero
    printed as a dash is 6 by 2 pixels of ink, fewer than the 15 below which a cell's ink was noise, so
    the cell was never read from its tight crop; the page's reading gave it as '.', no value, and the row
    (一、本年新收…: 22 2 - - - - 24) was left out. One solid horizontal stroke clear of the cell's edges is a
    dash however few its pixels; noise that size is not (a speck, a stroke touching the cut's edge)."""
    import cv2

    from nianbao.pipeline.extract import scan

    grey = cv2.imread(str(ROOT / "tests" / "files" / "crops" / "libreoffice_dash_cell_200dpi.png"), 0)
    h, w = grey.shape
    lines = scan.ink_lines(grey, (3, 3, w - 3, h - 3), cell_box=True)
    assert [line.text for line in scan.recognize([crop for crop, _box in lines])] == ["—"]
    speck = np.full_like(grey, 255)
    speck[20:23, 30:33] = 0  # a 3 by 3 dot of noise
    assert scan.ink_lines(speck, (3, 3, w - 3, h - 3), cell_box=True) == []
    edge = np.full_like(grey, 255)
    edge[20:22, 3:9] = 0  # a stroke as short, but running into the cut's edge: a rule's end
    assert scan.ink_lines(edge, (3, 3, w - 3, h - 3), cell_box=True) == []


def test_a_number_the_pages_reading_joined_to_a_stray_character_is_read_again_on_its_own() -> None:
    """A held-out scan (Chromium, a table going on at page 2's top under a shadow) gave one value cell of
    the page's first row as 手0: not a value, so the cell was never read again from its tight crop and the
    row (4．保护第三方合法权益) was left out. A number with one stray CJK character beside it may be a value
    cell's; a label, however short, is not; 无 and 元 are a value cell's own."""
    from nianbao.pipeline.extract.scan import _value_like

    for text in ("手0", "0手", "1手2", "", "0", "无", "12.5万元", "-"):
        assert _value_like(text), text
    for text in ("4.保护第三方合法权益", "保护", "手", "其他", "（七）总计", "1手2手"):
        assert not _value_like(text), text


def test_table_4s_outcomes_are_ordered_by_their_columns() -> None:
    """Table 4's header as the positional reader gave it from the OCR'd words of the committed scan
    `scan_reportlab_ttf_jh-zrzy_2019` (rule-less): the group heading 复议后起诉 was joined to the outcome
    其他结果 set under it, one header line above the other outcomes, and 总计 sits a line lower than
    those. Read line after line, 其他结果 came first and every proceeding's 结果维持 and 其他结果 swapped
    (4 cells wrong); the columns the headings sit in give the printed order."""
    from nianbao.pipeline.extract.cells import Cell
    from nianbao.pipeline.extract.review_litigation import read_review_litigation
    from nianbao.pipeline.model import Location, Report

    def row(cells: dict[int, str]) -> list[Cell | None]:
        return [Cell(cells.get(k, ""), Location(raw=cells.get(k, ""), page=2)) for k in range(16)]

    rows = [
        row({3: "行政复议", 11: "行政诉讼"}),
        row({8: "未经复议直接起诉", 13: "复议后起诉其他结果"}),
        row({1: "结果维持", 2: "结果纠正", 3: "其他结果", 4: "尚未审结"}),
        row({5: "总计"}),
        row({6: "结果维持", 7: "结果纠正", 8: "其他结果", 9: "尚未审结", 11: "结果维持", 12: "结果纠正"}),
        row({14: "尚未审结", 10: "总计", 15: "总计"}),
        row(dict(enumerate("000002000240004", start=1))),  # one digit a cell
    ]
    report = Report(agency="x", year=2019, template="v2019")
    read_review_litigation(rows, report)
    assert report.review_litigation["litigation_direct"] == {
        "upheld": 2,
        "corrected": 0,
        "other": 0,
        "pending": 0,
        "total": 2,
    }
    assert report.review_litigation["litigation_after_review"]["upheld"] == 4
    assert report.review_litigation["litigation_after_review"]["other"] == 0


def _ocr_chars(ws: list[tuple[str, float, float, float]], height: float = 11.0) -> list[dict[str, object]]:
    """pdfplumber chars for OCR'd words (text, x0, x1, top in points), each word's width shared out."""
    out: list[dict[str, object]] = []
    for text, x0, x1, top in ws:
        w = (x1 - x0) / len(text)
        for k, ch in enumerate(text):
            a = x0 + k * w
            out.append(
                {"text": ch, "x0": a, "x1": a + w, "top": top, "bottom": top + height, "upright": True}
                | {"doctop": top, "width": w, "height": height, "size": height, "fontname": "ocr"}
                | {"object_type": "char", "page_number": 1}
            )
    return out


def test_a_label_wrapped_to_its_columns_edge_stays_with_its_row() -> None:
    """Table 3's rows as OCR read them from the scan `scan_chromium_hu-wxq_2019` (no rules): the label
    （二）部分公开（区分处理的，只计这一情形，不计其他情形） wraps over two lines, its values set between them,
    and its first line's box ends at the first value column's edge. Taken for a header line, it cut the
    table there: the row lost its label and （一）予以公开's values were read as （二）'s (11 cells)."""
    from nianbao.pipeline.extract import positions
    from nianbao.pipeline.extract.cells import split_row

    def data(printed: str, top: float) -> list[tuple[str, float, float, float]]:
        xs = (334, 361, 393, 426, 473, 518, 537)  # the value columns' left edges
        return [(v, x, x + 6 * len(v), top) for v, x in zip(printed.split(" "), xs, strict=True)]

    chars = _ocr_chars(
        [
            ("一、本年新收政府信息公开申请数量", 56, 196, 692.2),
            *data("125 7 0 0 1 1 134", 693.5),
            ("二、上年结转政府信息公开申请数量", 56, 196, 707.0),
            *data("1 0 0 0 0 0 1", 708.3),
            ("三、本年度办理（一）予以公开", 56, 187, 722.4),
            *data("63 3 0 0 0 1 67", 723.5),
            ("结果", 56, 77, 734.7),
            ("（二）部分公开（区分处理的，只计这一情形，不计其", 130, 334, 736.8),
            *data("6 2 0 0 0 0 8", 745.0),
            ("他情形", 126, 153, 750.1),
        ]
    )
    found, _tail = positions.tables(chars, 1)
    rows = [split_row(r) for t in found for r in t.rows]
    labelled = {label: [v.text for v in vs] for label, vs, _ in rows if vs}
    assert len(found) == 1
    (granted,) = [label for label in labelled if "予以公开" in label]
    assert labelled[granted] == ["63", "3", "0", "0", "0", "1", "67"]
    (partial,) = [label for label in labelled if "部分公开" in label]
    assert labelled[partial] == ["6", "2", "0", "0", "0", "0", "8"]


def test_a_value_of_a_rule_less_table_is_read_again_around_its_box() -> None:
    """A rule-less table's cell is its word's box, placed from where the recogniser emitted the
    character: for a lone 1 it can sit beside the stroke. Cut inside it (as a ruled cell is cut inside
    its rules) the re-read found no ink and the value became empty (2 totals of
    `scan_chromium_hu-wxq_2019`); cut with a margin around it, the 1 is read."""
    import cv2

    from nianbao.pipeline.extract.cells import Cell, RawTable
    from nianbao.pipeline.extract.scan import OcrPage, _located
    from nianbao.pipeline.model import Location

    img = np.full((120, 200), 250, np.uint8)
    cv2.putText(img, "1", (100, 70), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 20, 2, cv2.LINE_AA)
    ink_x = np.flatnonzero((img < 128).any(axis=0))
    scale = 72 / 200
    # the box _chars gives: about a glyph's width, its centre 3 px right of the stroke's
    x0, x1 = ink_x.mean() + 3 - 8, ink_x.mean() + 3 + 8
    box = (x0 * scale, 46 * scale, x1 * scale, 72 * scale)
    page = OcrPage(1, (0.0, 0.0, 200 * scale, 120 * scale), [], [], lambda b: b, [], img, scale)
    table = RawTable(rows=[[Cell("1", Location(raw="1", page=1, bbox=box))]])
    (cell,) = _located(table, page, ruled=False).rows[0]
    assert cell is not None and cell.text == "1" and (cell.loc.conf or 0) > 0.6


def test_values_of_two_columns_in_one_detected_box_are_read_apart() -> None:
    """The detector ran one box over two neighbouring cells' values (24 ⎸ 729 in
    `scan_chromium_jh-zrzy_2024`, set a digit and a half apart), which read as one number, 24729. A blank
    wider than most of a digit's height splits the ink into two values, each read on its own; the digits
    of one number, a thousands comma among them, stay one."""
    import cv2

    from nianbao.pipeline.extract import scan

    def printed(*parts: tuple[str, int]) -> np.ndarray:
        img = np.full((60, 260), 250, np.uint8)
        for text, x in parts:
            cv2.putText(img, text, (x, 42), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 20, 2, cv2.LINE_AA)
        return img

    two = printed(("24", 20), ("729", 20 + 34 + 28))  # a glyph is about 21 px high: 28 px of paper
    pieces = scan.apart(two, (0, 0, 260, 60))
    assert [line.text for line in scan.recognize([crop for crop, _ in pieces])] == ["24", "729"]
    assert pieces[0][1][2] <= pieces[1][1][0]  # side by side, in order
    assert scan.apart(printed(("1,234", 20)), (0, 0, 260, 60)) == []
    assert scan.apart(printed(("12", 20), ("34", 20 + 34 + 6)), (0, 0, 260, 60)) == []  # a narrow space


def test_a_value_the_tight_crop_reads_as_nothing_stays_as_first_read_in_doubt() -> None:
    """Genuine report 08's scan prints 11 in faint grey strokes (table 3, 2．没有现成信息需要另行制作,
    自然人): the page's reading saw 11, the cell's tight crop reads as nothing, and the cell became
    empty, a wrong 0. The two readings disagree: the value stays as first read, with confidence 0, so
    the report waits for review."""
    import sys

    import pypdfium2 as pdfium

    from nianbao.pipeline.extract.cells import Cell, RawTable
    from nianbao.pipeline.extract.scan import OcrPage, _located, rules, straighten
    from nianbao.pipeline.model import Location

    sys.path.insert(0, str(ROOT / "tests"))
    from samplegen.scans import extra, make

    (scan,) = [s for s in extra(("scan",)) if s.id == "scan_real_08"]
    bitmap = pdfium.PdfDocument(make(scan)[1])[4].render(scale=200 / 72, grayscale=True).to_numpy()
    flat, _matrix = straighten(bitmap[:, :, 0] if bitmap.ndim == 3 else bitmap)
    mask, _segments = rules(flat, 200)
    flat[mask > 0] = 255
    scale = 72 / 200
    page = OcrPage(
        5, (0.0, 0.0, flat.shape[1] * scale, flat.shape[0] * scale), [], [], lambda b: b, [], flat, scale
    )
    box = (248.4, 82.08, 281.52, 106.02)  # the cell as the table finder gives it (points, straightened)
    table = RawTable(rows=[[Cell("11", Location(raw="11", page=5, bbox=box))]])
    (cell,) = _located(table, page).rows[0]
    assert cell is not None and cell.text == "11" and cell.loc.conf == 0.0


def _positioned(heading_shift: float = 0.0, value_shift: float = 0.0) -> object:
    """A rule-less table as the positional reader hands it over: a label column, three value columns 60 pt
    apart under their headings; the second heading moved by `heading_shift`, one value by `value_shift`."""
    from nianbao.pipeline.extract.cells import Cell, RawTable
    from nianbao.pipeline.model import Location

    def cell(text: str, x: float, top: float) -> Cell:
        return Cell(text, Location(raw=text, page=2, bbox=(x - 10, top, x + 10, top + 10)), x - 10)

    head = [cell("", 40, 100), cell("自然人", 200, 100), cell("商业企业", 260 + heading_shift, 100)]
    head.append(cell("总计", 320, 100))
    rows = [head]
    labels = (
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "（一）予以公开",
        "（二）部分公开",
    )
    for k, label in enumerate(labels):
        top = 120 + 20 * k
        shift = value_shift if k == 1 else 0.0
        rows.append(
            [cell(label, 40, top), cell("3", 200, top), cell("4", 260 + shift, top), cell("7", 320, top)]
        )
    return RawTable(rows=rows)  # type: ignore[arg-type]


def test_a_rule_less_tables_columns_are_placed_unambiguously_or_doubted() -> None:
    """A table read from the OCR'd words' positions is trusted only when every value and every column's
    heading sit at their column's centre; a heading or a value set towards a neighbouring column is a
    doubt (the reading then says `columns_unsure`, and is never verified)."""
    from nianbao.pipeline.extract.scan import column_doubts

    assert column_doubts(_positioned())[0] == []  # type: ignore[arg-type]
    (why,) = column_doubts(_positioned(heading_shift=22.0))[0]  # type: ignore[arg-type]
    assert "heading '商业企业'" in why
    (why,) = column_doubts(_positioned(value_shift=-20.0))[0]  # type: ignore[arg-type]
    assert "a value" in why
    assert column_doubts(_positioned(heading_shift=10.0, value_shift=6.0))[0] == []  # type: ignore[arg-type]


def test_two_values_in_one_detected_box_stay_two_words() -> None:
    """A detected text box running over two cells' values (24 in one column, 729 in the next) gives two
    words, not the number 24729; the characters of a label set with wide spacing stay one word."""
    from nianbao.pipeline.extract import positions
    from nianbao.pipeline.extract.ocr import Glyph, Line
    from nianbao.pipeline.extract.scan import _chars

    def line(text: str, at: tuple[float, ...]) -> Line:
        return Line(tuple(Glyph(ch, 0.99, a) for ch, a in zip(text, at, strict=True)), False)

    values = line("24729", (0.04, 0.1, 0.82, 0.88, 0.94))
    label = line("社会公益", (0.1, 0.35, 0.6, 0.85))
    chars = _chars([(0.0, 0.0, 200.0, 20.0), (0.0, 40.0, 200.0, 60.0)], [values, label], 0.5, 1)
    assert [w.text for w in positions.words(chars)] == ["24", "729", "社会公益"]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_cover_page_before_the_title_is_read_past() -> None:
    """A scan opening with a cover (an emblem and a date stamp, no title) has its title at the head of page
    2: OCR reads page by page until a title shows, so the report is read (it was `not_a_report` when only
    the top of page 1 was read)."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from nianbao.pipeline.extract import extract_report

    from samplegen.scans import extra, make

    (scan,) = [s for s in extra(("cover",)) if s.id == "cover_real_08"]
    golden = json.loads((ROOT / scan.golden).read_text("utf-8"))
    report = extract_report(make(scan)[1])
    assert (report.agency, report.year) == (golden["agency"], golden["year"])
    assert report.reading.details["ocr"]["pages"][:2] == [1, 2]  # the cover, then the title page
