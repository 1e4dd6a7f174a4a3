"""Assertions and small helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from flask import Flask
from werkzeug.test import TestResponse

from service.edge.answer_cache import AnswerCache
from service.edge.front import FrontDoor
from service.negotiation import DEFAULT_LANGUAGE, LANG_PARAMETER

PROBLEM = "application/problem+json"

SPEC_FILE = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
SPEC: dict[str, Any] = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
"""The committed spec, which tests/test_spec.py holds equal to the one the app serves."""

PUBLIC_URL = "https://twitchlore.example"
"""The public address (TWITCHLORE_PUBLIC_URL) of the ``public_app`` fixture."""
TEST_SETTINGS = {"TESTING": True, "RATELIMIT_DEFAULT": "1000000 per minute"}
"""Settings of the apps the tests make: the rate limit is raised so the suite's many requests
from one address pass (the rate-limit tests set their own)."""

COMBINATIONS = [
    (side, lip, sudden)
    for side in ("left", "right")
    for lip in ("upper", "lower")
    for sudden in (True, False)
]
"""Every side, lip and onset a reading answers for."""

EditData = Callable[[str, Callable[[Any], Any]], None]
"""The ``edit_data`` fixture: ``edit_data("omens.yaml", change)``."""


def read_yaml(path: Path) -> Any:
    """A YAML file, parsed with libyaml where PyYAML has it (ten times the pure-Python speed)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def write_yaml(path: Path, document: Any) -> None:
    """Write ``document`` as YAML, with libyaml where PyYAML has it."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(yaml.dump(document, Dumper=dumper, allow_unicode=True), encoding="utf-8")


def assert_problem(response: TestResponse, status: int) -> dict[str, Any]:
    """Check ``response`` is an RFC 9457 problem with ``status`` and no internals; its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert isinstance(body, dict), body
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "/service/" not in text
    return body


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format, 0 when absent."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.match(rf"^{name}\{{(.*)\}} (\S+)$", line)
        if match and ",".join(sorted(match.group(1).split(","))) == wanted:
            return float(match.group(2))
    return 0.0


def front_door(app: Flask) -> FrontDoor:
    """The front door of ``app``, under any proxy fix wrapped around it."""
    layer: Any = app.wsgi_app
    while not isinstance(layer, FrontDoor):
        layer = layer.app
    return layer


def empty_answer_cache(app: Flask) -> None:
    """Forget every answer the front door of ``app`` keeps, so the next GET goes to Flask."""
    door = front_door(app)
    door.cache = AnswerCache(door.cache.budget)


def query_parameters(operation: dict[str, Any]) -> list[dict[str, Any]]:
    """The query parameters an operation of the spec documents, in its order."""
    return [p for p in operation.get("parameters", []) if p["in"] == "query"]


def _resolved(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with ``$ref`` and a single ``allOf`` followed; its own keys win."""
    if "$ref" in schema:
        target = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return {**_resolved(target), **{k: v for k, v in schema.items() if k != "$ref"}}
    if len(schema.get("allOf", [])) == 1:
        own = {k: v for k, v in schema.items() if k != "allOf"}
        return {**_resolved(schema["allOf"][0]), **own}
    return schema


def _schema_value(schema: dict[str, Any]) -> Any:
    schema = _resolved(schema)
    if "example" in schema:
        return schema["example"]
    for values in ("enum", "x-extensible-enum"):  # the latter: a set that may grow
        if values in schema:
            return schema[values][0]
    if schema.get("type") == "array":
        return [_schema_value(schema["items"])]
    by_type = {"boolean": True, "integer": schema.get("minimum", 1), "string": "lip"}
    return by_type[schema.get("type", "string")]


def sample_value(parameter: dict[str, Any]) -> Any:
    """A valid value of a documented parameter: its example, else its schema's, else the first
    of its enum, else a plain value of its type."""
    if "example" in parameter:
        return parameter["example"]
    return _schema_value(parameter["schema"])


def query_echo(**given: Any) -> dict[str, Any]:
    """The ``query`` a reading echoes for the parameters ``given``: every readings parameter of
    the spec, at its default (an empty list for a list; English for ``lang``) where not given."""
    echo = {}
    for parameter in query_parameters(SPEC["paths"]["/v1/readings"]["get"]):
        name, schema = parameter["name"], _resolved(parameter["schema"])
        default = schema.get("default", [] if schema.get("type") == "array" else None)
        if name == LANG_PARAMETER:
            default = DEFAULT_LANGUAGE  # the answer's language when none is asked
        echo[name] = given.get(name, default)
    return echo
