"""Screenshots of /demo in headless Chromium, for the README: ``make screenshot``.

Starts the service as `make run` does, waits until every widget on the demo page shows its
reading, and saves the whole page at desktop width and at a 360 px phone width.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from .chromium import CHROMEDRIVER, CHROMIUM, MISSING, start_chromium
from .live_server import running_server

WIDTHS = {"demo.png": 1280, "demo-360.png": 360}
NO_EMOJI_FONT = "no colour emoji font (cards show one): install Debian's fonts-noto-color-emoji"
READY = """
return ["card", "emergency", "full"].every(function (id) {
  return document.getElementById(id).shadowRoot.querySelector("article");
}) && document.getElementById("picker").shadowRoot.querySelector("form");
"""
PAGE_HEIGHT = "return Math.ceil(document.documentElement.scrollHeight);"


def emulate(driver: WebDriver, width: int, height: int) -> None:
    """Make the viewport ``width`` x ``height`` CSS pixels (a phone's metrics below 600)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def has_emoji_font() -> bool:
    """Whether fontconfig knows a colour emoji font, without which emoji render as boxes."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run([fc_list, ":color=true"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def capture(driver: WebDriver, url: str, width: int, path: Path) -> None:
    """Save the whole page at ``width`` CSS pixels.

    The viewport is grown to the page's height once every widget has rendered:
    ``captureBeyondViewport`` alone sometimes stops at the first screenful.
    """
    emulate(driver, width, 900)
    driver.get(url)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script(READY))
    emulate(driver, width, int(driver.execute_script(PAGE_HEIGHT)))
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def main(folder: Path) -> None:
    """Write one PNG per width into ``folder``."""
    if not (CHROMIUM and CHROMEDRIVER):
        sys.exit(MISSING)
    if not has_emoji_font():
        sys.exit(NO_EMOJI_FONT)
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
