"""Pages people open and share: every reading, and the catalogue entries it links to, as HTML.

``/readings/<reading_id>`` (with ``?symptoms=`` as in the API) is a reading's page,
``/readings`` lists them all, and ``/omens/<id>``, ``/traditions/<id>``, ``/conditions/<id>``,
``/symptoms/<id>`` and ``/treatments/<id>`` are the entries a reading links to. Every page is
server-rendered, runs no script, and is written in the request's language (``lang``, else
``Accept-Language``) with ``Content-Language``, ``Vary`` and a strong ETag per language,
as API answers are. With ``TWITCHLORE_PUBLIC_URL`` set, a page also carries the tags that
need an absolute address (canonical, ``hreflang`` alternates, Open Graph and Twitter card);
without it they are left out, never built from the request's ``Host``.

``page_paths`` lists every page (and share image) this module serves, for a static copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from itertools import product
from typing import Any
from urllib.parse import urlencode

import flask_smorest
from flask import Blueprint, Flask, Response, current_app, render_template, request
from markupsafe import Markup, escape

from ..api import attribution
from ..api.base import QueryArgsSchema, StrictQueryParser
from ..api.paths import collection_path
from ..api.prebuilt import cache_control
from ..api.readings import ReadingSymptomsSchema
from ..dataset import LIPS, SIDES, Dataset
from ..dataset.interface import PLACEHOLDER, Interface
from ..dataset.models import Reading
from ..language import in_language
from ..negotiation import LANG_PARAMETER
from ..state import app_state
from .home import HOME_CSP
from .share_image import image_path

PAGE_CSP = HOME_CSP
"""A page loads its stylesheet, favicon and share image from the service, and runs no script."""

ENTRY_KINDS = ("omen", "tradition", "condition", "symptom", "treatment")
"""The catalogue kinds with a page of their own: those a reading's page links to."""
PAGE_PREFIXES = ("/readings", *(f"/{kind}s/" for kind in ENTRY_KINDS))
"""Where the pages (and share images) are: they count against the rate limit, as the API's
answers do, since each costs as much to build."""

_parser = StrictQueryParser()

blp = Blueprint("pages", __name__)


def reading_path(reading_id: str) -> str:
    """The path of a reading's page."""
    return f"/readings/{reading_id}"


def entry_path(kind: str, entry_id: str) -> str:
    """The path of a catalogue entry's page (``/omens/<id>``...)."""
    return f"/{kind}s/{entry_id}"


def page_paths(dataset: Dataset) -> list[str]:
    """Every page this module serves for ``dataset`` (ids are the same in every language):
    the list of readings, each reading's page and share image, and each linked entry's page.
    Each is served in every language with ``?lang=<tag>``."""
    readings = [dataset.reading_for(*key).id for key in product(SIDES, LIPS, (True, False))]
    entries = [
        entry_path(kind, entry_id)
        for kind in ENTRY_KINDS
        for entry_id in dataset.collection(kind).ids()
    ]
    return [
        "/readings",
        *(reading_path(reading_id) for reading_id in readings),
        *(image_path(reading_id) for reading_id in readings),
        *entries,
    ]


def absolute(path: str) -> str | None:
    """``path`` on the service's public address, or None when none is configured."""
    base = current_app.config.get("PUBLIC_URL")
    return f"{base}{path}" if base else None


def reading_heading(reading: Reading, words: Interface) -> str:
    """A reading's title in ``words``' language: "A sudden twitch of the left upper lip"."""
    return words.text(
        "pages.reading_sudden" if reading.sudden else "pages.reading_gradual",
        side=words[f"labels.side.{reading.side}"],
        lip=words[f"labels.lip.{reading.lip}"],
    )


def fill(words: Interface, key: str, **values: Markup) -> Markup:
    """The string ``key`` as HTML: its text escaped, its placeholders the markup in ``values``."""
    pieces = PLACEHOLDER.split(words[key])
    return Markup("").join(
        escape(piece) if position % 2 == 0 else values[piece]
        for position, piece in enumerate(pieces)
    )


