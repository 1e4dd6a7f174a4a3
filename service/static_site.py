"""``make export DIR=<folder>``: the service as files that any static host or CDN serves as is.

Every route the app serves is either exported or excluded with its reason (``EXCLUDED``):
``static_urls`` walks the app's URL map, fills each route's ids from the dataset, and
``export_site`` renders each URL through the app itself (the test client), in every language
when the answer has one. A new route is therefore exported, or refused until it is listed here.

The layout needs no rewrite rules (``README.txt`` in the folder says how to host it):

- JSON answers get ``.json``: ``v1/readings/left-upper-sudden.json``;
- HTML pages become a folder's ``index.html``: ``/`` is ``index.html``, a page at ``/x`` is
  ``x/index.html`` (a static server sends ``/x`` to ``/x/``);
- other files keep their path (``widget.js``, ``openapi.json``), adding the extension of their
  media type when the path has none;
- an answer in a language is written once per language under ``<lang>/`` (``es/v1/cards/…``),
  and the default language's copy also at the root; an answer with no language (the widget,
  the spec, the stylesheet) is written once, at the root.

Links between exported pages are rewritten to the exported files, and every text file gets a
precompressed ``.gz`` and ``.br`` copy beside it.
"""

from __future__ import annotations

import argparse
import gzip
import mimetypes
import re
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qsl, urlencode, urlsplit

import brotli
from flask import Flask

from .api.resources import CATALOGUES
from .language import served_languages
from .negotiation import LANG_PARAMETER
from .pages import shared
from .state import AppState

EXCLUDED = {
    "operations.health": "liveness, for operators",
    "operations.readiness": "readiness, for operators",
    "operations.metrics": "metrics, for operators",
    "home.api_index": "an index of the live API's links and query templates",
    "home.docs_with_slash": "a redirect to /docs",
    "api-docs.openapi_swagger_ui": "Swagger UI's Try it out needs the live service",
    "swagger_ui_assets.swagger_ui_file": "the files of Swagger UI, which is not exported",
    "swagger_ui_assets.versioned_swagger_ui_file": "the files of Swagger UI, which is not exported",
    "widget.versioned_widget_script": "a versioned copy of widget.js, which is exported",
    "widget.demo": "the demo asks the live service for readings with symptoms",
    "widget.demo_asset": "the files of the demo, which is not exported",
    "readings.Readings": "a question in query parameters; the readings are exported by id",
    "cards.Cards": "a question in query parameters; the cards are exported by id",
    "daily.Daily": "changes every day; the export's rotation gives any day's omen",
    "daily_page.daily_page": "changes every day",
}
"""Routes left out of the folder, each with its reason (endpoint: reason)."""

LISTS = frozenset(f"{d.kind}s.{d.kind.capitalize()}s" for d in CATALOGUES)
"""The endpoints of the catalogue lists (``omens.Omens``): paginated searches, left out;
every entry is exported by id, and ``v1/export.json`` holds them all."""

COMPRESSIBLE = re.compile(r"^(text/|application/(json|javascript|xml|problem\+json)|image/svg)")
ACCEPT = "text/html, application/json;q=0.9, */*;q=0.8"
TEXT_LINK = re.compile(r'(?P<attribute>\b(?:href|src)=")(?P<url>/[^"]*)"')
README = "README.txt"


class UnexportableRouteError(RuntimeError):
    """A route the export can neither fill in nor finds in ``EXCLUDED``."""


@dataclass
class Written:
    """What the export wrote: files by kind, and bytes before and after compression."""

    files: dict[str, int] = field(default_factory=dict)
    """Each written file's path in the folder, with its size in bytes."""

    def summary(self) -> str:
        """One line per kind of file, with counts and sizes."""
        groups: dict[str, list[int]] = {}
        for name, size in self.files.items():
            suffix = PurePosixPath(name).suffix or "(none)"
            groups.setdefault(suffix, []).append(size)
        return "\n".join(
            f"{suffix:>8}: {len(sizes):5} files, {sum(sizes) / 1024:9.1f} KB"
            for suffix, sizes in sorted(groups.items())
        )


