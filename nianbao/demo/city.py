"""The sample city on disk: where it is, its routing table, and its catalog filled with a server's address.

Layout of a generated sample directory:

    site/                 what the server serves (URL path = file path, except the routed URLs)
    site/_files/          bodies of URLs with a query string (`/download?id=123`)
    routes.json           URL → file for query URLs, content-type overrides, redirects, corrections, dates
    catalog.template.yaml the catalog with `{base_url}` where the server's address goes
    truth/                one canonical JSON per report, and manifest.json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CITY_DIR = Path(__file__).resolve().parent / "city"
CATALOG_TEMPLATE = "catalog.template.yaml"
ROUTES = "routes.json"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def write_catalog(root: Path, base_url: str, dest: Path) -> Path:
    """Fill the sample's catalog template with a server's base URL (e.g. http://127.0.0.1:8765) into `dest`."""
    text = (
        (Path(root) / CATALOG_TEMPLATE)
        .read_text(encoding="utf-8")
        .replace("{base_url}", base_url.rstrip("/"))
    )
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8")
    return dest


def read_routes(root: Path) -> dict[str, Any]:
    """The routing table of a generated sample (empty tables when there is none)."""
    path = Path(root) / ROUTES
    if not path.exists():
        return {"files": {}, "types": {}, "redirects": {}, "corrections": {}, "last_modified": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