def credit_line(words: Interface) -> Markup:
    """The one-line credit in ``words``' language, its name and licence linked."""
    project = absolute(attribution.PROJECT_PATH) or attribution.PROJECT_PATH
    name = Markup('<a href="{}">{}</a>').format(project, attribution.NAME)
    licence = Markup('<a href="{}" rel="license">{}</a>').format(
        attribution.LICENCE_URL, attribution.LICENCE
    )
    return fill(words, "credit.line", name=name, licence=licence)


def query_string(**values: str) -> str:
    """A query string of the values given (empty ones left out), commas kept as they are."""
    return urlencode({name: value for name, value in values.items() if value}, safe=",")


class PageContext:
    """What every page's template needs: the language, its words and the page's addresses."""

    def __init__(
        self,
        dataset: Dataset,
        path: str,
        symptoms: str = "",
        query: Mapping[str, str] | None = None,
    ) -> None:
        state = app_state()
        self.dataset = dataset
        self.path = path
        self.symptoms = symptoms
        self.query = dict(query or {})
        """More of the page's own query (``date`` of ``/daily``), kept in its addresses."""
        self.languages = [d.language for d in state.datasets.values()]
        self.language = dataset.language
        self.words = dataset.interface
        # Links keep a language other than the default, so a reader stays in it.
        self.lang_query = "" if dataset is state.dataset else f"?lang={self.language.tag}"

    def address(self, tag: str | None) -> str:
        """This page's path in language ``tag`` (None: negotiated), with its symptoms."""
        query = query_string(symptoms=self.symptoms, **self.query, **{LANG_PARAMETER: tag or ""})
        return f"{self.path}?{query}" if query else self.path

    def meta(self, title: str, description: str, json_path: str | None) -> dict[str, Any]:
        """The page's title, description and absolute addresses (None without a public URL)."""
        url = absolute(self.address(self.language.tag))
        alternates = []
        if url is not None:
            alternates = [(d.tag, absolute(self.address(d.tag))) for d in self.languages]
            alternates.append(("x-default", absolute(self.address(None))))
        return {
            "title": title,
            "description": description,
            "url": url,
            "alternates": alternates,
            "json": json_path,
            "image": None,
            "image_alt": None,
        }

    def render(
        self,
        template: str,
        meta: dict[str, Any],
        freshness: str | None = None,
        last_modified: dt.datetime | None = None,
        **values: Any,
    ) -> Response:
        """The page rendered, answered with its language, ETag and caching headers.

        ``freshness`` (a ``Cache-Control`` value) and ``last_modified`` replace the API's
        usual ones, for a page that changes at a set time.
        """
        words = self.words
        html = render_template(
            template,
            language=self.language,
            languages=self.languages,
            lang_query=self.lang_query,
            request_path=self.path,
            other_query=lambda tag: query_string(
                symptoms=self.symptoms, **self.query, **{LANG_PARAMETER: tag}
            ),
            meta=meta,
            pages=words.group("pages"),
            front_page=words.group("front_page"),
            widget=words.group("widget"),
            labels=words.group("labels"),
            info=self.dataset.info,
            credit=credit_line(words),
            fill=lambda key, **markup: fill(words, key, **markup),
            reading_heading=lambda reading: reading_heading(reading, words),
            **values,
        )
        return page_response(html, self.language.tag, freshness, last_modified)


def page_response(
    html: str,
    language: str,
    freshness: str | None = None,
    last_modified: dt.datetime | None = None,
) -> Response:
    """An HTML page in ``language``: a strong ETag over language and body, cached like the API
    (or as ``freshness`` and ``last_modified`` say)."""
    body = html.encode()
    response = Response(body, mimetype="text/html")
    response.set_etag(hashlib.sha256(language.encode() + b"\0" + body).hexdigest()[:32])
    in_language(response, language)
    response.headers["Cache-Control"] = freshness or cache_control(current_app.config)
    response.last_modified = last_modified or current_app.config["LAST_MODIFIED"]
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.make_conditional(request)
    return response


