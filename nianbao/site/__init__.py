"""The analysts' site (`nianbao site`): a static, offline HTML report of the city, built from the snapshot.

Between the warehouse and the flows: it reads through `nianbao.warehouse` (and the labels of
`nianbao.pipeline.tables`), imports no orchestrator, and the refresh flow, `nianbao run`, a rerun and
`nianbao review` rebuild it after they publish the snapshot (publish.py); `nianbao site` builds it anywhere. This `__init__` imports nothing, so the
crop renderer (`python -m nianbao.site.crops`) starts without the PDF reader and its metrics font, and the chart
renderer (`python -m nianbao.site.vega`) with vl-convert alone.

    data.py      what the site reads from the snapshot (the rollups, coverage, league, documents, findings)
    printed.py   a report's three tables as the template prints them
    charts.py    Vega-Lite charts and their numbers, drawn to inline SVG by vega.py
    vega.py      the charts' SVG, drawn by vl-convert in a process of its own
    evidence.py  every finding's evidence: PDF crops, HTML/DOCX tables re-drawn (redraw.py), text lines
    crops.py     the PDF page crops, rendered by pdfium in a process of their own
    child.py     how crops.py and vega.py are run: a JSON list in, a JSON list of answers out
    build.py     the pages (Jinja2 templates under templates/), written and swapped in whole
    publish.py   the site after a refresh (NIANBAO_SITE): rebuilt when the snapshot moved on, never fatal
"""
