"""/docs in a real headless Chromium: Swagger UI renders offline and "Try it out" works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

from .chromium import (
    CHROMEDRIVER,
    CHROMIUM,
    MISSING,
    PageHandler,
    browser_log,
    requested_urls,
    serving_pages,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
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
    # The presets are the spec's examples, the language (lang=es) among them.
    assert any("/v1/readings?" in url and "side=left&lip=upper&sudden=true" in url for url in urls)
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


@pytest.fixture
def app_page() -> Iterator[str]:
    """An empty page served from another origin (its own loopback port), as an app's would be."""

    class Page(PageHandler):
        def do_GET(self) -> None:
            body = b"<!DOCTYPE html><title>An app</title><p>An app on another origin."
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with serving_pages(Page) as httpd:
        yield f"http://localhost:{httpd.server_address[1]}/"


def test_a_page_on_another_origin_reads_the_api_with_app_headers(
    browser: WebDriver, server: str, app_page: str
) -> None:
    """fetch() from another origin with Authorization, Cache-Control and friends passes CORS."""
    browser.get(app_page)
    browser.set_script_timeout(20)
    result = browser.execute_async_script(
        """
        const [url, done] = arguments;
        fetch(url, {headers: {
          "Accept": "application/json",
          "Authorization": "Bearer app-token",
          "Cache-Control": "no-cache",
          "Content-Type": "application/json",
          "X-Requested-With": "XMLHttpRequest",
        }})
          .then(r => r.json().then(body => done({status: r.status, side: body.query.side})))
          .catch(error => done({error: String(error)}));
        """,
        f"{server}/v1/readings?side=left&lip=upper&sudden=true",
    )
    assert result == {"status": 200, "side": "left"}


def test_deep_link_opens_the_operation(browser: WebDriver, server: str) -> None:
    """/docs#/readings/getReading opens getReading, and its Try it out presets no symptoms."""
    wait = WebDriverWait(browser, 30)
    browser.get(f"{server}/docs#/readings/getReading")
    opened = wait.until(
        ready.presence_of_element_located(
            (By.CSS_SELECTOR, "#operations-readings-getReading.is-open")
        )
    )
    # Symptom ids are an extensible set: Swagger UI gives text fields to add ids, none preset.
    symptoms = opened.find_element(By.CSS_SELECTOR, 'tr[data-param-name="symptoms"]')
    preset = [
        field.get_attribute("value")
        for field in symptoms.find_elements(By.CSS_SELECTOR, "input, option:checked")
        if field.get_attribute("value")
    ]
    assert preset == []
    links = {a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "nav a")}
    assert {f"{server}/readme", f"{server}/license", f"{server}/v1/dataset"} <= links
