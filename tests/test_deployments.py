"""The deployments, declared once in flows/prefect.yaml (issue 16): what `nianbao serve` builds from it and
what `prefect deploy --all` registers from a fresh clone (the example catalog it names exists and loads)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nianbao.flows.deployments import declared, deployments
from nianbao.pipeline.catalog import load_catalog

from helpers import ROOT, settings_for

PREFECT_YAML = ROOT / "flows" / "prefect.yaml"


def _flow(entrypoint: str):  # type: ignore[no-untyped-def]
    from importlib import import_module

    module, name = entrypoint.split(":")
    return getattr(import_module(module), name)


def test_the_declared_deployments_validate_against_their_flows() -> None:
    spec = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))
    assert spec["deployments"] == declared()  # the packaged file is the project's file
    assert {d["name"] for d in declared()} == {"nightly", "ingest", "refresh"}
    for d in declared():
        flow = _flow(d["entrypoint"])
        flow.validate_parameters(dict(d.get("parameters") or {}))  # raises on an unknown or mistyped one
        assert d["work_pool"]["name"] == "nianbao"
        assert d["work_pool"]["job_variables"]["working_dir"] == "{{ $PWD }}"
        for s in d.get("schedules") or []:
            assert s["timezone"] == "Asia/Shanghai"
        assert flow.retries >= 1 and flow.retry_delay_seconds  # served flows retry, after a wait
    nightly = next(d for d in declared() if d["name"] == "nightly")
    catalog = load_catalog(ROOT / nightly["parameters"]["catalog_path"])  # exists in a clone, and is valid
    assert len(catalog.agencies) == 37


def test_serve_builds_the_same_deployments_pointing_at_its_catalog(tmp_path: Path) -> None:
    catalog = ROOT / "catalogs" / "example.yaml"
    built = {d.name: d for d in deployments(catalog, settings_for(tmp_path / "wh.duckdb"))}
    assert set(built) == {d["name"] for d in declared()}
    assert built["nightly"].parameters["catalog_path"] == str(catalog.resolve())
    assert built["nightly"].schedules and built["ingest"].triggers and built["refresh"].triggers


@pytest.mark.slow
def test_prefect_deploy_all_works_from_a_clone(prefect_harness: None, tmp_path: Path) -> None:
    """A real `prefect deploy --all` against a real Prefect API registers the three deployments."""
    import anyio
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.settings import PREFECT_API_URL

    api = PREFECT_API_URL.value()
    assert api

    async def pool() -> None:
        async with get_client() as client:
            await client.create_work_pool(WorkPoolCreate(name="nianbao", type="process"), overwrite=True)

    anyio.run(pool)
    env = {**os.environ, "PREFECT_API_URL": api, "PWD": str(ROOT)}
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "prefect"),
            "--no-prompt",
            "deploy",
            "--all",
            "--prefect-file",
            str(PREFECT_YAML),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    async def registered() -> dict[str, object]:
        async with get_client() as client:
            return {d.name: d for d in await client.read_deployments()}

    got = anyio.run(registered)
    assert {"nightly", "ingest", "refresh"} <= set(got)
    nightly = got["nightly"]
    assert nightly.parameters["catalog_path"] == "catalogs/example.yaml"  # type: ignore[attr-defined]
    assert nightly.job_variables["working_dir"] == str(ROOT)  # type: ignore[attr-defined]


def test_the_ingest_trigger_starts_one_run_per_window_and_the_run_waits_the_window_out(
    tmp_path: Path,
) -> None:
    """A burst of document.fetched events starts one ingest run, not one each (issue 17): a reactive
    trigger of threshold 1 with a window; the run is told the window (window_s = within) and counts it
    from its own creation (after the event), so it drains until the window closes; a run fired meanwhile waits (ENQUEUE), it is not dropped."""
    ingest = next(d for d in declared() if d["name"] == "ingest")
    (trigger,) = ingest["triggers"]
    assert trigger["posture"] == "Reactive" and trigger["threshold"] == 1 and trigger["within"] > 0
    assert trigger["parameters"]["window_s"] == trigger["within"]
    assert trigger["parameters"]["drain"] and "event_at" not in trigger["parameters"]  # the run's creation
    assert ingest["concurrency_limit"] == {"limit": 1, "collision_strategy": "ENQUEUE"}
    built = {
        d.name: d
        for d in deployments(ROOT / "catalogs" / "example.yaml", settings_for(tmp_path / "w.duckdb"))
    }
    for name in ("ingest", "refresh"):
        (t,) = built[name].triggers
        assert t.within.total_seconds() > 0 and t.threshold == 1 and t.for_each == set()
