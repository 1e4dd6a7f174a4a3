"""<twitchlore-reading> speaks the host page's language, in a real headless Chromium.

Hindi and Turkish readings are drawn with the system's fonts (Debian's fonts-noto-core gives
Devanagari) on a host page under the strict Content-Security-Policy. Where a language is not
in data/translations yet, a machine-made stand-in under its tag takes its place, so the
widget's own behaviour is tested either way.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from selenium.webdriver import Chrome as WebDriver

from service.dataset import DATA_DIR, load_datasets
from service.pages.widget import widget_words

from .chromium import CHROMEDRIVER, CHROMIUM, MISSING, requested_urls
from .live_server import Server, running_server
from .pseudo_language import write_pseudo_language
from .test_widget_browser import HostSite, console_problems, host_site, shadow_text, wait_for_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("widget-languages"),
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason=MISSING),
]

__all__ = ["host_site"]  # the module's host site fixture, shared


@pytest.fixture(scope="module")
def data_with_languages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped data, with Hindi and Turkish (stand-ins where not shipped yet)."""
    data = tmp_path_factory.mktemp("widget-languages") / "data"
    shutil.copytree(DATA_DIR, data)
    for tag, grave in (("hi", False), ("tr", True)):
        if not (data / "translations" / tag).exists():
            write_pseudo_language(data, tag, grave=grave)
    return data


@pytest.fixture(scope="module")
def multilingual_server(data_with_languages: Path) -> Iterator[Server]:
    """The service, as `make run` starts it, on that data."""
    with running_server(TWITCHLORE_DATA_DIR=str(data_with_languages)) as server:
        yield server


def card(server: Server, language: str) -> dict[str, str]:
    answer = requests.get(
        f"{server.url}/v1/cards/left-upper-sudden", params={"lang": language}, timeout=10
    )
    answer.raise_for_status()
    assert answer.headers["Content-Language"] == language
    document: dict[str, str] = answer.json()
    return document


def test_the_widget_follows_the_page_and_its_own_lang(
    browser: WebDriver,
    multilingual_server: Server,
    host_site: HostSite,
    data_with_languages: Path,
) -> None:
    """On a Hindi page a widget reads in Hindi; one with lang="tr" reads in Turkish; each
    with its own words, the system's fonts and no error."""
    service = multilingual_server.url
    words = {
        tag: widget_words(d.interface) for tag, d in load_datasets(data_with_languages).items()
    }
    page = host_site.add_page(
        "/hindi.html",
        service,
        '<twitchlore-reading id="page-language" side="left" lip="upper" sudden>'
        "</twitchlore-reading>"
        '<twitchlore-reading id="own-language" lang="tr" side="left" lip="upper" sudden>'
        "</twitchlore-reading>"
        '<twitchlore-reading id="picker"></twitchlore-reading>',
        lang="hi",
    )
    browser.get(page)
    for element, language in (("page-language", "hi"), ("own-language", "tr")):
        expected = card(multilingual_server, language)
        wait_for_text(browser, element, expected["headline"])
        text = shadow_text(browser, element)
        assert expected["omen"] in text and expected["disclaimer"] in text
        assert words[language]["full_reading"] in text
        assert words[language][f"urgency.{expected['urgency']}"] in text
    wait_for_text(browser, "picker", words["hi"]["read"])
    assert words["hi"]["choose"] in shadow_text(browser, "picker")
    assert any("lang=hi" in url for url in requested_urls(browser))
    fonts = [url for url in requested_urls(browser) if url.endswith((".woff", ".woff2", ".ttf"))]
    assert fonts == [], "no web font is downloaded"
    assert console_problems(browser) == []


def test_an_unserved_page_language_falls_back_to_a_served_one(
    browser: WebDriver, multilingual_server: Server, host_site: HostSite
) -> None:
    """On a page in a language the service does not serve, the widget reads in the browser's
    language or English, and never asks for the unserved one."""
    page = host_site.add_page(
        "/french.html",
        multilingual_server.url,
        '<twitchlore-reading id="french" side="left" lip="upper" sudden></twitchlore-reading>',
        lang="fr-CA",
    )
    browser.get(page)
    expected = card(multilingual_server, "en")
    wait_for_text(browser, "french", expected["headline"])
    assert not any("lang=fr" in url for url in requested_urls(browser))
