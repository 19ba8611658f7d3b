"""The demo: a generated sample city (杭州市, 37 agencies × 2020–2023) with its ground truth, served on
loopback by a fault-injecting HTTP server, and the comparison of a run with that truth.

The city is data (`city/`), made by the generator under `tests/samplegen/` (a development tool: the
product never imports it).
"""
