"""Reading a document in a reader process under a memory and a time cap (issue 18).

The checks of `limits.py` refuse the hostile documents they can measure before any parser runs. What
they cannot measure (an encrypted PDF's streams, a table whose spans multiply its cells, whatever the
next bomb is) must still not take the night down, so documents are read in reader processes:

- each is `python -m nianbao.pipeline.extract.isolate MEMORY_MB`, which imports the readers once, caps
  its own address space (`RLIMIT_AS` = `ReadLimits.memory_mb`: no document can make it larger) and
  then reads one document at a time from its stdin;
- the caller lets each document use at most `ReadLimits.seconds` of the reader's processor time, then
  kills the process; processor time, not the wall clock, so that a document reads the same on a machine
  whose cores other work holds (a reader that gets a tenth of a core is not a slow document). A reader that
  uses no processor time and gives no answer (stuck, or stopped) is killed after `_WALL_FACTOR` times that
  in wall-clock time;
- over the memory cap a reading ends in `MemoryError` (or the library's own out-of-memory crash), over
  the time cap in a kill: the document is refused as `resource_limit` (`reader_crashed` for a crash),
  the process is replaced, and the run goes on.

Reader processes are kept for reuse (one per calling thread at a time) and retired after a refusal of
that kind or after `_RETIRE_AFTER` documents. Each answer carries the process's peak resident memory
while it read that document (Linux `VmHWM`, reset before each one).

This bounds resources; it is not a security sandbox: a reader process runs as the same user.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import IO

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract.limits import RAISED, MiB, ReadLimits, may_need_ocr, using
from nianbao.pipeline.model import Report

Reading = Report | ExtractError

_RETIRE_AFTER = 200  # documents per reader process (freed memory is not always given back)
_WALL_FACTOR = 5  # a reader gets this many times its processor-time budget in wall-clock time at most
_POLL_S = 0.2  # how often the reader's processor time is looked at while it reads
_TICK = os.sysconf("SC_CLK_TCK")
_START_TIMEOUT_S = 300.0  # importing the readers on a busy machine
_HEADER = 8


@dataclass(frozen=True)
class Measured:
    """How reading one document went: wall-clock seconds, and the reader's peak RSS while reading it."""

    seconds: float
    peak_rss_mb: float | None  # None when the reader was stopped or died before it could say
    isolated: bool
    # the address-space cap the reader ended under: `memory_mb`, or `ocr_memory_mb` when the document
    # went to OCR and the cap was raised for it (limits.more_memory); None when not isolated
    cap_mb: int | None = None


def read_isolated(data: bytes, limits: ReadLimits | None = None) -> Reading:
    """The document's report, or the typed reason it cannot be read; never an exception, never unbounded."""
    return read_measured(data, limits)[0]


def read_measured(data: bytes, limits: ReadLimits | None = None) -> tuple[Reading, Measured]:
    """`read_isolated`, with how long it took and how much memory the reader used at most."""
    limits = limits or ReadLimits()
    started = time.monotonic()
    if not limits.isolated:
        result, peak = _read_here(data, limits)
        return result, Measured(time.monotonic() - started, peak, False)
    try:
        worker = _POOL.take(limits.memory_mb, limits.ocr_memory_mb)
    except OSError as e:
        return ExtractError("reader_crashed", f"no reader process could be started: {e}"), Measured(
            time.monotonic() - started, None, True, limits.memory_mb
        )
    result, peak, healthy = worker.read(data, limits)
    _POOL.give(worker, healthy)
    cap = max(limits.memory_mb, limits.ocr_memory_mb) if worker.raised else limits.memory_mb
    return result, Measured(time.monotonic() - started, peak, True, cap)


