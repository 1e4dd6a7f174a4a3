"""The front door for people: ``/`` (an HTML page, or JSON links), ``/v1``, the favicon.

Browsers get a short page saying what Twitchlore is, with a live example reading drawn
from the dataset; API clients (``Accept: application/json``) get an index of links.
Redirects carry relative ``Location`` headers only: never one built from ``Host``.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
)
from flask_smorest import abort

from ..api import resources
from ..dataset.interface import Interface
from ..language import in_language
from ..state import app_state

HOME_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
"""The front page loads its stylesheet and favicon from the service, and runs no script."""

EXAMPLE = ("left", "upper", True)
"""The reading the front page shows: a sudden twitch of the left upper lip."""

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = {"readme": ("README.md", "text/markdown"), "license": ("LICENSE", "text/plain")}
"""Files of the project the docs page links to, served as text."""

FIXED_LINKS = {
    "self": "/",
    "docs": "/docs",
    "openapi": "/openapi.json",
    "dataset": "/v1/dataset",
    "readings": "/v1/readings{?side,lip,sudden,symptoms,lang}",
    "reading": "/v1/readings/{reading_id}{?symptoms,lang}",
    "cards": "/v1/cards{?side,lip,sudden,symptoms,lang}",
    "card": "/v1/cards/{reading_id}{?symptoms,lang}",
    "daily": "/v1/daily{?date,lang}",
    "languages": "/v1/languages",
    "export": "/v1/export",
    "readme": "/readme",
    "license": "/license",
}
"""The links that are not a catalogue kind's; templated links follow RFC 6570."""

READING_ENDPOINTS = (
    ("/v1/readings?side=&lip=&sudden=&symptoms=&lang=", "readings"),
    ("/v1/readings/{reading_id}", "reading"),
    ("/v1/cards?side=&lip=&sudden=&symptoms=&lang=", "cards"),
    ("/v1/cards/{reading_id}", "card"),
    ("/v1/daily?date=&lang=", "daily"),
)
DATASET_ENDPOINTS = (
    ("/v1/languages", "languages"),
    ("/v1/dataset", "dataset"),
    ("/v1/export", "export"),
    ("/openapi.json", "openapi"),
)
"""Paths of the front page's table, each with its key among the ``endpoints`` strings."""


def links() -> dict[str, str]:
    """Where everything is, for API clients: the fixed links and every catalogue kind's."""
    kinds = {f"{entry.kind}s": entry.path for entry in resources.CATALOGUES}
    return {**FIXED_LINKS, **kinds}


def endpoints(words: Interface) -> list[tuple[str, str]]:
    """The front page's endpoints table (the README's, in short), every catalogue kind in it,
    in the language of ``words``; a kind without words of its own says its description."""
    described = words.group("endpoints")
    kinds = [
        (entry.path, described.get(f"{entry.kind}s", entry.description))
        for entry in resources.CATALOGUES
    ]
    return [
        *((path, described[key]) for path, key in READING_ENDPOINTS),
        *kinds,
        *((path, described[key]) for path, key in DATASET_ENDPOINTS),
    ]


blp = Blueprint("home", __name__, static_folder="static/home", static_url_path="/assets")


def index_document() -> dict[str, Any]:
    """The JSON index of links that API clients get from ``/`` and ``/v1``."""
    dataset = app_state().dataset
    return {
        "title": "Twitchlore",
        "description": "Lip-twitch omens from folklore, paired with their medical counterpart.",
        "version": current_app.config["API_VERSION"],
        "dataset_version": dataset.info.version,
        "links": links(),
    }


@blp.get("/")
def front_page() -> Response:
    """The front page: HTML for browsers, a JSON index of links for API clients."""
    wanted = request.accept_mimetypes.best_match(["text/html", "application/json"])
    if wanted is None and request.accept_mimetypes:
        abort(406, message="This page is text/html or application/json; send one in Accept.")
    if wanted == "application/json":
        response = jsonify(index_document())
    else:
        state = app_state()
        dataset = state.localized()
        words = dataset.interface
        page = render_template(
            "home.html",
            language=dataset.language,
            languages=[d.language for d in state.datasets.values()],
            # Links keep a language other than the default, so a reader stays in it.
            lang_query="" if dataset is state.dataset else f"?lang={dataset.language.tag}",
            page=words.group("front_page"),
            labels=words.group("labels"),
            reading=dataset.reading_for(*EXAMPLE),
            info=dataset.info,
            endpoints=endpoints(words),
            versions=words.text(
                "front_page.versions",
                api_version=current_app.config["API_VERSION"],
                dataset_version=dataset.info.version,
            ),
        )
        response = in_language(Response(page, mimetype="text/html"), dataset.language.tag)
        response.headers["Content-Security-Policy"] = HOME_CSP
    response.vary.add("Accept")
    return conditional(response)


@blp.get("/v1")
@blp.get("/v1/")
def api_index() -> Response:
    """The root of the API: the same JSON index of links."""
    return conditional(jsonify(index_document()))


@blp.get("/docs/")
def docs_with_slash() -> Response:
    """``/docs/`` is a common spelling of ``/docs``: send it there (relative Location)."""
    return redirect("/docs", code=308)  # type: ignore[return-value]


@blp.get("/favicon.ico")
def favicon() -> Response:
    """The service's icon, served from the package."""
    served = blp.send_static_file("favicon.ico")
    served.cache_control.public = True
    served.cache_control.max_age = 86400
    return served


@blp.get("/readme")
@blp.get("/license")
def project_document() -> Response:
    """The project's README (Markdown) or code licence (plain text)."""
    name, mimetype = DOCUMENTS[request.path.lstrip("/")]
    return conditional(Response(project_file(name), mimetype=mimetype))


def project_file(name: str) -> str:
    """A file of the project: from the checkout, or from the installed package's metadata.

    An installed copy (the container image) has no checkout; its metadata holds the
    README as the long description and the licence among its license files.
    """
    path = PROJECT_ROOT / name
    if path.is_file():
        return path.read_text(encoding="utf-8")
    # A source checkout may also hold a stale twitchlore.egg-info: look in every copy.
    for distribution in metadata.distributions(name="twitchlore"):
        if name == "README.md":
            return str(distribution.metadata.get_payload())  # type: ignore[attr-defined]
        for candidate in (f"licenses/{name}", name):
            text = distribution.read_text(candidate)
            if text is not None:
                return text
    abort(404, message=f"{name} is not part of this installation.")
    raise AssertionError  # abort raises


def conditional(response: Response) -> Response:
    """``response`` with an ETag, public for the API's ``max-age``, and a 304 when it matches."""
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["CACHE_MAX_AGE"]
    response.make_conditional(request)
    return response


def init_app(app: Flask) -> None:
    """Register the front page, the API index, the favicon and the project's documents."""
    app.register_blueprint(blp)
