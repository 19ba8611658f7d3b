"""The reader's version: what a cached extraction was read with — nianbao's code, its font, the libraries.

An extraction is cached on (the document's sha256, `reader_version()`), so the version must change
whenever anything that can shape a record changes: any module of `nianbao.pipeline` on the reading
path (the readers, `numbers`, `model`, `tables`, `errors`), the metrics font pdfium measures non-embedded glyphs with, EXTRACTOR_VERSION,
the Python that runs them (NFKC and `re` follow its Unicode version), and the libraries that read the
bytes. Left out are only the modules that decide which bytes are fetched and where they are kept: the
cache key already names the bytes themselves.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path

from nianbao.pipeline.model import EXTRACTOR_VERSION

# the distributions that turn bytes into text, chars, ruling lines and cells
READING_LIBRARIES = (
    "pdfplumber",
    "pdfminer.six",
    "pypdfium2",
    "lxml",
    "python-docx",
    "beautifulsoup4",
    "charset-normalizer",
    # OCR of scans and images (issue 13): the models ship inside rapidocr-onnxruntime's wheel
    "rapidocr-onnxruntime",
    "onnxruntime",
    "opencv-python-headless",
    "pillow",
)

# top-level parts of nianbao.pipeline that cannot change what given bytes read as: the catalog of
# agencies, the fetch client, its URL policy and its politeness, the crawl and the discovery of report
# links (sources/) choose the bytes, the raw store keeps them under their sha256, settings (and the
# environment they are read from) only say where files go and how politely to fetch (the read limits
# count through `ReadLimits.key`), progress lines, the run summary and the clock tell what happened
NOT_READING = frozenset(
    {
        "catalog.py",
        "fetch.py",
        "urlpolicy.py",
        "politeness.py",
        "crawl.py",
        "rawstore.py",
        "settings.py",
        "settings_rules.py",
        "environment.py",
        "sources",
        "progress.py",
        "summary.py",
        "clock.py",
    }
)

PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # the folder of nianbao.pipeline


def reading_files(root: Path) -> list[Path]:
    """The files under a `nianbao.pipeline` folder that can shape a record, relative to it, in a fixed order."""
    out: list[Path] = []
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if (
            not path.is_file()
            or rel.parts[0] in NOT_READING
            or "__pycache__" in rel.parts
            or any(part.startswith(".") for part in rel.parts)  # editor and OS litter
            or path.suffix in (".pyc", ".pyo")
        ):
            continue
        out.append(rel)
    return sorted(out, key=Path.as_posix)


def version_of(root: Path, libraries: Mapping[str, str], extractor_version: str = EXTRACTOR_VERSION) -> str:
    """`<extractor_version>+<digest>` of the reading files under `root` and the given library versions."""
    h = hashlib.sha256(extractor_version.encode())
    for rel in reading_files(root):
        data = (root / rel).read_bytes()
        # each file's name and length before its bytes: no two different trees hash alike
        h.update(f"\0file\0{rel.as_posix()}\0{len(data)}\0".encode())
        h.update(data)
    for name in sorted(libraries):
        h.update(f"\0library\0{name}\0{libraries[name]}".encode())
    return f"{extractor_version}+{h.hexdigest()[:12]}"


def library_versions(names: Iterable[str] = READING_LIBRARIES) -> dict[str, str]:
    """The installed version of each named distribution ('not installed' where missing), and Python's."""
    python = ".".join(str(n) for n in sys.version_info[:3])
    out = {"python": f"{sys.implementation.name} {python}"}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


@cache
def reader_version() -> str:
    """The version cached extractions are keyed on: this installation's reading code, font and libraries."""
    return version_of(PACKAGE_ROOT, library_versions())
