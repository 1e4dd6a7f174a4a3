"""Everything the API serves is written for end users: no internal words or file names.

The walk is made in every served language: file names, hashes and placeholder words are
caught in any of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import product
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.dataset import load_datasets
from service.dataset.translations import placeholder_pattern

# Each pattern, with what it catches. Matching ignores case.
FORBIDDEN = [
    (r"\bseed\b", "the project's word 'seed'"),
    (r"\bfounding\b", "project history ('founding')"),
    (r"\bdata ?set\b", "the internal word 'dataset'"),
    (r"\bentr(y|ies)\b", "the internal word 'entry'"),
    (r"\btwitchlore'?s\b", "project history (Twitchlore's)"),
    (r"\b[\w-]+\.(txt|ya?ml|json|py|md|csv)\b", "a file name"),
    (r"\b[0-9a-f]{12,}\b", "a hash or file id"),
]
"""Placeholders are read per language, as the loader reads them (``placeholder_pattern``)."""
MACHINE_KEYS = {"href", "url", "links", "query", "checksum", "version"}
"""Keys whose values are addresses or machine data. Ids are checked too: apps show them in
links and permalinks."""

SIDES, LIPS, ONSETS = ("left", "right"), ("upper", "lower"), ("true", "false")
MAX_SYMPTOMS = 10


def _is_machine_key(key: str) -> bool:
    return key in MACHINE_KEYS or key.endswith("_href")


def strings(document: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every (path, text) in a JSON document, leaving out addresses and machine data."""
    if isinstance(document, dict):
        for key, value in document.items():
            if not _is_machine_key(str(key)):
                yield from strings(value, f"{path}.{key}")
    elif isinstance(document, list):
        for position, value in enumerate(document):
            yield from strings(value, f"{path}[{position}]")
    elif isinstance(document, str):
        yield path, document