# ----------------------------------------------------------------------------- the caller's side
class _Worker:
    """One reader process and its pipes."""

    def __init__(self, memory_mb: int, ocr_memory_mb: int = 0) -> None:
        self.memory_mb = memory_mb
        self.ocr_memory_mb = ocr_memory_mb
        self.served = 0
        self.raised = False  # whether its last document raised its cap for OCR (limits.more_memory)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nianbao.pipeline.extract.isolate", str(memory_mb), str(ocr_memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a parsing library's chatter about a broken file is not for people
            close_fds=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in: IO[bytes] = self.proc.stdin
        self._out = self.proc.stdout.fileno()
        if self._read(1, _Budget(self.proc.pid, None, _START_TIMEOUT_S)) != b"R":
            self.close()
            raise OSError(f"the reader process did not start (status {self.proc.poll()})")

    def read(self, data: bytes, limits: ReadLimits) -> tuple[Reading, float | None, bool]:
        """(reading, peak RSS in MiB, whether this process may read another document)."""
        self.raised = False
        seconds = max(limits.seconds, limits.ocr_seconds) if may_need_ocr(data) else limits.seconds
        deadline = _Budget(self.proc.pid, seconds, _WALL_FACTOR * seconds)
        payload = pickle.dumps((data, limits), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self._in.write(len(payload).to_bytes(_HEADER, "big") + payload)
            self._in.flush()
            header = self._read(_HEADER, deadline)
            answer = self._read(int.from_bytes(header, "big"), deadline) if len(header) == _HEADER else b""
        except TimeoutError:
            _code, peak = self._reap_unanswered()
            return _too_slow(limits), peak, False
        except OSError:
            answer = b""
        if not answer:
            code, peak = self._reap_unanswered()
            return _died(code, peak, limits), peak, False
        try:
            result, peak, *rest = pickle.loads(answer)
        except Exception:  # an answer cut short or garbled: the process is not to be trusted again
            code, peak = self._reap()
            return _died(code, peak, limits), peak, False
        self.served += 1
        spent = isinstance(result, ExtractError) and result.code == "resource_limit"
        self.raised = bool(rest and rest[0])  # its cap was raised for OCR: it reads no other document
        return result, peak, not spent and not self.raised and self.served < _RETIRE_AFTER

    def _reap_unanswered(self) -> tuple[int | None, float | None]:
        """`_reap` for a process stopped or dead without an answer, which cannot say whether it had raised
        its address-space cap for OCR: its soft limit is read from /proc while it is there (else its peak
        tells: resident memory cannot pass an unraised cap)."""
        raised = False
        try:
            with open(f"/proc/{self.proc.pid}/limits", encoding="ascii") as f:
                for line in f:
                    if line.startswith("Max address space"):
                        soft = line.split()[3]
                        raised = soft != "unlimited" and int(soft) > self.memory_mb * MiB
        except (OSError, ValueError, IndexError):
            pass
        code, peak = self._reap()
        self.raised = raised or (peak is not None and peak > self.memory_mb)
        return code, peak

    def _reap(self) -> tuple[int | None, float | None]:
        """Stop the process if it still runs, wait for it: its exit code and its peak resident memory in MiB."""
        with contextlib.suppress(OSError):
            self.proc.kill()  # a process already dead keeps the status it died with
        try:
            _pid, status, usage = os.wait4(self.proc.pid, 0)
        except ChildProcessError:
            return self.proc.returncode, None
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.close()
        return self.proc.returncode, usage.ru_maxrss / 1024

    def _read(self, n: int, deadline: _Budget) -> bytes:
        """Exactly n bytes from the process (fewer only at its end); TimeoutError past its budget."""
        parts: list[bytes] = []
        got = 0
        while got < n:
            while not select.select([self._out], [], [], _POLL_S)[0]:
                if deadline.spent():
                    raise TimeoutError
            chunk = os.read(self._out, min(n - got, 1 << 20))
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc.poll() is None

    def close(self) -> None:
        """Stop the process (it ends by itself when its stdin closes; killed if it does not)."""
        with contextlib.suppress(OSError):
            self._in.close()
        try:
            self.proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


class _Budget:
    """What one document may use of a reader process: `cpu_s` of its processor time (the process's and its
    waited-for children's, as Linux counts them; None: no such bound), and `wall_s` of the wall clock."""

    def __init__(self, pid: int, cpu_s: float | None, wall_s: float) -> None:
        self.pid, self.cpu_s = pid, cpu_s
        self.cpu_at_start = _cpu_seconds(pid) if cpu_s is not None else None
        self.wall_deadline = time.monotonic() + wall_s

    def spent(self) -> bool:
        if time.monotonic() > self.wall_deadline:
            return True
        if self.cpu_s is None or self.cpu_at_start is None:
            return False
        used = _cpu_seconds(self.pid)
        return used is not None and used - self.cpu_at_start > self.cpu_s


def _cpu_seconds(pid: int) -> float | None:
    """A process's processor time so far, its waited-for children's included (None: it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(b")") + 2 :].split()  # after the command name, which may hold spaces
    return sum(int(x) for x in fields[11:15]) / _TICK  # utime, stime, cutime, cstime


def _died(code: int | None, peak: float | None, limits: ReadLimits) -> ExtractError:
    """Why a reader process gave no answer: the signal or status it ended with, and how big it had grown."""
    grown = "" if peak is None else f", at {peak:.0f} MiB resident"
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        if peak is not None and peak >= 0.9 * limits.memory_mb:
            # a library that cannot allocate aborts: at the cap, that is the cap doing its work
            return ExtractError(
                "resource_limit",
                f"reading reached the memory cap of {limits.memory_mb} MiB (limit memory_mb); the reader"
                f" was stopped by {name}{grown}",
            )
        return ExtractError(
            "reader_crashed",
            f"the reader process died of {name}{grown}: a parsing library crashed, or ran out of memory"
            f" under the cap of {limits.memory_mb} MiB (limit memory_mb)",
        )
    return ExtractError("reader_crashed", f"the reader process ended with status {code}{grown}")


def _too_slow(limits: ReadLimits) -> ExtractError:
    return ExtractError(
        "resource_limit", f"reading took longer than {limits.seconds:g} s of processor time (limit seconds)"
    )


class _Pool:
    """Idle reader processes by memory cap; one caller uses one process at a time."""

    def __init__(self) -> None:
        self._idle: dict[tuple[int, int], list[_Worker]] = {}
        self._lock = threading.Lock()

    def take(self, memory_mb: int, ocr_memory_mb: int = 0) -> _Worker:
        with self._lock:
            idle = self._idle.setdefault((memory_mb, ocr_memory_mb), [])
            while idle:
                worker = idle.pop()
                if worker.alive():
                    return worker
                worker.close()
        return _Worker(memory_mb, ocr_memory_mb)

    def give(self, worker: _Worker, healthy: bool) -> None:
        if not healthy or not worker.alive():
            worker.close()
            return
        with self._lock:
            self._idle.setdefault((worker.memory_mb, worker.ocr_memory_mb), []).append(worker)

    def close(self) -> None:
        """Stop every idle reader process (at exit)."""
        with self._lock:
            workers = [w for ws in self._idle.values() for w in ws]
            self._idle.clear()
        for w in workers:
            w.close()


_POOL = _Pool()
atexit.register(_POOL.close)


# ----------------------------------------------------------------------------- the reader's side
def _read_here(data: bytes, limits: ReadLimits) -> tuple[Reading, float | None]:
    """Read in this process under the limits; any failure becomes a typed refusal."""
    from nianbao.pipeline.extract import extract_report

    _reset_peak()
    result: Reading
    try:
        with using(limits):
            result = extract_report(data)
    except ExtractError as e:
        result = e
    except MemoryError:
        result = _over_memory(limits)
    except Exception as e:  # a reader bug must not stop the night: the document is refused with its name
        result = ExtractError("extractor_error", f"{type(e).__name__}: {str(e)[:300]}")
    return result, _peak_mb()


def _over_memory(limits: ReadLimits | int) -> ExtractError:
    mb = limits if isinstance(limits, int) else limits.memory_mb
    return ExtractError("resource_limit", f"reading needed more than {mb} MiB of memory (limit memory_mb)")


def _reset_peak() -> None:
    """Start this document's peak-RSS count afresh (Linux: writing 5 to clear_refs resets VmHWM)."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _peak_mb() -> float | None:
    """This process's peak resident memory since the last reset, in MiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _serve(memory_mb: int, ocr_memory_mb: int = 0) -> None:
    """The reader process: import the readers, cap memory, then answer one document after another."""
    import nianbao.pipeline.extract.docx
    import nianbao.pipeline.extract.html
    import nianbao.pipeline.extract.pdf
    import nianbao.pipeline.extract.text  # noqa: F401

    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a library prints must not mix with the answers
    sys.stdout = sys.stderr
    requests = sys.stdin.buffer
    cap = memory_mb * MiB
    # the hard limit leaves room for OCR, which raises the soft limit only while it runs (limits.more_memory)
    resource.setrlimit(resource.RLIMIT_AS, (cap, max(cap, ocr_memory_mb * MiB)))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    answers.write(b"R")
    answers.flush()
    while True:
        header = requests.read(_HEADER)
        if len(header) < _HEADER:
            return
        payload = requests.read(int.from_bytes(header, "big"))
        try:
            data, limits = pickle.loads(payload)
            del payload
            result, peak = _read_here(data, limits)
            del data
            answer = pickle.dumps((result, peak, RAISED[0]), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            answer = pickle.dumps((_over_memory(memory_mb), None))
        answers.write(len(answer).to_bytes(_HEADER, "big") + answer)
        answers.flush()
        if RAISED[0]:
            return  # read by OCR under a raised cap: the caller retires this process (see limits.more_memory)


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0)
