"""make export: the service as a folder any static host serves, and the widget reading from it.

The folder is written once per test run, by what make export runs (Brotli at a low quality, to be
quick): the tests that read it share one xdist group, so one process writes it. The browser test
serves it with Python's plain http.server, as any static host would.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import io
import json
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from service import create_app, static_site
from service.static_site import EXCLUDED, LISTS, UnexportableRouteError, static_urls

from .chromium import CHROMEDRIVER, CHROMIUM, MISSING, serving_pages
from .helpers import TEST_SETTINGS
from .test_widget_browser import shadow_text

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("static-site")]

LANGUAGES = ("en", "es", "hi", "tr")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The folder ``python -m service.static_site DIR`` (what make export runs) writes into a
    folder holding a stale file, and what it printed."""
    folder = tmp_path_factory.mktemp("static") / "site"
    (folder / "stale").mkdir(parents=True)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert static_site.main([str(folder), "--level", "1"]) == 0
    return folder, printed.getvalue()


@pytest.fixture(scope="module")
def site(exported: tuple[Path, str]) -> Path:
    """The folder make export writes."""
    return exported[0]


def test_every_route_is_exported_or_excluded_with_a_reason(app: Flask) -> None:
    """Each GET route is in the folder or listed in EXCLUDED (or is a catalogue's list)."""
    adapter = app.url_map.bind("localhost")
    exported = {adapter.match(url, method="GET")[0] for url in static_urls(app)}
    expected = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in EXCLUDED and rule.endpoint not in LISTS
    }
    assert exported == expected
    assert set(EXCLUDED) <= {rule.endpoint for rule in app.url_map.iter_rules()}, "stale entries"
    assert {"home.front_page", "widget.widget_script", "readings.ReadingById"} <= exported
    assert "omens.Omens" in LISTS and "omens.OmenItem" in exported


def test_a_route_it_cannot_fill_in_stops_the_export() -> None:
    """A new route with an argument the export does not know is refused, naming it."""
    app = create_app(TEST_SETTINGS)
    app.add_url_rule("/horoscopes/<sign>", "horoscopes", lambda sign: sign)
    with pytest.raises(UnexportableRouteError, match="/horoscopes/<sign>.*sign"):
        static_urls(app)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reading_card_and_entry_is_a_file_in_every_language(
    site: Path, client: FlaskClient, language: str
) -> None:
    """<lang>/v1/<path>.json holds exactly what the service answers at <path> in the language."""
    export = json.loads((site / language / "v1" / "export.json").read_bytes())
    paths = [f"/v1/readings/{reading['reading_id']}" for reading in export["readings"]]
    paths += [f"/v1/cards/{card['reading_id']}" for card in export["cards"]]
    paths += [
        entry["href"] for kind in ("omens", "conditions", "sources") for entry in export[kind]
    ]
    paths += [
        entry["href"] for kind in ("traditions", "symptoms", "treatments") for entry in export[kind]
    ]
    for path in [*paths, "/v1/dataset"]:
        served = client.get(f"{path}?lang={language}").data
        assert (site / language / f"{path.lstrip('/')}.json").read_bytes() == served, path
    languages = client.get(f"/v1/languages?lang={language}").data
    assert (site / "v1" / "languages.json").read_bytes() == languages
    assert (site / "v1" / "readings" / "left-upper-sudden.json").read_bytes() == (
        site / "en" / "v1" / "readings" / "left-upper-sudden.json"
    ).read_bytes()


def test_text_files_come_precompressed(site: Path) -> None:
    """Each JSON, HTML and script file has .gz and .br copies holding the same bytes."""
    for name in ("widget.js", "openapi.json", "index.html", "hi/v1/export.json"):
        plain = (site / name).read_bytes()
        assert gzip.decompress((site / f"{name}.gz").read_bytes()) == plain
        assert brotli.decompress((site / f"{name}.br").read_bytes()) == plain


def test_the_folder_has_the_front_page_widget_spec_and_its_readme(
    site: Path, client: FlaskClient
) -> None:
    """The front page in each language, widget.js and the spec as served, and README.txt."""
    assert (site / "widget.js").read_bytes() == client.get("/widget.js").data
    assert (site / "openapi.json").read_bytes() == client.get("/openapi.json").data
    assert (site / "assets" / "home.css").is_file() and (site / "favicon.ico").is_file()
    for language in LANGUAGES:
        assert f'<html lang="{language}">' in (site / language / "index.html").read_text()
    guide = (site / "README.txt").read_text()
    assert "nginx" in guide and 'static="' in guide and "gzip_static" in guide


