"""Headless Chromium for the browser tests and the demo screenshot, and what it logged."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
MISSING = "no browser: install Debian's chromium and chromium-driver (.ci/run does)"


def start_chromium(profile: Path, width: int = 1280, height: int = 2000) -> WebDriver:
    """Headless Chromium with a fresh profile that logs the console and every request.

    Its background services (updates, sync, safe browsing) are off, so every request
    it makes comes from the page under test.
    """
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)


def browser_log(driver: WebDriver, kind: str) -> list[dict[str, Any]]:
    """The entries of one of Chromium's logs ("browser" or "performance") since the last call."""
    entries: list[dict[str, Any]] = driver.get_log(kind)
    return entries


def requested_urls(driver: WebDriver) -> list[str]:
    """Every URL the page asked the network for since the last call, from the performance log."""
    urls = []
    for entry in browser_log(driver, "performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


class PageHandler(BaseHTTPRequestHandler):
    """Base of the handlers that serve pages to the browser: quiet, and never waiting long.

    A connection Chromium opens and leaves idle is closed after ``timeout`` seconds.
    """

    timeout = 5

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


@contextmanager
def serving_pages(handler: type[PageHandler]) -> Iterator[ThreadingHTTPServer]:
    """``handler`` on a free loopback port, each connection in a daemon thread of its own.

    An idle connection holds only its own thread, so stopping the server never waits for it
    (a single-threaded server once stalled a teardown for 100 s on a socket Chromium left open).
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
