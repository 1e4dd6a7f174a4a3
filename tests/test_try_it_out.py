"""Swagger UI's "Try it out" teaches: what it presets from the spec gives useful answers.

Swagger UI fills each parameter's input with the spec's example (or default) and sends
what is filled. These tests build that request from the spec and send it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient


@pytest.fixture(scope="module")
def spec(app: Any) -> dict[str, Any]:
    return app.test_client().get("/openapi.json").get_json()  # type: ignore[no-any-return]


def preset(parameter: dict[str, Any]) -> Any:
    """The value Swagger UI puts in a parameter's input before anyone types."""
    schema = parameter.get("schema", {})
    for source in (parameter, schema):
        for key in ("example", "default"):
            if key in source:
                return source[key]
    return None


def preset_request(path: str, operation: dict[str, Any]) -> str:
    query: list[tuple[str, str]] = []
    for parameter in operation.get("parameters", []):
        value = preset(parameter)
        if value is None:
            continue
        if parameter["in"] == "header":
            continue  # Swagger UI sends it as a header (Accept-Language), not in the query
        if parameter["in"] == "path":
            path = path.replace(f"{{{parameter['name']}}}", str(value))
        elif isinstance(value, list):
            query += [(parameter["name"], str(item)) for item in value]
        else:
            query.append(
                (parameter["name"], str(value).lower() if value in (True, False) else str(value))
            )
    return f"{path}?{urlencode(query)}" if query else path


def api_operations(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every /v1 GET, with the parameters of its path item and its own."""
    return [
        (
            path,
            {
                **item["get"],
                "parameters": item.get("parameters", []) + item["get"].get("parameters", []),
            },
        )
        for path, item in spec["paths"].items()
        if path.startswith("/v1/")
    ]


def test_reading_starts_with_no_symptoms(spec: dict[str, Any], client: FlaskClient) -> None:
    """Executing getReading untouched sends no symptoms, so it shows the plain reading."""
    url = preset_request("/v1/readings", spec["paths"]["/v1/readings"]["get"])
    assert "symptoms" not in url
    body = client.get(url).get_json()
    assert body["query"]["symptoms"] == []
    assert body["medical"]["urgency"] != "emergency"


def test_every_preset_request_succeeds(spec: dict[str, Any], client: FlaskClient) -> None:
    """Each operation executed with its presets answers 200; each list returns entries."""
    for path, operation in api_operations(spec):
        url = preset_request(path, operation)
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
        body = response.get_json()
        if "total_items" in body:
            assert body["total_items"] > 0, url
            assert body["items"], url
