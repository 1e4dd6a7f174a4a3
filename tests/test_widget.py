"""/widget.js, its versioned URL and /demo over HTTP: types, caching, CORS, CSP, size."""

from __future__ import annotations

import gzip
import hashlib
import re
import tomllib
from fnmatch import fnmatch
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from service.dataset import load_datasets
from service.edge.answer_cache import AnswerKey
from service.pages.widget import ASSETS, DEMO_CSP, WidgetAssets, widget_script

from .helpers import front_door

ROOT = Path(__file__).resolve().parents[1]
WIDGET = ASSETS / "widget.js"
SERVED = widget_script(
    WIDGET.read_text(encoding="utf-8"),
    {tag: dataset.interface for tag, dataset in load_datasets().items()},
)
"""The script as served: the file with the words of every shipped language written in."""
MAX_GZIPPED_BYTES = 12 * 1024


REPEATS = 3
"""The front door keeps an answer the second time it sees a request and serves the third."""


def kept(client: FlaskClient, path: str, query: str = "") -> bool:
    """Whether the front door holds a copy of the answer to ``path?query``."""
    key = AnswerKey(path, query, accept_encoding="", language="en", origin="")
    return front_door(client.application).cache.get(key) is not None


def current_version() -> str:
    return hashlib.sha256(SERVED).hexdigest()[:12]


def test_widget_is_at_most_12_kb_gzipped() -> None:
    """widget.js, with its words in every language, stays within 12 KB once gzipped."""
    size = len(gzip.compress(SERVED, compresslevel=9))
    assert size <= MAX_GZIPPED_BYTES, f"widget.js is {size} bytes gzipped"


def test_widget_uses_no_eval_and_no_html_strings() -> None:
    """The script runs under a CSP without 'unsafe-eval' and never parses text as HTML."""
    source = WIDGET.read_text(encoding="utf-8")
    for forbidden in (
        "eval(",
        "new Function",
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        'setTimeout("',
        "import(",
    ):
        assert forbidden not in source, forbidden


@pytest.mark.parametrize("path", ["/widget.js", "/widget.js?v=anything"])
def test_widget_js_is_served_as_javascript_with_caching_and_cors(
    client: FlaskClient, path: str
) -> None:
    """/widget.js answers the script with a JavaScript type, CORS, an ETag and an hour's caching."""
    for _ in range(REPEATS):  # the last answer comes from the front door's copy
        response = client.get(path, headers={"Origin": "https://horoscope.example"})
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["ETag"].startswith('"')
        assert response.cache_control.public and response.cache_control.max_age == 3600
        assert response.data == SERVED
    path_only, _, query = path.partition("?")
    assert kept(client, path_only, query)


