"""The analysts' site (`nianbao site`): a static, offline HTML report of the city, built from the snapshot.

At the top of the house beside the CLI: it reads through `nianbao.warehouse` (and the labels of
`nianbao.pipeline.tables`), and nothing but the CLI imports it. This `__init__` imports nothing, so the
crop renderer (`python -m nianbao.site.crops`) starts without the PDF reader and its metrics font.

    data.py      what the site reads from the snapshot (the rollups, coverage, league, documents, findings)
    printed.py   a report's three tables as the template prints them
    charts.py    Vega-Lite charts rendered to inline SVG (vl-convert), with their numbers
    evidence.py  every finding's evidence: PDF crops, HTML/DOCX tables re-drawn (redraw.py), text lines
    crops.py     the PDF page crops, rendered by pdfium in a process of their own
    build.py     the pages (Jinja2 templates under templates/), written and swapped in whole
"""
