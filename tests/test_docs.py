"""/docs is Swagger UI served entirely by the service: no CDN, every asset loads."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask.testing import FlaskClient


class PageReader(HTMLParser):
    """Collects every URL a page loads through src or href, its links, and data- attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.links: list[str] = []
        self.data: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                (self.links if tag == "a" else self.urls).append(value)
            elif name.startswith("data-") and value is not None:
                self.data[name] = value


def read_docs_page(client: FlaskClient) -> PageReader:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    reader = PageReader()
    reader.feed(response.get_data(as_text=True))
    return reader


def page_assets(client: FlaskClient) -> list[str]:
    return read_docs_page(client).urls


def test_docs_page_references_only_local_assets(client: FlaskClient) -> None:
    """Every script and stylesheet of /docs is a path on this service, never another host."""
    urls = page_assets(client)
    assert len(urls) >= 3
    for url in urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, url
        assert url.startswith("/docs/"), url


def test_every_docs_asset_loads(client: FlaskClient) -> None:
    """Each asset /docs references is served, non-empty, with a fitting content type."""
    for url in page_assets(client):
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(response.data) > 100, url
        assert response.mimetype in (
            "text/css",
            "text/javascript",
            "application/javascript",
            "image/png",
        ), url
        response.close()


def test_docs_page_points_swagger_ui_at_the_local_spec(client: FlaskClient) -> None:
    """Swagger UI loads /openapi.json and sends the spec to no outside validator."""
    page = client.get("/docs").get_data(as_text=True)
    reader = read_docs_page(client)
    assert reader.data["data-spec-url"] == "/openapi.json"
    assert json.loads(reader.data["data-config"])["validatorUrl"] is None
    assert "http://" not in page and "https://" not in page


def test_docs_page_has_no_inline_script(client: FlaskClient) -> None:
    """Every script is a file, so the page runs under a CSP without 'unsafe-inline' scripts."""
    page = client.get("/docs").get_data(as_text=True)
    assert page.count("<script") == page.count("<script src=")
    csp = client.get("/docs").headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-eval" not in csp


def test_docs_page_links_the_readme_licence_and_dataset(client: FlaskClient) -> None:
    """The docs page links the README, the licence and the dataset, and each link answers."""
    links = read_docs_page(client).links
    assert {"/readme", "/license", "/v1/dataset", "/"} <= set(links)
    for link in links:
        response = client.get(link, headers={"Accept": "application/json"})
        assert response.status_code == 200, link
