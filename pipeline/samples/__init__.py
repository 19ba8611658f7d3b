"""The sample city (杭州市): a generated, committed set of agency sites with ground truth, and its server.

`CITY_DIR` holds the committed sample; `write_catalog` fills its catalog with a server's address;
`pipeline.samples.server.SampleServer` serves it on 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.samples.site import write_catalog

CITY_DIR = Path(__file__).resolve().parent / "city"

__all__ = ["CITY_DIR", "write_catalog"]