def _symptom_ids() -> list[str]:
    """The ``symptoms`` (and ``lang``) of the query, checked as the API checks them."""
    args = _parser.parse(ReadingSymptomsSchema(), request, location="query")
    return list(dict.fromkeys(args.get("symptoms", ())))


def _no_other_parameters() -> None:
    _parser.parse(QueryArgsSchema(), request, location="query")


def _reading(dataset: Dataset, reading_id: str, symptom_ids: Sequence[str]) -> Reading:
    book = app_state().answers().readings
    reading = dataset.reading_for(*book.key_for(reading_id))
    if not symptom_ids:
        return reading
    symptoms = [dataset.collection("symptom").get(symptom_id) for symptom_id in symptom_ids]
    return dataset.with_symptoms(reading, symptoms)


@blp.get("/readings/<reading_id>")
def reading_page(reading_id: str) -> Response:
    """A reading's page: the emergency banner first when it applies, then both halves."""
    symptom_ids = _symptom_ids()
    dataset = app_state().localized()
    reading = _reading(dataset, reading_id, symptom_ids)
    symptoms = ",".join(symptom_ids)
    page = PageContext(dataset, reading_path(reading.id), symptoms)
    heading = reading_heading(reading, dataset.interface)
    json_path = f"/v1/readings/{reading.id}?" + query_string(
        symptoms=symptoms, **{LANG_PARAMETER: dataset.language.tag}
    )
    description = f"{reading.omen.headline} · {reading.medical.headline}"
    meta = page.meta(heading, description, json_path)
    image = f"{image_path(reading.id)}?lang={dataset.language.tag}"
    meta["image"] = absolute(image)
    meta["image_alt"] = dataset.interface.text("pages.share_image", headline=reading.omen.headline)
    share = {"image": image}
    return page.render("reading_page.html", meta, reading=reading, heading=heading, share=share)


@blp.get("/readings")
def readings_index() -> Response:
    """The list of every reading's page."""
    _no_other_parameters()
    dataset = app_state().localized()
    page = PageContext(dataset, "/readings")
    words = dataset.interface
    readings = [dataset.reading_for(*key) for key in product(SIDES, LIPS, (True, False))]
    meta = page.meta(words["pages.every_reading"], words["front_page.title"], None)
    return page.render("readings_index.html", meta, readings=readings)


def _entry_page(kind: str, entry_id: str) -> Response:
    _no_other_parameters()
    dataset = app_state().localized()
    collection = dataset.collection(kind)
    if not collection.has(entry_id.lower()):
        flask_smorest.abort(
            404, message=f"No {kind} has this id. {collection_path(kind)} lists them all."
        )
    entry = collection.get(entry_id.lower())
    page = PageContext(dataset, entry_path(kind, entry.id))
    title = entry.headline if kind == "omen" else entry.name
    description = {
        "omen": lambda: entry.text,
        "tradition": lambda: entry.description,
        "condition": lambda: entry.summary,
        "symptom": lambda: entry.description,
        "treatment": lambda: entry.description,
    }[kind]()
    meta = page.meta(title, description, f"{collection_path(kind)}/{entry.id}{page.lang_query}")
    values: dict[str, Any] = {"kind": kind, "entry": entry}
    if kind == "omen":
        values["readings"] = [
            reading for reading in dataset.readings if entry in reading.omen.beliefs
        ]
    if kind == "tradition":
        values["beliefs"] = [omen for omen in dataset.omens if omen.tradition.id == entry.id]
    return page.render("entry_page.html", meta, **values)


def _register_entry_pages() -> None:
    for kind in ENTRY_KINDS:

        def view(entry_id: str, kind: str = kind) -> Response:
            return _entry_page(kind, entry_id)

        view.__doc__ = f"The page of one {kind}."
        blp.add_url_rule(f"/{kind}s/<entry_id>", f"{kind}_page", view, methods=["GET"])


_register_entry_pages()


def init_app(app: Flask) -> None:
    """Serve the reading pages and the entry pages."""
    app.register_blueprint(blp)
