"""The agency catalog (spec/interfaces.md): which agencies to follow and where they publish.

A catalog is validated whole before anything starts (issue 18): its shape and types by a pydantic model
that knows every key (an unknown one is a mistake, not an extension), then what needs the whole file
(ids listed twice; every URL a scheme and host the URL policy admits for the catalog; report years a
template covers). Every problem is one line with its path, e.g. `agencies[3].reports[0].url: missing`,
and they come together in one `CatalogError` (code `bad_catalog`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from nianbao.pipeline.errors import FetchError, NianbaoError
from nianbao.pipeline.tables import TEMPLATE_YEARS, template_of_year
from nianbao.pipeline.urlpolicy import UrlPolicy

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


class CatalogError(NianbaoError):
    """A catalog that cannot be used, with every problem found (one line each, with its path)."""

    def __init__(self, source: str, problems: list[str]) -> None:
        many = f"{len(problems)} problems" if len(problems) != 1 else "1 problem"
        super().__init__("bad_catalog", f"{source} has {many}: " + "; ".join(problems))
        self.source = source
        self.problems = problems

    def __reduce__(self) -> tuple[type, tuple[str, list[str]]]:  # type: ignore[override]
        return (type(self), (self.source, self.problems))


# ----------------------------------------------------------------------------- the shape, by pydantic


class _Report(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: StrictInt
    url: str = Field(min_length=1)


class _Agency(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1)
    region: str = Field(min_length=1)
    level: Literal["municipal", "district", "county", "township"]
    kind: Literal["government", "department"]
    index_url: str | None = None
    reports: list[_Report] = []


class _Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid")

    city: str = ""
    allowed_hosts: list[str] = []
    agencies: list[_Agency] = []


_MESSAGES = {
    "missing": "missing",
    "extra_forbidden": "unknown key",
    "string_type": "must be text",
    "list_type": "must be a list",
    "model_type": "must be a mapping of keys to values",
    "dict_type": "must be a mapping of keys to values",
    "string_too_short": "must not be empty",
    "string_pattern_mismatch": "{input!r} is not lowercase ASCII letters, digits and hyphens ([a-z0-9-]+)",
    "int_type": "{input!r} is not a whole number",
    "int_parsing": "{input!r} is not a whole number",
    "int_from_float": "{input!r} is not a whole number",
}


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(the whole catalog)"


def _shape_problems(error: ValidationError) -> list[str]:
    out = []
    for e in error.errors():
        template = _MESSAGES.get(e["type"])
        if e["type"] == "literal_error":
            allowed = LEVELS if e["loc"][-1] == "level" else KINDS
            message = f"{e.get('input')!r} is not one of {', '.join(allowed)}"
        elif template is not None:
            message = template.format(input=e.get("input"))
        else:
            message = e["msg"]
        out.append(f"{_path(e['loc'])}: {message}")
    return out


# ----------------------------------------------------------------------------- what needs the whole file
def _whole_file_problems(data: dict[str, Any]) -> list[str]:
    """Ids listed twice, URLs the policy refuses, years no template covers (read tolerantly: the shape's
    own problems are reported by the model)."""
    out: list[str] = []
    hosts = [h for h in data.get("allowed_hosts") or [] if isinstance(h, str)]
    for i, host in enumerate(hosts):
        if not host.strip() or any(c in host for c in "/ @?#") or "://" in host:
            out.append(f"allowed_hosts[{i}]: {host!r} is not a host name (no scheme, path or spaces)")
    policy = UrlPolicy.of(hosts)
    agencies = data.get("agencies")
    seen: dict[str, int] = {}
    for i, a in enumerate(agencies if isinstance(agencies, list) else []):
        if not isinstance(a, dict):
            continue
        if isinstance(a.get("id"), str):
            if a["id"] in seen:
                out.append(f"agencies[{i}].id: {a['id']!r} is listed twice (also agencies[{seen[a['id']]}])")
            seen.setdefault(a["id"], i)
        if isinstance(a.get("index_url"), str):
            out += _url_problem(policy, a["index_url"], f"agencies[{i}].index_url")
        reports = a.get("reports")
        for j, r in enumerate(reports if isinstance(reports, list) else []):
            if not isinstance(r, dict):
                continue
            if isinstance(r.get("url"), str) and r["url"]:
                out += _url_problem(policy, r["url"], f"agencies[{i}].reports[{j}].url")
            year = r.get("year")
            if isinstance(year, int) and not isinstance(year, bool) and template_of_year(year) is None:
                first = min(lo for lo, _hi in TEMPLATE_YEARS.values())
                out.append(
                    f"agencies[{i}].reports[{j}].year: {year} is a year no report template covers"
                    f" (reports are read from {first} on)"
                )
    return out


def _url_problem(policy: UrlPolicy, url: str, where: str) -> list[str]:
    try:
        policy.admit(url, "catalog")
    except FetchError as e:
        return [f"{where}: {e.message}"]
    return []


# ----------------------------------------------------------------------------- reading
# libyaml's safe loader reads a 1,000-agency catalog in a tenth of the pure-Python one's time (0.33 s,
# paid by every night, no-change ones included); the same documents, the same safe types
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_catalog(text: str, base: Path | None = None, source: str = "the catalog") -> Catalog:
    """Catalog YAML text → Catalog; raises CatalogError (bad_catalog) naming every problem with its path."""
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as e:
        raise CatalogError(source, [f"(the whole catalog): not YAML: {' '.join(str(e).split())}"]) from e
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CatalogError(
            source,
            [
                "(the whole catalog): must be a mapping of city, allowed_hosts and agencies,"
                f" not a {type(data).__name__}"
            ],
        )
    problems: list[str] = []
    model: _Catalog | None = None
    try:
        model = _Catalog.model_validate(data)
    except ValidationError as e:
        problems += _shape_problems(e)
    problems += _whole_file_problems(data)
    if problems or model is None:
        raise CatalogError(source, problems)
    return _catalog(model, base)


def _catalog(model: _Catalog, base: Path | None) -> Catalog:
    """The validated model as the plain, frozen Catalog the rest of the pipeline reads."""
    agencies = []
    for a in model.agencies:
        refs = []
        for r in a.reports:
            url = r.url
            if base is not None and url.startswith("file:") and not url.startswith("file:///"):
                url = (base / url.removeprefix("file:")).resolve().as_uri()
            refs.append(ReportRef(year=r.year, url=url))
        agencies.append(
            Agency(
                id=a.id,
                name=a.name,
                region=a.region,
                level=a.level,
                kind=a.kind,
                index_url=a.index_url,
                reports=tuple(refs),
            )
        )
    return Catalog(city=model.city, allowed_hosts=tuple(model.allowed_hosts), agencies=tuple(agencies))


def load_catalog(path: str | Path) -> Catalog:
    """Read and validate a catalog file; relative `file:` URLs resolve against its folder."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        why = e.strerror if isinstance(e, OSError) else "not UTF-8 text"
        raise CatalogError(str(path), [f"(the whole catalog): cannot be read: {why}"]) from e
    return parse_catalog(text, base=path.parent, source=str(path))
