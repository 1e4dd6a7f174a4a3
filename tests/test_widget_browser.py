"""<twitchlore-reading> in a real headless Chromium, on a host page from another origin.

The host page is served by a small server of its own on another loopback port, under the
strict Content-Security-Policy the widget promises to work with; the service runs as
in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from .chromium import (
    CHROMEDRIVER,
    CHROMIUM,
    MISSING,
    PageHandler,
    browser_log,
    requested_urls,
    serving_pages,
)
from .live_server import free_port

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason=MISSING),
]

HOST_SCRIPT = b"""
// The host page's own script: it records every twitchlore:reading event that reaches it.
window.twitchloreEvents = [];
document.addEventListener("twitchlore:reading", function (event) {
  window.twitchloreEvents.push({
    target: event.target.id,
    bubbles: event.bubbles,
    composed: event.composed,
    isCustomEvent: event instanceof CustomEvent,
    detail: event.detail,
  });
});
"""

SENTIMENT_LABELS = {
    "good": "Good omen",
    "bad": "Bad omen",
    "mixed": "Mixed omen",
    "neutral": "Neutral omen",
}
URGENCY_LABELS = {
    "self_care": "Usually harmless: self-care",
    "see_doctor": "See a doctor",
    "urgent": "Get medical help today",
    "emergency": "Emergency: call the emergency number now",
}


def strict_csp(service: str, also_connect: str = "") -> str:
    """The policy of the issue: the host allows itself and the service, nothing else."""
    return (
        f"default-src 'none'; script-src 'self' {service}; connect-src {service} {also_connect}; "
        f"style-src 'unsafe-inline' {service}; img-src {service} data:"
    )


class HostSite:
    """A web server on its own loopback port serving host pages, each with its own headers."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes, dict[str, str]]] = {
            "/host.js": ("text/javascript", HOST_SCRIPT, {})
        }
        self.url = ""
        """Set once the site is served."""
        pages = self.pages

        class Handler(PageHandler):
            def do_GET(self) -> None:
                content_type, body, headers = pages.get(self.path, ("text/plain", b"not found", {}))
                self.send_response(200 if self.path in pages else 404)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        self.handler = Handler

    def add_page(
        self, path: str, service: str, widgets: str, also_connect: str = "", lang: str = "en"
    ) -> str:
        """Serve a host page with ``widgets`` from ``service`` at ``path``, under the strict CSP.

        Returns the page's URL. ``also_connect`` is one more origin the page may connect to;
        ``lang`` is the page's language (``<html lang>``).
        """
        headers = {"Content-Security-Policy": strict_csp(service, also_connect)}
        body = host_page(service, widgets, lang).encode()
        self.pages[path] = ("text/html; charset=utf-8", body, headers)
        return self.url + path


@pytest.fixture(scope="module")
def host_site() -> Iterator[HostSite]:
    """The host site, running in a thread while the module's tests run."""
    site = HostSite()
    with serving_pages(site.handler) as server:
        site.url = f"http://127.0.0.1:{server.server_address[1]}"
        yield site


def host_page(service: str, widgets: str, lang: str = "en") -> str:
    """A host page that loads the widget from ``service`` and records its events."""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>A horoscope site</title>
<script src="/host.js"></script>
<script src="{service}/widget.js"></script>
</head><body><h1>Today's omens</h1>{widgets}</body></html>"""


def shadow(browser: WebDriver, element_id: str) -> Any:
    return browser.find_element(By.ID, element_id).shadow_root


def wait_for_text(browser: WebDriver, element_id: str, text: str) -> None:
    """Wait until the widget's shadow root shows ``text``."""
    WebDriverWait(browser, 20).until(
        lambda driver: text in shadow_text(driver, element_id),
        message=f"#{element_id} never showed {text!r}",
    )


def shadow_text(browser: WebDriver, element_id: str) -> str:
    text: str = browser.execute_script(
        "var root = document.getElementById(arguments[0]).shadowRoot;"
        "return root ? root.textContent : '';",
        element_id,
    )
    return text


def wait_for_events(browser: WebDriver, count: int) -> list[dict[str, Any]]:
    """The host page's recorded events, once there are at least ``count``."""
    events: list[dict[str, Any]] = []

    def enough(driver: WebDriver) -> bool:
        events[:] = driver.execute_script("return window.twitchloreEvents")
        return len(events) >= count

    WebDriverWait(browser, 20).until(enough, message=f"fewer than {count} events")
    return events


