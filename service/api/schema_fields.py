"""Field builders every schema shares: choices, urgency, API paths and dataset ids."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ..dataset import Dataset
from ..dataset.models import URGENCY_SCALE
from ..state import app_state
from .paths import PATHS, href

URGENCY_DESCRIPTION = (
    "How soon to get medical help, on one ordered scale, least urgent first: "
    "`self_care` < `see_doctor` < `urgent` < `emergency`. "
    "self_care: usually harmless, the self-care steps are enough unless it persists; "
    "see_doctor: make an appointment with a doctor; urgent: get medical help the same "
    "day; emergency: call the local emergency number now."
)


def enum_field(
    choices: Sequence[str],
    description: str,
    example: str,
    *,
    required: bool = False,
    attribute: str | None = None,
) -> fields.String:
    """A documented string field limited to ``choices`` (checked on input, listed in the spec)."""
    allowed = ", ".join(choices)
    return fields.String(
        required=required,
        attribute=attribute,
        validate=validate.OneOf(choices, error=f"Must be one of: {allowed}."),
        error_messages={"required": f"Missing. Must be one of: {allowed}."},
        metadata={"description": description, "example": example},
    )


def urgency_field(attribute: str | None = None) -> fields.String:
    """The urgency of the ordered scale, documented once for every schema."""
    return enum_field(URGENCY_SCALE, URGENCY_DESCRIPTION, "self_care", attribute=attribute)


def href_field(kind: str, attribute: str = "id") -> fields.Function:
    """The API path of the entry (or of the entry at ``attribute``)."""

    def path(obj: Any) -> str:
        for name in attribute.split("."):
            obj = getattr(obj, name)
        return href(kind, str(obj))

    return fields.Function(
        path,
        metadata={
            "description": f"API path of this {kind}.",
            "example": f"{PATHS[kind]}/example-id",
            "type": "string",
        },
    )


class KnownId(validate.Validator):
    """Accepts only the ids of one kind of entry that the served dataset holds.

    The spec lists them as an ``enum`` (see ``known_ids_as_enum``), so the
    allowed values are documented and checked in one place.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(self, value: str) -> str:
        collection = app_state().dataset.collection(self.kind)
        if not collection.has(value):
            raise ma.ValidationError(f"Must be one of: {', '.join(collection.ids())}.")
        return value


def known_ids_as_enum(dataset: Dataset) -> Callable[..., dict[str, Any]]:
    """An apispec attribute function documenting ``KnownId`` fields as the dataset's ids."""

    def known_ids_enum(converter: Any, field: fields.Field[Any], **_: Any) -> dict[str, Any]:
        for validator in field.validators:
            if isinstance(validator, KnownId):
                return {"enum": list(dataset.collection(validator.kind).ids())}
        return {}

    return known_ids_enum


def known_id_field(kind: str, description: str, example: str) -> fields.String:
    """A query parameter holding the id of one ``kind`` of entry in the dataset."""
    return fields.String(
        validate=KnownId(kind), metadata={"description": description, "example": example}
    )
