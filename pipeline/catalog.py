"""The agency catalog (spec/interfaces.md): which agencies to follow and where they publish."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nianbao.pipeline.errors import NianbaoError

_ID = re.compile(r"^[a-z0-9-]+$")
LEVELS = ("municipal", "district", "county", "township")
KINDS = ("government", "department")


@dataclass(frozen=True)
class ReportRef:
    """An explicitly listed document of an agency for a year."""

    year: int
    url: str


@dataclass(frozen=True)
class Agency:
    """One agency of the catalog."""

    id: str
    name: str
    region: str
    level: str
    kind: str
    index_url: str | None = None
    reports: tuple[ReportRef, ...] = ()


@dataclass(frozen=True)
class Catalog:
    """A city's catalog."""

    city: str
    allowed_hosts: tuple[str, ...]
    agencies: tuple[Agency, ...] = field(default_factory=tuple)


def parse_catalog(text: str, base: Path | None = None) -> Catalog:
    """Catalog YAML text → Catalog; raises NianbaoError('bad_catalog', …) naming the problem."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        raise NianbaoError("bad_catalog", f"not YAML: {e}") from e
    agencies = []
    seen: set[str] = set()
    for i, a in enumerate(data.get("agencies") or []):
        where = f"agencies[{i}]"
        for key in ("id", "name", "region", "level", "kind"):
            if not a.get(key):
                raise NianbaoError("bad_catalog", f"{where} has no {key}")
        if not _ID.match(str(a["id"])):
            raise NianbaoError("bad_catalog", f"{where}.id {a['id']!r} is not [a-z0-9-]+")
        if a["id"] in seen:
            raise NianbaoError("bad_catalog", f"{where}.id {a['id']!r} is listed twice")
        seen.add(a["id"])
        if a["level"] not in LEVELS or a["kind"] not in KINDS:
            raise NianbaoError("bad_catalog", f"{where}: level must be one of {LEVELS}, kind one of {KINDS}")
        refs = []
        for r in a.get("reports") or []:
            url = str(r["url"])
            if base is not None and url.startswith("file:") and not url.startswith("file:///"):
                url = (base / url.removeprefix("file:")).resolve().as_uri()
            refs.append(ReportRef(year=int(r["year"]), url=url))
        agencies.append(
            Agency(
                id=a["id"],
                name=a["name"],
                region=a["region"],
                level=a["level"],
                kind=a["kind"],
                index_url=a.get("index_url"),
                reports=tuple(refs),
            )
        )
    return Catalog(
        city=data.get("city", ""),
        allowed_hosts=tuple(data.get("allowed_hosts") or ()),
        agencies=tuple(agencies),
    )


def load_catalog(path: str | Path) -> Catalog:
    """Read a catalog file; relative `file:` URLs resolve against its folder."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise NianbaoError("bad_catalog", f"cannot read {path}: {e.strerror}") from e
    return parse_catalog(text, base=path.parent)