def from_api(server: str, path: str, **query: str) -> dict[str, Any]:
    """What the API answers a plain HTTP client."""
    answer = requests.get(f"{server}{path}", params=query, timeout=10)
    answer.raise_for_status()
    document: dict[str, Any] = answer.json()
    return document


def reading(server: str, **query: str) -> dict[str, Any]:
    """The full reading, which the widget's full view shows."""
    return from_api(server, "/v1/readings", **query)


def card(server: str, **query: str) -> dict[str, Any]:
    """The reading's card, which the widget's card view shows."""
    return from_api(server, "/v1/cards", **query)


def console_problems(browser: WebDriver) -> list[str]:
    return [
        e["message"] for e in browser_log(browser, "browser") if e["level"] in ("SEVERE", "WARNING")
    ]


def label(root: Any, text: str) -> WebElement:
    """The picker's label whose visible text is exactly ``text``."""
    matches = [item for item in root.find_elements(By.CSS_SELECTOR, "label") if item.text == text]
    assert len(matches) == 1, f"one label {text!r}"
    element: WebElement = matches[0]
    return element


def test_three_widgets_on_a_strict_host_page(
    browser: WebDriver, server: str, host_site: HostSite
) -> None:
    """A fixed card, an emergency and a picker render from /v1/cards on a strict CSP page."""
    page = host_site.add_page(
        "/strict.html",
        server,
        '<twitchlore-reading id="fixed" side="left" lip="upper" sudden></twitchlore-reading>'
        '<twitchlore-reading id="emergency" side="right" lip="lower" sudden'
        ' symptoms="sudden-facial-droop"></twitchlore-reading>'
        '<twitchlore-reading id="picker"></twitchlore-reading>',
    )
    fixed = card(server, side="left", lip="upper", sudden="true")
    emergency = card(
        server, side="right", lip="lower", sudden="true", symptoms="sudden-facial-droop"
    )
    browser.get(page)

    wait_for_text(browser, "fixed", fixed["headline"])
    text = shadow_text(browser, "fixed")
    for expected in (
        fixed["emoji"],
        fixed["omen"],
        fixed["medical"],
        fixed["disclaimer"],
        SENTIMENT_LABELS[fixed["sentiment"]],
        URGENCY_LABELS[fixed["urgency"]],
        "Full reading",
    ):
        assert expected in text
    assert shadow(browser, "fixed").find_elements(By.CSS_SELECTOR, "[role=alert]") == []
    link = shadow(browser, "fixed").find_element(By.CSS_SELECTOR, "a").get_attribute("href")
    assert link == f"{server}/readings/left-upper-sudden?lang=en", "its page, in the language shown"
    opened = requests.get(link, timeout=10)
    assert opened.headers["Content-Type"].startswith("text/html")
    assert fixed["headline"] in opened.text
    credit = shadow(browser, "fixed").find_element(By.CSS_SELECTOR, "[part=credit]")
    assert credit.text == "Text by Twitchlore contributors, under CC BY 4.0."
    licence = credit.find_element(By.CSS_SELECTOR, "a[rel~=license]")
    assert licence.get_attribute("href") == "https://creativecommons.org/licenses/by/4.0/"

    assert emergency["urgency"] == "emergency"
    wait_for_text(browser, "emergency", emergency["when_to_call_emergency"])
    assert URGENCY_LABELS["emergency"] in shadow_text(browser, "emergency")
    article = shadow(browser, "emergency").find_element(By.CSS_SELECTOR, "article")
    banner = article.find_element(By.CSS_SELECTOR, ":scope > :first-child")
    assert banner.get_attribute("role") == "alert"
    assert emergency["when_to_call_emergency"] in banner.text
    # The widget's stylesheet applies under the host's CSP: the banner is on its red.
    assert banner.value_of_css_property("background-color") == "rgba(179, 38, 30, 1)"
    link = shadow(browser, "emergency").find_element(By.CSS_SELECTOR, "a").get_attribute("href")
    assert link == f"{server}/readings/right-lower-sudden?lang=en&symptoms=sudden-facial-droop"

    picker = shadow(browser, "picker")
    texts = sorted(item.text for item in picker.find_elements(By.CSS_SELECTOR, "label"))
    assert texts == ["Left", "Lower", "Right", "Sudden", "Upper"]
    assert picker.find_element(By.CSS_SELECTOR, "button").text == "Read"
    label(picker, "Right").click()
    picker.find_element(By.CSS_SELECTOR, "input[value=right]").send_keys(Keys.TAB)
    focused = browser.execute_script(
        "return document.getElementById('picker').shadowRoot.activeElement.value"
    )
    assert focused == "upper", "Tab moves from the side group to the lip group"
    picker.find_element(By.CSS_SELECTOR, "input[value=upper]").send_keys(Keys.ARROW_DOWN)
    assert picker.find_element(By.CSS_SELECTOR, "input[value=lower]").is_selected()
    picker.find_element(By.CSS_SELECTOR, "button").send_keys(Keys.ENTER)
    chosen = card(server, side="right", lip="lower", sudden="false")
    wait_for_text(browser, "picker", chosen["headline"])
    assert chosen["medical"] in shadow_text(browser, "picker")

    events = wait_for_events(browser, 3)
    by_target = {event["target"]: event for event in events}
    assert set(by_target) == {"fixed", "emergency", "picker"}
    assert all(e["bubbles"] and e["composed"] and e["isCustomEvent"] for e in events)
    assert by_target["fixed"]["detail"] == fixed
    assert by_target["emergency"]["detail"] == emergency
    assert by_target["picker"]["detail"] == chosen

    assert console_problems(browser) == []
    origins = {urlsplit(server).netloc, urlsplit(host_site.url).netloc}
    urls = requested_urls(browser)
    assert any(url.startswith(f"{server}/v1/cards?side=left") for url in urls)
    foreign = [
        url
        for url in urls
        if urlsplit(url).scheme in ("http", "https", "ws", "wss")
        and urlsplit(url).netloc not in origins
    ]
    assert foreign == [], "the widget talks to the service and nothing else"


