"""The site's charts: Vega-Lite specifications, drawn to inline SVG by vl-convert (`vega.py`), with their data.

Why Vega-Lite through `vl-convert-python`: a chart is a small declarative JSON document, rendered by a
bundled JavaScript engine with no browser, no network (external data is refused: `allowed_base_urls=[]`)
and no font embedded — the SVG's text stays text, so the reader's own fonts draw the Chinese labels.
Measured on this project's 2-core machine: about 60 ms a chart after a 3 s first call (the engine
starting), one wheel and no further dependency; matplotlib's SVG backend took about 115 ms a chart and
lays out CJK text only with a CJK font of its own (docs/notes.md).

Every chart comes with the numbers it draws (`Chart.header`, `Chart.rows`), which the page prints beside
it and writes as CSV. A number that is a cell of a year's rollup carries that cell's reference
(`Chart.refs`) and year (`Chart.years`), so a test can hold the page against `nianbao rollup`. Labels are
the template's: short labels from `curated.dim_code`, headings from `nianbao.pipeline.tables`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nianbao.pipeline import tables as T
from nianbao.site.child import run_module
from nianbao.site.data import Labels
from nianbao.site.printed import shown, unit_scale
from nianbao.warehouse.codes import short_label

FAMILIES = ("granted", "partially_granted", "denied", "unavailable", "rejected", "other")
PALETTE = ("#2f7d4f", "#8cc084", "#c0392b", "#e8a33d", "#7f6ab0", "#8a94a6")
UNIT = "件"


@dataclass
class Chart:
    """One chart: its SVG and the table of what it draws."""

    key: str  # file-safe name: the CSV is csv/<key>.csv
    title: str
    spec: dict[str, Any]  # the Vega-Lite specification, drawn into `svg` by `draw`
    header: list[str]
    rows: list[list[Any]]
    refs: list[list[str | None]] = field(default_factory=list)  # rollup cell of each value (None: derived)
    years: list[int] = field(default_factory=list)  # the year whose rollup each row's cells belong to
    scales: dict[str, int] = field(default_factory=dict)  # cell → divisor of a value shown in 万元
    svg: str = ""

    def to_csv(self) -> str:
        """The chart's table as CSV text."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.header)
        w.writerows(self.rows)
        return buf.getvalue()


def titled(title: str) -> str:
    """A chart's title with its unit."""
    return f"{title}（{UNIT}）"


def draw(charts: list[Chart]) -> list[Chart]:
    """The charts, their SVG drawn in one child process (`python -m nianbao.site.vega`); `RuntimeError`
    naming the cause if it failed."""
    try:
        svgs = run_module("nianbao.site.vega", [c.spec for c in charts])
    except RuntimeError as e:
        raise RuntimeError(f"the charts could not be drawn: {e}") from e
    for chart, svg in zip(charts, svgs, strict=True):
        chart.svg = svg
    return charts


def family_label(family: str, labels: Labels) -> str:
    """The short label of a table 3 outcome family: its row's own label, or its printed group heading's."""
    if family in T.APPLICATION_GROUPS:
        return short_label(T.APPLICATION_GROUPS[family])
    return labels.of("applications", "row", family)


def row_label(code: str, labels: Labels, template: str | None = None) -> str:
    """A table 3 row's short label; the total under its printed group's name (总计 alone says too little)."""
    label = labels.of("applications", "row", code, template)
    return f"{short_label(T.APPLICATION_GROUPS['outcomes'])}·{label}" if code == "handled_total" else label


def _colors(labels: Labels) -> dict[str, Any]:
    return {"domain": [family_label(f, labels) for f in FAMILIES], "range": list(PALETTE)}


