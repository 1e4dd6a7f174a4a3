"""/docs is Swagger UI served entirely by the service: no CDN, every asset loads."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask.testing import FlaskClient


class AssetCollector(HTMLParser):
    """Collects every URL a page loads through src or href."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(value for name, value in attrs if name in ("src", "href") and value)


def page_assets(client: FlaskClient) -> list[str]:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    collector = AssetCollector()
    collector.feed(response.get_data(as_text=True))
    return collector.urls


def test_docs_page_references_only_local_assets(client: FlaskClient) -> None:
    """Every script and stylesheet of /docs is a path on this service, never another host."""
    urls = page_assets(client)
    assert len(urls) >= 3
    for url in urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, url
        assert url.startswith("/docs/static/"), url


def test_every_docs_asset_loads(client: FlaskClient) -> None:
    """Each asset /docs references is served, non-empty, with a fitting content type."""
    for url in page_assets(client):
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(response.data) > 1000, url
        assert response.mimetype in ("text/css", "text/javascript", "application/javascript"), url
        response.close()


def test_docs_page_points_swagger_ui_at_the_local_spec(client: FlaskClient) -> None:
    """Swagger UI loads /openapi.json and sends the spec to no outside validator."""
    page = client.get("/docs").get_data(as_text=True)
    assert 'url: "/openapi.json"' in page
    assert '"validatorUrl": null' in page
    assert "http://" not in page and "https://" not in page
