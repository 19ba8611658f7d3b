"""Reading accuracy on documents the extractor was not tuned on: cells and documents exact, per producer and quirk.

Usage: python benchmarks/accuracy.py [--no-city] [--producer P ...] [--json FILE] [--floor] [--all-failures]
                                     [--perturbations N]

Reads the development corpus (tests/files/corpus/manifest.json: synthetic documents of many producers,
the genuine reports of tests/files/real and their pdftotext conversions), and the sample city's
documents (nianbao/demo/city/truth/manifest.json), and compares each reading with what its manifest says:
the golden record (or the error code), the assumption codes the reading must record, and the blocking
findings it must raise (`template_mixed`). Prints:

- cells exact and documents exact, overall and per producer, template and quirk (a cell is a table value,
  or agency, year, template or the fee; a document is exact when its record, or its error code, is);
- "as expected": exact, and the recorded assumptions and raised findings are the expected ones;
- the documents that are not as expected, with their first wrong cells (expected vs got);
- extraction seconds per page for PDFs (per producer), and with --floor pdfplumber's extract_text on the
  same PDFs (the floor the extractor must stay well under);
- with --perturbations N: N seeded variants per pure-Python producer (samplegen.perturb), read exactly and
  as expected, per producer and per perturbation.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from samplegen.expect import Expected, Reading, differences, load_manifest, mismatch, read  # noqa: E402

CITY = ROOT / "nianbao" / "demo" / "city"


def city_documents() -> list[Expected]:
    """Every document of the sample city that an extractor is given, with its truth (or error)."""
    manifest = json.loads((CITY / "truth" / "manifest.json").read_text(encoding="utf-8"))
    by_sha = {
        hashlib.sha256(p.read_bytes()).hexdigest(): p for p in (CITY / "site").rglob("*") if p.is_file()
    }
    out = []
    for rep in manifest["reports"]:
        truth = json.loads((CITY / rep["truth"]).read_text(encoding="utf-8"))
        for doc in rep["documents"]:
            if doc.get("error") == "fetch_failed" or not doc.get("sha256"):
                continue  # nothing to read
            path = by_sha.get(doc["sha256"])
            if path is None:
                raise SystemExit(f"city document {doc['url']} not found under {CITY / 'site'}")
            error = doc.get("error")
            # the city's v2021 reports say 本年度未收取信息处理费 when no fee was collected (layout.narrative)
            none = rep["template"] == "v2021" and truth["processing_fees_yuan"] == 0
            out.append(
                Expected(
                    id=f"city/{rep['agency_id']}_{rep['year']}_{doc['role']}.{doc['format']}",
                    path=path,
                    producer=f"city_{doc['format']}",
                    template=rep["template"],
                    quirks=tuple(doc.get("quirks", [])),
                    record=None if error else truth,
                    error=error,
                    assumptions=("fees_stated_none",) if none and not error else (),
                    blocking=None if error else tuple(sorted(rep["checks"])),
                )
            )
    return out


def blocking_findings(readings: list[tuple[Expected, Reading]]) -> dict[str, set[str]]:
    """The blocking check ids the expectations raise on each read report (one batch)."""
    from nianbao.expectations.validate import validate

    read_ok = [(e, r) for e, r in readings if r.report is not None]
    if not read_ok:
        return {}
    result = validate([r.report for _e, r in read_ok])
    return {e.id: {f.check for f in result.blocking(k)} for k, (e, _r) in enumerate(read_ok)}


def pages(data: bytes) -> int:
    """A PDF's page count (0 when it cannot be opened)."""
    import pypdfium2 as pdfium

    try:
        return len(pdfium.PdfDocument(data))
    except Exception:
        return 0


def floor_seconds(data: bytes) -> float:
    """pdfplumber alone: open and extract_text() every page."""
    import pdfplumber

    t0 = time.perf_counter()
    try:
        with pdfplumber.open(BytesIO(data)) as pdf:
            for page in pdf.pages:
                page.extract_text()
    except Exception:
        pass
    return time.perf_counter() - t0


