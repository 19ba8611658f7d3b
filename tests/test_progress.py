"""Progress off a terminal (issue 16): every stage gets a line, steps a line at a sane rate, the last step
always; NIANBAO_PROGRESS picks auto, all or off."""

from __future__ import annotations

import logging

import pytest

from nianbao.cli import show
from nianbao.pipeline import progress
from nianbao.pipeline.settings import load_settings


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line.split("s ", 1)[1] for line in capsys.readouterr().err.splitlines()]


def test_off_a_terminal_stages_always_and_steps_at_most_every_interval(
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock = Clock()
    handler = show.ProgressLines(every_s=10.0, clock=clock)
    log = logging.getLogger("nianbao.progress")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        progress.stage("crawl: 3 agencies")
        for n in range(1, 4):
            clock.t += 1
            progress.step("agency %d", n, done=n, total=3, unit="agencies")
        progress.stage("read: 100 documents")
        for n in range(1, 101):
            clock.t += 0.5  # 50 s of reading: a line at most every 10 s, and the last
            progress.step("doc %d", n, done=n, total=100, unit="documents")
    finally:
        log.removeHandler(handler)
    lines = _lines(capsys)
    assert lines[:3] == ["crawl: 3 agencies", "[1/3 agencies] agency 1", "[3/3 agencies] agency 3"]
    assert lines[3] == "read: 100 documents"
    docs = lines[4:]
    assert docs[0] == "[1/100 documents] doc 1" and docs[-1] == "[100/100 documents] doc 100"
    assert 5 <= len(docs) <= 7  # 50 s at one line per 10 s, plus the first and the last


def test_every_step_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    with show.progress("all"):
        for n in range(1, 6):
            progress.step("doc %d", n, done=n, total=5, unit="documents")
    assert len(_lines(capsys)) == 5
    with show.progress("off"):
        progress.stage("nothing to see")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("value", "mode"),
    [(None, "auto"), ("1", "all"), ("all", "all"), ("0", "off"), ("OFF", "off"), ("auto", "auto")],
)
def test_nianbao_progress(value: str | None, mode: str) -> None:
    env = {} if value is None else {"NIANBAO_PROGRESS": value}
    assert load_settings(env=env).progress == mode


def test_nianbao_progress_nonsense_is_refused() -> None:
    with pytest.raises(ValueError, match="NIANBAO_PROGRESS"):
        load_settings(env={"NIANBAO_PROGRESS": "loud"})
