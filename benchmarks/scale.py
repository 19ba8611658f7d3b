"""Scale (issue 17): a generated city of N reports in mixed forms, served on loopback, run whole three times.

.venv/bin/python benchmarks/scale.py [--reports 1000] [--city DIR] [--seed 2024] [--skip-1worker] [--repeat K]
    [--latency-ms MS]

1. the city: `--reports` reports (N/4 agencies × 2020–2023) from the project's generator in mixed forms
   (mostly PDF, a third of the PDFs with a table split over pages, DOCX, HTML), written once into
   `--city` (reused when it is already there), served by `nianbao.demo.server` in a process of its own;
2. the first night with 1 Dask worker into a fresh warehouse; the first night with 2 workers into another
   fresh warehouse (and a fresh raw store and extraction cache: nothing carried over); then a night with
   nothing changed on the 2-worker warehouse.

With `--repeat K` the pair of first nights is run K times (each into fresh folders, the order of the pair
swapped every other round so that a machine slowing down or speeding up weighs on both), then K
no-change nights; the figures are the medians, `runs` holds every night's time and `speedups` each
round's own ratio. On a shared or virtual machine one night's time can move by 10 % from one run to the
next: a single round's speed-up is not a measurement of the code.

The Prefect API (the temporary one `nianbao run` starts) is started before the clock runs, as a served
deployment's is; each night's time is then the whole `nianbao run` flow: discovery, fetch, extraction on
a Dask cluster started for that night, checks, load, marts, rollups and the snapshot. Requests of the
no-change night are counted by the server; peak memory is sampled over the whole process tree (this
process, the Dask workers and their reader processes; the server excluded) every 0.2 s, and so is each
process's processor time: `cpu_s` is what each first night cost the machine (medians), `cores_busy` the
cores it kept busy on average. Two workers that only split the reading would spend the processor time
one spends (a little more: two processes read a little slower side by side, `machine_speedup`); what
they spend beyond it (a second worker's start, work beside the readers that the 1-worker night does on
its idle core) shows there, and a night whose `cores_busy` is near `cores` is bound by the machine, not
by waiting.

Each first night is also timed by stage, from the `stage` records a night writes on the `nianbao.progress`
logger: `start` (the flow's start, the catalog, the warehouse's first reads), `crawl` (the workers
already read what it has stored: `ReadAhead`), `read` (what is left to read once the crawl has ended),
`check and load`, `refresh` and `analysts' site` (to the night's end). The JSON holds each stage's median
(`stages`) and the read stage's own speed-up (`read_speedup`). With `NIANBAO_READ_DURING_CRAWL=0` the
read stage is the whole reading, the only stage on the Dask workers, and `read_speedup` what two workers
do to the part they run, apart from the parts that stay in the flow's process. `other_stages_s` sums the
stages but the read stage, and `speedup_if_read_halved` is the ceiling of `speedup` with the night as it
is: the 2-worker night's other stages as measured, and a read stage of exactly half the 1-worker one.

Before each first night the machine itself is measured (`benchmarks/machine.py`): a fixed sample of 60
of the city's documents read by one process alone and by two at once. `machine_speedup` (the median;
`machine_speedups` each) is what this machine gave two busy processes that hour, so the ceiling of
`read_speedup` and `speedup`: on a virtual machine whose two vCPUs share a core, or the host with others,
it is below 2 and it moves from minute to minute. The two measuring processes are left out of
`peak_rss_mb`.

With `--latency-ms` every answer of the server is held that long, as a site on the web answers: the crawl
then waits on the server, not on the processor, as a real night's does (two requests in flight to the
city's one host). What a run does meanwhile (it reads the documents that have arrived: `ReadAhead`,
`NIANBAO_READ_DURING_CRAWL`) shows there; the loopback default keeps both cores busy crawling. The
no-change share is a loopback figure: with latency that night is the crawl's waiting.

Last line, one JSON object: {"reports", "first_s_1worker", "first_s_2workers", "nochange_s",
"nochange_requests", "peak_rss_mb", ...}.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from machine import Pair, sample_documents  # beside this script (benchmarks/machine.py)

ROOT = Path(__file__).resolve().parent.parent
_TMP = Path(tempfile.mkdtemp(prefix="nianbao-scale-"))
for k, v in {
    "PREFECT_HOME": str(_TMP / "prefect"),
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "ERROR",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "300",
    "DASK_LOGGING__DISTRIBUTED": "error",
}.items():
    os.environ[k] = v
os.environ.pop("PREFECT_API_URL", None)

# the server process: serves the city, answers "count" on stdin with its requests as JSON
_SERVER = """
import json, sys
from pathlib import Path
from nianbao.demo.server import Faults, SampleServer
latency = float(sys.argv[2])
faults = Faults(slow={"*": latency}) if latency > 0 else None
srv = SampleServer(Path(sys.argv[1]), faults=faults, lifetime_s=7200).start()
print(srv.base_url, flush=True)
for line in sys.stdin:
    print(json.dumps(srv.requests), flush=True)
