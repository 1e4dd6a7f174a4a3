"""/docs in a real headless Chromium: Swagger UI renders offline and "Try it out" works."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

from .chromium import CHROMEDRIVER, CHROMIUM, MISSING, browser_log, requested_urls

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason=MISSING),
]


def test_try_it_out_on_readings_shows_a_200(
    browser: WebDriver, server: str, tmp_path: Path
) -> None:
    """Swagger UI renders from local assets only, and Execute on getReading returns 200."""
    wait = WebDriverWait(browser, 30)
    browser.get(f"{server}/docs")
    operation = wait.until(
        ready.presence_of_element_located((By.ID, "operations-readings-getReading"))
    )
    operation.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    try_out = wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, ".try-out__btn")))
    if try_out.text.strip() == "Try it out":  # the service turns it on by default
        try_out.click()
    for name, value in (("side", "left"), ("lip", "upper"), ("sudden", "true")):
        select = operation.find_element(By.CSS_SELECTOR, f'tr[data-param-name="{name}"] select')
        Select(select).select_by_value(value)
    operation.find_element(By.CSS_SELECTOR, ".execute").click()
    status = wait.until(
        ready.presence_of_element_located(
            (By.CSS_SELECTOR, ".live-responses-table .response .response-col_status")
        )
    )
    browser.save_screenshot(str(tmp_path / "docs.png"))
    assert status.text.strip() == "200"
    body = operation.find_element(By.CSS_SELECTOR, ".live-responses-table .microlight").text
    assert '"side": "left"' in body

    origin = urlsplit(server).netloc
    urls = requested_urls(browser)
    assert any(url.endswith("/openapi.json") for url in urls)
    assert any("/v1/readings?side=left&lip=upper&sudden=true" in url for url in urls)
    foreign = [
        url
        for url in urls
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != origin
    ]
    assert foreign == [], "the docs page must load nothing from another host"
    refused = [
        e["message"] for e in browser_log(browser, "browser") if "Refused to" in e["message"]
    ]
    assert refused == [], "the docs page runs within its Content-Security-Policy"
