"""A new kind of entry takes one data model, one loader rule and one declaration: nothing else.

The kind here, ``charm``, exists only in these tests: its model, rule and declaration are
written below exactly as a real kind's would be in ``models.py``, ``rules.py`` and its API
module, then added to ``KIND_RULES`` and ``CATALOGUES`` for one app.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import marshmallow as ma
import pytest
from flask import Flask
from marshmallow import fields

from service import create_app
from service.api import resources
from service.api.catalogue import equal_filters
from service.api.declaration import CatalogueDeclaration
from service.api.refs import SourceRefSchema
from service.api.schema_fields import href_field
from service.dataset import KIND_RULES, DatasetError, KindRule, load_dataset
from service.dataset.models import Source
from service.dataset.rules import citing
from service.dataset.schemas import EntrySchema

from .helpers import assert_problem, read_yaml, write_yaml


@dataclass(frozen=True)
class Charm:
    """1. The data model: a charm said to undo a bad omen."""

    id: str
    name: str
    sources: tuple[Source, ...]


class CharmEntrySchema(EntrySchema):
    """The shape of one entry of charms.yaml."""

    name = fields.String(required=True)
    sources = fields.List(fields.String(), required=True)


CHARM_RULE = KindRule("charm", "charms.yaml", CharmEntrySchema, citing(Charm))
"""2. The loader rule."""


class CharmSchema(ma.Schema):
    """A charm as the API serves it."""

    charm_id = fields.String(attribute="id")
    name = fields.String()
    href = href_field("charm")
    sources = fields.List(fields.Nested(SourceRefSchema))


CHARM_DECLARATION = CatalogueDeclaration(
    kind="charm",
    description="Charms said to undo a bad omen.",
    item_schema=CharmSchema,
    filters=equal_filters(),
    example_id="red-thread",
    list_doc="List charms\n\nSearch with `q`. Results are sorted by id.",
    item_doc="Get one charm\n\nWhat it is and its sources.",
)
"""3. The declaration."""


def write_charms(data_dir: Path, source: str | None = None) -> None:
    """Add charms.yaml to a copy of the dataset, citing its first source (or ``source``)."""
    sources = read_yaml(data_dir / "sources.yaml")
    cited = source or sources[0]["id"]
    charms = [
        {"id": "red-thread", "name": "A red thread tied round the wrist", "sources": [cited]},
        {"id": "blue-bead", "name": "A blue bead worn on a string", "sources": [cited]},
    ]
    write_yaml(data_dir / "charms.yaml", charms)


@pytest.fixture
def with_charm_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader loads charms after every other kind."""
    monkeypatch.setattr("service.dataset.loader.KIND_RULES", (*KIND_RULES, CHARM_RULE))


@pytest.fixture
def charm_app(data_dir: Path, with_charm_rule: None, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """An app on a dataset with charms, whose API declares them."""
    write_charms(data_dir)
    monkeypatch.setattr(resources, "CATALOGUES", (*resources.CATALOGUES, CHARM_DECLARATION))
    return create_app({"TESTING": True, "DATA_DIR": str(data_dir)})


def test_a_new_kind_is_served_as_a_list_and_by_id(charm_app: Flask) -> None:
    """The three places are enough for /v1/charms to list, search and serve each charm."""
    client = charm_app.test_client()
    listed = client.get("/v1/charms").get_json()
    assert [item["charm_id"] for item in listed["items"]] == ["blue-bead", "red-thread"]
    assert listed["total_items"] == 2
    found = client.get("/v1/charms?q=wrist").get_json()
    assert [item["charm_id"] for item in found["items"]] == ["red-thread"]
    charm = client.get("/v1/charms/red-thread").get_json()
    assert charm["name"] == "A red thread tied round the wrist"
    assert charm["href"] == "/v1/charms/red-thread"
    assert charm["sources"][0]["href"].startswith("/v1/sources/")
    missing = assert_problem(client.get("/v1/charms/green-ribbon"), 404)
    assert "/v1/charms lists them all" in missing["detail"]


def test_a_new_kind_is_counted_linked_and_documented(charm_app: Flask) -> None:
    """The dataset counts and links the new kind, and the spec documents both operations."""
    client = charm_app.test_client()
    dataset = client.get("/v1/dataset").get_json()
    assert dataset["counts"]["charms"] == 2
    assert dataset["links"]["charms"] == "/v1/charms"
    paths = client.get("/openapi.json").get_json()["paths"]
    assert paths["/v1/charms"]["get"]["operationId"] == "listCharms"
    assert paths["/v1/charms/{charm_id}"]["get"]["operationId"] == "getCharm"


def test_a_new_kind_is_on_the_front_page_and_in_the_api_index(charm_app: Flask) -> None:
    """Browsers see the kind in the endpoints table; API clients get its link from / and /v1."""
    client = charm_app.test_client()
    page = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "/v1/charms" in page and "Charms said to undo a bad omen." in page
    for path in ("/", "/v1"):
        index = client.get(path, headers={"Accept": "application/json"}).get_json()
        assert index["links"]["charms"] == "/v1/charms"


def test_a_new_kinds_loader_rule_names_a_bad_reference(
    data_dir: Path, with_charm_rule: None
) -> None:
    """A charm citing an unknown source stops loading with its file, entry and field."""
    write_charms(data_dir, source="no-such-source")
    message = r"charms\.yaml: entry 'red-thread': field 'sources\.0': unknown source"
    with pytest.raises(DatasetError, match=message):
        load_dataset(data_dir)


def test_a_loaded_kind_without_a_declaration_stops_start_up(
    data_dir: Path, with_charm_rule: None
) -> None:
    """A kind the dataset loads but the API does not declare is refused at start-up."""
    write_charms(data_dir)
    with pytest.raises(resources.UndeclaredKindError, match="loads charm entries.*CATALOGUES"):
        create_app({"TESTING": True, "DATA_DIR": str(data_dir)})


def test_a_declared_kind_without_a_loader_rule_stops_start_up(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kind the API declares but the dataset does not load is refused at start-up."""
    monkeypatch.setattr(resources, "CATALOGUES", (*resources.CATALOGUES, CHARM_DECLARATION))
    with pytest.raises(resources.UndeclaredKindError, match="declares charm entries.*KIND_RULES"):
        create_app({"TESTING": True, "DATA_DIR": str(data_dir)})