"""


class Server:
    """The city served by a process of its own (so that it takes no time from the pipeline's)."""

    def __init__(self, city: Path, latency_s: float = 0.0) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _SERVER, str(city), str(latency_s)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdin is not None
        self.base_url = self.proc.stdout.readline().strip()

    def requests(self) -> list[tuple[str, str, int]]:
        assert self.proc.stdout is not None and self.proc.stdin is not None
        self.proc.stdin.write("count\n")
        self.proc.stdin.flush()
        return [tuple(r) for r in json.loads(self.proc.stdout.readline())]  # type: ignore[misc]

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


class ProcessTree:
    """This process and its descendants (less the processes `skip`), sampled every 0.2 s by a process of
    its own (`treesample.py`: a thread here took the interpreter from the night's crawling threads): the
    peak of their summed RSS, and the processor time (user + system) each has used, for a night's own total.

    A process's time is as of its last sample, so one that ends loses up to 0.2 s of it, and one that
    lives less than 0.2 s is not seen: a night's total is a little low (the readers and the crawl's
    processes end with it), by well under a second."""

    def __init__(self, skip: set[int]) -> None:
        import psutil

        self.me = psutil.Process()
        self.peak = 0
        self._cpu: dict[int, float] = {}  # pid → its processor seconds when last sampled
        self._lock = threading.Lock()
        self._sampler = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("treesample.py")),
                str(os.getpid()),
                *map(str, skip),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.skip = skip | {self._sampler.pid}
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._sampler.stdout is not None
        for line in self._sampler.stdout:
            total, cpu = json.loads(line)
            self._note(total, {int(pid): t for pid, t in cpu.items()})

    def _note(self, total: int, cpu: dict[int, float]) -> None:
        with self._lock:
            self.peak = max(self.peak, total)
            for pid, t in cpu.items():  # a sample read late must not take a process's time back
                self._cpu[pid] = max(t, self._cpu.get(pid, 0.0))

    def cpu(self) -> dict[int, float]:
        """Each process's processor seconds so far (sampled now, here: between nights)."""
        from treesample import scan  # beside this script

        self._note(*scan(self.me, self.skip))
        with self._lock:
            return dict(self._cpu)

    def cpu_since(self, before: dict[int, float]) -> float:
        """Processor seconds the tree has used since `before` (`cpu()`), processes started since included."""
        now = self.cpu()
        return sum(t - before.get(pid, 0.0) for pid, t in now.items())

    def stop(self) -> float:
        """Stop sampling; the peak RSS in MB."""
        assert self._sampler.stdin is not None
        self._sampler.stdin.close()
        self._sampler.wait(timeout=10)
        self._thread.join(timeout=10)
        return self.peak / 2**20


