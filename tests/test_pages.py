"""The pages people open and share: every reading and the entries it links to, as HTML."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.config import ConfigError, settings_from_env
from service.pages.shared import page_paths

from .helpers import PUBLIC_URL, TEST_SETTINGS, EditData, assert_problem

LANGUAGES = ("en", "es", "hi", "tr")
EMERGENCY_QUERY = "symptoms=sudden-facial-droop"


class PageReader(HTMLParser):
    """The parts of a page the tests look at: tags in order, links, meta tags, visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.in_script = tag == "script"

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def meta(self, key: str) -> str | None:
        for attrs in self.all("meta"):
            if key in (attrs.get("property"), attrs.get("name")):
                return attrs.get("content")
        return None

    def links(self, rel: str) -> list[dict[str, str | None]]:
        return [attrs for attrs in self.all("link") if attrs.get("rel") == rel]

    def hrefs(self) -> list[str]:
        return [str(attrs["href"]) for attrs in self.all("a") if attrs.get("href")]

    def visible(self) -> str:
        return " ".join("".join(self.text).split())


def read(client: FlaskClient, url: str, **headers: str) -> PageReader:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/html"
    reader = PageReader()
    reader.feed(response.get_data(as_text=True))
    return reader


def test_a_reading_page_shows_both_halves_with_beliefs_traditions_and_sources(
    client: FlaskClient,
) -> None:
    """/readings/<id> is HTML with the reading's omen, beliefs (each with its tradition and
    original wording), medical half, sources and disclaimer, as the API gives them."""
    reading = client.get("/v1/readings/left-upper-sudden").get_json()
    page = read(client, "/readings/left-upper-sudden")
    text = page.visible()
    assert page.all("h1") and "A sudden twitch of the left upper lip" in text
    for expected in (
        reading["omen"]["headline"],
        reading["omen"]["meaning"],
        reading["medical"]["headline"],
        reading["medical"]["explanation"],
        reading["medical"]["when_to_see_doctor"],
        reading["medical"]["when_to_call_emergency"],
        *(belief["tradition"] for belief in reading["omen"]["beliefs"]),
        *(belief["headline"] for belief in reading["omen"]["beliefs"]),
        *(source["title"] for source in reading["omen"]["sources"]),
        *(source["title"] for source in reading["medical"]["sources"]),
    ):
        assert " ".join(expected.split()) in text
    assert " ".join(reading["disclaimer"].split()) in text
    hrefs = page.hrefs()
    for belief in reading["omen"]["beliefs"]:
        assert f"/omens/{belief['omen_id']}" in hrefs
        assert f"/traditions/{belief['tradition_id']}" in hrefs
    for cause in reading["medical"]["likely_causes"]:
        assert f"/conditions/{cause['condition_id']}" in hrefs


def test_a_belief_with_original_wording_shows_it_in_its_language(
    data_dir: Path, edit_data: EditData
) -> None:
    """A belief whose data gives its original wording shows it, marked with its language,
    on the reading's page and on the belief's own page."""
    original = {"language": "ota", "text": "دوداق اويناسه", "transliteration": "dudak oynasa"}

    def give_original(document: list[dict[str, Any]]) -> None:
        next(e for e in document if e["id"] == "marifetname-lower-lip-good")["original"] = original

    edit_data("omens.yaml", give_original)
    client = create_app({**TEST_SETTINGS, "DATA_DIR": str(data_dir)}).test_client()
    for url in ("/readings/right-lower-sudden", "/omens/marifetname-lower-lip-good"):
        page = read(client, url)
        assert {"lang": "ota"} in page.all("q"), url
        assert "In the source's own words: “دوداق اويناسه” (dudak oynasa)" in page.visible() or (
            "دوداق اويناسه" in page.visible() and "(dudak oynasa)" in page.visible()
        )


