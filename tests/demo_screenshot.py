"""Screenshots of /demo in headless Chromium, for the README: ``make screenshot``.

Starts the service under gunicorn, waits until every widget on the demo page shows its
reading, and saves the whole page at desktop width and at a 360 px phone width.
"""

from __future__ import annotations

import base64
import sys
import tempfile
from pathlib import Path

from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from .chromium import CHROMEDRIVER, CHROMIUM, MISSING, start_chromium
from .gunicorn_server import running_server

WIDTHS = {"demo.png": 1280, "demo-360.png": 360}
READY = """
return ["card", "emergency", "full"].every(function (id) {
  return document.getElementById(id).shadowRoot.querySelector("article");
}) && document.getElementById("picker").shadowRoot.querySelector("form");
"""


def capture(driver: WebDriver, url: str, width: int, path: Path) -> None:
    """Save the whole page at ``width`` CSS pixels (a phone's metrics below 600)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.get(url)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script(READY))
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def main(folder: Path) -> None:
    """Write one PNG per width into ``folder``."""
    if not (CHROMIUM and CHROMEDRIVER):
        sys.exit(MISSING)
    folder.mkdir(parents=True, exist_ok=True)
    with running_server() as server, tempfile.TemporaryDirectory() as profile:
        driver = start_chromium(Path(profile))
        try:
            for name, width in WIDTHS.items():
                capture(driver, f"{server.url}/demo", width, folder / name)
                print(folder / name)
        finally:
            driver.quit()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