def make_city(city: Path, reports: int, seed: int) -> dict[str, Any]:
    """The generated city (reused when `city` already holds one of this size and seed)."""
    manifest = city / "truth" / "manifest.json"
    agencies = max(1, -(-reports // 4))
    scale = f"{agencies}x4"
    if manifest.exists():
        m = json.loads(manifest.read_text(encoding="utf-8"))
        if m.get("scale") == scale and m.get("seed") == seed and m.get("mixed"):
            return dict(m)
    sys.path.insert(0, str(ROOT / "tests"))
    from samplegen.generate import generate

    t = time.perf_counter()
    m = generate(city, seed, (agencies, 4), mixed=True)
    m["mixed"] = True
    manifest.write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    print(f"generated {len(m['reports'])} reports in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return dict(m)


class Stages(logging.Handler):
    """When each stage of a night began: the `stage` records of `nianbao.progress` (crawl, read, check
    and load, refresh, analysts' site), named by their text before the colon."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[tuple[float, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "stage", False):
            self.marks.append((time.perf_counter(), record.getMessage().split(":", 1)[0]))

    def seconds(self, start: float, end: float) -> dict[str, float]:
        """Each stage's wall-clock seconds; `start` is the time before the first stage (the flow's start,
        the catalog, the warehouse's first reads), `end` the time after the last one began."""
        out = {"start": self.marks[0][0] - start if self.marks else end - start}
        for (t, name), (u, _next) in zip(self.marks, [*self.marks[1:], (end, "")], strict=True):
            out[name] = out.get(name, 0.0) + u - t
        return out


def night(catalog: Path, where: Path, workers: int, results: Path) -> tuple[float, Any, dict[str, float]]:
    """One whole `nianbao run` of the catalog; (seconds, its RunSummary, seconds of each of its stages)."""
    from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, temporary_settings

    from nianbao.flows.run import run

    os.environ["NIANBAO_RAW_STORE"] = str(where / "raw")
    os.environ["NIANBAO_DATA_DOCS"] = str(where / "data_docs")
    os.environ["NIANBAO_HOSTS_DIR"] = str(where / "hosts")
    os.environ["NIANBAO_SITE"] = str(where / "site")  # the analysts' site, rebuilt at the end of a night
    progress = logging.getLogger("nianbao.progress")
    stages = Stages()
    level, propagate = progress.level, progress.propagate
    progress.addHandler(stages)
    progress.setLevel(logging.INFO)  # as `nianbao run` on a terminal: the stages and steps recorded
    progress.propagate = False  # but not printed
    try:
        with temporary_settings({PREFECT_LOCAL_STORAGE_PATH: results}):  # an extraction cache of its own
            t = time.perf_counter()
            out = run(catalog, where / "nianbao.duckdb", workers=workers)
            end = time.perf_counter()
    finally:
        progress.removeHandler(stages)
        progress.setLevel(level)
        progress.propagate = propagate
    return end - t, out, stages.seconds(t, end)


def warm_process() -> None:
    """Pay what a process pays once, whatever it runs next, before any clock: the flow's modules (Prefect's
    engine, prefect-dask, distributed; ~1.2 s), the steps the flow imports as it starts (the warehouse,
    the checks, the site: ~0.6 s) and the Prefect client's check of the API's version (~1 s, once per
    process and API). Otherwise the first night timed, and only it, carries them."""
    from prefect.context import SyncClientContext

    import nianbao.flows.ingest
    import nianbao.flows.nightly
    import nianbao.flows.refresh
    import nianbao.flows.run
    import nianbao.warehouse.rollup  # noqa: F401

    with SyncClientContext.get_or_create():  # what a flow run's engine enters first: the version check
        pass


def _medians(nights: list[dict[str, float]]) -> dict[str, float]:
    """Each stage's median seconds over the nights that had it."""
    names = dict.fromkeys(name for n in nights for name in n)
    return {name: round(statistics.median(n[name] for n in nights if name in n), 2) for name in names}


def main() -> int:
    """Print the figures; the last line is the JSON object."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=1000)
    ap.add_argument("--city", type=Path, default=None, help="where the generated city is kept (reused)")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--skip-1worker", action="store_true", help="only the 2-worker nights")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of first nights (medians reported)")
    ap.add_argument("--latency-ms", type=float, default=0.0, help="every answer held this long (the web)")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    logging.getLogger("distributed").setLevel(logging.ERROR)

    city = args.city or _TMP / "city"
    manifest = make_city(city, args.reports, args.seed)
    docs = [d for r in manifest["reports"] for d in r["documents"]]
    pdfs = sum(d.get("format") == "pdf" for d in docs)

    from nianbao.demo.city import write_catalog
    from nianbao.expectations.validate import prepare
    from nianbao.flows.parallel import shared_api

    prepare()  # the checks' one-off set-up in this process (GX's import), before any clock runs

    server = Server(city, args.latency_ms / 1000)
    pair = Pair(sample_documents(city, 60))  # the machine's own two-process figure, before each night
    machine: list[float] = []
    tree = ProcessTree(skip={server.proc.pid, *pair.pids()})
    figures: dict[str, Any] = {"reports": len(manifest["reports"])}
    try:
        catalog = write_catalog(city, server.base_url, _TMP / "catalog.yaml")
        with shared_api():  # the API up before the clock runs, as a served deployment's is
            warm_process()
            runs: dict[str, list[float]] = {"first_s_1worker": [], "first_s_2workers": [], "nochange_s": []}
            stages: dict[str, list[dict[str, float]]] = {"1worker": [], "2workers": []}
            cpu: dict[str, list[float]] = {"1worker": [], "2workers": []}  # each first night's processor time
            one = two = None
            for r in range(args.repeat):
                order = (1, 2) if r % 2 == 0 else (2, 1)  # swapped every other round
                for workers in order:
                    if workers == 1 and args.skip_1worker:
                        continue
                    label = f"{workers} worker{'s' if workers > 1 else ''}"
                    name = label.replace(" ", "")  # 1worker, 2workers
                    machine.append(pair.measure()[0])
                    where = _TMP / f"w{workers}-{r}"
                    if workers == 2 and r > 0:  # the no-change nights run on the last 2-worker warehouse
                        shutil.rmtree(_TMP / f"w2-{r - 1}", ignore_errors=True)
                        shutil.rmtree(_TMP / f"results-2-{r - 1}", ignore_errors=True)
                    before = tree.cpu()
                    seconds, out, parts = night(catalog, where, workers, _TMP / f"results-{workers}-{r}")
                    spent = tree.cpu_since(before)
                    runs[f"first_s_{name}"].append(seconds)
                    stages[name].append(parts)
                    cpu[name].append(spent)
                    one, two = (out, two) if workers == 1 else (one, out)
                    if workers == 1:
                        shutil.rmtree(where, ignore_errors=True)
                        shutil.rmtree(_TMP / f"results-1-{r}", ignore_errors=True)
                    print(
                        f"first night, {label}: {seconds:7.1f} s ("
                        + ", ".join(f"{name} {v:.1f}" for name, v in parts.items())
                        + f"); {spent:.1f} processor-seconds, {spent / seconds:.2f} cores busy",
                        file=sys.stderr,
                    )
            last = args.repeat - 1
            before = len(server.requests())
            for _ in range(args.repeat):
                seconds, quiet, _parts = night(catalog, _TMP / f"w2-{last}", 2, _TMP / f"results-2-{last}")
                runs["nochange_s"].append(seconds)
            tonight = server.requests()[before:]
        figures.update({k: statistics.median(v) for k, v in runs.items() if v})
        figures["nochange_requests"] = len(tonight) // args.repeat
        figures["nochange_bodies"] = sum(1 for _m, _t, status in tonight if status == 200)
        figures["nochange_ingested"] = sum(1 for o in quiet.outcomes if o["status"] != "unchanged")
        figures["peak_rss_mb"] = round(tree.stop())
    finally:
        server.close()
        pair.close()
    s = two.summary
    figures.update(
        documents=len(docs),
        pdf_share=round(pdfs / len(docs), 2),
        loaded=s.loaded,
        quarantined=s.quarantined,
        unreadable=s.unreadable,
        listing_pages=s.listing_pages,
        speedup=round(figures["first_s_1worker"] / figures["first_s_2workers"], 2) if one else None,
        speedups=[
            round(a / b, 2) for a, b in zip(runs["first_s_1worker"], runs["first_s_2workers"], strict=False)
        ],
        runs={k: [round(x, 1) for x in v] for k, v in runs.items()},
        repeat=args.repeat,
        nochange_share=round(figures["nochange_s"] / figures["first_s_2workers"], 3),
        # each stage's median over the rounds: the reading runs on the workers (during the crawl and in
        # the read stage), the rest of a night in the flow's process whatever their number
        stages={k: _medians(v) for k, v in stages.items() if v},
        # processor time of the whole night (this process, the Dask workers, the readers, the crawl's, the
        # chart's and the API's processes; not the city's server): what the night costs the machine, and
        # how many of its cores it kept busy on average. Extra work beside the readers shows in `cpu_s`;
        # a night near `cores` busy is bound by the machine, not by waiting
        cpu_s={k: round(statistics.median(v), 1) for k, v in cpu.items() if v},
        cores_busy={
            k: round(statistics.median(c / t for c, t in zip(v, runs[f"first_s_{k}"], strict=True)), 2)
            for k, v in cpu.items()
            if v
        },
        latency_ms=args.latency_ms,
        read_during_crawl=os.environ.get("NIANBAO_READ_DURING_CRAWL", "1"),
        cores=os.cpu_count(),
        load_avg_1m=round(os.getloadavg()[0], 2),
        # what the machine gave two processes reading against one, measured just before each first night
        # (benchmarks/machine.py): the ceiling of `speedup` and `read_speedup` on this machine, that hour
        machine_speedup=round(statistics.median(machine), 2) if machine else None,
        machine_speedups=[round(x, 2) for x in machine],
    )
    for k in ("first_s_1worker", "first_s_2workers", "nochange_s"):
        if k in figures:
            figures[k] = round(figures[k], 1)
    if len(figures["stages"]) == 2 and all("read" in v for v in figures["stages"].values()):
        one_s, two_s = figures["stages"]["1worker"], figures["stages"]["2workers"]
        figures["read_speedup"] = round(one_s["read"] / two_s["read"], 2)
        figures["other_stages_s"] = {
            k: round(sum(v for name, v in st.items() if name != "read"), 2)
            for k, st in (("1worker", one_s), ("2workers", two_s))
        }
        # the ceiling of `speedup` on this machine with the night as it is: the 2-worker night's other
        # stages as measured, and a read stage exactly half the 1-worker one (a perfect split)
        figures["speedup_if_read_halved"] = round(
            figures["first_s_1worker"] / (figures["first_s_2workers"] - two_s["read"] + one_s["read"] / 2), 2
        )
    print(
        f"{figures['documents']} documents ({pdfs} PDF), {s.listing_pages} listing pages; "
        f"no-change night: {figures['nochange_requests']} requests, {figures['nochange_bodies']} bodies, "
        f"{figures['nochange_ingested']} ingested",
        file=sys.stderr,
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
