"""The front page, the API index, /docs/, the favicon, the project's files, CORS for apps."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from service.dataset import DATA_DIR
from service.pages import home

from .helpers import assert_problem

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ROOT = Path(__file__).resolve().parents[1]


class LinkReader(HTMLParser):
    """Collects every href and src of a page, and its visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("href", "src") and value]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read_page(client: FlaskClient) -> LinkReader:
    response = client.get("/", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    reader = LinkReader()
    reader.feed(response.get_data(as_text=True))
    return reader


def test_browsers_get_a_page_with_a_live_example(client: FlaskClient) -> None:
    """A browser's / is HTML showing the example reading's text straight from the dataset."""
    text = " ".join(" ".join(read_page(client).text).split())
    reading = client.get("/v1/readings?side=left&lip=upper&sudden=true").get_json()
    for expected in (
        reading["omen"]["headline"],
        reading["medical"]["headline"],
        reading["medical"]["when_to_call_emergency"],
        reading["disclaimer"],
        reading["omen"]["beliefs"][0]["headline"],
    ):
        assert " ".join(expected.split()) in text


def test_front_page_links_docs_dataset_endpoints_and_licence(client: FlaskClient) -> None:
    """The page links /docs, /v1/dataset, its endpoints table, the widget and its demo, the
    README and the licence."""
    reader = read_page(client)
    expected = {"/docs", "/v1/dataset", "#endpoints", "#widget", "/demo", "/readme", "/license"}
    assert expected <= set(reader.urls)
    assert "<twitchlore-reading" in " ".join(reader.text)
    assert "/v1/omens" in " ".join(reader.text)


def test_every_link_of_the_front_page_answers(client: FlaskClient) -> None:
    """Each local link and asset of the front page answers 200 (no dead links)."""
    for url in read_page(client).urls:
        if url.startswith("#"):
            continue
        assert url.startswith("/"), url
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


def test_front_page_runs_under_its_own_strict_policy(client: FlaskClient) -> None:
    """The page runs no script and loads only its own stylesheet and icon (CSP)."""
    response = client.get("/", headers={"Accept": BROWSER_ACCEPT})
    assert "<script" not in response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "style-src 'self'" in csp
    assert "script-src" not in csp
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("path", ["/", "/v1", "/v1/"])
def test_api_clients_get_an_index_of_links(client: FlaskClient, path: str) -> None:
    """``Accept: application/json`` on / (and /v1) gets JSON links to every part of the API."""
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["dataset_version"] == client.get("/v1/dataset").get_json()["version"]
    links = body["links"]
    for name in ("docs", "openapi", "dataset", "omens", "conditions", "sources"):
        target = client.get(links[name])
        assert target.status_code == 200, name
        target.close()


def test_front_page_refuses_what_it_cannot_send(client: FlaskClient) -> None:
    """An Accept with neither HTML nor JSON gets a 406 problem, not a guess."""
    response = client.get("/", headers={"Accept": "image/png"})
    assert_problem(response, 406)


def test_front_page_answers_conditional_requests(client: FlaskClient) -> None:
    """The page carries an ETag, and If-None-Match with it gets a 304."""
    first = client.get("/", headers={"Accept": BROWSER_ACCEPT})
    again = client.get(
        "/", headers={"Accept": BROWSER_ACCEPT, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1:1"])
def test_docs_with_a_slash_redirects_relatively(client: FlaskClient, host: str) -> None:
    """/docs/ goes to /docs with a relative Location, never one built from the Host header."""
    response = client.get("/docs/?x=1", headers={"Host": host})
    assert response.status_code == 308
    assert response.headers["Location"] == "/docs"


def test_favicon_is_a_real_icon_served_locally(client: FlaskClient) -> None:
    """/favicon.ico is an ICO file from the package, cacheable for a day."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.data[:4] == b"\x00\x00\x01\x00"  # ICO header: reserved 0, type 1 (icon)
    assert response.cache_control.max_age == 86400
    response.close()


@pytest.mark.parametrize(
    ("path", "file", "mimetype"),
    [("/readme", "README.md", "text/markdown"), ("/license", "LICENSE", "text/plain")],
)
def test_readme_and_licence_are_served(
    client: FlaskClient, path: str, file: str, mimetype: str
) -> None:
    """/readme and /license serve the project's own README and code licence as text."""
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.get_data(as_text=True) == (ROOT / file).read_text(encoding="utf-8")


def test_installed_copies_serve_readme_from_package_metadata(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without a checkout (the container image), the README comes from the package metadata."""
    monkeypatch.setattr(home, "PROJECT_ROOT", tmp_path)
    assert "Twitchlore" in home.project_file("README.md")
    assert "MIT License" in home.project_file("LICENSE")


def test_licences_are_stated_for_code_and_data() -> None:
    """LICENSE is MIT for the code; data/ states CC BY 4.0, as dataset.yaml does."""
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert "CC BY 4.0" in (DATA_DIR / "LICENSE.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in (DATA_DIR / "dataset.yaml").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "MIT" in readme and "CC BY 4.0" in readme


def test_changelog_has_an_unreleased_section() -> None:
    """CHANGELOG.md follows Keep a Changelog, with changes gathered under Unreleased."""
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    assert "keepachangelog.com" in changelog


def test_preflight_allows_the_headers_apps_send(client: FlaskClient) -> None:
    """A preflight for Authorization, Content-Type, Cache-Control, X-Requested-With passes."""
    asked = ["Authorization", "Content-Type", "Cache-Control", "X-Requested-With", "Accept"]
    response = client.options(
        "/v1/readings",
        headers={
            "Origin": "https://wellness.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": ", ".join(asked),
        },
    )
    assert response.status_code == 200
    allowed = {
        h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert {h.lower() for h in asked} <= allowed