@pytest.mark.slow  # every page in every language: seconds, so in make test only
def test_every_link_of_every_page_leads_to_a_page(client: FlaskClient) -> None:
    """Every page that page_paths lists answers 200 (readings in every language; share images
    as PNG), and every link on it to another page of the service answers 200 too."""
    from service.state import app_state

    with client.application.test_request_context():
        paths = page_paths(app_state().dataset)
    assert "/readings/left-upper-sudden" in paths and "/omens/hindu-right-side-throb" in paths
    images = [path for path in paths if path.endswith("/image.png")]
    assert len(images) == 8
    for path in images:
        assert client.get(path).mimetype == "image/png"
    checked: set[str] = set(images)
    for path in (path for path in paths if path not in images):
        for tag in LANGUAGES if path.startswith("/readings") else ("en",):
            page = read(client, f"{path}?lang={tag}")
            for href in page.hrefs():
                if href.startswith("/") and not href.startswith("/v1/") and href not in checked:
                    checked.add(href)
                    assert client.get(href).status_code == 200, href
    assert any(href.startswith("/symptoms/") for href in checked)
    assert any(href.startswith("/treatments/") for href in checked)


def test_the_emergency_banner_comes_first_when_the_symptoms_call_for_it(
    client: FlaskClient,
) -> None:
    """With an emergency symptom, the first thing in <main> is an alert saying when to call
    emergency services; without symptoms that call for it there is no alert."""
    reading = client.get(f"/v1/readings/right-lower-sudden?{EMERGENCY_QUERY}").get_json()
    page = read(client, f"/readings/right-lower-sudden?{EMERGENCY_QUERY}")
    names = [name for name, _ in page.tags]
    after_main = page.tags[names.index("main") + 1]
    assert after_main == ("div", {"class": "alert", "role": "alert"})
    emergency = " ".join(reading["medical"]["when_to_call_emergency"].split())
    text = page.visible()
    assert text.index("Emergency: call the emergency number now") < text.index(emergency)
    assert text.index(emergency) < text.rindex("A sudden twitch of the right lower lip")
    plain = read(client, "/readings/right-lower-sudden")
    assert {"class": "alert", "role": "alert"} not in plain.all("div")


@pytest.mark.parametrize("tag", LANGUAGES)
def test_pages_speak_the_request_language(client: FlaskClient, tag: str) -> None:
    """?lang= and Accept-Language choose the page's language: <html lang>, Content-Language,
    Vary and an ETag of its own, as the API's answers do."""
    by_parameter = client.get(f"/readings/left-upper-sudden?lang={tag}")
    by_header = client.get("/readings/left-upper-sudden", headers={"Accept-Language": tag})
    for response in (by_parameter, by_header):
        assert response.headers["Content-Language"] == tag
        assert "Accept-Language" in response.headers["Vary"]
        assert f'<html lang="{tag}">' in response.get_data(as_text=True)
    assert by_header.get_data() == by_parameter.get_data()
    headline = client.get(f"/v1/readings/left-upper-sudden?lang={tag}").get_json()["omen"]
    assert headline["headline"] in by_parameter.get_data(as_text=True)
    english = client.get("/readings/left-upper-sudden?lang=en")
    if tag != "en":
        assert by_parameter.headers["ETag"] != english.headers["ETag"]
    again = client.get(
        f"/readings/left-upper-sudden?lang={tag}",
        headers={"If-None-Match": by_parameter.headers["ETag"]},
    )
    assert again.status_code == 304


