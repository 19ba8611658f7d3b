"""The same records on every machine and under any load (issue 11).

pdfium takes the glyph boxes of a font a PDF does not embed from the machine; with no CJK font
installed it used to merge and drop characters, so a fresh install read different numbers. These tests
read every PDF fixture and every PDF of the sample city with the machine's fonts visible and with all of
them hidden (`tools/without-system-fonts`), and in parallel threads and processes, and demand byte-identical
records (provenance and the `reading` record included).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from nianbao.demo.city import CITY_DIR
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import extract_report, pdffonts

from helpers import installed_fonts, required

ROOT = Path(__file__).resolve().parent.parent
WITHOUT_FONTS = ROOT / "tools" / "without-system-fonts"
CJK_FONT_PACKAGE = "fonts-wqy-microhei"  # the CJK font .ci/run installs
CJK_FONT = re.compile(r"cjk|wqy|ming|kai|song|hei|fallback|arphic|simsun|fang", re.IGNORECASE)


def _pdfs() -> list[Path]:
    """Every readable-or-not PDF the project keeps: committed fixtures and the sample city's documents."""
    files = sorted((ROOT / "tests" / "files").rglob("*.pdf"))
    manifest = json.loads((CITY_DIR / "truth" / "manifest.json").read_text(encoding="utf-8"))
    routes = json.loads((CITY_DIR / "routes.json").read_text(encoding="utf-8"))["files"]
    for entry in manifest["reports"]:
        for doc in entry["documents"]:
            if doc["format"] == "pdf":
                files.append(CITY_DIR / "site" / routes.get(doc["url"], doc["url"].lstrip("/")))
    return files


def record(path: str) -> str:
    """One document's full record (or its refusal) as canonical JSON text."""
    try:
        out = extract_report(Path(path).read_bytes()).as_json()
    except ExtractError as e:
        out = {"error": e.as_json()}
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


_READ_ALL = "import sys; from test_machine_independence import record; print('\\n'.join(record(p) for p in sys.argv[1:]))"


def _cjk_fonts_installed() -> list[str]:
    """File names of installed fonts that look like CJK fonts."""
    return [name for name in installed_fonts("*") if CJK_FONT.search(name)]


@pytest.fixture(scope="module")
def pdfs() -> list[Path]:
    """The documents under test."""
    found = _pdfs()
    assert len(found) > 60  # the fixtures and the sample city's PDFs are all there
    return found


@pytest.fixture(scope="module")
def here(pdfs: list[Path]) -> list[str]:
    """Records read in this process, with the machine's fonts as they are."""
    return [record(str(p)) for p in pdfs]


@pytest.mark.slow
@pytest.mark.timeout(1800)  # 191 s alone; over pytest's 600 s default in a fresh clone's slow suite at load 4
def test_records_are_the_same_with_and_without_system_fonts(pdfs: list[Path], here: list[str]) -> None:
    """Every record read with all system fonts hidden equals the record read with them (CJK ones included on CI)."""
    if required(CJK_FONT_PACKAGE):
        assert _cjk_fonts_installed(), (
            f"CI installs {CJK_FONT_PACKAGE} so that the with-fonts leg means something"
        )
    if (
        shutil.which("unshare") is None
        or subprocess.run([str(WITHOUT_FONTS), "true"], capture_output=True).returncode
    ):
        pytest.skip("this machine cannot hide its fonts (no mount namespaces); CI can")
    hidden = subprocess.run(
        [str(WITHOUT_FONTS), sys.executable, "-c", _READ_ALL, *map(str, pdfs)],
        cwd=ROOT / "tests",
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    ).stdout.splitlines()
    assert len(hidden) == len(here)
    differing = [str(p) for p, a, b in zip(pdfs, here, hidden, strict=True) if a != b]
    assert differing == []


def test_pdfium_is_never_given_a_system_font() -> None:
    """A PDF that does not embed its CJK font reads through nianbao's metrics font, whatever is installed."""
    info = pdffonts.install()
    assert pdfium.PdfSysfontBase.SINGLETON is info
    report = extract_report((ROOT / "tests" / "files" / "pdf" / "rl_v2021_total_first.pdf").read_bytes())
    assert "STSong-Light" in info.requested
    assert report.reading.details["fonts_not_embedded"] == ["STSong-Light"]
    assert "read_by_pdfminer" not in report.reading.details  # the fast path stays the path


_WITH_NO_FONT_AT_ALL = """
import json, sys
import pypdfium2 as pdfium
from nianbao.pipeline.extract import extract_report, pdf  # importing the reader installs nianbao's font lookup

class NoFonts(pdfium.PdfSysfontBase):
    def EnumFonts(self, _, mapper): return None
    def MapFont(self, _, *args): return None
    def GetFont(self, _, face): return None

NoFonts().setup()  # replaces it: what pdfium does on a machine without fonts
report = extract_report(open(sys.argv[1], "rb").read())
print(json.dumps({"record": report.canonical(), "reading": report.reading.as_json()}, ensure_ascii=False))
"""


def test_degenerate_glyph_boxes_send_the_page_to_pdfminer_and_say_so() -> None:
    """With no font behind a non-embedded font, pdfium's boxes collapse: the pages go to pdfminer, recorded."""
    path = ROOT / "tests" / "files" / "pdf" / "rl_v2021_total_first.pdf"
    out = json.loads(
        subprocess.run(
            [sys.executable, "-c", _WITH_NO_FONT_AT_ALL, str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        ).stdout
    )
    golden = json.loads(
        (ROOT / "tests" / "golden" / "pdf_rl_v2021_total_first.json").read_text(encoding="utf-8")
    )
    assert out["record"] == golden
    fell_back = out["reading"]["read_by_pdfminer"]
    assert [p["page"] for p in fell_back] == [1, 2, 3, 4, 5]
    assert all("degenerate" in p["why"] for p in fell_back)


def _ocr_read(text: str) -> bool:
    """Whether a record (`record`'s text) was read by OCR."""
    return json.loads(text).get("reading", {}).get("method") == "ocr"


@pytest.mark.slow
@pytest.mark.timeout(1800)  # run alone, 592 s beside a slow suite (set-up 338 s, 218 PDFs; test 254 s)
def test_parallel_threads_and_processes_read_byte_identical_records(
    pdfs: list[Path], here: list[str]
) -> None:
    """The same documents read by 4 threads (in the opposite order) and by 2 worker processes give exactly
    the sequential records: every document read from its text, and the first read by OCR (each OCR'd scan
    costs half a minute; the font test above reads them all again)."""
    ocr = [k for k, text in enumerate(here) if _ocr_read(text)]
    assert ocr  # the committed scans are read by OCR
    chosen = [k for k in range(len(pdfs)) if k not in ocr[1:]]
    names, expected = [str(pdfs[k]) for k in chosen], [here[k] for k in chosen]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(record, names[::-1]))
    assert threaded == expected[::-1]
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        spawned = list(pool.map(record, names, chunksize=4))
    assert spawned == expected


def test_the_metrics_font_is_what_its_generator_makes() -> None:
    """`metrics.ttf` is reproducible from `tools/make_metrics_font.py`, byte for byte."""
    spec = importlib.util.spec_from_file_location(
        "make_metrics_font", ROOT / "tools" / "make_metrics_font.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == (ROOT / "pipeline" / "extract" / "metrics.ttf").read_bytes()
