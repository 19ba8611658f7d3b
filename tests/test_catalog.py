"""Issue 18 item 6: a bad catalog is refused before anything starts: one line per problem with its path,
exit 2, no traceback (it used to end in a raw KeyError/AttributeError/ValueError, or in a typed error
after a Prefect traceback; unknown keys and ftp:// or gopher:// URLs were accepted)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from nianbao.demo.city import CITY_DIR, write_catalog
from nianbao.pipeline.catalog import CatalogError, load_catalog, parse_catalog

from helpers import nianbao

GOOD_AGENCY = """\
  - id: hz-fgw
    name: 杭州市发展和改革委员会
    region: 杭州市
    level: municipal
    kind: department
    index_url: http://127.0.0.1:8765/hz-fgw/ndbg/index.html
"""
HEAD = "city: 杭州市\nallowed_hosts: [127.0.0.1]\nagencies:\n" + GOOD_AGENCY


def _agency(extra: str) -> str:
    return HEAD + "  - id: hz-jyj\n    name: 杭州市教育局\n    region: 杭州市\n    level: municipal\n" + extra


CASES = {
    "report_without_url": (
        _agency("    kind: department\n    reports:\n      - year: 2020\n"),
        ["agencies[1].reports[0].url: missing"],
    ),
    "top_level_list": ("- id: hz-fgw\n- id: hz-jyj\n", ["(the whole catalog): must be a mapping"]),
    "year_in_words": (
        _agency(
            "    kind: department\n    reports:\n      - year: twenty\n        url: http://127.0.0.1/a.pdf\n"
        ),
        ["agencies[1].reports[0].year: 'twenty' is not a whole number"],
    ),
    "unknown_key": (_agency("    kind: department\n    colour: red\n"), ["agencies[1].colour: unknown key"]),
    "unknown_top_level_key": (HEAD + "alowed_hosts: [x]\n", ["alowed_hosts: unknown key"]),
    "ftp_url": (
        _agency(
            "    kind: department\n    reports:\n      - year: 2020\n        url: ftp://127.0.0.1/a.pdf\n"
        ),
        ["agencies[1].reports[0].url: 'ftp://127.0.0.1/a.pdf': a catalog URL may be file or http or https"],
    ),
    "gopher_index": (
        _agency("    kind: department\n    index_url: gopher://127.0.0.1:70/_x\n"),
        ["agencies[1].index_url: 'gopher://127.0.0.1:70/_x': a catalog URL may be"],
    ),
    "host_not_allowed": (
        _agency("    kind: department\n    index_url: http://www.example.gov.cn/ndbg/\n"),
        ["agencies[1].index_url: www.example.gov.cn is not in allowed_hosts"],
    ),
    "year_before_the_templates": (
        _agency(
            "    kind: department\n    reports:\n      - year: 2018\n        url: http://127.0.0.1/a.pdf\n"
        ),
        [
            "agencies[1].reports[0].year: 2018 is a year no report template covers (reports are read from 2019 on)"
        ],
    ),
    "id_twice": (HEAD + GOOD_AGENCY, ["agencies[1].id: 'hz-fgw' is listed twice (also agencies[0])"]),
    "level_and_kind": (
        _agency("    kind: bureau\n").replace(
            "level: municipal\n    kind: bureau", "level: city\n    kind: bureau"
        ),
        [
            "agencies[1].level: 'city' is not one of municipal, district, county, township",
            "agencies[1].kind: 'bureau' is not one of government, department",
        ],
    ),
    "not_yaml": ("city: [unclosed\n", ["(the whole catalog): not YAML"]),
    "many_problems_at_once": (
        HEAD
        + "  - id: Bad_Id\n    name: ''\n    region: 杭州市\n    level: municipal\n    kind: department\n"
        + "    reports:\n      - url: http://127.0.0.1/a.pdf\n      - year: 2021\n",
        [
            "agencies[1].id: 'Bad_Id' is not lowercase ASCII letters, digits and hyphens ([a-z0-9-]+)",
            "agencies[1].name: must not be empty",
            "agencies[1].reports[0].year: missing",
            "agencies[1].reports[1].url: missing",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_bad_catalog_is_refused_before_anything_starts(name: str, tmp_path: Path) -> None:
    text, expected = CASES[name]
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    ran = nianbao("run", "--catalog", str(path), "--warehouse", str(tmp_path / "wh.duckdb"))
    assert ran.returncode == 2
    assert "Traceback" not in ran.stderr and ran.stdout == ""
    lines = [line.strip() for line in ran.stderr.splitlines()]
    assert lines[0].startswith("error bad_catalog:")
    for want in expected:
        assert any(line.startswith(want) for line in lines[1:]), (want, lines)
    assert not (tmp_path / "wh.duckdb").exists()  # nothing started


def test_every_command_that_takes_a_catalog_checks_it_first(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(CASES["report_without_url"][0], encoding="utf-8")
    for args in (["serve", "--catalog", str(path)], ["rerun", "--failed", "--catalog", str(path)]):
        ran = nianbao(*args)
        assert ran.returncode == 2 and "agencies[1].reports[0].url: missing" in ran.stderr


def test_the_sample_city_and_a_relative_file_url_are_fine(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(CITY_DIR, "http://127.0.0.1:8765", tmp_path / "catalog.yaml"))
    assert len(catalog.agencies) == 37 and catalog.allowed_hosts == ("127.0.0.1",)
    local = parse_catalog(
        _agency("    kind: department\n    reports:\n      - year: 2020\n        url: file:r/2020.pdf\n"),
        tmp_path,
    )
    assert local.agencies[1].reports[0].url == (tmp_path / "r" / "2020.pdf").resolve().as_uri()


def test_a_catalog_error_keeps_its_problems_across_processes() -> None:
    with pytest.raises(CatalogError) as e:
        parse_catalog(CASES["many_problems_at_once"][0], source="c.yaml")
    back = pickle.loads(pickle.dumps(e.value))
    assert (back.code, back.problems) == ("bad_catalog", e.value.problems) and len(back.problems) == 4