def _bars(
    data: list[dict[str, Any]], *, across: str, series: str | None, scale: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Horizontal bars (one per `across` value; stacked by `series` when given) of the field `n`."""
    enc: dict[str, Any] = {
        "y": {"field": across, "type": "nominal", "sort": None, "title": None, "axis": {"labelLimit": 280}},
        "x": {"field": "n", "type": "quantitative", "stack": "zero", "title": None},
        "tooltip": [
            {"field": across},
            *([{"field": series}] if series else []),
            {"field": "n", "title": UNIT},
        ],
    }
    if series:
        enc["color"] = {"field": series, "type": "nominal", "sort": None, "title": None}
        if scale:
            enc["color"]["scale"] = scale
    mark: dict[str, Any] = {"type": "bar"} if series else {"type": "bar", "color": "#3b6ea8"}
    return {"data": {"values": data}, "mark": mark, "width": 460, "height": {"step": 18}, "encoding": enc}


def _by_year(data: list[dict[str, Any]], series: str, scale: dict[str, Any] | None = None) -> dict[str, Any]:
    """Years across, one stacked bar each, coloured by `series`."""
    color: dict[str, Any] = {"field": series, "type": "nominal", "sort": None, "title": None}
    if scale:
        color["scale"] = scale
    return {
        "data": {"values": data},
        "mark": {"type": "bar"},
        "width": {"step": 56},
        "height": 220,
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": None, "axis": {"labelAngle": 0}},
            "y": {"field": "n", "type": "quantitative", "stack": "zero", "title": None},
            "color": color,
            "tooltip": [{"field": "year"}, {"field": series}, {"field": "n", "title": UNIT}],
        },
    }


def _sums(r: dict[str, Any], families: Mapping[str, str], applicant: str) -> dict[str, int]:
    """The year's outcomes of one applicant column summed by family."""
    sums = dict.fromkeys(FAMILIES, 0)
    for code in T.OUTCOME_ROWS[r["template"]]:
        sums[families.get(code, code)] += int(r["applications"][code][applicant])
    return sums


def outcomes(year: int, r: dict[str, Any], labels: Labels, families: Mapping[str, str]) -> Chart:
    """How the year's applications ended: every outcome row of table 3 (all applicants), by family."""
    t = r["template"]
    data, rows, refs = [], [], []
    for code in T.OUTCOME_ROWS[r["template"]]:
        label, fam = labels.of("applications", "row", code, t), family_label(families.get(code, code), labels)
        value = int(r["applications"][code]["total"])
        data.append({"outcome": label, "family": fam, "n": value})
        rows.append([label, fam, value])
        refs.append([None, None, f"applications.{code}.total"])
    spec = _bars(data, across="outcome", series="family", scale=_colors(labels))
    title = f"{year} {short_label(T.APPLICATION_GROUPS['outcomes'])}"
    return Chart(f"{year}-outcomes", titled(title), spec, ["", "", UNIT], rows, refs, [year] * len(rows))


def applicants(year: int, r: dict[str, Any], labels: Labels, families: Mapping[str, str]) -> Chart:
    """The year's applications by applicant type: received, and how they ended (by family)."""
    t = r["template"]
    apps = r["applications"]
    data, rows, refs = [], [], []
    for a in T.APPLICANT_CODES:
        name, sums = labels.of("applications", "applicant", a, t), _sums(r, families, a)
        if a != "total":
            data += [{"applicant": name, "family": family_label(f, labels), "n": sums[f]} for f in FAMILIES]
        rows.append(
            [name, int(apps["received_new"][a]), *(sums[f] for f in FAMILIES), int(apps["handled_total"][a])]
        )
        refs.append(
            [
                None,
                f"applications.received_new.{a}",
                *(None for _ in FAMILIES),
                f"applications.handled_total.{a}",
            ]
        )
    spec = _bars(data, across="applicant", series="family", scale=_colors(labels))
    header = [
        T.APPLICANT_HEADER,
        labels.of("applications", "row", "received_new", t),
        *(family_label(f, labels) for f in FAMILIES),
        row_label("handled_total", labels, t),
    ]
    title = f"{year} {T.APPLICANT_HEADER}"
    return Chart(f"{year}-applicants", titled(title), spec, header, rows, refs, [year] * len(rows))


def review_litigation(year: int, r: dict[str, Any], labels: Labels) -> Chart:
    """The year's administrative reviews and lawsuits by outcome."""
    t = r["template"]
    rl = r["review_litigation"]
    data, rows, refs = [], [], []
    for p in T.PROCEEDING_CODES:
        name = labels.of("review_litigation", "proceeding", p, t)
        data += [
            {
                "proceeding": name,
                "outcome": labels.of("review_litigation", "outcome", o, t),
                "n": int(rl[p][o]),
            }
            for o in T.OUTCOME_PARTS
        ]
        rows.append([name, *(int(rl[p][o]) for o in T.OUTCOME_CODES)])
        refs.append([None, *(f"review_litigation.{p}.{o}" for o in T.OUTCOME_CODES)])
    scale = {"range": ["#2f7d4f", "#c0392b", "#8a94a6", "#e8a33d"]}
    spec = _bars(data, across="proceeding", series="outcome", scale=scale)
    header = ["", *(labels.of("review_litigation", "outcome", o, t) for o in T.OUTCOME_CODES)]
    title = f"{year} {T.TABLE_LABELS['review_litigation']}"
    return Chart(f"{year}-review-litigation", titled(title), spec, header, rows, refs, [year] * len(rows))


def proactive(year: int, r: dict[str, Any], labels: Labels) -> Chart:
    """The year's proactive disclosure (table 2): the counts drawn; money and signed changes in the table."""
    t = r["template"]
    data, rows, refs, scales = [], [], [], {}
    for item, measures in r["proactive"].items():
        for m, v in measures.items():
            label = labels.of("proactive", "measure", m, t)
            name = f"{labels.of('proactive', 'item', item, t)} · {label}"
            scale = unit_scale(label) if m in T.MONEY_MEASURES else 1
            if scale != 1:
                scales[f"proactive.{item}.{m}"] = scale
            rows.append([name, shown(v, scale)])
            refs.append([None, f"proactive.{item}.{m}"])
            if m not in T.MONEY_MEASURES and m not in T.SIGNED_MEASURES:
                data.append({"item": name, "n": int(v)})
    spec = _bars(data, across="item", series=None)
    title = f"{year} {T.TABLE_LABELS['proactive']}"
    return Chart(f"{year}-proactive", titled(title), spec, ["", ""], rows, refs, [year] * len(rows), scales)


def year_charts(year: int, r: dict[str, Any], labels: Labels, families: Mapping[str, str]) -> list[Chart]:
    """The city overview's charts for one year."""
    return [
        outcomes(year, r, labels, families),
        applicants(year, r, labels, families),
        review_litigation(year, r, labels),
        proactive(year, r, labels),
    ]


def trend_charts(
    rollups: Mapping[int, dict[str, Any]], labels: Labels, families: Mapping[str, str]
) -> list[Chart]:
    """Across the years: applications received by applicant, how they ended, reviews and lawsuits, decisions."""
    years = sorted(rollups)
    charts = []

    data, rows, refs = [], [], []
    for y in years:
        apps = rollups[y]["applications"]["received_new"]
        data += [
            {"year": str(y), "applicant": labels.of("applications", "applicant", a), "n": int(apps[a])}
            for a in T.APPLICANT_PARTS
        ]
        rows.append([y, *(int(apps[a]) for a in T.APPLICANT_CODES)])
        refs.append([None, *(f"applications.received_new.{a}" for a in T.APPLICANT_CODES)])
    header = ["", *(labels.of("applications", "applicant", a) for a in T.APPLICANT_CODES)]
    title = f"{labels.of('applications', 'row', 'received_new')} · {T.APPLICANT_HEADER}"
    charts.append(
        Chart("trend-received", titled(title), _by_year(data, "applicant"), header, rows, refs, years)
    )

    data, rows, refs = [], [], []
    for y in years:
        sums = _sums(rollups[y], families, "total")
        data += [{"year": str(y), "family": family_label(f, labels), "n": sums[f]} for f in FAMILIES]
        rows.append(
            [y, *(sums[f] for f in FAMILIES), int(rollups[y]["applications"]["handled_total"]["total"])]
        )
        refs.append([None, *(None for _ in FAMILIES), "applications.handled_total.total"])
    header = [
        "",
        *(family_label(f, labels) for f in FAMILIES),
        row_label("handled_total", labels),
    ]
    title = short_label(T.APPLICATION_GROUPS["outcomes"])
    spec = _by_year(data, "family", _colors(labels))
    charts.append(Chart("trend-outcomes", titled(title), spec, header, rows, refs, years))

    data, rows, refs = [], [], []
    pairs = [(p, o) for p in T.PROCEEDING_CODES for o in ("total", "corrected")]
    for y in years:
        rl = rollups[y]["review_litigation"]
        data += [
            {
                "year": str(y),
                "proceeding": labels.of("review_litigation", "proceeding", p),
                "n": int(rl[p]["total"]),
            }
            for p in T.PROCEEDING_CODES
        ]
        rows.append([y, *(int(rl[p][o]) for p, o in pairs)])
        refs.append([None, *(f"review_litigation.{p}.{o}" for p, o in pairs)])
    header = [
        "",
        *(
            f"{labels.of('review_litigation', 'proceeding', p)} · {labels.of('review_litigation', 'outcome', o)}"
            for p, o in pairs
        ),
    ]
    title = T.TABLE_LABELS["review_litigation"]
    charts.append(
        Chart(
            "trend-review-litigation",
            titled(title),
            _by_year(data, "proceeding"),
            header,
            rows,
            refs,
            years,
        )
    )

    # table 2: the processing decisions both templates report
    items = [
        i for i in ("licensing", "penalty", "coercion") if all(i in rollups[y]["proactive"] for y in years)
    ]
    data, rows, refs = [], [], []
    for y in years:
        pro = rollups[y]["proactive"]
        data += [
            {"year": str(y), "item": labels.of("proactive", "item", i), "n": int(pro[i]["decisions"])}
            for i in items
        ]
        rows.append([y, *(int(pro[i]["decisions"]) for i in items)])
        refs.append([None, *(f"proactive.{i}.decisions" for i in items)])
    header = ["", *(labels.of("proactive", "item", i) for i in items)]
    title = f"{T.TABLE_LABELS['proactive']} · {labels.of('proactive', 'measure', 'decisions')}"
    charts.append(Chart("trend-proactive", titled(title), _by_year(data, "item"), header, rows, refs, years))
    return charts
