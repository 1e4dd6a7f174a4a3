"""Where each kind of entry lives in the API: at its plural, under ``/v1``."""

from __future__ import annotations

from typing import Any


def collection_path(kind: str) -> str:
    """The API path of a kind's list: ``/v1/omens`` for ``omen``."""
    return f"/v1/{kind}s"


def href(kind: str, entry_id: str) -> str:
    """The API path of one entry."""
    return f"{collection_path(kind)}/{entry_id}"


def id_parameter(kind: str, example: str) -> list[dict[str, Any]]:
    """The documented path parameter ``<kind>_id`` of an item route."""
    return [
        {
            "in": "path",
            "name": f"{kind}_id",
            "description": f"The {kind}'s id, as listed by {collection_path(kind)}.",
            "schema": {"type": "string", "example": example},
        }
    ]
