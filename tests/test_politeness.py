"""Issue 17: politeness that holds across processes, and retries that respect Retry-After.

A loopback server of the test's own counts the requests in flight and when each arrived; several real
processes fetch from it through `HostGate`s sharing one folder. Nothing here measures speed: only
orders and lower bounds that a loaded machine can only make larger.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from nianbao.pipeline.fetch import FetchPolicy, HostLimiter, fetch, retry_after
from nianbao.pipeline.urlpolicy import UrlPolicy

from helpers import prefect_api_url


class Counting(ThreadingHTTPServer):
    """Answers every GET after `hold_s` with a small body; the first `refuse` requests get `status` and a
    Retry-After of `after`. Keeps the peak number of requests in flight and every arrival time."""

    daemon_threads = True

    def __init__(self, hold_s: float = 0.0, refuse: int = 0, status: int = 429, after: str = "1") -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hold_s, self.refuse, self.status, self.after = hold_s, refuse, status, after
        self.lock = threading.Lock()
        self.in_flight = self.peak = self.seen = 0
        self.arrivals: list[float] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Counting

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        s = self.server
        with s.lock:
            s.seen += 1
            n = s.seen
            s.arrivals.append(time.time())
            s.in_flight += 1
            s.peak = max(s.peak, s.in_flight)
        try:
            time.sleep(s.hold_s)
        finally:
            # the request ends for the count before its answer goes out: a client that has read the answer
            # may send its next request before this thread would get past the write, which counted one
            # request twice (a peak of 3 under a limit of 2 that held)
            with s.lock:
                s.in_flight -= 1
        if n <= s.refuse:
            self.send_response(s.status)
            self.send_header("Retry-After", s.after)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"ok " + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _serving(server: Counting) -> Iterator[Counting]:
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def slow_server() -> Iterator[Counting]:
    yield from _serving(Counting(hold_s=0.3))


# each process: 3 threads, 4 documents each, through a gate (or, for the control, a per-process limiter)
_FETCHER = """
import sys, threading
from nianbao.pipeline.fetch import FetchPolicy, HostLimiter, fetch
from nianbao.pipeline.politeness import HostGate
from nianbao.pipeline.urlpolicy import UrlPolicy
base, folder, kind, interval, name, api = sys.argv[1:7]
policy = FetchPolicy(retries=0, timeout_s=60)
urls = UrlPolicy.of(("127.0.0.1",), policy)
class Recording(HostGate):  # the gate, writing down each start it grants (the time it sets, less the interval)
    @staticmethod
    def _write(f, at):
        HostGate._write(f, at)
        with open(f"{folder}/{name}.starts", "a") as log:
            log.write(repr(at - float(interval)) + "\\n")
if kind == "gate":
    gate = Recording(folder, 2, float(interval))
elif kind == "prefect":  # the limits kept by the Prefect server at `api`
    from nianbao.flows.politeness import PrefectHostGate
    gate = PrefectHostGate(api, 2, float(interval))
else:
    gate = HostLimiter(2)
def work(t):
    for i in range(4):
        fetch(f"{base}/{name}/{t}/{i}", urls, limiter=gate)
