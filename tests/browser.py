"""A real headless Chromium (Debian's), driven over its DevTools protocol, for the site's browser tests.

Started with a fresh profile and every background service off; requests to any network address are
blocked and recorded, console messages and uncaught exceptions collected, so a test can assert that a
page loaded nothing from outside and logged no error. No browser is ever downloaded: the machine's
`chromium` is used or the test is skipped (failed where CI requires it: `chromium` in
NIANBAO_REQUIRE_PACKAGES, `helpers.required`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)


def chromium_or_skip() -> str:
    """The Chromium binary; skip the test without one, fail it when the environment requires one."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    from helpers import missing

    missing("chromium")


class Browser:
    """One headless Chromium and one page, spoken to over the DevTools websocket."""

    def __init__(self, binary: str, width: int = 1280, height: int = 900) -> None:
        from websockets.sync.client import connect

        self.profile = Path(tempfile.mkdtemp(prefix="nianbao-chromium-"))
        self.proc = subprocess.Popen(
            [
                binary,
                *FLAGS,
                f"--user-data-dir={self.profile}",
                "--remote-debugging-port=0",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            targets = json.load(r)
        page = next(t for t in targets if t.get("type") == "page")
        self.ws = connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=30)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send("Network.setBlockedURLs", urls=["http://*", "https://*", "ws://*", "wss://*", "ftp://*"])

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a DevTools method and wait for its answer (events that come meanwhile are kept)."""
        self.next_id += 1
        me = self.next_id
        self.ws.send(json.dumps({"id": me, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if msg.get("id") == me:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return dict(msg.get("result") or {})
            if "method" in msg:
                self.events.append(msg)

    def wait_for(self, event: str, timeout: float = 60) -> dict[str, Any]:
        """The next event of a kind (already received, or arriving within the timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e["method"] == event:
                    return self.events.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(event)
            msg = json.loads(self.ws.recv(timeout=left))
            if "method" in msg:
                self.events.append(msg)

    def goto(self, url: str) -> None:
        """Load a page and wait until it has loaded."""
        self.events = [e for e in self.events if e["method"] != "Page.loadEventFired"]
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def js(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression in the page."""
        out = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in out:
            raise RuntimeError(f"{expression[:80]}…: {out['exceptionDetails']}")
        return out["result"].get("value")

    def drain(self) -> list[dict[str, Any]]:
        """Every event received so far (the pending ones read off the socket), and forget them."""
        while True:
            try:
                msg = json.loads(self.ws.recv(timeout=0.2))
            except TimeoutError:
                break
            if "method" in msg:
                self.events.append(msg)
        out, self.events = self.events, []
        return out

    def screenshot(self, path: Path, width: int, height: int) -> None:
        """The page's top `width` × `height` CSS pixels as PNG."""
        import base64

        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        shot = self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        """Stop the browser and remove its profile."""
        if getattr(self, "ws", None) is not None:
            self.ws.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def problems(events: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(console errors and uncaught exceptions, requests that were not for a local file) among events."""
    errors, outside = [], []
    for e in events:
        p = e.get("params", {})
        if e["method"] == "Runtime.exceptionThrown":
            errors.append(json.dumps(p.get("exceptionDetails", {}))[:300])
        elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
        elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            errors.append(f"{p['entry'].get('text')} {p['entry'].get('url', '')}")
        elif e["method"] == "Network.requestWillBeSent":
            url = p.get("request", {}).get("url", "")
            if not url.startswith(("file:", "data:", "about:")):
                outside.append(url)
    return errors, outside


# images load lazily (evidence crops): made eager and awaited, so each is fetched and decoded
_PAGE_FACTS = """(async () => ({
  images: await Promise.all([...document.images].map(i => {
    i.loading = 'eager';
    return i.decode().then(() => [i.src, i.naturalWidth > 0], () => [i.src, false]);
  })),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  loads: [...document.querySelectorAll('img[src], link[href], script[src]')].map(e => e.src || e.href),
  cells: [...document.querySelectorAll('[data-cell]')].map(e => [+e.dataset.year, e.dataset.cell, e.dataset.scale || '1', e.textContent.trim()]),
}))()"""


def crawl(browser: Browser, site: Path) -> dict[str, Any]:
    """Visit every page reachable from the site's index; what each holds, and what went wrong."""
    root = site.resolve().as_uri() + "/"
    todo, seen = [root + "index.html"], set()
    facts: dict[str, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    outside: list[str] = []
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        browser.goto(url)
        page = browser.js(_PAGE_FACTS)
        facts[url] = page
        errs, out = problems(browser.drain())
        if errs:
            errors[url] = errs
        outside += out
        for link in page["links"]:
            target = link.split("#")[0]
            if target.startswith(root) and target.endswith(".html") and target not in seen:
                todo.append(target)
    broken = []
    for url, page in facts.items():
        for link in page["links"] + page["loads"]:
            if not link.startswith("file:"):
                continue
            target, _, fragment = link.partition("#")
            path = Path(urllib.request.url2pathname(target.removeprefix("file://")))
            if not path.exists():
                broken.append(f"{url} → {link}")
            elif fragment and target in facts and fragment not in facts[target]["ids"]:
                broken.append(f"{url} → {link} (no such anchor)")
        broken += [f"{url}: image {src} did not load" for src, ok in page["images"] if not ok]
    return {"pages": facts, "errors": errors, "outside": outside, "broken": broken, "root": root}


def assert_site_sound(visited: dict[str, Any], site: Path, warehouse: Path) -> None:
    """What a crawl must find for any built site and the warehouse it was built from: no error, nothing
    from outside, nothing broken, every page reachable, every rollup cell shown equal to `nianbao rollup`."""
    from helpers import nianbao

    assert visited["errors"] == {}
    assert visited["outside"] == []
    assert visited["broken"] == []
    pages = {visited["root"] + p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert pages - set(visited["pages"]) == set(), "pages no link leads to"
    rollups: dict[int, dict[str, Any]] = {}
    checked = 0
    for page in visited["pages"].values():
        for year, ref, scale, text in page["cells"]:
            if year not in rollups:
                ran = nianbao(
                    "rollup", "--year", str(year), "--format", "json", "--warehouse", str(warehouse)
                )
                rollups[year] = json.loads(ran.stdout)
            table, row, col = ref.split(".")
            assert Decimal(text) * int(scale) == Decimal(str(rollups[year][table][row][col])), (
                year,
                ref,
                text,
            )
            checked += 1
    assert checked > 300