def _argument_values(app: Flask) -> dict[str, Callable[[str], list[str]]]:
    """For each route argument the export fills in: the values it takes."""
    state: AppState = app.extensions["twitchlore"]
    dataset = state.dataset
    values: dict[str, Callable[[str], list[str]]] = {
        "reading_id": lambda endpoint: [reading.id for reading in dataset.readings],
        "filename": lambda endpoint: _static_files(app, endpoint),
    }
    for kind in dataset.entries:
        ids = [entry.id for entry in dataset.collection(kind).entries]
        values[f"{kind}_id"] = lambda endpoint, ids=ids: ids  # type: ignore[misc]
    return values


def _static_files(app: Flask, endpoint: str) -> list[str]:
    blueprint = app.blueprints[endpoint.rsplit(".", 1)[0]]
    folder = Path(blueprint.static_folder or "")
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


LISTED_BY = {"pages": shared.page_paths}
"""Blueprints that list their own pages (by the dataset): their routes' URLs come from there."""


def static_urls(app: Flask) -> list[str]:
    """Every URL the app serves that a static folder holds, ids filled in from the dataset.

    A route is exported unless ``EXCLUDED`` (or ``LISTS``) leaves it out; the routes of a
    blueprint in ``LISTED_BY`` are the URLs it lists; a route with an argument the export
    cannot fill in stops the export, naming it.
    """
    fill = _argument_values(app)
    state: AppState = app.extensions["twitchlore"]
    urls = [url for listing in LISTED_BY.values() for url in listing(state.dataset)]
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in EXCLUDED:
            continue
        if rule.endpoint.split(".", 1)[0] in LISTED_BY:
            continue
        if rule.endpoint in LISTS:
            continue
        unknown = [name for name in rule.arguments if name not in fill]
        if unknown:
            raise UnexportableRouteError(
                f"{rule.rule} ({rule.endpoint}) takes {', '.join(unknown)}, which the static "
                "export cannot fill in: list it in EXCLUDED in service/static_site.py, or "
                "give the argument its values there"
            )
        for values in _combinations({name: fill[name](rule.endpoint) for name in rule.arguments}):
            built = rule.build(values, append_unknown=False)
            if built is not None:
                urls.append(built[1])
    return list(dict.fromkeys(urls))


def _combinations(choices: Mapping[str, list[str]]) -> Iterator[dict[str, str]]:
    if not choices:
        yield {}
        return
    name, *rest = choices
    for value in choices[name]:
        for others in _combinations({key: choices[key] for key in rest}):
            yield {name: value, **others}


def file_for(url: str, mimetype: str) -> str:
    """The file (relative to the folder) that holds ``url``'s answer of ``mimetype``."""
    path = url.strip("/")
    if mimetype == "text/html":
        return f"{path}/index.html" if path else "index.html"
    if mimetype == "application/json":
        return path if path.endswith(".json") else f"{path}.json"
    if PurePosixPath(path).suffix:
        return path
    return path + (mimetypes.guess_extension(mimetype) or "")


def public_url(file: str) -> str:
    """The URL that serves ``file`` from the folder's root (``index.html`` by its folder)."""
    if file == "index.html" or file.endswith("/index.html"):
        return "/" + file.removesuffix("index.html")
    return f"/{file}"


@dataclass(frozen=True)
class Answer:
    """One URL's answer in one language (or in none)."""

    url: str
    language: str | None
    mimetype: str
    body: bytes


def render(app: Flask, urls: list[str]) -> list[Answer]:
    """Each URL's answer, in every served language when it has one; a non-200 stops it."""
    client = app.test_client()
    languages = served_languages(app)
    answers: list[Answer] = []

    def get(url: str, language: str | None) -> tuple[Answer, bool]:
        query = {} if language is None else {LANG_PARAMETER: language}
        with client.get(url, query_string=query, headers={"Accept": ACCEPT}) as response:
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}, not 200")
            answer = Answer(url, language, response.mimetype or "", response.get_data())
            return answer, "Content-Language" in response.headers

    for url in urls:
        first, localized = get(url, None)
        if not localized:
            answers.append(first)
            continue
        answers.extend(get(url, tag)[0] for tag in languages)
    return answers


