"""Orchestration figures (issue 7): a no-change night vs the first, and Prefect's overhead per ingested document.

.venv/bin/python benchmarks/orchestration.py [--agencies N] [--documents N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_TMP = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
for k, v in {
    "PREFECT_HOME": str(_TMP / "prefect"),
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "ERROR",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
}.items():
    os.environ[k] = v
os.environ.pop("PREFECT_API_URL", None)


def main() -> int:
    """Print the figures."""
    from dataclasses import replace

    import yaml

    from nianbao.demo.city import CITY_DIR
    from nianbao.demo.server import SampleServer
    from nianbao.flows.ingest import ingest, ingest_documents
    from nianbao.flows.nightly import crawl_and_record
    from nianbao.pipeline.catalog import load_catalog
    from nianbao.pipeline.extract import read_document
    from nianbao.pipeline.fetch import FetchPolicy
    from nianbao.pipeline.rawstore import RawStore
    from nianbao.pipeline.settings import load_settings

    ap = argparse.ArgumentParser()
    ap.add_argument("--agencies", type=int, default=37)
    ap.add_argument("--documents", type=int, default=24)
    args = ap.parse_args()
    wh, raw = _TMP / "wh" / "nianbao.duckdb", RawStore(_TMP / "raw")
    env = {"NIANBAO_RAW_STORE": str(raw.root), "NIANBAO_DATA_DOCS": ""}
    settings = replace(load_settings(wh, env=env), fetch=FetchPolicy(retries=1, backoff_s=0.01, per_host=4))
    with SampleServer(CITY_DIR, lifetime_s=900) as srv:
        full = srv.write_catalog(_TMP / "full.yaml")
        data = yaml.safe_load(full.read_text(encoding="utf-8"))
        data["agencies"] = data["agencies"][: args.agencies]
        cat_path = _TMP / "catalog.yaml"
        cat_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        catalog = load_catalog(cat_path)
        t0 = time.perf_counter()
        first = crawl_and_record(catalog, settings, "bench-1")
        t1 = time.perf_counter()
        second = crawl_and_record(catalog, settings, "bench-2")
        t2 = time.perf_counter()
    fs, ss = first.summary, second.summary
    print(
        f"nightly over {len(catalog.agencies)} agencies, {fs.discovered} documents, {fs.listing_pages} listing pages"
    )
    print(f"  first night:     {t1 - t0:6.2f} s  ({fs.new} new, {fs.fetched} bodies)")
    print(
        f"  no-change night: {t2 - t1:6.2f} s  ({ss.unchanged} unchanged, {ss.fetched} bodies, "
        f"{len(second.announce())} announced)"
    )
    print(f"  ratio no-change / first: {(t2 - t1) / (t1 - t0):.2f}")

    refs = first.fetched()[: args.documents]
    t0 = time.perf_counter()
    for r in refs:
        read_document(raw.get(r.sha256))
    bare = time.perf_counter() - t0
    t0 = time.perf_counter()
    ingest_documents(refs, load_settings(_TMP / "wh2.duckdb", env=env), "plain", prefect=False)
    plain = time.perf_counter() - t0
    docs = [r.as_dict() for r in refs]
    os.environ.update(env)  # the flow builds its settings from the environment, as a deployment does
    ingest(documents=docs[:1], warehouse=str(_TMP / "wh3.duckdb"))  # warm-up: the ephemeral API starts here
    t0 = time.perf_counter()
    ingest(documents=docs, warehouse=str(_TMP / "wh3.duckdb"))  # extraction computed (and cached)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    ingest(
        documents=docs, warehouse=str(_TMP / "wh3.duckdb")
    )  # every extraction a cache hit, nothing to load
    warm = time.perf_counter() - t0
    n = len(refs)
    print(f"ingest of {n} documents")
    print(f"  bare extraction:                 {bare:6.2f} s  ({1000 * bare / n:7.1f} ms/doc)")
    print(f"  plain ingest (extract+GX+load):  {plain:6.2f} s  ({1000 * plain / n:7.1f} ms/doc)")
    print(f"  ingest flow, extraction computed:{cold:6.2f} s  ({1000 * cold / n:7.1f} ms/doc)")
    print(f"  ingest flow, extraction cached:  {warm:6.2f} s  ({1000 * warm / n:7.1f} ms/doc)")
    print(
        f"  orchestration overhead per document (cached flow vs bare extraction): "
        f"{1000 * (warm - bare) / n:+.1f} ms/doc; cached flow / bare = {warm / bare:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
