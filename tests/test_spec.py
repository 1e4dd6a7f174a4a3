"""The OpenAPI document: committed copy matches the code, and it is valid and complete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from service import create_app
from service.dataset.models import ATTESTATIONS
from service.dataset.schemas import MIN_BELIEFS_PER_READING

from .helpers import TEST_SETTINGS, EditData

SPEC_FILE = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@pytest.fixture(scope="module")
def spec(app: Flask) -> dict[str, Any]:
    document: dict[str, Any] = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    return document


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_committed_spec_matches_the_code(spec: dict[str, Any]) -> None:
    """openapi/openapi.json is what the code generates; run `make spec` after changing the API."""
    committed = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(spec)), "openapi/openapi.json is stale: run make spec"


def test_served_spec_is_the_committed_one(client: FlaskClient) -> None:
    """GET /openapi.json serves the same document as the committed file."""
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == json.loads(SPEC_FILE.read_text(encoding="utf-8"))


def test_spec_is_valid_openapi_3(spec: dict[str, Any]) -> None:
    """openapi-spec-validator accepts the document."""
    assert spec["openapi"].startswith("3.")
    validate(json.loads(json.dumps(spec)))


def test_every_operation_is_documented_for_client_generators(spec: dict[str, Any]) -> None:
    """Every operation has a unique operationId, a summary, a description and examples.

    Required parameters carry an example; optional filters carry none, since Swagger UI's
    "Try it out" would preset it (see test_try_it_out.py).
    """
    ids = []
    for path, method, operation in operations(spec):
        where = f"{method.upper()} {path}"
        assert operation.get("operationId"), where
        assert operation.get("summary"), where
        assert operation.get("description"), where
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), f"{where} {parameter['name']}"
            if parameter.get("required"):
                assert "example" in parameter["schema"], f"{where} {parameter['name']}"
        ids.append(operation["operationId"])
    assert ids and len(ids) == len(set(ids))


def test_responses_use_named_component_schemas(spec: dict[str, Any]) -> None:
    """Success bodies refer to named schemas, which client generators turn into types (an
    image is binary)."""
    for path, method, operation in operations(spec):
        content = operation["responses"]["200"]["content"]
        if path == "/metrics":
            assert list(content) == ["text/plain"]
            continue
        if path.endswith("/image.png"):
            assert content == {"image/png": {"schema": {"type": "string", "format": "binary"}}}
            continue
        ok = content["application/json"]["schema"]
        assert ok["$ref"].startswith("#/components/schemas/"), f"{method} {path}"
    assert {"Reading", "ReadingOmen", "ReadingMedical", "Belief", "LikelyCause", "Problem"} <= set(
        spec["components"]["schemas"]
    )


def test_errors_are_documented_as_problem_details(spec: dict[str, Any]) -> None:
    """Every error response is declared as application/problem+json with the Problem schema."""
    for name, response in spec["components"]["responses"].items():
        content = response["content"]
        assert list(content) == ["application/problem+json"], name
        assert content["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }


def test_urgency_scale_is_documented_in_order(spec: dict[str, Any]) -> None:
    """The shared Urgency enum lists the scale least urgent first and explains it."""
    urgency = spec["components"]["schemas"]["Urgency"]
    assert urgency["enum"] == ["self_care", "see_doctor", "urgent", "emergency"]
    assert "self_care` < `see_doctor` < `urgent` < `emergency" in urgency["description"]
    medical = spec["components"]["schemas"]["ReadingMedical"]["properties"]["urgency"]
    assert medical["allOf"] == [{"$ref": "#/components/schemas/Urgency"}]


def test_lists_document_link_pagination_not_x_pagination(spec: dict[str, Any]) -> None:
    """Lists document the Link header; flask-smorest's X-Pagination is not in the spec."""
    text = json.dumps(spec)
    assert "X-Pagination" not in text and "PaginationMetadata" not in text
    for path, method, operation in operations(spec):
        if "page_size" in {p["name"] for p in operation.get("parameters", [])}:
            headers = operation["responses"]["200"]["headers"]
            assert {"Link", "ETag", "Cache-Control"} <= set(headers), f"{method} {path}"
            bound = next(p for p in operation["parameters"] if p["name"] == "page_size")
            assert bound["schema"]["maximum"] == 100


def test_answers_mark_every_property_required(spec: dict[str, Any]) -> None:
    """Typed clients see every always-present property as required (Problem's errors aside)."""
    for name, schema in spec["components"]["schemas"].items():
        if "properties" not in schema:
            continue
        expected = set(schema["properties"]) - ({"errors"} if name == "Problem" else set())
        assert set(schema.get("required", [])) == expected, name


def enum_sets(node: Any) -> list[tuple[str, ...]]:
    """Every inline enum (closed or extensible) anywhere in a part of the spec."""
    if isinstance(node, dict):
        found = [tuple(node[key]) for key in ("enum", "x-extensible-enum") if key in node]
        return found + [item for value in node.values() for item in enum_sets(value)]
    if isinstance(node, list):
        return [item for value in node for item in enum_sets(value)]
    return []


def test_each_enum_is_one_shared_component(spec: dict[str, Any]) -> None:
    """Enums live only in named components (one per set), referred to by $ref everywhere."""
    schemas = spec["components"]["schemas"]
    enums = {
        name: tuple(s.get("enum") or s["x-extensible-enum"])
        for name, s in schemas.items()
        if "enum" in s or "x-extensible-enum" in s
    }
    assert {"Side", "Lip", "Urgency", "Sentiment", "Attestation", "SymptomId"} <= set(enums)
    assert len(set(enums.values())) == len(enums), "two components hold the same set"
    elsewhere = {k: v for k, v in spec.items() if k != "components"}
    elsewhere["components"] = {
        **{k: v for k, v in spec["components"].items() if k != "schemas"},
        "schemas": {name: s for name, s in schemas.items() if name not in enums},
    }
    assert enum_sets(elsewhere) == [], "an enum is written inline instead of referred to"
    assert '"#/components/schemas/Urgency"' in json.dumps(spec["paths"]) + json.dumps(schemas)


