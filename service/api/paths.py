"""Where each kind of entry lives in the API."""

from __future__ import annotations

from typing import Any

PATHS = {
    "source": "/v1/sources",
    "tradition": "/v1/traditions",
    "omen": "/v1/omens",
    "symptom": "/v1/symptoms",
    "treatment": "/v1/treatments",
    "condition": "/v1/conditions",
}
"""The collection path of each kind, in the order the dataset lists its kinds."""


def href(kind: str, entry_id: str) -> str:
    """The API path of one entry."""
    return f"{PATHS[kind]}/{entry_id}"


def id_parameter(kind: str, example: str) -> list[dict[str, Any]]:
    """The documented path parameter ``<kind>_id`` of an item route."""
    return [
        {
            "in": "path",
            "name": f"{kind}_id",
            "description": f"The {kind}'s id, as listed by {PATHS[kind]}.",
            "schema": {"type": "string", "example": example},
        }
    ]