class Tally:
    """Cells and documents exact, and documents read as expected, for one group."""

    def __init__(self) -> None:
        self.docs = self.exact = self.as_expected = 0
        self.cells = self.cells_exact = self.read_cells = self.read_cells_exact = 0

    def add(self, exact: bool, as_expected: bool, cells: int, cells_exact: int, was_read: bool) -> None:
        self.docs += 1
        self.exact += exact
        self.as_expected += as_expected
        self.cells += cells
        self.cells_exact += cells_exact
        if was_read:
            self.read_cells += cells
            self.read_cells_exact += cells_exact

    def row(self, name: str) -> str:
        def pct(n: int, d: int) -> str:
            return f"{n}/{d} ({100 * n / d:.2f}%)" if d else "-"

        docs = f"{self.exact}/{self.docs} ({100 * self.exact / self.docs:.0f}%)"
        return (
            f"  {name:<30} {pct(self.cells_exact, self.cells):>22} {pct(self.read_cells_exact, self.read_cells):>22}"
            f"  {docs:>14}  {self.as_expected:>4}/{self.docs:<4}"
        )


def header(title: str) -> str:
    return f"{title}\n  {'':<30} {'cells exact':>22} {'cells exact (read)':>22}  {'docs exact':>14}  {'as expected':>9}"


