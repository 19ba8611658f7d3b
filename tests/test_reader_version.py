"""The version cached extractions are keyed on: it moves with every file and library that shapes a record.

Issue 14: the old key hashed extract/, tables/ and expectations/ but not numbers.py or model.py, nor
the reading libraries' versions, so a change there served stale extractions. Source changes are made
on a copy of the package tree, never on the real files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nianbao.pipeline.extract import reader_version
from nianbao.pipeline.extract.version import (
    NOT_READING,
    PACKAGE_ROOT,
    READING_LIBRARIES,
    library_versions,
    reading_files,
    version_of,
)
from nianbao.pipeline.model import EXTRACTOR_VERSION

TESTS = Path(__file__).resolve().parent
LIBRARIES = {"pdfplumber": "0.11.4", "pypdfium2": "4.30.0", "lxml": "5.3.0"}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the nianbao.pipeline folder, caches left behind."""
    root = tmp_path / "pipeline"
    shutil.copytree(PACKAGE_ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_stable_across_calls() -> None:
    """The same installation gives the same version, cached or computed afresh."""
    assert reader_version() == reader_version()
    assert reader_version() == version_of(PACKAGE_ROOT, library_versions())
    assert reader_version().startswith(f"{EXTRACTOR_VERSION}+")


def test_a_copy_of_the_tree_has_the_same_version(tree: Path) -> None:
    """The version depends on the files' paths and bytes, not on where the tree sits."""
    assert version_of(tree, LIBRARIES) == version_of(PACKAGE_ROOT, LIBRARIES)


@pytest.mark.parametrize(
    "name",
    [
        "numbers.py",
        "model.py",
        "errors.py",
        "tables/__init__.py",
        "extract/pdf.py",
        "extract/cells.py",
        "extract/metrics.ttf",
    ],
)
def test_a_changed_reading_file_changes_it(tree: Path, name: str) -> None:
    """Editing any file on the reading path (the font included) gives a new version."""
    before = version_of(tree, LIBRARIES)
    with (tree / name).open("ab") as f:
        f.write(b"\n# changed\n")
    assert version_of(tree, LIBRARIES) != before


def test_a_new_reading_module_changes_it(tree: Path) -> None:
    """A module added to the package counts as soon as it exists."""
    before = version_of(tree, LIBRARIES)
    (tree / "extract" / "xlsx.py").write_text('"""A new reader."""\n', encoding="utf-8")
    assert version_of(tree, LIBRARIES) != before


def test_a_renamed_file_changes_it(tree: Path) -> None:
    """The same bytes under another name are another tree."""
    before = version_of(tree, LIBRARIES)
    (tree / "extract" / "facts.py").rename(tree / "extract" / "facts2.py")
    assert version_of(tree, LIBRARIES) != before


@pytest.mark.parametrize("name", ["fetch.py", "catalog.py", "rawstore.py", "settings.py", "sources/base.py"])
def test_modules_that_only_choose_the_bytes_do_not_count(tree: Path, name: str) -> None:
    """Fetching, the catalog, discovery, the raw store and settings cannot change what bytes read as."""
    before = version_of(tree, LIBRARIES)
    with (tree / name).open("ab") as f:
        f.write(b"\n# changed\n")
    assert version_of(tree, LIBRARIES) == before


def test_caches_and_litter_do_not_count(tree: Path) -> None:
    """Bytecode caches and hidden files differ between machines; they are not code."""
    before = version_of(tree, LIBRARIES)
    (tree / "extract" / "__pycache__").mkdir()
    (tree / "extract" / "__pycache__" / "pdf.cpython-311.pyc").write_bytes(b"\0")
    (tree / "extract" / ".pdf.py.swp").write_bytes(b"\0")
    assert version_of(tree, LIBRARIES) == before


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_a_different_library_version_changes_it(library: str) -> None:
    """Another version of a reading library gives a new version."""
    other = {**LIBRARIES, library: LIBRARIES[library] + ".post1"}
    assert version_of(PACKAGE_ROOT, other) != version_of(PACKAGE_ROOT, LIBRARIES)


def test_a_library_added_or_missing_changes_it() -> None:
    """A library installed or gone changes it too."""
    base = version_of(PACKAGE_ROOT, LIBRARIES)
    assert version_of(PACKAGE_ROOT, {**LIBRARIES, "python-docx": "1.1.2"}) != base
    assert version_of(PACKAGE_ROOT, {k: v for k, v in LIBRARIES.items() if k != "lxml"}) != base


def test_extractor_version_changes_it() -> None:
    """Bumping EXTRACTOR_VERSION gives a new version, named by it."""
    bumped = version_of(PACKAGE_ROOT, LIBRARIES, "9.9.9")
    assert bumped.startswith("9.9.9+") and bumped != version_of(PACKAGE_ROOT, LIBRARIES)


def test_every_reading_library_is_looked_up() -> None:
    """Each reading library's installed version, and Python's, enter the version."""
    versions = library_versions()
    assert set(versions) == {"python", *READING_LIBRARIES}
    assert all(v != "not installed" for v in versions.values())
    assert (
        library_versions(["no-such-distribution-nianbao"])["no-such-distribution-nianbao"] == "not installed"
    )


_LOADED = """
import json, sys
from pathlib import Path
from nianbao.pipeline.extract import extract_report
for path in sys.argv[1:]:
    extract_report(Path(path).read_bytes())
print(json.dumps(sorted(
    str(Path(m.__file__).resolve()) for name, m in sys.modules.items()
    if name.startswith("nianbao.pipeline") and getattr(m, "__file__", None)
)))
"""


def test_every_module_that_reads_a_document_is_covered() -> None:
    """Reading one document of each format loads only modules whose files the version covers."""
    docs = [
        TESTS / "files" / "pdf" / "rl_v2021_total_first.pdf",
        TESTS / "files" / "html" / "html_hz-sfj_2020.html",
        TESTS / "files" / "docx" / "docx_hz-ghzy_2020.docx",
        TESTS / "files" / "text" / "hz-yjglj_2020.txt",
    ]
    out = subprocess.run(
        [sys.executable, "-c", _LOADED, *map(str, docs)], check=True, capture_output=True, text=True
    ).stdout
    loaded = {Path(p) for p in json.loads(out)}
    covered = {PACKAGE_ROOT / rel for rel in reading_files(PACKAGE_ROOT)}
    assert {p.relative_to(PACKAGE_ROOT).parts[0] for p in loaded} & NOT_READING == set()
    assert loaded <= covered
    assert len(loaded) >= 15  # the readers, the table readers, numbers, model, tables, errors
