"""/v1/export: the whole dataset in one document per language, for apps to bundle offline."""

from __future__ import annotations

import datetime as dt
import gzip
from typing import Any

import brotli
import pytest
from flask.testing import FlaskClient

from service.api.resources import CATALOGUES
from service.state import AppState

from .helpers import COMBINATIONS, assert_problem

LANGUAGES = ("en", "es", "hi", "tr")


def export(client: FlaskClient, language: str = "en") -> dict[str, Any]:
    document: dict[str, Any] = client.get(f"/v1/export?lang={language}").get_json()
    return document


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_is_in_it_each_entry_as_its_own_operation_answers_it(
    client: FlaskClient, language: str
) -> None:
    """Each reading, card and catalogue entry is in the export, exactly as the API serves it
    in that language, and nothing else is."""
    document = export(client, language)
    assert document["language"] == language
    for declaration in CATALOGUES:
        listed = client.get(f"{declaration.path}?page_size=100&lang={language}").get_json()
        entries = document[f"{declaration.kind}s"]
        assert len(entries) == listed["total_items"], declaration.kind
        for entry in entries:
            assert entry == client.get(f"{entry['href']}?lang={language}").get_json()
    ids = [reading["reading_id"] for reading in document["readings"]]
    assert ids == [card["reading_id"] for card in document["cards"]]
    assert len(set(ids)) == len(COMBINATIONS)
    for reading, card in zip(document["readings"], document["cards"], strict=True):
        query = f"?lang={language}"
        assert reading == client.get(f"/v1/readings/{reading['reading_id']}{query}").get_json()
        assert card == client.get(f"/v1/cards/{card['reading_id']}{query}").get_json()
    assert document["dataset"] == client.get(f"/v1/dataset?lang={language}").get_json()


def test_the_rotation_gives_the_omen_of_any_day_offline(client: FlaskClient) -> None:
    """An app with only the export finds /v1/daily's belief and reading for a date."""
    rotation = export(client)["daily"]
    start = dt.date.fromisoformat(rotation["start"])
    for day in ("2026-12-04", "2027-03-01", "2025-06-30"):
        n = (dt.date.fromisoformat(day) - start).days % len(rotation["omen_ids"])
        online = client.get(f"/v1/daily?date={day}").get_json()
        assert rotation["omen_ids"][n] == online["belief"]["omen_id"]
        assert rotation["reading_ids"][n] == online["reading"]["reading_id"]


def test_an_app_refreshes_it_with_if_none_match(client: FlaskClient) -> None:
    """The export has a strong ETag per language; sending it back gets a 304."""
    answers = {tag: client.get(f"/v1/export?lang={tag}") for tag in LANGUAGES}
    tags = {answer.headers["ETag"] for answer in answers.values()}
    assert len(tags) == len(LANGUAGES) and not any(tag.startswith("W/") for tag in tags)
    for tag, answer in answers.items():
        assert answer.headers["Content-Language"] == tag
        again = client.get(
            f"/v1/export?lang={tag}", headers={"If-None-Match": answer.headers["ETag"]}
        )
        assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize(
    ("encoding", "unpack"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_it_comes_compressed(client: FlaskClient, encoding: str, unpack: Any) -> None:
    """With Accept-Encoding the export comes as Brotli or gzip, several times smaller."""
    plain = client.get("/v1/export")
    packed = client.get("/v1/export", headers={"Accept-Encoding": encoding})
    assert packed.headers["Content-Encoding"] == encoding
    assert unpack(packed.data) == plain.data
    assert len(packed.data) * 4 < len(plain.data)


def test_it_is_built_once_per_language(client: FlaskClient) -> None:
    """Requests after the first serve the same built document, not a new one each time."""
    client.get("/v1/export?lang=tr")
    state: AppState = client.application.extensions["twitchlore"]
    built = state.catalogues["tr"].export.answer
    client.get("/v1/export?lang=tr")
    assert state.catalogues["tr"].export.answer is built
    assert state.catalogues["en"].export.answer is not built


def test_only_lang_is_taken(client: FlaskClient) -> None:
    """Another parameter is a 422 naming the allowed one."""
    body = assert_problem(client.get("/v1/export?kind=omens"), 422)
    assert body["errors"] == {"kind": ["Unknown parameter. Allowed parameters: lang."]}


def test_the_spec_documents_the_export_schema(client: FlaskClient) -> None:
    """getExport's answer schema names every kind, open to new fields like every answer."""
    spec = client.get("/openapi.json").get_json()
    operation = spec["paths"]["/v1/export"]["get"]
    assert operation["operationId"] == "getExport"
    schema = spec["components"]["schemas"]["Export"]
    expected = {"readings", "cards", "dataset", "daily", *(f"{d.kind}s" for d in CATALOGUES)}
    assert expected <= set(schema["properties"])
    assert schema.get("additionalProperties") is not False
    assert set(schema["required"]) == set(schema["properties"])