def test_links_between_pages_point_at_the_files(site: Path) -> None:
    """The pages' links to exported answers lead to their files; other links stay as served."""
    english = (site / "index.html").read_text()
    spanish = (site / "es" / "index.html").read_text()
    assert 'href="/v1/readings/left-upper-sudden.json"' in english
    assert 'href="/es/v1/readings/left-upper-sudden.json"' in spanish
    assert 'href="/es/v1/dataset.json"' in spanish
    assert 'href="/hi/"' in english and 'href="/"' in spanish
    assert 'href="/license.txt"' in english and 'href="/assets/home.css"' in english
    assert 'href="/docs"' in english


class StaticFiles(SimpleHTTPRequestHandler):
    """Python's plain static file server, quiet, closing idle connections."""

    timeout = 5

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture(scope="module")
def static_host(site: Path) -> Iterator[str]:
    """A plain static server for a folder holding the export at /twitchlore and host pages."""
    root = site.parent
    (root / "twitchlore").symlink_to(site, target_is_directory=True)
    handler = functools.partial(StaticFiles, directory=str(root))
    with serving_pages(handler) as server:  # type: ignore[arg-type]
        yield f"http://127.0.0.1:{server.server_address[1]}"


def shows(browser: WebDriver, element_id: str, text: str) -> bool:
    return text in shadow_text(browser, element_id)


@pytest.mark.browser
@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason=MISSING)
def test_the_widget_reads_readings_by_id_from_a_static_copy(
    browser: WebDriver, site: Path, static_host: str
) -> None:
    """With static="/twitchlore" the widget shows cards and full readings from the folder on a
    plain static server, in the page's language, links to the reading's file, and says that
    symptoms need the service."""
    (site.parent / "host.html").write_text(
        '<!DOCTYPE html><html lang="es"><head><meta charset="utf-8"><title>Host</title>'
        '<script src="/twitchlore/widget.js"></script></head><body>'
        '<twitchlore-reading id="card" static="/twitchlore" side="left" lip="upper" sudden>'
        "</twitchlore-reading>"
        '<twitchlore-reading id="full" static="/twitchlore/" side="right" lip="lower" view="full">'
        "</twitchlore-reading>"
        '<twitchlore-reading id="symptoms" static="/twitchlore" side="left" lip="lower"'
        ' symptoms="sudden-facial-droop"></twitchlore-reading>'
        "</body></html>",
        encoding="utf-8",
    )
    card = json.loads((site / "es/v1/cards/left-upper-sudden.json").read_bytes())
    full = json.loads((site / "es/v1/readings/right-lower-gradual.json").read_bytes())
    browser.get(f"{static_host}/host.html")
    for element_id, expected in (
        ("card", card["medical"]),
        ("full", full["medical"]["explanation"]),
        ("symptoms", "síntomas"),
    ):
        WebDriverWait(browser, 20).until(
            functools.partial(shows, element_id=element_id, text=expected),
            message=f"#{element_id} never showed {expected!r}",
        )
    assert card["headline"] in shadow_text(browser, "card")
    assert full["omen"]["beliefs"][0]["text"] in shadow_text(browser, "full")
    link = browser.find_element(By.ID, "card").shadow_root.find_element(By.CSS_SELECTOR, "a")
    assert link.get_attribute("href") == (
        f"{static_host}/twitchlore/es/readings/left-upper-sudden/"
    )
    events = browser.execute_script(
        "return document.getElementById('card').reading && "
        "document.getElementById('card').reading.reading_id"
    )
    assert events == "left-upper-sudden"


def test_make_export_writes_the_folder_and_says_what_it_wrote(
    exported: tuple[Path, str],
) -> None:
    """python -m service.static_site DIR (what make export runs) empties DIR, fills it and
    prints sizes."""
    folder, printed = exported
    assert f"to {folder}" in printed and ".json:" in printed
    assert (folder / "v1" / "cards" / "right-upper-gradual.json").is_file()
    assert not (folder / "stale").exists()


def test_the_reading_and_entry_pages_are_in_the_folder_linking_each_other(site: Path) -> None:
    """Each reading's page, its share image and the entries it links to are files of the
    folder, in each language, the pages' links leading to the other pages' files."""
    for language in LANGUAGES:
        page = (site / language / "readings" / "left-upper-sudden" / "index.html").read_text()
        assert f'<html lang="{language}">' in page
        folder = "" if language == "en" else f"/{language}"  # English links lead to the root
        assert f'href="{folder}/conditions/stroke/"' in page
        assert (site / language / "conditions" / "stroke" / "index.html").is_file()
        image = site / language / "readings" / "left-upper-sudden" / "image.png"
        assert image.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert not image.with_name("image.png.gz").exists()  # a PNG is compressed already
    english = (site / "readings" / "left-upper-sudden" / "index.html").read_text()
    assert 'href="/omens/jamaica-lips-twitch-kiss/"' in english
    assert (site / "readings" / "index.html").is_file()
