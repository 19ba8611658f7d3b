"""The command line as people script it (issue 16): typed `--format` choices, RFC 4180 CSV with LF and JSON
in its cells, JSON numbers for DECIMALs, `--version`, `findings` filters, `rerun --format json` without a
Prefect server, `review revoke` audited like the other decisions, and the README's contract against `--help`.

Everything runs in this process (typer's runner) on a real DuckDB file built from real fixtures.
"""

from __future__ import annotations

import copy
import json
import re
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer.main

from nianbao.cli import app
from nianbao.pipeline.clock import now
from nianbao.pipeline.extract import extract_report
from nianbao.pipeline.model import DocRef, Report
from nianbao.pipeline.rawstore import RawStore
from nianbao.warehouse.connect import connect
from nianbao.warehouse.ingest import load
from nianbao.warehouse.write import log_attempts, record_document

from helpers import FILES, ROOT, nianbao

LONG_URL = "http://127.0.0.1/hz-bad/art/2021/1/24/" + "a" * 90 + "/政府信息公开工作年度报告.html"


@cache
def _read(path: str) -> tuple[bytes, Report]:
    data = (FILES / path).read_bytes()
    return data, extract_report(data)


def _balance_defect(r: Report) -> None:
    r.applications["carried_out"]["research"] += 2
    r.applications["carried_out"]["total"] += 2


def _load(wh: Path, agency: str, year: int, path: str, plant: bool = False, url: str | None = None) -> str:
    """Store a fixture's bytes (a planted defect makes them a different document) and load its reading."""
    data, report = _read(path)
    report = copy.deepcopy(report)
    if plant:
        data += b"\n<!-- planted -->"
        _balance_defect(report)
    store = RawStore(wh.parent / "raw")
    sha = store.put(data)
    url = url or f"http://127.0.0.1/{agency}/{year}"
    con = connect(wh)
    try:
        record_document(con, sha, len(data), "html", str(store.path(sha)))
        log_attempts(  # as the night's crawl logs it: what `rerun` looks at
            con,
            [
                {
                    "attempt_id": f"night:{url}:1",
                    "run_id": "night",
                    "agency_id": agency,
                    "year": year,
                    "url": url,
                    "status": "ok",
                    "http_status": 200,
                    "size_bytes": len(data),
                    "sha256": sha,
                    "fetched_at": now(),
                    "attempt": 1,
                    "role": "document",
                    "doc_state": "new",
                }
            ],
        )
        (o,) = load(con, [(DocRef(agency, year, url, sha), report)]).outcomes
    finally:
        con.close()
    return o.status


@pytest.fixture
def wh(tmp_path: Path) -> Path:
    """A warehouse of three reports: hz-bad 2020 quarantined (t3_balance), hz-good 2020 and hz-sfj 2021 loaded."""
    path = tmp_path / "wh" / "nianbao.duckdb"
    assert (
        _load(path, "hz-bad", 2020, "html/html_hz-sfj_2020.html", plant=True, url=LONG_URL) == "quarantined"
    )
    assert _load(path, "hz-good", 2020, "text/hz-yjglj_2020.txt") == "loaded"
    return path


def _run(*args: str) -> tuple[int, str, str]:
    r = nianbao(*args, env={"NIANBAO_DATA_DOCS": ""})
    return r.returncode, r.stdout, r.stderr


# ---------------------------------------------------------------- --format is a choice, checked


@pytest.mark.parametrize(
    "argv",
    [
        ["query", "select 1", "--format", "xml"],
        ["findings", "--format", "xml"],
        ["rollup", "--year", "2020", "--format", "xml"],
        ["rerun", "--format", "csv"],
        ["review", "list", "--format", "xml"],
        ["findings", "--severity", "fatal"],
    ],
)
def test_an_unknown_choice_is_a_usage_error(wh: Path, argv: list[str]) -> None:
    code, out, err = _run(*argv, "--warehouse", str(wh))
    assert code == 2 and out == ""
    assert "Invalid value" in err


def test_version() -> None:
    from nianbao import __version__

    code, out, _err = _run("--version")
    assert code == 0 and out.strip() == __version__


