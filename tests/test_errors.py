"""Typed errors survive pickling (Prefect results, worker processes) with their code and message."""

from __future__ import annotations

import pickle

import pytest

from nianbao.pipeline.errors import ExtractError, FetchError, NianbaoError


@pytest.mark.parametrize("cls", [NianbaoError, ExtractError, FetchError])
def test_errors_round_trip_through_pickle(cls: type[NianbaoError]) -> None:
    err = cls("encrypted", "the PDF is encrypted")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is cls
    assert (back.code, back.message, str(back)) == (
        "encrypted",
        "the PDF is encrypted",
        "encrypted: the PDF is encrypted",
    )
