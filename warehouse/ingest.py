"""Loading documents' readings: what the warehouse knows → the one admission → what it writes.

    with writing(path) as con:
        loaded = load(con, [(ref, report_or_error), ...])

The caller holds the write lock. `load` reads what admission needs (previous years, reviewers'
decisions, an article's other documents), calls `nianbao.expectations.admit.admit` (pure), writes the
outcomes, and re-judges cross_year_carry for each stored following year whose previous year it wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from nianbao.expectations.admit import Admission, admit, recheck_carry
from nianbao.pipeline.collector import gc_paused
from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.model import DocRef, Outcome, Report
from nianbao.warehouse import read, write


@dataclass
class Loaded:
    """The admission (outcomes in the documents' order, and the validation) and what the write did."""

    admission: Admission
    written: write.Written

    @property
    def outcomes(self) -> list[Outcome]:
        """Each document's outcome, in the order given."""
        return self.admission.outcomes

    def changed(self, o: Outcome) -> bool:
        """Whether loading this outcome changed the warehouse."""
        return o.report_id in set(self.written.changed)

    def failed(self, o: Outcome) -> str | None:
        """Why the warehouse refused this outcome, if it did."""
        return dict(self.written.failed).get(o.report_id)


def load(
    con: duckdb.DuckDBPyConnection,
    documents: Sequence[tuple[DocRef, Report | ExtractError]],
    chunk: int = 1000,
) -> Loaded:
    """Admit these readings and write them; keep the following years' carry findings right."""
    # a load makes millions of small objects (a report is ~200 cells, each with its location, row and
    # JSON): every 700 of them set off a collection that walked the batch's objects again, a third of a
    # large load's time (issue 17)
    with gc_paused():
        return _load(con, documents, chunk)


def _load(
    con: duckdb.DuckDBPyConnection,
    documents: Sequence[tuple[DocRef, Report | ExtractError]],
    chunk: int,
) -> Loaded:
    admission = admit(documents, read.admission_inputs(con, [ref for ref, _ in documents]))
    written = write.write_outcomes(con, admission.outcomes, chunk)
    # a following year written in this batch was judged against this batch; one that is stored (or was
    # unchanged, so not rewritten) is judged again now, as is the following year of a refused reading
    ids = {o.report_id: o for o in admission.outcomes}
    wrote = {(ids[r].agency_id, ids[r].year) for r in written.changed}
    refused = {(ids[r].agency_id, ids[r].year) for r, _why in written.failed if r in ids}
    stale = {k for k in wrote if (k[0], k[1] + 1) not in wrote} | refused
    if stale:
        write.replace_carry_findings(con, recheck_carry(read.following(con, stale)))
    return Loaded(admission, written)
