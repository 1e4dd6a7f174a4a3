"""The OpenAPI document: committed copy matches the code, and it is valid and complete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

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
    """Every operation has a unique operationId, a summary, a description and examples."""
    ids = []
    for path, method, operation in operations(spec):
        where = f"{method.upper()} {path}"
        assert operation.get("operationId"), where
        assert operation.get("summary"), where
        assert operation.get("description"), where
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), f"{where} {parameter['name']}"
            assert "example" in parameter["schema"], f"{where} {parameter['name']}"
        ids.append(operation["operationId"])
    assert ids and len(ids) == len(set(ids))


def test_responses_use_named_component_schemas(spec: dict[str, Any]) -> None:
    """Success bodies refer to named schemas, which client generators turn into types."""
    for path, method, operation in operations(spec):
        content = operation["responses"]["200"]["content"]
        if path == "/metrics":
            assert list(content) == ["text/plain"]
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
    """The urgency field lists the scale least urgent first and explains it."""
    urgency = spec["components"]["schemas"]["ReadingMedical"]["properties"]["urgency"]
    assert urgency["enum"] == ["self_care", "see_doctor", "urgent", "emergency"]
    assert "self_care` < `see_doctor` < `urgent` < `emergency" in urgency["description"]


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
