"""Benchmark the hostile documents of issue 18: how long each takes to be refused, and the peak memory.

Usage: python benchmarks/hostile.py [NAME ...] [--before]

Each bomb (made here, at the sizes the issue reported; see tests/bombs.py) is read in a fresh child
process, as a run reads it: through `read_measured`, i.e. the read limits' checks and a reader process
capped at 1024 MiB and 60 s. Two peaks are printed: the reader's own (VmHWM while it read that document)
and the whole process tree's (ru_maxrss of the child and its reader, from wait4), with the wall-clock
seconds from handing over the bytes to the typed answer.

`--before` reads each bomb the way nianbao did before issue 18, for comparison: in the child process
itself, the readers' checks taken out, no reader process (a safety cap of 8 GiB on the child: a bomb
that reaches it fails there, at about 8192 MiB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the bomb makers are a development tool under tests/

MiB = 1024 * 1024
BOMBS = {
    "pdf_flate_1GiB": "bombs.pdf_flate_bomb(1024 * MiB)",
    "pdf_hidden_filter_1GiB": "bombs.pdf_hidden_flate_bomb(1024 * MiB)",
    "pdf_nested_flate_1GiB": "bombs.pdf_nested_flate_bomb(1024 * MiB)",
    "pdf_dense_paths_15MiB": "bombs.pdf_dense_paths(15 * MiB)",
    "pdf_5000_pages": "bombs.pdf_many_pages(5000)",
    "docx_text_node_1GiB": "bombs.docx_text_node_bomb(1024 * MiB)",
    "docx_paragraphs_1.1GiB": "bombs.docx_paragraphs_bomb(1100 * MiB)",
    "docx_20000_parts": "bombs.docx_many_parts(20_000)",
    "html_50MB": "bombs.html_big(50 * MiB)",
    "html_span_20000x1000": "bombs.html_span_bomb()",
    "text_40MB": "bombs.text_big(40 * MiB)",
}


def one(name: str, before: bool) -> dict[str, object]:
    """In the child: make the bomb, read it, and say how it went (one JSON line on stdout)."""
    from nianbao.pipeline.errors import ExtractError
    from nianbao.pipeline.extract.isolate import read_measured
    from nianbao.pipeline.extract.limits import ReadLimits

    import bombs  # noqa: F401  (used by the expression)

    data = eval(BOMBS[name], {"bombs": sys.modules["bombs"], "MiB": MiB})
    if before:
        # as before issue 18: no check at the readers' entry points, read in this process, no cap
        import nianbao.pipeline.extract.docx as docx_reader
        import nianbao.pipeline.extract.html as html_reader
        import nianbao.pipeline.extract.pdf as pdf_reader
        import nianbao.pipeline.extract.text as text_reader

        def unchecked(*_args: object, **_kwargs: object) -> None:
            return None

        pdf_reader.check_pdf = pdf_reader.check_pages = unchecked
        docx_reader.check_docx = html_reader.check_html = text_reader.check_text = unchecked
        resource.setrlimit(resource.RLIMIT_AS, (8192 * MiB, 8192 * MiB))
        limits = ReadLimits(isolated=False)
    else:
        limits = ReadLimits()
    result, measured = read_measured(data, limits)
    code = result.code if isinstance(result, ExtractError) else "read"
    message = result.message if isinstance(result, ExtractError) else ""
    return {
        "bomb": name,
        "bytes": len(data),
        "code": code,
        "message": message[:120],
        "seconds": round(measured.seconds, 2),
        "reader_peak_mib": None if measured.peak_rss_mb is None else round(measured.peak_rss_mb),
    }


def measure(name: str, before: bool) -> dict[str, object]:
    """Run `one` in a fresh child; add the tree's peak RSS (wait4) and what happened to the child."""
    args = [sys.executable, __file__, "--child", name] + (["--before"] if before else [])
    started = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    row: dict[str, object] = json.loads(out) if out.strip() else {"bomb": name, "code": "killed"}
    row["tree_peak_mib"] = round(usage.ru_maxrss / 1024)
    row["child_seconds"] = round(time.monotonic() - started, 1)
    if proc.returncode:
        row["exit"] = proc.returncode
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help=f"bombs (default: all): {', '.join(BOMBS)}")
    ap.add_argument("--before", action="store_true", help="read as before issue 18 (in-process, no limits)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one(args.child, args.before)), flush=True)
        return
    mode = (
        "before issue 18: in-process, no limits"
        if args.before
        else "limits + reader process (1024 MiB, 60 s)"
    )
    print(f"# {mode}")
    print(
        f"{'bomb':26} {'bytes':>11} {'code':>15} {'seconds':>8} {'reader MiB':>10} {'tree MiB':>9}  message"
    )
    for name in args.names or list(BOMBS):
        r = measure(name, args.before)
        print(
            f"{r['bomb']!s:26} {r.get('bytes', '-')!s:>11} {r['code']!s:>15} {r.get('seconds', '-')!s:>8}"
            f" {r.get('reader_peak_mib') or '-'!s:>10} {r['tree_peak_mib']!s:>9}  {r.get('message', '')}",
            flush=True,
        )


if __name__ == "__main__":
    main()