# ---------------------------------------------------------------- CSV and JSON


def test_query_csv_is_rfc4180_with_lf_and_json_in_cells(wh: Path) -> None:
    sql = (
        "select ['hz-jds', 'hz-mzj'] as agencies, {'a': 1} as obj, 12.50::decimal(10, 2) as amount,"
        " 'a,b \"c\"' as text, null as nothing, 3::hugeint as big, true as yes"
    )
    code, out, err = _run("query", sql, "--format", "csv", "--warehouse", str(wh))
    assert code == 0, err
    assert "\r" not in out and out.endswith("\n")
    assert out.splitlines() == [
        "agencies,obj,amount,text,nothing,big,yes",
        '"[""hz-jds"", ""hz-mzj""]","{""a"": 1}",12.5,"a,b ""c""",,3,true',
    ]


def test_query_json_carries_arrays_and_numbers(wh: Path) -> None:
    sql = "select ['hz-jds'] as agencies, 12.50::decimal(10, 2) as amount, date '2024-01-02' as d"
    code, out, err = _run("query", sql, "--format", "json", "--warehouse", str(wh))
    assert code == 0, err
    assert json.loads(out) == {"agencies": ["hz-jds"], "amount": 12.5, "d": "2024-01-02"}


def test_query_table_is_not_cut_at_80_columns(wh: Path) -> None:
    code, out, _err = _run("query", f"select '{LONG_URL}' as url", "--warehouse", str(wh))
    assert code == 0 and LONG_URL in out


def test_rollup_formats(wh: Path) -> None:
    code, out, _ = _run("rollup", "--year", "2020", "--warehouse", str(wh))
    assert code == 0 and json.loads(out)["agencies_counted"] == ["hz-good"]
    code, out, _ = _run("rollup", "--year", "2020", "--format", "csv", "--warehouse", str(wh))
    lines = out.splitlines()
    assert code == 0 and lines[0] == "table,row,column,value"
    assert "applications,received_new,total," in out
    code, out, _ = _run("rollup", "--year", "2020", "--format", "table", "--warehouse", str(wh))
    assert code == 0 and "received_new" in out and not out.lstrip().startswith("{")


# ---------------------------------------------------------------- findings filters


def test_findings_filters(wh: Path) -> None:
    def agencies(*args: str) -> set[tuple[str, str]]:
        code, out, err = _run("findings", "--warehouse", str(wh), *args)
        assert code == 0, err
        return {(json.loads(line)["agency"], json.loads(line)["check"]) for line in out.splitlines()}

    everything = agencies()
    assert ("hz-bad", "t3_balance") in everything
    assert agencies("--agency", "hz-bad") == {x for x in everything if x[0] == "hz-bad"}
    assert agencies("--agency", "hz-nobody") == set()
    assert agencies("--year", "2021") == set()
    assert agencies("--check", "t3_balance") == {("hz-bad", "t3_balance")}
    assert agencies("--severity", "blocking") == {("hz-bad", "t3_balance")}
    assert agencies("--severity", "warning", "--agency", "hz-bad") == set()
    code, out, _ = _run("findings", "--format", "csv", "--warehouse", str(wh), "--check", "t3_balance")
    header, *rows = out.splitlines()
    assert code == 0 and header.startswith("agency,year,check,severity")
    import csv

    first = next(csv.DictReader([header, rows[0]]))
    assert isinstance(json.loads(first["locations"]), list)  # JSON, not a Python repr


# ---------------------------------------------------------------- rerun: in process, JSON