def test_changing_an_attribute_renders_the_new_reading(
    browser: WebDriver, server: str, host_site: HostSite
) -> None:
    """Setting side, lip, sudden and view at once gives one new (full) reading and one event."""
    page = host_site.add_page(
        "/change.html",
        server,
        '<twitchlore-reading id="w" side="left" lip="upper"></twitchlore-reading>',
    )
    browser.get(page)
    first = card(server, side="left", lip="upper", sudden="false")
    wait_for_text(browser, "w", first["headline"])
    browser.execute_script(
        "var w = document.getElementById('w');"
        "w.setAttribute('side', 'right'); w.setAttribute('lip', 'lower');"
        "w.setAttribute('sudden', ''); w.setAttribute('view', 'full');"
    )
    second = reading(server, side="right", lip="lower", sudden="true")
    wait_for_text(browser, "w", second["omen"]["headline"])
    text = shadow_text(browser, "w")
    assert second["omen"]["meaning"] in text, "the full view shows the omen's meaning"
    assert second["medical"]["explanation"] in text
    assert first["headline"] not in text
    link = shadow(browser, "w").find_element(By.CSS_SELECTOR, "a").get_attribute("href")
    assert link == f"{server}/readings/right-lower-sudden?lang=en", (
        "its page, in the language shown"
    )
    assert second["omen"]["headline"] in requests.get(link, timeout=10).text
    events = wait_for_events(browser, 2)
    assert [event["detail"] for event in events] == [first, second]
    assert console_problems(browser) == []


def test_attributes_in_any_case_and_the_reading_for_late_scripts(
    browser: WebDriver, server: str, host_site: HostSite
) -> None:
    """side="Left", lip="UPPER", sudden="FALSE", view="Full" read as the API reads them, and
    each element's reading property holds what its event carried, for scripts that come late:
    the card in card view, the whole reading in full view."""
    page = host_site.add_page(
        "/case.html",
        server,
        '<twitchlore-reading id="full" side="Left" lip="UPPER" sudden="True" view="Full">'
        "</twitchlore-reading>"
        '<twitchlore-reading id="card" side=" RIGHT " lip="Lower" sudden="FALSE">'
        "</twitchlore-reading>",
    )
    full = reading(server, side="left", lip="upper", sudden="true")
    shown = card(server, side="right", lip="lower", sudden="false")
    browser.get(page)
    wait_for_text(browser, "full", full["omen"]["headline"])
    wait_for_text(browser, "card", shown["headline"])
    events = {event["target"]: event["detail"] for event in wait_for_events(browser, 2)}
    assert events == {"full": full, "card": shown}
    late = browser.execute_script(
        "return ['full', 'card'].map(function (id) {"
        "  return document.getElementById(id).reading; })"
    )
    assert late == [full, shown]
    assert "urgency" in late[0]["medical"] and "urgency" in late[1]  # where each view has it
    assert browser.execute_script(
        "return document.createElement('twitchlore-reading').reading === null"
    )
    assert console_problems(browser) == []


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ('side="middle" lip="upper"', 'side must be "left" or "right"'),
        ('side="left" lip="chin"', 'lip must be "upper" or "lower"'),
        ('side="left" lip="upper" view="poster"', 'view must be "card", "full" or "daily"'),
        ('side="left" lip="upper" symptoms="<b>"', "symptoms must be symptom ids"),
        ('side="left" lip="upper" symptoms="no-such-symptom"', "'symptoms'"),
    ],
    ids=["side", "lip", "view", "symptoms-format", "unknown-symptom"],
)
def test_a_bad_attribute_shows_a_message(
    browser: WebDriver, server: str, host_site: HostSite, attributes: str, message: str
) -> None:
    """A bad attribute gives a short message in the widget, not a blank box or an exception."""
    page = host_site.add_page(
        "/bad.html",
        server,
        f'<twitchlore-reading id="w" {attributes}></twitchlore-reading>',
    )
    browser.get(page)
    wait_for_text(browser, "w", message)
    assert "could not be" in shadow_text(browser, "w") or "cannot" in shadow_text(browser, "w")
    uncaught = [m for m in console_problems(browser) if "Uncaught" in m]
    assert uncaught == []


