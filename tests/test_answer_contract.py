"""Answers validate against the spec, and still do once a later version adds a field.

Within /v1 an answer may gain fields (docs/versioning.md). A client that validates answers
against the spec (openapi-core, ajv, contract tests) must not break on such an addition, so
every answer's schema is open. This file validates each operation's real answer, and the same
answer with a new field added to every object in it, with openapi-schema-validator (the
validator openapi-core uses) against the served spec.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator

NEW_FIELD = "added_in_a_later_version"

ITEM_IDS = {"reading_id": "left-upper-sudden"}
"""Ids for item paths whose list is not itself an operation; other kinds take their first id."""

QUERIES = {"/v1/readings": "?side=left&lip=upper&sudden=true", "/v1/cards": "?side=right&lip=lower"}
"""Required parameters of operations that have some."""


@pytest.fixture(scope="module")
def spec(app: Flask) -> dict[str, Any]:
    """The spec the service serves at /openapi.json."""
    document: dict[str, Any] = app.test_client().get("/openapi.json").get_json()
    return document


def body_schema(spec: dict[str, Any], path: str, status: str) -> dict[str, Any]:
    """The schema of the JSON body the spec documents for ``path``'s GET at ``status``."""
    response = spec["paths"][path]["get"]["responses"][status]
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    (media,) = response["content"].values()
    schema: dict[str, Any] = media["schema"]
    return schema


def check(spec: dict[str, Any], path: str, status: str, answer: Any) -> None:
    """Validate ``answer``, then ``answer`` with a new field in every object, against the spec."""
    schema = body_schema(spec, path, status)
    # The spec's components go along, so the schema's "#/components/..." references resolve.
    validator = OAS30Validator({**schema, "components": spec["components"]})
    validator.validate(answer)
    extended = with_new_field(answer, schema, spec)
    assert extended != answer
    validator.validate(extended)


def with_new_field(document: Any, schema: dict[str, Any], spec: dict[str, Any]) -> Any:
    """``document`` with one more field in each object its ``schema`` describes, however deep.

    Maps (an object whose values share one schema, such as a problem's ``errors``) gain no
    field of another type; their values are walked.
    """
    while "$ref" in schema or "allOf" in schema:
        ref = schema["$ref"] if "$ref" in schema else schema["allOf"][0]["$ref"]
        schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    if isinstance(document, list):
        return [with_new_field(item, schema.get("items", {}), spec) for item in document]
    if not isinstance(document, dict):
        return document
    properties = schema.get("properties", {})
    values = schema.get("additionalProperties")
    extended = {
        key: with_new_field(
            value, properties.get(key, values if isinstance(values, dict) else {}), spec
        )
        for key, value in document.items()
    }
    return {NEW_FIELD: "a value", **extended} if properties else extended


def url_for_operation(client: FlaskClient, path: str) -> str:
    if "{" not in path:
        return path + QUERIES.get(path, "")
    parent, parameter = path.rsplit("/", 1)
    name = parameter.strip("{}")
    if name not in ITEM_IDS:
        ITEM_IDS[name] = client.get(parent).get_json()["items"][0][name]
    return f"{parent}/{ITEM_IDS[name]}"


def test_every_answer_and_its_extended_form_match_the_spec(
    client: FlaskClient, spec: dict[str, Any]
) -> None:
    """Each operation's real answer validates, and so does it with a new field everywhere."""
    paths = [path for path, item in spec["paths"].items() if "get" in item]
    assert len(paths) >= 17
    for path in paths:
        if path.endswith("/image.png"):  # a PNG: tests/test_share_images.py checks it
            continue
        response = client.get(url_for_operation(client, path))
        assert response.status_code == 200, (path, response.data[:200])
        check(spec, path, "200", response.get_json())


@pytest.mark.parametrize(
    ("url", "path", "status"),
    [
        ("/v1/readings?side=left&lip=middle", "/v1/readings", "422"),
        ("/v1/conditions/no-such-condition", "/v1/conditions/{condition_id}", "404"),
    ],
)
def test_problems_and_their_extended_form_match_the_spec(
    client: FlaskClient, spec: dict[str, Any], url: str, path: str, status: str
) -> None:
    """A problem answer validates, and so does one with a field a later version adds."""
    response = client.get(url)
    assert response.status_code == int(status)
    check(spec, path, status, response.get_json())


def test_the_validation_is_real(client: FlaskClient, spec: dict[str, Any]) -> None:
    """An answer missing a documented field, or with a field of the wrong type, fails."""
    reading = client.get(url_for_operation(client, "/v1/readings")).get_json()
    schema = body_schema(spec, "/v1/readings", "200")
    validator = OAS30Validator({**schema, "components": spec["components"]})
    missing = copy.deepcopy(reading)
    del missing["medical"]["urgency"]
    with pytest.raises(ValidationError, match="urgency"):
        validator.validate(missing)
    wrong = copy.deepcopy(reading)
    wrong["query"]["sudden"] = "yes"
    with pytest.raises(ValidationError, match="yes"):
        validator.validate(wrong)


def test_requests_stay_strict(client: FlaskClient) -> None:
    """Answers are open to new fields; requests are not: an unknown parameter is a 422."""
    response = client.get("/v1/readings?side=left&lip=upper&colour=red")
    assert response.status_code == 422
    assert "colour" in response.get_json()["errors"]
