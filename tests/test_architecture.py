"""The house's plan, enforced (issue 14): imports go down the layers only, no module imports another in a
circle, product code never imports a development tool, and settings are read in one place.

    nianbao.pipeline ← nianbao.expectations ← nianbao.warehouse ← nianbao.site ← nianbao.flows ← nianbao.demo
    ← nianbao.cli

The analysts' site sits between the warehouse and the flows (issue 15): it reads the snapshot through the
warehouse, and the refresh flow (and the end of `nianbao run`) rebuilds it after publishing the snapshot.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "nianbao"
LAYERS = {"pipeline": 0, "expectations": 1, "warehouse": 2, "site": 3, "flows": 4, "demo": 5, "cli": 6}
DEV_ONLY = {
    "samplegen",
    "reportlab",
    "fontTools",
    "pytest",
    "hypothesis",
    "tests",
    "helpers",
    "docx_fixtures",
    "bombs",
    "hostile_site",
}
BARE = {"pipeline", "expectations", "warehouse", "flows"}  # the folders' own names: never importable as such


def _modules() -> dict[str, Path]:
    """Every module of the installed package: dotted name → file (the layer folders are linked in)."""
    out = {}
    for folder, _dirs, files in os.walk(PACKAGE, followlinks=True):
        for f in files:
            if f.endswith(".py"):
                path = Path(folder) / f
                parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
                name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
                out[name] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The modules a module imports (anywhere in it: lazy imports inside functions count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            submodules = {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES}
            # `from package import submodule` depends on the submodule, not on the package's __init__
            found |= submodules if len(submodules) == len(node.names) else {base, *submodules}
    return found


GRAPH = {
    name: {m for m in _imports(name, path) if m in MODULES and m != name} for name, path in MODULES.items()
}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_the_package_is_whole() -> None:
    """Every layer is there, as nianbao.<layer> (a missing link would drop a layer silently)."""
    assert {m.split(".")[1] for m in MODULES if m.count(".") >= 1} >= set(LAYERS)
    assert len(MODULES) > 60


def test_imports_only_go_down_the_layers() -> None:
    upward = sorted(
        f"{m} → {t}"
        for m, targets in GRAPH.items()
        for t in targets
        if (a := _layer(m)) is not None and (b := _layer(t)) is not None and b > a
    )
    assert upward == []


def test_the_site_needs_no_orchestrator() -> None:
    """Below the flows, the site builds from a snapshot alone: no module of it imports Prefect or Dask
    (the flows link its result as an artifact; `nianbao site` and `nianbao review` build it without them)."""
    importers = sorted(
        m
        for m in MODULES
        if m.startswith("nianbao.site")
        and {i.split(".")[0] for i in _imports(m, MODULES[m])} & {"prefect", "dask", "distributed"}
    )
    assert importers == []


def test_no_module_imports_another_in_a_circle() -> None:
    """Tarjan's strongly connected components over the module graph: none larger than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            # a package's __init__ re-exporting its own modules is not a circle of the house
            real = [c for c in component if not any(o.startswith(c + ".") for o in component)]
            if len(real) > 1:
                circles.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    assert circles == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_product_code_imports_no_development_tool_nor_a_bare_layer(name: str) -> None:
    roots = {m.split(".")[0] for m in _imports(name, MODULES[name])}
    assert roots & (DEV_ONLY | BARE) == set()


def test_settings_are_read_in_one_place() -> None:
    """NIANBAO_* variables are read by nianbao.pipeline.settings only."""
    reads = re.compile(r"(environ|getenv)\b[^\n]*NIANBAO_")
    readers = sorted(
        name
        for name, path in MODULES.items()
        if reads.search(path.read_text(encoding="utf-8")) and name != "nianbao.pipeline.settings"
    )
    assert readers == []