def test_rerun_json_runs_in_process_without_a_prefect_server(
    wh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import prefect.server.api.server as server

    def no_server(*_a: object, **_k: object) -> None:
        raise AssertionError("rerun started a Prefect server")

    monkeypatch.setattr(server.SubprocessASGIServer, "start", no_server)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    code, out, err = _run("rerun", "--failed", "--format", "json", "--warehouse", str(wh))
    assert code == 0, err
    changes = [json.loads(line) for line in out.splitlines()]
    # the stored bytes read again without the planted defect: admitted now; the URL kept whole
    assert changes == [
        {
            "agency": "hz-bad",
            "year": 2020,
            "before": "quarantined",
            "after": "loaded",
            "changed": True,
            "why": "",
            "url": LONG_URL,
        }
    ]


# ---------------------------------------------------------------- review revoke


def test_review_revoke_is_recorded_and_undoes_the_decision(wh: Path) -> None:
    code, _out, err = _run(
        "review",
        "accept",
        "hz-bad",
        "2020",
        "--reason",
        "printed sums confirmed",
        "--by",
        "a",
        "--warehouse",
        str(wh),
    )
    assert code == 0 and "loaded" in err, err
    code, out, _ = _run("rollup", "--year", "2020", "--warehouse", str(wh))
    assert json.loads(out)["agencies_counted"] == ["hz-bad", "hz-good"]
    code, _out, err = _run(
        "review",
        "revoke",
        "1",
        "--reason",
        "the phone call was not the agency",
        "--by",
        "b",
        "--warehouse",
        str(wh),
    )
    assert code == 0 and "quarantined" in err, err
    code, out, _ = _run("rollup", "--year", "2020", "--warehouse", str(wh))
    assert json.loads(out)["agencies_counted"] == ["hz-good"]
    code, out, _ = _run("review", "list", "--warehouse", str(wh))
    accepted, revocation = (json.loads(line) for line in out.splitlines())
    assert accepted["action"] == "accept" and accepted["revoked_at"] is not None
    assert (revocation["action"], revocation["value"], revocation["decided_by"], revocation["reason"]) == (
        "revoke",
        "1",
        "b",
        "the phone call was not the agency",
    )
    assert revocation["revoked_at"] is None
    for again in (["1"], ["2"], ["99"]):  # already revoked; a revocation; no such decision
        code, _out, err = _run("review", "revoke", *again, "--reason", "x", "--warehouse", str(wh))
        assert code == 1, err
        assert any(why in err for why in ("already revoked", "itself a revocation", "no decision 99")), err
    code, out, _ = _run("review", "list", "--format", "csv", "--warehouse", str(wh))
    assert code == 0 and out.splitlines()[0].startswith("override_id,agency_id,year")


# ---------------------------------------------------------------- README contract = --help


def _command(path: list[str]) -> Any:
    cmd: Any = typer.main.get_command(app)
    for part in path:
        cmd = cmd.commands[part]  # a group's subcommand (typer's own click types: duck-typed)
    return cmd


def test_the_readme_contract_matches_the_help() -> None:
    """Every `nianbao …` in the README's command table names real options, and its --format choices are
    exactly the command's."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = [line for line in readme.splitlines() if line.startswith("| `nianbao ")]
    assert len(table) >= 10
    groups = {"review"}
    formats = {  # every command with a --format choice documents it (the other direction)
        " ".join(path)
        for path in (["query"], ["findings"], ["rollup"], ["rerun"], ["review", "list"])
        if any("--format" in p.opts for p in _command(path).params)
    }
    assert formats == {"query", "findings", "rollup", "rerun", "review list"}
    for name in formats:
        assert any(f"`nianbao {name}" in line and "--format" in line for line in table), name
    for line in table:
        usage = line.split("`")[1].split()[1:]
        if usage[0].startswith("--"):  # nianbao --version: tested above
            continue
        path = usage[:2] if usage[0] in groups else usage[:1]
        cmd = _command(path)
        params = {opt: p for p in cmd.params for opt in p.opts}
        for i, word in enumerate(usage):
            for opt in re.findall(r"--[a-z-]+", word.strip("[]")):
                assert opt in params or opt == "--version", f"README: nianbao {' '.join(path)} has no {opt}"
                if opt == "--format":
                    listed = set(re.split(r"\\?\|", usage[i + 1].strip("[]")))
                    kind = params[opt].type_descriptor.annotation
                    assert isinstance(kind, type) and issubclass(kind, Enum), f"{path} --format is no choice"
                    choices = {m.value for m in kind}
                    assert listed == set(choices), f"nianbao {' '.join(path)} --format: {listed} vs {choices}"
