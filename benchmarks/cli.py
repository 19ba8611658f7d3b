"""Wall times of the everyday commands (issue 16), each as a user types it: a fresh `nianbao` process.

.venv/bin/python benchmarks/cli.py [--repeat 3] [--agencies hz-szf,hz-mzj,hz-rsj,hz-kjj]

Builds a small warehouse from a few agencies of the bundled sample city (served on loopback; a quarantined
report and a fetch failure among them), then times `--help`, `--version`, `query`, `findings`, `rollup`,
`review accept`, `review correct` and `rerun` of one document. Prints the median and every run's seconds.
Nothing here touches the user's warehouse or Prefect home: everything lives in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NIANBAO = str(Path(sys.executable).parent / "nianbao")


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(
        {
            "PREFECT_HOME": str(tmp / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "GX_ANALYTICS_ENABLED": "false",
            "NIANBAO_HOME": str(tmp / "home"),
            "NIANBAO_WAREHOUSE": str(tmp / "home" / "nianbao.duckdb"),
            "NIANBAO_REVIEWER": "bench",
        }
    )
    return env


def _time(
    args: list[str], env: dict[str, str], repeat: int
) -> tuple[list[float], subprocess.CompletedProcess[str]]:
    times = []
    done = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        done = subprocess.run([NIANBAO, *args], env=env, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - t0)
    assert done is not None
    return times, done


def main() -> int:
    """Build the warehouse, time the commands, print the figures."""
    import yaml

    from nianbao.demo.city import CITY_DIR
    from nianbao.demo.server import SampleServer

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--agencies", default="hz-szf,hz-mzj,hz-rsj,hz-kjj")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-bench-cli-"))
    env = _env(tmp)
    figures: list[tuple[str, list[float], int]] = []
    with SampleServer(CITY_DIR, lifetime_s=1800) as srv:
        full = srv.write_catalog(tmp / "full.yaml")
        data = yaml.safe_load(full.read_text(encoding="utf-8"))
        wanted = args.agencies.split(",")
        data["agencies"] = [a for a in data["agencies"] if a["id"] in wanted]
        catalog = tmp / "catalog.yaml"
        catalog.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        t, done = _time(["run", "--catalog", str(catalog)], env, 1)
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            return 1
        figures.append((f"run ({len(wanted)} agencies)", t, done.returncode))
        found = [
            json.loads(line)
            for line in _time(["findings", "--format", "json"], env, 1)[1].stdout.splitlines()
        ]
        # a row total printed wrong (t3_row_total): correct the total to the sum of its cells
        blocking = next(f for f in found if f["check"] == "t3_row_total")
        cell = f"{blocking['table']}.{blocking['row']}.total={blocking['right']}"
        cases: list[tuple[str, list[str], int]] = [
            ("--help", ["--help"], args.repeat),
            ("--version", ["--version"], args.repeat),
            ("query", ["query", "select count(*) from marts.applications_by_year"], args.repeat),
            (
                "query --format csv",
                ["query", "select * from staging.reports", "--format", "csv"],
                args.repeat,
            ),
            ("findings", ["findings", "--format", "json"], args.repeat),
            ("rollup", ["rollup", "--year", "2022", "--format", "json"], args.repeat),
            (
                "review correct",
                [
                    "review",
                    "correct",
                    blocking["agency"],
                    str(blocking["year"]),
                    "--cell",
                    cell,
                    "--citation",
                    "http://127.0.0.1/bench",
                ],
                1,
            ),
            ("review accept", ["review", "accept", "hz-mzj", "2022", "--reason", "bench"], 1),
            ("rerun (one document)", ["rerun", "--agency", "hz-mzj", "--year", "2022"], args.repeat),
        ]
        for name, argv, n in cases:
            t, done = _time(argv, env, n)
            figures.append((name, t, done.returncode))
            if done.returncode != 0:
                print(f"{name}: exit {done.returncode}\n{done.stderr[-1500:]}", file=sys.stderr)
    print(f"{'command':<26} {'median s':>9}  runs (s)  [exit]")
    for name, t, rc in figures:
        print(f"{name:<26} {statistics.median(t):>9.2f}  {' '.join(f'{x:.2f}' for x in t)}  [{rc}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
