"""Query parameters: each one the spec documents is accepted by its operation, and every place
that repeats them names the spec's.

Those places are the reading's query echo, the URI templates of the front page's index, the
README's parameters table and the endpoint tables of the README and docs/api.md. A new
parameter fails a test in each place it must still go (docs/development.md, "Where things go").
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.negotiation import LANG_PARAMETER
from service.pages.home import READING_ENDPOINTS

from .helpers import SPEC, query_echo, query_parameters, sample_value

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = {
    path: operations["get"] for path, operations in SPEC["paths"].items() if "get" in operations
}
PARAMETERS = [
    (path, parameter["name"])
    for path, operation in OPERATIONS.items()
    for parameter in query_parameters(operation)
]
READINGS = query_parameters(OPERATIONS["/v1/readings"])
CARDS = query_parameters(OPERATIONS["/v1/cards"])
SHARED = [p["name"] for p in READINGS if p["name"] in {c["name"] for c in CARDS}]


def names(operation: dict[str, Any]) -> list[str]:
    """The operation's query parameters as the service lists them to people (its 422 problems,
    the front page, the docs): its own in the spec's order, then ``lang``, which all take."""
    own = [parameter["name"] for parameter in query_parameters(operation)]
    return sorted(own, key=lambda name: name == LANG_PARAMETER)


def url_of(path: str) -> str:
    """``path`` with each path parameter replaced by its documented example."""
    declared = [*SPEC["paths"][path].get("parameters", []), *OPERATIONS[path].get("parameters", [])]
    for parameter in declared:
        if parameter["in"] == "path":
            path = path.replace(f"{{{parameter['name']}}}", str(sample_value(parameter)))
    return path


def query_with(path: str, name: str) -> dict[str, Any]:
    """The operation's required query parameters and ``name``, each at a valid value."""
    return {
        parameter["name"]: sample_value(parameter)
        for parameter in query_parameters(OPERATIONS[path])
        if parameter.get("required") or parameter["name"] == name
    }


def as_sent(query: dict[str, Any]) -> dict[str, Any]:
    """Query values as a client writes them: booleans as ``true``/``false``."""
    return {
        name: str(value).lower() if isinstance(value, bool) else value
        for name, value in query.items()
    }


@pytest.mark.parametrize(("path", "name"), PARAMETERS, ids=[f"{p} {n}" for p, n in PARAMETERS])
def test_each_documented_query_parameter_is_accepted(
    client: FlaskClient, path: str, name: str
) -> None:
    """Each operation answers 200 to each parameter it documents: one its view does not take
    (a parameter added to a shared query schema) answers 500 and fails here, named."""
    response = client.get(url_of(path), query_string=as_sent(query_with(path, name)))
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize("name", SHARED)
def test_cards_answer_each_parameter_they_share_with_readings_as_readings_do(
    client: FlaskClient, name: str
) -> None:
    """A card asked with a readings parameter is the card of the reading asked the same way."""
    query = as_sent(query_with("/v1/readings", name))
    reading = client.get("/v1/readings", query_string=query).get_json()
    card = client.get("/v1/cards", query_string=query).get_json()
    assert card["reading_id"] == reading["reading_id"]
    assert card["urgency"] == reading["medical"]["urgency"]


def test_the_query_echo_has_one_field_per_readings_parameter() -> None:
    """The reading's ``query`` echoes every readings parameter, ``lang`` last."""
    schema = SPEC["components"]["schemas"]["ReadingQueryEcho"]
    assert list(schema["properties"]) == names(OPERATIONS["/v1/readings"])


@pytest.mark.parametrize("name", [parameter["name"] for parameter in READINGS])
def test_the_query_echo_repeats_each_parameter_as_understood(
    client: FlaskClient, name: str
) -> None:
    """Each readings parameter sent comes back in the echo with the value the service read
    (``lang``: the language the answer is in)."""
    query = query_with("/v1/readings", name)
    body = client.get("/v1/readings", query_string=as_sent(query)).get_json()
    assert body["query"] == query_echo(**query)


def test_the_index_link_templates_name_the_spec_parameters(client: FlaskClient) -> None:
    """Each templated link of the JSON index (RFC 6570) lists its operation's parameters."""
    links = client.get("/", headers={"Accept": "application/json"}).get_json()["links"]
    templated = {key: link for key, link in links.items() if "{?" in link}
    assert templated, "the index has templated links"
    for key, link in templated.items():
        path, _, variables = link.partition("{?")
        assert path in OPERATIONS, f"{key}: {path} is not an operation of the spec"
        assert variables.rstrip("}").split(",") == names(OPERATIONS[path]), key


def endpoint_cells(document: str, heading: str) -> list[str]:
    """The code spans of the first column of the table under ``heading`` in ``document``."""
    text = (ROOT / document).read_text(encoding="utf-8")
    section = text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]
    return [span for row in rows for span in re.findall(r"`([^`]+)`", row.split(" | ")[0])]


def routes(app: Flask) -> set[str]:
    """Every path the app serves, with path variables written ``{name}`` as in the spec."""
    return {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()}


def shown_query_is_the_spec_one(cell: str, served: set[str]) -> str | None:
    """What is wrong with an endpoint written ``[GET ]path[?a=&b=]``, if anything: a path not
    served, or a query that is not the operation's parameters (``lang`` last)."""
    path, _, query = cell.removeprefix("GET ").partition("?")
    if path not in served:
        return f"{path} is not served"
    shown = [pair.split("=")[0] for pair in query.split("&")] if query else []
    if query and shown != names(OPERATIONS[path]):
        return f"{shown} are not {names(OPERATIONS[path])}"
    return None


@pytest.mark.parametrize("document", ["README.md", "docs/api.md"])
def test_the_endpoint_tables_name_served_paths_with_the_spec_parameters(
    app: Flask, document: str
) -> None:
    """Each path in an endpoints table is served, and a query it shows is the spec's."""
    served = routes(app)
    cells = endpoint_cells(document, "## Endpoints")
    assert cells, f"{document} has an endpoints table"
    for cell in cells:
        assert shown_query_is_the_spec_one(cell, served) is None, f"{document}: {cell}"


def test_the_front_page_endpoints_name_served_paths_with_the_spec_parameters(app: Flask) -> None:
    """The front page's endpoints table (the README's, in short) shows the spec's queries."""
    served = routes(app)
    for path, _ in READING_ENDPOINTS:
        assert shown_query_is_the_spec_one(path, served) is None, path


def test_the_api_page_lists_every_operation() -> None:
    """docs/api.md's endpoints table names every path of the spec."""
    cells = endpoint_cells("docs/api.md", "## Endpoints")
    listed = {cell.removeprefix("GET ").partition("?")[0] for cell in cells}
    assert set(SPEC["paths"]) - listed == set()


def test_the_readme_parameters_table_lists_the_readings_parameters() -> None:
    """The README's parameters table has one row per readings parameter, ``lang`` last."""
    cells = endpoint_cells("README.md", "## Parameters")
    rows = [cell for cell in cells if re.fullmatch(r"[a-z_]+", cell)]
    assert rows == names(OPERATIONS["/v1/readings"])
