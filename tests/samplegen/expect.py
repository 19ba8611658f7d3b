"""What a reading of a corpus document must give, and how an extractor's reading differs from it.

Shared by tests/test_corpus.py, tests/test_perturbations.py and benchmarks/accuracy.py. The expectations
come from tests/files/corpus/manifest.json (written by samplegen.corpus from the generating records);
nothing here decides a value.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "tests" / "files" / "corpus" / "manifest.json"
SCALARS = ("agency", "year", "template", "processing_fees_yuan")


@dataclass(frozen=True)
class Expected:
    """One document and what a reading of it must give."""

    id: str
    path: Path
    producer: str
    template: str | None
    quirks: tuple[str, ...]
    record: dict[str, Any] | None  # the golden canonical record, or None when an error is expected
    error: str | None
    assumptions: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()
    hostile: str | None = None
    blocking: tuple[str, ...] | None = None  # every blocking check the reading must fail, where known exactly
    verified: bool | None = None  # reading.verified (None: derived from the record and the assumptions)


def load_manifest(path: Path = MANIFEST) -> list[Expected]:
    """Every document of the corpus manifest with its golden loaded."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for d in data["documents"]:
        golden = json.loads((ROOT / d["golden"]).read_text(encoding="utf-8")) if d["golden"] else None
        out.append(
            Expected(
                id=d["id"],
                path=ROOT / d["path"],
                producer=d["producer"],
                template=d["template"],
                quirks=tuple(d["quirks"]),
                record=golden,
                error=d["error"],
                assumptions=tuple(d["assumptions"]),
                findings=tuple(d["expect_findings"]),
                hostile=d.get("hostile"),
                verified=d.get("verified"),
            )
        )
    return out


def flatten(record: dict[str, Any]) -> dict[str, Any]:
    """A canonical record as cells: agency, year, template, fees, and table.row.column for every value."""
    out = {k: record.get(k) for k in SCALARS}
    for table in ("proactive", "applications", "review_litigation"):
        for row, cols in (record.get(table) or {}).items():
            for col, v in cols.items():
                out[f"{table}.{row}.{col}"] = v
    return out


def differences(expected: dict[str, Any], got: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(cell, expected, got) for every cell that differs or is on one side only, in the expected record's order."""
    e, g = flatten(expected), flatten(got)
    missing = object()
    out = []
    for k in list(e) + [k for k in g if k not in e]:
        ev, gv = e.get(k, missing), g.get(k, missing)
        if ev != gv:
            out.append((k, None if ev is missing else ev, "(absent)" if gv is missing else gv))
    return out


@dataclass
class Reading:
    """What the extractor made of one document."""

    record: dict[str, Any] | None = None
    error: str | None = None
    message: str = ""
    assumptions: tuple[str, ...] = ()
    verified: bool | None = None  # reading.verified where the extractor says it
    seconds: float = 0.0
    report: Any = field(default=None, repr=False)


def read(data: bytes) -> Reading:
    """Extract one document (never raises: an extractor bug is an error `extractor_error`)."""
    from nianbao.pipeline.extract import read_document
    from nianbao.pipeline.model import Report

    t0 = time.perf_counter()
    got = read_document(data)
    seconds = time.perf_counter() - t0
    if not isinstance(got, Report):
        return Reading(error=got.code, message=got.message, seconds=seconds)
    return Reading(
        record=got.canonical(),
        assumptions=assumption_codes(got),
        verified=verified(got),
        seconds=seconds,
        report=got,
    )


def assumption_codes(report: Any) -> tuple[str, ...]:
    """The distinct assumption codes a reading recorded (reading.assumptions[*]["what"]), sorted."""
    return tuple(sorted({str(a.get("what")) for a in report.reading.assumptions}))


def verified(report: Any) -> bool | None:
    """reading.verified, where the extractor records it (None before it does)."""
    v = getattr(report.reading, "verified", None)
    if v is None:
        v = report.reading.as_json().get("verified")
    return None if v is None else bool(v)


def mismatch(exp: Expected, got: Reading) -> list[str]:
    """What is wrong with a reading, in words (empty: the reading is what the manifest says)."""
    out: list[str] = []
    if exp.error:
        if got.error != exp.error:
            out.append(f"expected error {exp.error}, got " + (got.error or "a report"))
        return out
    assert exp.record is not None
    if got.record is None:
        return [f"expected a report, got error {got.error}: {got.message}"]
    diffs = differences(exp.record, got.record)
    if diffs:
        shown = "; ".join(f"{k}: expected {e!r}, got {g!r}" for k, e, g in diffs[:4])
        out.append(f"{len(diffs)} wrong cell(s): {shown}")
    if got.assumptions != exp.assumptions:
        out.append(f"assumptions {list(got.assumptions)}, expected {list(exp.assumptions)}")
    if diffs and got.verified:
        out.append("a wrong value with reading.verified = true")
    if got.verified is not None and not diffs and got.verified != expected_verified(exp):
        out.append(f"reading.verified = {got.verified}, expected {expected_verified(exp)}")
    return out


def expected_verified(exp: Expected) -> bool:
    """verified: nothing assumed beyond the printed labels, and every blocking identity of the record holds."""
    from samplegen.identities import blocking_failures

    if exp.verified is not None:
        return exp.verified
    return exp.record is not None and not exp.assumptions and not blocking_failures(exp.record)
