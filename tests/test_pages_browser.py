"""The reading pages in a real headless Chromium: on a 320 px phone, with JavaScript off, in
dark mode, in Hindi; served as in production."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.common.by import By

from .chromium import CHROMEDRIVER, CHROMIUM, MISSING, browser_log

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason=MISSING),
]

EMERGENCY_PAGE = "/readings/right-lower-sudden?symptoms=sudden-facial-droop"


def on_phone(browser: WebDriver, width: int = 320) -> None:
    """Show pages as a phone of ``width`` CSS pixels does, with page scripts switched off."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 720, "deviceScaleFactor": 2, "mobile": True},
    )
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})


def color_scheme(browser: WebDriver, scheme: str) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )


def luminance(css_colour: str) -> float:
    """The relative luminance (WCAG 2) of an ``rgb(...)``/``rgba(...)`` colour."""
    red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", css_colour)[:3])

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def style(browser: WebDriver, selector: str, prop: str) -> str:
    element = browser.find_element(By.CSS_SELECTOR, selector)
    return str(element.value_of_css_property(prop))


def test_a_reading_page_fits_a_320px_phone_without_javascript(
    browser: WebDriver, server: str
) -> None:
    """At 320 px with scripts off the page is all there, emergency banner first, and nothing
    scrolls sideways; the stylesheet loads under the page's CSP without a console error."""
    on_phone(browser)
    browser.get(server + EMERGENCY_PAGE)
    main = browser.find_element(By.TAG_NAME, "main")
    first = main.find_element(By.XPATH, "./*[1]")
    assert first.get_attribute("role") == "alert"
    assert first.is_displayed()
    assert browser.find_element(By.TAG_NAME, "h1").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "ul.beliefs li")) >= 2
    widths = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[1] == 320
    assert widths[0] <= widths[1], widths
    assert style(browser, "body", "font-family").startswith("system-ui")  # stylesheet applied
    errors = [e for e in browser_log(browser, "browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_a_reading_page_reads_well_in_light_and_dark(browser: WebDriver, server: str) -> None:
    """prefers-color-scheme picks light or dark colours; text and links keep a contrast of at
    least 4.5:1 against the page in both, and the banner's text against the banner."""
    backgrounds = {}
    for scheme in ("light", "dark"):
        color_scheme(browser, scheme)
        browser.get(server + EMERGENCY_PAGE)
        page = style(browser, "body", "background-color")
        backgrounds[scheme] = luminance(page)
        assert contrast(style(browser, "body", "color"), page) >= 4.5
        assert contrast(style(browser, "main a", "color"), page) >= 4.5
        assert (
            contrast(
                style(browser, ".alert", "color"), style(browser, ".alert", "background-color")
            )
            >= 4.5
        )
        box = style(browser, "section.half", "background-color")
        assert contrast(style(browser, ".from", "color"), box) >= 4.5
    assert backgrounds["light"] > 0.8 > 0.05 > backgrounds["dark"]


def test_a_reading_page_in_hindi_on_a_phone(browser: WebDriver, server: str) -> None:
    """The Hindi page says lang="hi", shows Devanagari text, and fits 320 px too."""
    on_phone(browser)
    browser.get(server + "/readings/left-upper-sudden?lang=hi")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "hi"
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert re.search("[\u0900-\u097f]", heading), heading
    widths = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1] == 320, widths