threads = [threading.Thread(target=work, args=(t,)) for t in range(3)]
for t in threads: t.start()
for t in threads: t.join()
"""


def _fetch_from_processes(base: str, folder: Path, kind: str, interval: float = 0.0) -> None:
    api = prefect_api_url() if kind == "prefect" else ""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _FETCHER, base, str(folder), kind, str(interval), f"p{n}", api]
        )
        for n in range(3)
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0]


# with the Prefect server a test takes ~10 s (three processes importing Prefect, a SQLite server that
# makes concurrent writers wait): with the integration tests
@pytest.fixture(params=["gate", pytest.param("prefect", marks=pytest.mark.slow)])
def shared(request: pytest.FixtureRequest) -> str:
    """A limiter shared by processes: lock files in a folder (`HostGate`), or the limits of a Prefect
    server (`PrefectHostGate`, NIANBAO_HOST_LIMITS=prefect: the test session's real API)."""
    if request.param == "prefect":
        request.getfixturevalue("prefect_harness")
    return str(request.param)


def test_per_host_limit_holds_across_processes(slow_server: Counting, tmp_path: Path, shared: str) -> None:
    _fetch_from_processes(slow_server.base, tmp_path / "hosts", shared)
    assert slow_server.seen == 36
    assert slow_server.peak <= 2


def test_the_per_process_limiter_alone_does_not_hold_across_processes(
    slow_server: Counting, tmp_path: Path
) -> None:
    """The control: what the gate prevents happens without it (three processes, two slots each)."""
    _fetch_from_processes(slow_server.base, tmp_path / "hosts", "process")
    assert slow_server.peak > 2


@pytest.mark.slow  # 36 requests 0.25 s apart (~10 s): with the integration tests
def test_request_rate_holds_across_processes(tmp_path: Path) -> None:
    for server in _serving(Counting()):
        _fetch_from_processes(server.base, tmp_path / "hosts", "gate", interval=0.25)
        arrivals = list(server.arrivals)
    # the starts the gate granted, in every process, are 0.25 s apart (wall clock, shared by the processes)
    starts = sorted(float(t) for f in (tmp_path / "hosts").glob("*.starts") for t in f.read_text().split())
    assert len(starts) == 36
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.25 - 1e-6
    # and the server saw them spread so: one arrival can be late on a loaded machine, which shortens one gap
    # and lengthens the next, but the 36 requests cannot all have come sooner than the gate let them start
    assert len(arrivals) == 36
    assert arrivals[-1] - arrivals[0] >= 35 * 0.25 - 1.0


@pytest.mark.slow  # 36 requests 0.25 s apart (~10 s): with the integration tests
def test_request_rate_holds_across_processes_through_the_prefect_server(
    tmp_path: Path, prefect_harness: None
) -> None:
    for server in _serving(Counting()):
        _fetch_from_processes(server.base, tmp_path / "hosts", "prefect", interval=0.25)
        arrivals = list(server.arrivals)
    assert len(arrivals) == 36
    assert arrivals[-1] - arrivals[0] >= 35 * 0.25 - 1.0
    assert not (tmp_path / "hosts").exists()  # no lock file was used


@pytest.mark.slow
def test_a_limit_an_operator_made_on_the_prefect_server_is_used_as_it_is(
    tmp_path: Path, prefect_harness: None
) -> None:
    """`prefect gcl create host:… --limit 1` before the night: one request at a time, whatever
    NIANBAO_PER_HOST says (the gates of the three processes would allow two)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

    from nianbao.flows.politeness import limit_name

    for server in _serving(Counting(hold_s=0.1)):
        name = limit_name(server.base.removeprefix("http://"))
        with get_client(sync_client=True) as client:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))
            _fetch_from_processes(server.base, tmp_path / "hosts", "prefect")
            kept = client.read_global_concurrency_limit_by_name(name)
        assert server.seen == 36
        assert server.peak == 1
    assert (kept.limit, kept.active_slots) == (1, 0)  # every slot taken was given back


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_respected(tmp_path: Path, status: int) -> None:
    for server in _serving(Counting(refuse=1, status=status, after="2")):
        policy = FetchPolicy(retries=2, timeout_s=10, backoff_s=0.01)
        limiter = HostLimiter(2)
        got = fetch(f"{server.base}/doc", UrlPolicy.of(("127.0.0.1",), policy), limiter=limiter)
        assert got.status == 200 and got.data == b"ok /doc" and got.attempts == 2
        # the backoff alone would have asked again after about 0.01 s
        assert server.arrivals[1] - server.arrivals[0] >= 1.9


def test_retry_after_pauses_the_whole_host_for_other_processes(tmp_path: Path, shared: str) -> None:
    """A 503 with Retry-After: 4 to this process; while it waits, three other processes ask the same host:
    none of them asks before the pause ends (they start within a second or two, well inside it)."""
    from nianbao.flows.politeness import PrefectHostGate
    from nianbao.pipeline.politeness import HostGate

    for server in _serving(Counting(refuse=1, status=503, after="4")):
        policy = FetchPolicy(retries=2, timeout_s=10, backoff_s=0.01)
        gate = HostGate(tmp_path / "hosts", 2) if shared == "gate" else PrefectHostGate(prefect_api_url(), 2)
        first = threading.Thread(
            target=fetch,
            args=(f"{server.base}/first", UrlPolicy.of(("127.0.0.1",), policy)),
            kwargs={"limiter": gate},
        )
        first.start()
        while not server.arrivals:
            time.sleep(0.01)
        time.sleep(0.3)  # the answer read and the pause written
        _fetch_from_processes(server.base, tmp_path / "hosts", shared)
        first.join()
        gate.close()
        paused_until = server.arrivals[0] + 4
        assert server.seen == 38
        assert min(server.arrivals[1:]) >= paused_until - 0.1


def test_retry_after_longer_than_the_deadline_gives_up_without_waiting(tmp_path: Path) -> None:
    from nianbao.pipeline.errors import FetchError

    for server in _serving(Counting(refuse=5, status=429, after="600")):
        policy = FetchPolicy(retries=3, timeout_s=5, backoff_s=0.01, deadline_s=3)
        started = time.monotonic()
        with pytest.raises(FetchError) as e:
            fetch(f"{server.base}/doc", UrlPolicy.of(("127.0.0.1",), policy))
        assert e.value.code == "deadline_exceeded"
        assert time.monotonic() - started < 60  # not 600: the deadline ends the wait
        assert server.seen <= 2


def test_each_host_has_a_pause_variable_of_its_own_that_prefect_accepts() -> None:
    from prefect.client.schemas.actions import VariableCreate

    from nianbao.flows.politeness import pause_name

    long_host = ".".join(["a" * 60] * 4) + ":8443"  # 249 characters: as long as a host name gets
    names = [
        pause_name(h) for h in ("www.example.gov.cn", "www-example.gov.cn", "WWW.Example.gov.cn", long_host)
    ]
    assert names[0] != names[1]  # alike once made readable, told apart by the digest
    assert names[0] == names[2]  # a host name's case is no host of its own
    for name in names:
        VariableCreate(name=name, value=0.0)  # refuses a name over 255 characters or with other characters


def test_retry_after_values() -> None:
    assert retry_after("120") == 120.0
    assert retry_after(None) is None and retry_after("soon") is None
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    assert (
        retry_after(time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 3600))) or 0
    ) > 3500


def test_a_gate_without_spacing_writes_nothing_per_request_yet_honours_a_pause(tmp_path: Path) -> None:
    """With no interval asked, a start is not recorded (a truncate and a write per request were a third of a
    no-change night's politeness cost); a pause another process wrote still holds."""
    from nianbao.pipeline.politeness import HostGate

    gate = HostGate(tmp_path / "hosts", 2)
    url = "http://127.0.0.1:9/doc"
    with gate.slot(url):
        pass
    nxt = next((tmp_path / "hosts").glob("*.next"))
    assert nxt.read_bytes() == b""
    HostGate(tmp_path / "hosts", 2).pause(url, 3.0)  # as another process would
    stamp = nxt.read_bytes()
    started = time.monotonic()
    with gate.slot(url):
        waited = time.monotonic() - started
    assert waited >= 1.0 and nxt.read_bytes() == stamp


def _open_in(folder: Path) -> int:
    """How many of this process's file descriptors are open on files in `folder`."""
    fds = Path("/proc/self/fd")
    return sum(1 for fd in fds.iterdir() if str(Path(fd).resolve()).startswith(str(folder.resolve()) + "/"))


def test_a_gate_keeps_lock_files_open_between_requests_but_only_for_a_bounded_number_of_hosts(
    tmp_path: Path,
) -> None:
    """Opening a host's three lock files per request was a third of a no-change night's cost per request;
    kept open, a crawl of a province's thousands of hosts must still not run out of file descriptors."""
    from nianbao.pipeline.politeness import HostGate

    folder = tmp_path / "hosts"
    gate = HostGate(folder, 2)
    gate.OPEN_HOSTS = 3
    with gate.slot("http://127.0.0.1:9/a"):
        pass
    assert _open_in(folder) == 3  # two slots and `.next`, still open
    for port in range(10, 30):
        with gate.slot(f"http://127.0.0.1:{port}/a"):
            pass
    assert _open_in(folder) <= 3 * 3
    gate.close()
    assert _open_in(folder) == 0


def test_threads_sharing_a_gate_never_hold_the_same_lock_file(tmp_path: Path) -> None:
    """An `flock` belongs to the open file, which all threads share: without a thread lock beside each
    file, three threads would all 'hold' a host's two slots (the process's own limiter, bypassed here,
    usually keeps them out, but the gate must not depend on it)."""
    from nianbao.pipeline.politeness import HostGate

    gate = HostGate(tmp_path / "hosts", 2)
    inside = peak = 0
    count = threading.Lock()

    def hold() -> None:
        nonlocal inside, peak
        with gate._files("127.0.0.1:9") as files, gate._file_slot(files):
            with count:
                inside += 1
                peak = max(peak, inside)
            time.sleep(0.2)
            with count:
                inside -= 1

    threads = [threading.Thread(target=hold) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 2
