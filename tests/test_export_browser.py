"""The HTML map in headless Chromium with networking off, driven by the DevTools protocol.

Chromium is talked to over ``--remote-debugging-pipe`` (file descriptors 3 and 4, one JSON
message per NUL-terminated chunk), so the test needs no Python package beyond the standard
library. The page is loaded offline; every console error, uncaught exception, error log entry
and attempted network request is collected.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from optimizer.export.html_map import write_html_map
from tests.export_sample import CREDIT, porto_alegre_layers

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--remote-debugging-pipe",
)
TIMEOUT_SECONDS = 30.0
WIDTH, HEIGHT = 1400, 1000


class DevTools:
    """A minimal Chrome DevTools Protocol client over Chromium's debugging pipe."""

    def __init__(self, process: subprocess.Popen[bytes], to_browser: int, from_browser: int):
        self.process = process
        self.to_browser = to_browser
        self.from_browser = from_browser
        self.events: list[dict] = []
        self.session_id: str | None = None
        self._next_id = 0
        self._buffer = b""

    def call(self, method: str, **params: object) -> dict:
        """Send a command (to the attached page when there is one) and return its result."""
        self._next_id += 1
        message: dict[str, object] = {"id": self._next_id, "method": method, "params": params}
        if self.session_id is not None:
            message["sessionId"] = self.session_id
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        reply = self._receive_until(lambda incoming: incoming.get("id") == self._next_id)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_for_event(self, method: str) -> dict:
        """Wait for (or find among those already received) the first event named ``method``."""
        for event in self.events:
            if event["method"] == method:
                return event
        return self._receive_until(lambda incoming: incoming.get("method") == method)

    def _receive_until(self, wanted: object) -> dict:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                incoming = json.loads(raw)
                if "method" in incoming:
                    self.events.append(incoming)
                if wanted(incoming):  # type: ignore[operator]
                    return incoming
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self.from_browser], [], [], remaining)
            if ready:
                self._buffer += os.read(self.from_browser, 1 << 20)

    def evaluate(self, expression: str) -> object:
        """The value of a JavaScript expression in the page (awaited when it is a promise)."""
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        return result["result"].get("value")


@contextmanager
def chromium(profile: Path) -> Iterator[DevTools]:
    """Start headless Chromium with its debugging pipe on descriptors 3 and 4."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    commands_read, commands_write = os.pipe()
    replies_read, replies_write = os.pipe()

    def on_descriptors_3_and_4() -> None:
        os.dup2(commands_read, 3)
        os.dup2(replies_write, 4)

    process = subprocess.Popen(
        [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=on_descriptors_3_and_4,
        close_fds=False,
    )
    os.close(commands_read)
    os.close(replies_write)
    try:
        yield DevTools(process, commands_write, replies_read)
    finally:
        process.kill()
        process.wait()
        os.close(commands_write)
        os.close(replies_read)


def _problems(events: list[dict]) -> list[str]:
    """Console errors, uncaught exceptions, error log entries and network requests."""
    problems = []
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            problems.append(f"exception: {params['exceptionDetails']}")
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            problems.append(f"console.{params['type']}: {params['args']}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            problems.append(f"log: {params['entry']['text']} {params['entry'].get('url', '')}")
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith(("file:", "data:", "about:")):
                problems.append(f"network request: {url}")
    return problems


def test_html_map_renders_offline_in_chromium(tmp_path: Path) -> None:
    layers = porto_alegre_layers()
    page = write_html_map(
        layers, tmp_path / "map.html", title="Porto Alegre — station siting", credit=CREDIT
    )
    with chromium(tmp_path / "profile") as browser:
        target = browser.call("Target.createTarget", url="about:blank")
        attached = browser.call("Target.attachToTarget", targetId=target["targetId"], flatten=True)
        browser.session_id = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(f"{domain}.enable")
        browser.call(
            "Network.emulateNetworkConditions",
            offline=True,
            latency=0,
            downloadThroughput=-1,
            uploadThroughput=-1,
        )
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )
        browser.call("Page.navigate", url=page.resolve().as_uri())
        browser.wait_for_event("Page.loadEventFired")

        stations = browser.evaluate("document.querySelectorAll('.svcplan-station').length")
        demand_cells = browser.evaluate("document.querySelectorAll('path.svcplan-demand').length")
        switcher = browser.evaluate(
            "[...document.querySelectorAll('.leaflet-control-layers-overlays label')]"
            ".map(label => label.textContent.trim())"
        )
        legend = browser.evaluate("document.querySelector('.svcplan-legend').textContent")
        attribution = browser.evaluate(
            "document.querySelector('.leaflet-control-attribution').textContent"
        )
        browser.evaluate("document.querySelector('.svcplan-station').click()")
        popup = browser.evaluate(
            "new Promise(resolve => setTimeout(resolve, 500))"  # let the popup fade in
            ".then(() => document.querySelector('.leaflet-popup-content')?.textContent ?? '')"
        )
        screenshot = base64.b64decode(browser.call("Page.captureScreenshot", format="png")["data"])

    (tmp_path / "map-screenshot.png").write_bytes(screenshot)
    assert _problems(browser.events) == []
    assert stations == len(layers["stations"])
    assert demand_cells == len(layers["demand"])
    assert "Stations" in switcher and "Blind spots" in switcher
    assert "blind spot" in legend
    assert "© OpenStreetMap contributors" in attribution
    assert "residents served" in popup
    assert screenshot.startswith(b"\x89PNG\r\n\x1a\n") and len(screenshot) > 50_000