def test_a_service_that_is_down_gives_a_message(
    browser: WebDriver, server: str, host_site: HostSite
) -> None:
    """When the API cannot be reached the widget says so, and throws nothing at the page."""
    down = f"http://127.0.0.1:{free_port()}"
    page = host_site.add_page(
        "/down.html",
        server,
        f'<twitchlore-reading id="w" side="left" lip="upper" api="{down}/"></twitchlore-reading>',
        also_connect=down,
    )
    browser.get(page)
    wait_for_text(browser, "w", "Twitchlore could not be reached")
    uncaught = [m for m in console_problems(browser) if "Uncaught" in m]
    assert uncaught == []
    assert any(url.startswith(f"{down}/v1/cards?side=left") for url in requested_urls(browser))


def test_demo_page_runs_under_its_policy_and_fits_a_phone(browser: WebDriver, server: str) -> None:
    """/demo renders every widget under its own CSP with no console errors, also 360 px wide."""
    browser.get(f"{server}/demo")
    for element_id in ("card", "emergency", "full"):
        wait_for_text(browser, element_id, "Full reading")
    assert "Read" in shadow_text(browser, "picker")
    banner = shadow(browser, "emergency").find_element(By.CSS_SELECTOR, "[role=alert]")
    # The widget's constructed stylesheet applies under style-src 'self' (no 'unsafe-inline').
    assert banner.value_of_css_property("background-color") == "rgba(179, 38, 30, 1)"
    snippet = browser.find_element(By.ID, "snippet").text
    assert f'<script src="{server}/widget.js" defer></script>' in snippet
    WebDriverWait(browser, 10).until(
        lambda driver: len(driver.find_elements(By.CSS_SELECTOR, "#events li")) == 3
    )
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 360, "height": 800, "deviceScaleFactor": 2, "mobile": True},
    )
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow == 0, "nothing is wider than a 360 px phone"
    assert console_problems(browser) == []


def test_the_daily_view_shows_the_omen_of_the_day(
    browser: WebDriver, server: str, host_site: HostSite
) -> None:
    """view="daily" shows the day's featured belief, then its reading's card, without a
    picker; a date attribute names another day, and a malformed one gives a message."""
    page = host_site.add_page(
        "/daily.html",
        server,
        '<twitchlore-reading id="today" view="daily"></twitchlore-reading>'
        '<twitchlore-reading id="new-year" view="daily" date="2026-01-01"></twitchlore-reading>'
        '<twitchlore-reading id="bad-date" view="daily" date="1 January"></twitchlore-reading>',
    )
    today = from_api(server, "/v1/daily", lang="en")
    new_year = from_api(server, "/v1/daily", date="2026-01-01", lang="en")
    browser.get(page)
    for element_id, day in (("today", today), ("new-year", new_year)):
        wait_for_text(browser, element_id, day["card"]["medical"])
        text = shadow_text(browser, element_id)
        for expected in (
            f"Omen of the day · {day['date']}",
            day["belief"]["headline"],
            day["belief"]["text"],
            day["belief"]["tradition"]["name"],
            day["card"]["headline"],
            day["card"]["disclaimer"],
        ):
            assert expected in text, (element_id, expected)
        assert not shadow(browser, element_id).find_elements(By.CSS_SELECTOR, "form")
    wait_for_text(browser, "bad-date", "date must be a date as YYYY-MM-DD")
    events = wait_for_events(browser, 2)
    assert {event["target"] for event in events} == {"today", "new-year"}
    assert next(e for e in events if e["target"] == "new-year")["detail"] == new_year
    assert console_problems(browser) == []