def _get(client: FlaskClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    return response.get_json()


def _every_page(client: FlaskClient, path: str) -> Iterator[tuple[str, Any]]:
    page, pages = 1, 1
    while page <= pages:
        url = f"{path}?page_size=100&page={page}"
        body = _get(client, url)
        pages = body["total_pages"]
        yield url, body
        page += 1


def _ids(client: FlaskClient, collection: str, key: str) -> list[str]:
    return [item[key] for _, body in _every_page(client, collection) for item in body["items"]]


def served_documents(client: FlaskClient) -> Iterator[tuple[str, Any]]:
    """Every GET under /v1 the spec declares, for every id and twist of the query it takes."""
    spec = _get(client, "/openapi.json")
    symptoms = _ids(client, "/v1/symptoms", "symptom_id")
    symptom_sets = [
        ",".join(symptoms[n : n + MAX_SYMPTOMS]) for n in range(0, len(symptoms), MAX_SYMPTOMS)
    ]
    twitches = [f"side={s}&lip={lip}&sudden={o}" for s, lip, o in product(SIDES, LIPS, ONSETS)]
    reading_ids = [_get(client, f"/v1/readings?{t}")["reading_id"] for t in twitches]
    for path, operations in sorted(spec["paths"].items()):
        if not path.startswith("/v1/") or "get" not in operations:
            continue
        parameters = operations["get"].get("parameters", [])
        takes = {p["name"] for p in parameters if p["in"] == "query"}
        match = re.search(r"\{(\w+)\}", path)
        if match:
            name = match.group(1)
            if name == "reading_id":
                ids = reading_ids
            else:
                ids = _ids(client, path[: match.start() - 1], name)
            urls = [path.replace(match.group(0), entry_id) for entry_id in ids]
        elif {"side", "lip"} <= takes:
            urls = [f"{path}?{t}" for t in twitches]
        else:
            yield from (
                _every_page(client, path) if "page" in takes else [(path, _get(client, path))]
            )
            continue
        for url in urls:
            yield url, _get(client, url)
            if "symptoms" in takes:
                joiner = "&" if "?" in url else "?"
                for chosen in symptom_sets:
                    with_symptoms = f"{url}{joiner}symptoms={chosen}"
                    yield with_symptoms, _get(client, with_symptoms)


@pytest.fixture(
    scope="module",
    # Under make test one process walks a language and runs every test of that language.
    params=[
        pytest.param(tag, marks=pytest.mark.xdist_group(f"wording-{tag}"))
        for tag in load_datasets()
    ],
)
def language(request: pytest.FixtureRequest) -> str:
    """Each language of data/translations in turn."""
    tag: str = request.param
    return tag


@pytest.fixture(scope="module")
def served(app: Flask, language: str) -> list[tuple[str, str, str]]:
    """Every string served in one language."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return [
        (url, path, text)
        for url, document in served_documents(client)
        for path, text in strings(document)
    ]


def test_walk_covers_every_endpoint_and_kind_of_text(served: list[tuple[str, str, str]]) -> None:
    """The walk reaches readings, every list and item, and the dataset's own description."""
    urls = {url.split("?")[0] for url, _, _ in served}
    for expected in ("/v1/readings", "/v1/omens", "/v1/conditions/stroke", "/v1/dataset"):
        assert expected in urls, expected
    paths = {path for _, path, _ in served}
    assert any(path.endswith(".medical.red_flags[0].advice") for path in paths)
    assert any(path.endswith(".rule_out[0].signs") for path in paths)
    assert len(served) > 5000


def matching(
    served: list[tuple[str, str, str]], pattern: re.Pattern[str]
) -> list[tuple[str, str, str]]:
    """The served strings ``pattern`` finds, with where (path without query, field): each
    distinct text searched once (the walk serves the same texts many times)."""
    hits = {text for text in {text for _, _, text in served} if pattern.search(text)}
    return sorted({(url.split("?")[0], path, text) for url, path, text in served if text in hits})


@pytest.mark.parametrize(("pattern", "what"), FORBIDDEN, ids=[what for _, what in FORBIDDEN])
def test_no_internal_words_or_file_names_reach_users(
    served: list[tuple[str, str, str]], pattern: str, what: str
) -> None:
    """No text the API serves contains an internal word, project history or a file name."""
    found = matching(served, re.compile(pattern, re.I))
    assert not found, f"{what} in {len(found)} served strings, e.g. {found[:3]}"


def test_no_placeholder_reaches_users(served: list[tuple[str, str, str]], language: str) -> None:
    """No text the API serves in a language holds a mark of unfinished text in that language."""
    found = matching(served, placeholder_pattern(language))
    assert not found, f"a placeholder in {len(found)} served strings, e.g. {found[:3]}"


@pytest.mark.parametrize(
    ("language", "text", "caught"),
    [
        ("en", "TODO: say when to see a doctor", True),
        ("en", "todo", True),
        ("tr", "Tbd.", True),
        ("hi", "[...] ???", True),
        ("es", "Lorem ipsum dolor", True),
        ("es", "FIXME", True),
        ("es", "TODO: traducir", True),
        ("es", "Casi todo lo que se cuenta de él es bueno.", False),
        ("es", "Todo tic que dura más de dos semanas merece una consulta.", False),
        ("es-MX", "Todo", False),
        ("en", "A to-do list, a toddler, Xxxx Street", False),
    ],
)
def test_placeholders_are_read_as_each_language_writes(
    language: str, text: str, caught: bool
) -> None:
    """Marks of unfinished text are caught in any letter case, except where a mark is a word
    of the language: Spanish 'todo' ('all') is a placeholder only as TODO."""
    assert bool(placeholder_pattern(language).search(text)) is caught


@pytest.mark.parametrize(
    ("text", "caught"),
    [
        ("In the superstition reported by the seed article, ...", True),
        ("file: 000_acc1385d1cf40fea.txt", True),
        ("Unattributed web article, the founding text of Twitchlore", True),
        ("This entry of the dataset says", True),
        ("Seeds and nuts are rich in magnesium.", False),
        ("Call 999, 911 or 112 at once.", False),
    ],
)
def test_forbidden_patterns_catch_what_they_should(text: str, caught: bool) -> None:
    """The patterns catch internal words and file names, and leave ordinary text alone."""
    assert any(re.search(pattern, text, re.I) for pattern, _ in FORBIDDEN) is caught
