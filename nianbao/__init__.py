"""nianbao (年报): government information-disclosure annual reports → checked records → a DuckDB warehouse.

The layers, each importing only the ones below it:

    nianbao.pipeline      pure: the canonical model and codes, numbers, the catalog, fetching, extraction
    nianbao.expectations  the checks over records (Great Expectations) and the one admission of a report
    nianbao.warehouse     DuckDB: schema, writes, reads, rollups, the analysts' snapshot, the write lock
    nianbao.flows         Prefect flows and tasks that call the layers below
    nianbao.cli, .demo    the `nianbao` command, and the sample city it demonstrates on
    nianbao.site          the analysts' static HTML site (the command's `site`; nothing else imports it)
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nianbao")
except PackageNotFoundError:  # pragma: no cover - running from a checkout that was never installed
    __version__ = "0.0.0+unknown"