def test_pages_are_cacheable_compressed_and_run_no_script(client: FlaskClient) -> None:
    """A page is public and cacheable like an API answer, compressed when asked, and its
    Content-Security-Policy allows no script at all."""
    response = client.get("/readings/left-upper-sudden", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "public" in response.headers["Cache-Control"]
    assert response.headers["Last-Modified"]
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script" not in policy
    page = read(client, "/readings/left-upper-sudden")
    assert not page.all("script")


def test_without_a_public_address_pages_leave_out_absolute_urls(client: FlaskClient) -> None:
    """Unset TWITCHLORE_PUBLIC_URL: no canonical, hreflang, og:url, og:image or Twitter card
    (nothing is built from the Host header); the title and description are still there."""
    page = read(client, "/readings/left-upper-sudden", Host="evil.example")
    assert page.meta("og:title") == "A sudden twitch of the left upper lip"
    assert page.meta("og:description")
    for key in ("og:url", "og:image", "twitter:card", "twitter:image"):
        assert page.meta(key) is None
    assert not page.links("canonical") and not page.links("alternate")
    assert "evil.example" not in str(page.tags)


def test_with_a_public_address_pages_carry_canonical_hreflang_and_open_graph(
    public_app: Flask,
) -> None:
    """With TWITCHLORE_PUBLIC_URL, a page names its canonical address, its four languages
    plus x-default, and og:url, all absolute on the public address."""
    client = public_app.test_client()
    page = read(client, f"/readings/right-lower-sudden?{EMERGENCY_QUERY}&lang=hi")
    base = f"{PUBLIC_URL}/readings/right-lower-sudden?{EMERGENCY_QUERY}"
    assert page.links("canonical") == [{"rel": "canonical", "href": f"{base}&lang=hi"}]
    assert page.meta("og:url") == f"{base}&lang=hi"
    alternates = {a["hreflang"]: a["href"] for a in page.links("alternate")}
    assert alternates == {
        **{tag: f"{base}&lang={tag}" for tag in LANGUAGES},
        "x-default": base,
    }


@pytest.mark.parametrize(
    "value",
    [
        "twitchlore.example",
        "ftp://twitchlore.example",
        "https://",
        "https://x.example/?a=1",
        "https://x.example/#top",
        "https://x.example:port",
        "https://x .example",
    ],
)
def test_a_public_address_that_is_not_an_absolute_url_stops_start_up(value: str) -> None:
    """TWITCHLORE_PUBLIC_URL must be an absolute http(s) URL without query or fragment;
    anything else is refused, naming the variable."""
    with pytest.raises(ConfigError, match="TWITCHLORE_PUBLIC_URL"):
        settings_from_env({"TWITCHLORE_PUBLIC_URL": value})


def test_a_public_address_keeps_its_path_without_the_trailing_slash() -> None:
    """A service under a path (behind a proxy) keeps it; a trailing slash is dropped."""
    settings = settings_from_env({"TWITCHLORE_PUBLIC_URL": "https://x.example/lore/"})
    assert settings["PUBLIC_URL"] == "https://x.example/lore"
    assert settings_from_env({})["PUBLIC_URL"] is None


def test_pages_are_accessible(client: FlaskClient) -> None:
    """Every page has lang, one h1, header, nav, main and footer landmarks, labelled
    sections, and alt text on every image."""
    for path in (
        "/readings",
        "/readings/left-upper-sudden",
        "/omens/hindu-right-side-throb",
        "/conditions/stroke",
        "/symptoms/sudden-facial-droop",
    ):
        page = read(client, path)
        assert page.all("html")[0]["lang"] == "en"
        assert len(page.all("h1")) == 1, path
        for landmark in ("header", "nav", "main", "footer"):
            assert len(page.all(landmark)) == 1, (path, landmark)
        assert all(image.get("alt") for image in page.all("img")), path
        for section in page.all("section"):
            assert section.get("aria-labelledby"), path


def test_pages_credit_the_text_under_its_licence(client: FlaskClient) -> None:
    """Every page ends with a one-line credit in its language, linking the licence."""
    english = read(client, "/readings/left-upper-sudden")
    assert "Text by Twitchlore contributors, under CC BY 4.0." in english.visible()
    assert "https://creativecommons.org/licenses/by/4.0/" in english.hrefs()
    spanish = read(client, "/omens/hindu-right-side-throb?lang=es")
    assert "Texto de Twitchlore contributors, con licencia CC BY 4.0." in spanish.visible()


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/readings/left-upper-sudden?symptoms=not-a-symptom", 422, "symptoms"),
        ("/readings/left-upper-sudden?lang=xx", 422, "lang"),
        ("/readings/left-upper-sudden?side=left", 422, "side"),
        ("/omens/hindu-right-side-throb?page=2", 422, "page"),
    ],
)
def test_bad_page_queries_are_problems_naming_the_parameter(
    client: FlaskClient, url: str, status: int, field: str
) -> None:
    """A page's query is checked as the API's is: a problem naming the parameter."""
    response = client.get(url)
    assert_problem(response, status)
    assert field in response.get_json()["detail"]


@pytest.mark.parametrize(
    "url", ["/readings/left-middle-sudden", "/omens/no-such-omen", "/symptoms/no-such"]
)
def test_an_unknown_page_is_a_404_naming_where_to_look(client: FlaskClient, url: str) -> None:
    """An id that names nothing is a 404 problem that says where the ids are listed."""
    response = client.get(url)
    assert_problem(response, 404)