def perturbation_figures(per_producer: int, show: int = 20, producers_: Sequence[str] = ()) -> None:
    """Seeded variants (samplegen.perturb) per producer (the pure-Python ones unless named): read exactly,
    and as expected."""
    import random

    from samplegen import design, perturb, producers
    from samplegen.expect import assumption_codes

    print(f"perturbations ({per_producer} seeded variants per producer, 1-3 perturbations each)")
    print(f"  {'':<34} {'exact':>12}  {'as expected':>12}")
    by_name: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    failures: list[str] = []
    for producer in producers_ or design.PURE_PYTHON:
        if producers.missing(design.PRODUCERS[producer][1]):
            print(
                f"  {producer:<34} skipped: needs {', '.join(producers.missing(design.PRODUCERS[producer][1]))}"
            )
            continue
        rng = random.Random(f"accuracy:{producer}")
        names_all = perturb.names_for(producer)
        exact = expected = 0
        for _ in range(per_producer):
            seed, template = rng.randrange(10**6), rng.choice(("v2019", "v2021"))
            names = rng.sample(names_all, rng.randint(1, 3))
            d = perturb.variant(seed, template, names)
            got = read(design.render(d, producer))
            ok = got.record is not None and not differences(design.expected_record(d).canonical(), got.record)
            fine = ok and list(assumption_codes(got.report)) == design.expected_assumptions(d)
            exact += ok
            expected += fine
            if not fine:
                why = (
                    f"error {got.error}"
                    if got.record is None
                    else "; ".join(
                        [
                            f"{k}: expected {e!r}, got {g!r}"
                            for k, e, g in differences(design.expected_record(d).canonical(), got.record)[:3]
                        ]
                        or [
                            f"assumptions {list(assumption_codes(got.report))}, expected {design.expected_assumptions(d)}"
                        ]
                    )
                )
                failures.append(f"  {producer} {template} seed={seed} {names}: {why}")
            for n in names:
                t = by_name[n]
                t[0], t[1], t[2] = t[0] + 1, t[1] + ok, t[2] + fine
        print(f"  {producer:<34} {exact:>5}/{per_producer:<6} {expected:>5}/{per_producer:<6}")
    for n, (total, ok, fine) in sorted(by_name.items()):
        print(f"  {n:<34} {ok:>5}/{total:<6} {fine:>5}/{total:<6}")
    if failures:
        print(f"\nvariants not as expected: {len(failures)}")
        print(
            "\n".join(failures[:show])
            + (f"\n  … and {len(failures) - show} more" if len(failures) > show else "")
        )
    print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-city", action="store_true", help="leave the sample city's documents out")
    ap.add_argument("--producer", nargs="+", help="only these producers")
    ap.add_argument("--json", type=Path, help="write every document's outcome here")
    ap.add_argument("--floor", action="store_true", help="also time pdfplumber's extract_text on the PDFs")
    ap.add_argument("--all-failures", action="store_true", help="list every failing document (default: 60)")
    ap.add_argument(
        "--perturbations",
        type=int,
        metavar="N",
        default=0,
        help="also N perturbed variants per pure-Python producer",
    )
    ap.add_argument(
        "--perturbation-producers",
        nargs="+",
        metavar="PRODUCER",
        default=(),
        help="the producers of the perturbed variants instead (e.g. libreoffice chromium: Noto Sans CJK needed)",
    )
    args = ap.parse_args(argv)

    docs = load_manifest() + ([] if args.no_city else city_documents())
    if args.producer:
        docs = [d for d in docs if d.producer in args.producer]
    import nianbao.pipeline.extract.pdf  # noqa: F401  (imported before any clock starts)

    readings: list[tuple[Expected, Reading]] = []
    pdf_time: dict[str, list[float]] = defaultdict(lambda: [0.0, 0, 0.0])
    for exp in docs:
        data = exp.path.read_bytes()
        got = read(data)
        readings.append((exp, got))
        if data[:5] == b"%PDF-" and got.record is not None:
            t = pdf_time[exp.producer]
            t[0] += got.seconds
            t[1] += pages(data)
            if args.floor:
                t[2] += floor_seconds(data)
    findings = blocking_findings(readings)

    groups: dict[str, dict[str, Tally]] = {
        k: defaultdict(Tally) for k in ("set", "producer", "template", "quirk")
    }
    failing: list[tuple[Expected, list[str]]] = []
    outcomes = []
    for exp, got in readings:
        if exp.error:
            cells, wrong = 0, 0
            exact = got.error == exp.error
        elif got.record is None:
            cells = wrong = len(differences(exp.record or {}, {}))
            exact = False
        else:
            cells = len(differences(exp.record or {}, {}))
            wrong = len(differences(exp.record or {}, got.record))
            exact = wrong == 0
        problems = mismatch(exp, got)
        raised = findings.get(exp.id, set())
        for f in exp.findings:
            if f not in raised:
                problems.append(f"finding {f} not raised")
        if "template_mixed" in raised and "template_mixed" not in exp.findings:
            problems.append("template_mixed raised on a document that does not mix the templates")
        if exp.blocking is not None and got.report is not None and raised != set(exp.blocking):
            problems.append(f"blocking findings {sorted(raised)}, planted {list(exp.blocking)}")
        as_expected = not problems
        kind = (
            "city"
            if exp.id.startswith("city/")
            else "real"
            if "real" in exp.id.split("/")[0] or any(q.endswith("_of_real") for q in exp.quirks)
            else "corpus (synthetic)"
        )
        tallies = [groups["set"][kind], groups["set"]["all"], groups["producer"][exp.producer]]
        tallies.append(groups["template"][exp.template or "(error expected)"])
        if not kind.startswith("city"):
            tallies += [groups["quirk"][q] for q in exp.quirks]
        for t in tallies:
            t.add(exact, as_expected, cells, cells - wrong, got.record is not None)
        if problems:
            failing.append((exp, problems))
        outcomes.append(
            {
                "id": exp.id,
                "producer": exp.producer,
                "exact": exact,
                "as_expected": as_expected,
                "cells": cells,
                "cells_wrong": wrong,
                "problems": problems,
                "assumptions": list(got.assumptions),
                "error": got.error,
                "seconds": round(got.seconds, 4),
            }
        )

    print(
        f"{len(readings)} documents read. A cell is a table value, the agency, year, template or fee; a document "
        "refused where a record was expected counts every cell wrong ('cells exact (read)' leaves those out). "
        "Exact: the record (or the error code) is; as expected: exact, and the assumption codes recorded and "
        "the findings raised are the manifest's.\n"
    )
    for key, title in (
        ("set", "by set"),
        ("producer", "by producer"),
        ("template", "by template"),
        ("quirk", "by quirk"),
    ):
        print(header(title))
        for name in sorted(groups[key], key=lambda n: (n == "all", n)):
            print(groups[key][name].row(name))
        print()
    limit = None if args.all_failures else 60
    print(f"not as expected: {len(failing)} document(s)")
    for exp, problems in failing[:limit]:
        print(f"  {exp.id}")
        for p in problems:
            print(f"      {p}")
    if limit is not None and len(failing) > limit:
        print(f"  … and {len(failing) - limit} more (--all-failures)")
    print("\nPDF extraction (documents read as reports)")
    total = [0.0, 0, 0.0]
    for producer, (secs, n, floor) in sorted(pdf_time.items()):
        total = [total[0] + secs, total[1] + n, total[2] + floor]
        extra = (
            f"   pdfplumber floor {floor / n:.3f} s/page ({secs / floor:.2f}× of it)" if floor and n else ""
        )
        print(f"  {producer:<22} {n:>4} pages  {secs / n if n else 0:.3f} s/page{extra}")
    if total[1]:
        extra = (
            f"   pdfplumber floor {total[2] / total[1]:.3f} s/page ({total[0] / total[2]:.2f}× of it)"
            if total[2]
            else ""
        )
        print(f"  {'all':<22} {total[1]:>4} pages  {total[0] / total[1]:.3f} s/page{extra}")
    print()
    if args.perturbations:
        show = 10**6 if args.all_failures else 20
        perturbation_figures(args.perturbations, show, args.perturbation_producers)
    if args.json:
        args.json.write_text(json.dumps(outcomes, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