def _locations(answers: list[Answer], default: str) -> dict[tuple[str, str | None], str]:
    """Where each answer is written: (url, language) -> file; the default language's copy
    also under (url, None), at the root."""
    where: dict[tuple[str, str | None], str] = {}
    for answer in answers:
        file = file_for(answer.url, answer.mimetype)
        if answer.language is None:
            where[(answer.url, None)] = file
        else:
            where[(answer.url, answer.language)] = f"{answer.language}/{file}"
            if answer.language == default:
                where[(answer.url, None)] = file
    return where


def rewrite_links(html: str, where: Mapping[tuple[str, str | None], str], default: str) -> str:
    """``html`` with each link to an exported answer pointing at its file in the folder.

    ``/v1/omens/x?lang=es`` becomes ``/es/v1/omens/x.json``, ``/?lang=hi`` becomes ``/hi/``;
    a link to anything not exported is left as it is.
    """

    def replace(match: re.Match[str]) -> str:
        url = match["url"].replace("&amp;", "&")
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        language = query.pop(LANG_PARAMETER, None)
        key_language = None if language in (None, default) else language
        file = where.get((parts.path, key_language)) or where.get((parts.path, None))
        if file is None or (query and (parts.path, None) not in where):
            return match.group(0)
        kept = f"?{urlencode(query)}" if query else ""
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        target = public_url(file) + kept.replace("&", "&amp;") + fragment
        return f'{match["attribute"]}{target}"'

    return TEXT_LINK.sub(replace, html)


def write(
    folder: Path, name: str, body: bytes, mimetype: str, written: Written, level: int
) -> None:
    """Write ``body`` to ``folder/name``, with ``.gz`` and ``.br`` copies when it is text."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    written.files[name] = len(body)
    if not COMPRESSIBLE.match(mimetype):
        return
    for suffix, packed in (
        (".gz", gzip.compress(body, compresslevel=min(level, 9), mtime=0)),
        (".br", brotli.compress(body, quality=level)),
    ):
        if len(packed) < len(body):
            (folder / f"{name}{suffix}").write_bytes(packed)
            written.files[f"{name}{suffix}"] = len(packed)


def export_site(app: Flask, folder: Path, level: int = 11) -> Written:
    """Write every exportable answer of ``app`` into ``folder`` (emptied first).

    ``level`` is the Brotli quality (0-11; gzip takes at most 9): the default is the best,
    which costs seconds once and saves bytes on every download.
    """
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    default = served_languages(app)[0]
    answers = render(app, static_urls(app))
    where = _locations(answers, default)
    written = Written()
    for answer in answers:
        body = answer.body
        if answer.mimetype == "text/html":
            body = rewrite_links(body.decode(), where, default).encode()
        names = [where[(answer.url, answer.language)]]
        if answer.language == default:
            names.append(where[(answer.url, None)])
        for name in names:
            write(folder, name, body, answer.mimetype, written, level)
    guide = (Path(__file__).parent / "pages" / "static_readme.txt").read_bytes()
    write(folder, README, guide, "text/plain", written, level)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m service.static_site DIR``: export into DIR and print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("folder", type=Path, help="the folder to write (emptied first)")
    parser.add_argument("--level", type=int, default=11, help="Brotli quality, 0-11")
    arguments = parser.parse_args(argv)
    from . import create_app

    app = create_app({"RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING"})
    written = export_site(app, arguments.folder, arguments.level)
    total = sum(written.files.values())
    print(f"Wrote {len(written.files)} files ({total / 1024 / 1024:.1f} MB) to {arguments.folder}")
    print(written.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
