"""Vega-Lite specifications drawn as SVG by vl-convert, in a process of their own beside the page rendering.

Run as `python -m nianbao.site.vega`: a JSON list of specifications on stdin, a JSON list of SVG
elements on stdout (in order). `charts.py` builds the specifications; `build.py` starts this process
first and writes the pages that need no chart while it draws.

Why a process of its own: vl-convert draws one chart at a time and holds the interpreter while it does
(measured: 20 charts beside a Python loop took as long as the two one after the other), and its
JavaScript engine takes a second or two to start in each process. A site's ~20 charts take ~3 s; drawn
here they cost the build only what is left of them when its pages are written. This module imports
nothing of nianbao's, so the process starts with vl-convert alone.
"""

from __future__ import annotations

import json
import sys
from typing import Any

FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif'
CONFIG: dict[str, Any] = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "gridColor": "#e6e9ef"},
    "legend": {"labelFontSize": 11, "orient": "bottom", "columns": 3, "labelLimit": 240},
}


def render(spec: dict[str, Any]) -> str:
    """A Vega-Lite spec as an SVG element (no external data may be loaded)."""
    import vl_convert

    svg = vl_convert.vegalite_to_svg({"config": CONFIG, **spec}, allowed_base_urls=[])
    return str(svg).replace("<svg ", '<svg role="img" ', 1)


def main() -> int:
    """Specifications in on stdin, SVG elements out on stdout."""
    specs = json.loads(sys.stdin.read())
    json.dump([render(s) for s in specs], sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