def test_spec_names_its_servers_licence_contact_and_version(spec: dict[str, Any]) -> None:
    """servers, info.license and info.contact are set; info.version is the package's version."""
    from service.version import VERSION

    assert spec["servers"][0]["url"] == "/"
    assert spec["info"]["license"]["name"] == "MIT"
    assert spec["info"]["contact"]["name"]
    assert spec["info"]["version"] == VERSION
    pyproject = (SPEC_FILE.parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert 'version = { attr = "service.version.VERSION" }' in pyproject


@pytest.mark.parametrize(
    "header",
    ["ETag", "Cache-Control", "X-Request-ID", "X-RateLimit-Limit", "X-RateLimit-Remaining"],
)
def test_every_api_answer_documents_its_headers(spec: dict[str, Any], header: str) -> None:
    """Each /v1 operation's 200 documents the headers it sends, by reference to one component."""
    assert header in spec["components"]["headers"]
    for path, _, operation in operations(spec):
        if path.startswith("/v1/"):
            documented = operation["responses"]["200"]["headers"]
            assert documented[header] == {"$ref": f"#/components/headers/{header}"}, path


def test_errors_document_retry_after_and_request_id(spec: dict[str, Any]) -> None:
    """429 documents Retry-After, and every error documents X-Request-ID and rate limits."""
    responses = spec["components"]["responses"]
    assert "Retry-After" in responses["TOO_MANY_REQUESTS"]["headers"]
    assert "Link" in spec["components"]["headers"]
    for name, response in responses.items():
        if name != "DEFAULT_ERROR":
            assert {"X-Request-ID", "X-RateLimit-Remaining"} <= set(response["headers"]), name


def string_properties_without_examples(spec: dict[str, Any]) -> list[str]:
    """Names of string properties a reader of the docs would see as "string"."""
    missing = []
    for name, schema in spec["components"]["schemas"].items():
        for prop, definition in schema.get("properties", {}).items():
            if definition.get("type") == "string" and "example" not in definition:
                missing.append(f"{name}.{prop}")
    return missing


def test_examples_show_real_values_not_placeholders(spec: dict[str, Any]) -> None:
    """Every string property has an example, so no example body says "string"."""
    assert string_properties_without_examples(spec) == []


def test_probes_and_metrics_stay_out_of_the_public_spec(spec: dict[str, Any]) -> None:
    """Only the API (and the share images it names) is documented: no generated client gets
    a getMetrics it cannot parse."""
    outside = {path for path in spec["paths"] if not path.startswith("/v1/")}
    assert outside == {"/readings/{reading_id}/image.png"}
    assert not {"Health", "Readiness"} & set(spec["components"]["schemas"])


def test_answer_schemas_are_open_to_new_fields(spec: dict[str, Any]) -> None:
    """No component schema refuses extra properties: a later /v1 answer may carry more."""
    closed = [
        name
        for name, schema in spec["components"]["schemas"].items()
        if schema.get("additionalProperties") is False
    ]
    assert closed == []


def test_a_data_only_release_leaves_the_spec_alone(
    data_dir: Path, edit_data: EditData, spec: dict[str, Any]
) -> None:
    """A new dataset version (so a new checksum) does not change the spec: no live checksum
    or dataset version is an example."""

    def bump(document: dict[str, Any]) -> None:
        document["version"] = "99.0.0"

    edit_data("dataset.yaml", bump)
    other = create_app({**TEST_SETTINGS, "DATA_DIR": str(data_dir)})
    assert other.test_client().get("/v1/dataset").get_json()["version"] == "99.0.0"
    assert other.test_client().get("/openapi.json").get_json() == json.loads(json.dumps(spec))


def test_spec_texts_say_what_the_data_rules_and_answers_do(
    client: FlaskClient, spec: dict[str, Any]
) -> None:
    """The beliefs' minimum is the loader's, every attestation is described, and the dataset's
    links example has the keys /v1/dataset answers with."""
    schemas = spec["components"]["schemas"]
    beliefs = schemas["ReadingOmen"]["properties"]["beliefs"]["description"]
    assert beliefs.startswith(f"At least {MIN_BELIEFS_PER_READING},")
    for value in ATTESTATIONS:
        assert f"{value}:" in schemas["Attestation"]["description"]
    links = client.get("/v1/dataset").get_json()["links"]
    assert schemas["Dataset"]["properties"]["links"]["example"] == links


def test_growing_sets_are_extensible_and_the_others_closed(spec: dict[str, Any]) -> None:
    """Ids and the sets that grow with the dataset are strings with their known values in
    x-extensible-enum, so clients accept a new value; closed sets stay enums."""
    schemas = spec["components"]["schemas"]
    growing = {name for name, s in schemas.items() if "x-extensible-enum" in s}
    assert {"SymptomId", "TraditionId", "Attestation", "ConditionCategory"} <= growing
    assert {"Side", "Lip", "Urgency", "Sentiment", "ReadingId"}.isdisjoint(growing)
    for name in growing:
        assert schemas[name]["type"] == "string" and "enum" not in schemas[name], name
        assert "may be added within /v1" in schemas[name]["description"], name
