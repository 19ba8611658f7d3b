"""Rule-less tables with text set anywhere in its cells: how many layouts one producer's prints read exactly.

Usage: python benchmarks/layouts.py PRODUCER [--seeds A B] [--zeros printed|blank|—|-|/|无] [--font FACE]

Each seed is a report with the perturbations `cells_aligned` and `rules_removed` (samplegen.perturb:
labels flush left or centred, values flush left, right or centred, text at a cell's top or in its middle,
no ruling line), its zero counts printed as numbers (`printed`) or as empty cells (`blank`) or a mark,
printed by PRODUCER (reportlab_cid, reportlab_ttf, libreoffice, chromium; LibreOffice and Chromium set the
text in Noto Sans CJK unless --font names a face, e.g. SimSun, which a machine without it substitutes).
Prints one line per alignment and template (layouts, wrong, with a value misread, first seeds), and last
the totals: wrong, misread, and the misread readings that call themselves verified (sums hold, nothing
assumed), which would reach the warehouse.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract import extract_report

from samplegen import design, perturb
from samplegen.expect import differences, verified


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("producer", choices=sorted(perturb.PDF_PRODUCERS))
    ap.add_argument("--seeds", nargs=2, type=int, default=(0, 120), metavar=("FIRST", "END"))
    ap.add_argument("--zeros", default="printed", help="printed, blank, or the mark a zero prints as")
    ap.add_argument("--font", help="the face LibreOffice and Chromium are asked for (default Noto Sans CJK)")
    args = ap.parse_args(argv)

    tally: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
    seeds: dict[tuple[str, ...], list[str]] = defaultdict(list)
    silent: list[int] = []
    started = time.perf_counter()
    for seed in range(*args.seeds):
        d = perturb.aligned(
            seed, None if args.zeros == "printed" else "" if args.zeros == "blank" else args.zeros
        )
        a = d.cell_align
        assert a is not None
        key = (d.record.template, a.label, a.value, a.valign, a.header)
        t = tally[key]
        t[0] += 1
        try:
            report = extract_report(design.render(d, args.producer, font=args.font))
        except ExtractError as e:
            t[1] += 1
            seeds[key].append(f"{seed}:{e.code}")
            continue
        wrong = differences(design.expected_record(d).canonical(), report.canonical())
        if not wrong:
            continue
        t[1] += 1
        misread = any(got != "(absent)" for _k, _e, got in wrong)
        t[2] += misread
        seeds[key].append(f"{seed}{'!' if misread else ''}")
        if misread and verified(report):
            silent.append(seed)
    print("template  label   value   valign  header  layouts wrong misread  seeds (! misread)")
    for key, (n, bad, mis) in sorted(tally.items()):
        print(
            f"{key[0]:<9} {key[1]:<7} {key[2]:<7} {key[3]:<7} {key[4]:<7} {n:>7} {bad:>5} {mis:>7}  {seeds[key][:8]}"
        )
    n, bad, mis = (sum(t[i] for t in tally.values()) for i in range(3))
    face = (args.font or "Noto Sans CJK") if args.producer in ("libreoffice", "chromium") else "-"
    print(
        f"{args.producer} ({face}), zeros {args.zeros}: {n - bad} of {n} exact, {bad} wrong, {mis} with a value"
        f" misread, {len(silent)} of them verified {silent}; {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
