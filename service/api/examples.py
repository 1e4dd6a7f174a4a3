"""Examples in the spec taken from real answers, so the docs never show ``"string"``.

After every resource is registered, one real answer of each kind (a reading, an entry of
each catalogue, the dataset) is walked beside its marshmallow schema; each string
property that has no example gets the value the service really sends, shortened.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import marshmallow as ma
from apispec.ext.marshmallow.common import make_schema_key, resolve_schema_instance

from .base import Api
from .catalogue import Catalogues

MAX_EXAMPLE_LENGTH = 120


def fill_examples(api: Api, answers: dict[Any, Any]) -> None:
    """Give every string property without an example a real value from ``answers``.

    ``answers`` maps a marshmallow schema (class or instance) to one document it dumped.
    """
    for schema, document in answers.items():
        _fill(api, schema, document)


def real_answers(catalogues: Catalogues, schemas: dict[str, Any]) -> dict[Any, Any]:
    """One served answer per schema: ``schemas`` names the reading's, the dataset's and each
    kind's item schema (``{"reading": ReadingSchema, "dataset": ..., "omen": OmenSchema}``)."""
    answers: dict[Any, Any] = {
        schemas["reading"]: _json(catalogues.readings.answer("left", "upper", True).body),
        schemas["card"]: _json(catalogues.cards.answer("left", "upper", True).body),
        schemas["dataset"]: _json(catalogues.dataset.body),
        schemas["languages"]: _json(catalogues.languages.body),
    }
    for kind, catalogue in catalogues.kinds.items():
        first = next(iter(catalogue.items.values()))
        answers[schemas[kind]] = _json(first.body)
    return answers


def _json(body: bytes) -> Any:
    return json.loads(body)


def _fill(api: Api, schema: Any, document: Any) -> None:
    instance = resolve_schema_instance(schema)
    name = api.ma_plugin.converter.refs.get(make_schema_key(instance))
    if name is None or not isinstance(document, dict):
        return
    properties = api.spec.components.schemas[name].get("properties", {})
    for prop, field in _fields(instance):
        value = document.get(prop)
        nested = _nested_schema(field)
        if nested is not None:
            items = value if isinstance(value, list) else [value]
            if items:
                _fill(api, nested, items[0])
        elif isinstance(value, str) and value and "example" not in properties.get(prop, {}):
            if properties.get(prop, {}).get("type") == "string":
                properties[prop]["example"] = _shorten(value)


def _fields(instance: ma.Schema) -> Iterator[tuple[str, ma.fields.Field[Any]]]:
    for name, field in instance.fields.items():
        yield field.data_key or name, field


def _nested_schema(field: ma.fields.Field[Any]) -> Any:
    if isinstance(field, ma.fields.Nested):
        return field.schema
    if isinstance(field, ma.fields.List) and isinstance(field.inner, ma.fields.Nested):
        return field.inner.schema
    return None


def _shorten(text: str) -> str:
    if len(text) <= MAX_EXAMPLE_LENGTH:
        return text
    return text[: MAX_EXAMPLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"
