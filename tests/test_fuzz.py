"""Schemathesis drives every operation with generated requests; the answers must match the spec.

At least 100 generated cases per operation, valid and invalid, with every check on:
no server errors, statuses, content types, headers and bodies as documented, valid
input accepted, invalid input refused, Allow on 405, response time under a second.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, CheckFunction, load_all_checks
from schemathesis.core.parameters import ParameterLocation

from service import create_app

pytestmark = pytest.mark.slow

load_all_checks()
# The registry is typed loosely; every entry it holds is a check function.
ALL_CHECKS = cast("list[CheckFunction]", CHECKS.get_all())
# Requests over the documented size bounds are refused with the statuses HTTP has for them.
SIZE_REFUSALS = ["413", "414", "431"]
# The committed spec, which tests/test_spec.py holds equal to the one the app serves: reading
# it costs no app at import, so collecting the fast tier builds none.
SPEC_FILE = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"

schema = schemathesis.openapi.from_path(SPEC_FILE)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
checks = schema.config.checks
checks.negative_data_rejection.expected_statuses = [
    *checks.negative_data_rejection.expected_statuses,
    *SIZE_REFUSALS,
]
checks.max_response_time.enabled = True
checks.max_response_time.limit = 1.0

SPEC: dict[str, Any] = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
KNOWN_VALUES = {
    f"#/components/schemas/{name}": component["x-extensible-enum"]
    for name, component in SPEC["components"]["schemas"].items()
    if "x-extensible-enum" in component
}
"""The values known today of each growing set (ids, categories...), by the set's reference."""


def growing_set(parameter: dict[str, Any]) -> list[str] | None:
    """The known values of the growing set a query parameter takes (or a list of), if any."""
    schema = parameter["schema"]
    schema = schema.get("items", schema)
    ref = schema.get("$ref") or next((s["$ref"] for s in schema.get("allOf", [])), None)
    return KNOWN_VALUES.get(ref) if ref else None


def use_known_values(case: schemathesis.Case[Any]) -> None:
    """A positive case's value for a growing set becomes one the service holds today.

    The spec allows any string there, so clients accept values added later; the service
    still answers 422 for an id it does not have, which is not what a positive case tests.
    """
    if case.meta is None or case.meta.is_negative_at(ParameterLocation.QUERY) or not case.query:
        return
    operation = SPEC["paths"][case.operation.path].get(case.method.lower(), {})
    for parameter in operation.get("parameters", []):
        known = growing_set(parameter) if parameter["in"] == "query" else None
        value = case.query.get(parameter["name"])
        if known is None or value is None:
            continue
        if isinstance(value, list):
            case.query[parameter["name"]] = [known[i % len(known)] for i in range(len(value))]
        else:
            case.query[parameter["name"]] = known[len(str(value)) % len(known)]


@pytest.fixture(scope="module")
def fuzzed_app() -> Flask:
    """The service with no rate limit, so thousands of generated requests all reach the API."""
    return create_app({"TESTING": True, "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING"})


@schema.parametrize()
@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_operation_answers_as_its_spec_says(
    case: schemathesis.Case[Any], fuzzed_app: Flask
) -> None:
    """Every generated request gets an answer the spec allows, and never a server error."""
    # The WSGI transport hands over bodies as sent, without undoing Content-Encoding, so
    # ask for plain bodies here; tests/test_compression.py covers the compressed ones.
    use_known_values(case)
    case.call_and_validate(
        app=fuzzed_app, headers={"Accept-Encoding": "identity"}, checks=ALL_CHECKS
    )