def test_widget_js_is_served_compressed_within_budget(client: FlaskClient) -> None:
    """A browser asking for gzip gets widget.js gzipped, within 12 KB, with a Vary for caches."""
    for _ in range(REPEATS):
        response = client.get("/widget.js", headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert "accept-encoding" in response.headers["Vary"].lower()
        assert len(response.data) <= MAX_GZIPPED_BYTES
        assert gzip.decompress(response.data) == SERVED


def test_versioned_widget_url_is_immutable_for_a_year(client: FlaskClient) -> None:
    """/widget/<content hash>.js is the same bytes, cacheable for a year and immutable."""
    for _ in range(REPEATS):
        response = client.get(f"/widget/{current_version()}.js")
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert response.cache_control.max_age == 365 * 24 * 3600
        assert response.cache_control.immutable
        assert response.data == SERVED
    assert kept(client, f"/widget/{current_version()}.js")


def test_an_old_version_leads_to_the_current_widget(client: FlaskClient) -> None:
    """An embed pinned to a version no longer served is sent to /widget.js, not a 404."""
    for _ in range(REPEATS):
        response = client.get("/widget/0123456789ab.js")
        assert response.status_code == 302
        assert response.headers["Location"] == "/widget.js"


@pytest.mark.parametrize("tag", ['"{etag}"', 'W/"{etag}"', '"other", W/"{etag}"'])
@pytest.mark.parametrize("path", ["/widget.js", "/demo", "/demo/demo.js"])
def test_if_none_match_gives_304(client: FlaskClient, path: str, tag: str) -> None:
    """A matching ETag, strong or weak (as compressing proxies send), gets 304 every time."""
    etag = client.get(path).headers["ETag"].strip('"')
    for _ in range(REPEATS):
        response = client.get(path, headers={"If-None-Match": tag.format(etag=etag)})
        assert response.status_code == 304
        assert response.data == b""


def test_head_answers_the_headers_without_the_script(client: FlaskClient) -> None:
    """HEAD /widget.js gives the headers of GET and no body, also from the front door's copy."""
    client.get("/widget.js")
    response = client.head("/widget.js")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["ETag"] == client.get("/widget.js").headers["ETag"]


class PageParser(HTMLParser):
    """Collects a page's scripts, stylesheets, inline styles and widget elements."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.styles: list[str] = []
        self.widgets: list[dict[str, str | None]] = []
        self.inline_script = False
        self.inline_style = False
        self.style_attributes = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.style_attributes += "style" in attributes or any(
            name.startswith("on") for name in attributes
        )
        if tag == "script":
            self.scripts.append(attributes)
            self.inline_script = self.inline_script or not attributes.get("src")
        elif tag == "style":
            self.inline_style = True
        elif tag == "link" and attributes.get("rel") == "stylesheet":
            self.styles.append(attributes["href"] or "")
        elif tag == "twitchlore-reading":
            self.widgets.append(attributes)


def test_demo_page_shows_every_view_under_its_own_csp(client: FlaskClient) -> None:
    """/demo is HTML with card, full and picker widgets, the snippet, and no inline code."""
    answers = [client.get("/demo") for _ in range(REPEATS)]
    assert kept(client, "/demo")
    first = answers[0]
    assert all(answer.data == first.data for answer in answers)
    for response in answers:
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        assert response.headers["Content-Security-Policy"] == DEMO_CSP
        assert "Access-Control-Allow-Origin" not in response.headers
    page = PageParser()
    page.feed(first.get_data(as_text=True))
    assert not page.inline_script and not page.inline_style and page.style_attributes == 0
    assert {"src": f"/widget/{current_version()}.js", "defer": None} in page.scripts
    views = [(w.get("view") or "card", "side" in w and "lip" in w) for w in page.widgets]
    assert ("card", True) in views and ("full", True) in views and ("card", False) in views
    assert any(w.get("symptoms") == "sudden-facial-droop" for w in page.widgets)
    snippet = re.search(r'<code id="snippet"[^>]*>(.*?)</code>', first.get_data(as_text=True), re.S)
    assert snippet is not None
    assert '&lt;script src="/widget.js" defer&gt;&lt;/script&gt;' in snippet.group(1)
    assert "&lt;twitchlore-reading" in snippet.group(1)
    for url in [script["src"] for script in page.scripts] + page.styles:
        assert client.get(url or "").status_code == 200, url


@pytest.mark.parametrize(
    ("path", "mimetype"), [("/demo/demo.js", "text/javascript"), ("/demo/demo.css", "text/css")]
)
def test_demo_assets_are_served(client: FlaskClient, path: str, mimetype: str) -> None:
    """The demo page's script and stylesheet are served with their types and an ETag."""
    for _ in range(REPEATS):
        response = client.get(path)
        assert response.status_code == 200
        assert response.mimetype == mimetype
        assert response.headers["ETag"]


def test_unknown_demo_asset_is_a_404_problem(client: FlaskClient) -> None:
    """Only the demo's own files are under /demo/; anything else is a problem-details 404."""
    response = client.get("/demo/widget.py")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_a_missing_widget_file_stops_start_up(tmp_path: Path) -> None:
    """Without its widget file the service refuses to start, naming the file."""
    with pytest.raises(FileNotFoundError, match="widget.js"):
        WidgetAssets.load({}, tmp_path)


def test_package_data_ships_every_static_file_and_template() -> None:
    """pyproject's package-data globs cover every file the widget and pages need in the image."""
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["package-data"]["service.pages"]
    package = ROOT / "service" / "pages"
    for folder in ("static", "templates"):
        for path in (package / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                relative = path.relative_to(package).as_posix()
                assert any(
                    fnmatch(relative, glob) and relative.count("/") == glob.count("/")
                    for glob in globs
                ), relative
