"""``/v1/export``: the whole dataset in one JSON document per language, for apps to bundle.

Every kind is in it, each entry exactly as its own operation answers it: the readings and
their cards (without symptoms), every catalogue kind's entries, the dataset's description,
and the omen of the day's rotation, so an app offline can show every page and the day's
omen. The document is built the first time a language is asked for, then served as bytes
with a strong ETag and compressed copies, like every prebuilt answer: an app refreshes it
with ``If-None-Match`` and gets a 304 until the data changes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cached_property
from itertools import product
from typing import Any

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from marshmallow import fields

from ..dataset import LIPS, SIDES
from ..state import app_state
from .base import Blueprint, QueryArgsSchema
from .cards import CardSchema
from .catalogue import Catalogue, ReadingBook
from .daily import ROTATION_START, DailyBook
from .dataset_info import DatasetSchema
from .declaration import CatalogueDeclaration
from .prebuilt import CACHE_HEADERS, CONDITIONAL_GET_RESPONSES, PrebuiltJson
from .readings import ReadingSchema

EXPORT_FORMAT = 1
"""The document's own version: it rises only if a field is removed or changes meaning."""


class RotationSchema(ma.Schema):
    """The omen of the day's rotation, so an app can show the day's omen offline."""

    start = fields.Date(
        metadata={"description": "Day 0 of the rotation (UTC).", "example": "2026-01-01"}
    )
    omen_ids = fields.List(
        fields.String(),
        metadata={
            "description": "The beliefs in the order the days feature them: day n (counted "
            "from start) features omen_ids[n mod its length].",
            "example": ["hindu-lips-gain-of-dear"],
        },
    )
    reading_ids = fields.List(
        fields.String(),
        metadata={
            "description": "The reading shown with each belief, position for position.",
            "example": ["left-upper-sudden"],
        },
    )


def export_schema(declarations: Sequence[CatalogueDeclaration]) -> type[ma.Schema]:
    """The export's schema: fixed parts, and one list per catalogue kind (``omens``...)."""
    kinds: dict[str, fields.Field[Any]] = {
        f"{declaration.kind}s": fields.List(
            fields.Nested(declaration.item_schema),
            metadata={"description": f"Every entry of {declaration.path}, sorted by id."},
        )
        for declaration in declarations
    }
    return ma.Schema.from_dict(
        {
            "format": fields.Integer(
                metadata={
                    "description": "The version of this document's shape (1); it rises only "
                    "if a field is removed or changes meaning, never when one is added.",
                    "example": EXPORT_FORMAT,
                }
            ),
            "language": fields.String(
                metadata={"description": "The language of every text.", "example": "en"}
            ),
            "api_version": fields.String(metadata={"example": "1.0.0"}),
            "dataset": fields.Nested(DatasetSchema),
            "readings": fields.List(
                fields.Nested(ReadingSchema),
                metadata={"description": "Every reading, by side, lip and onset, no symptoms."},
            ),
            "cards": fields.List(
                fields.Nested(CardSchema),
                metadata={"description": "The card of every reading, in the same order."},
            ),
            **kinds,
            "daily": fields.Nested(RotationSchema),
        },
        name="Export",
    )


class ExportBook:
    """The export document of one language, built on first use and then kept."""

    def __init__(
        self,
        language: str,
        kinds: Mapping[str, Catalogue],
        readings: ReadingBook,
        cards: ReadingBook,
        dataset: PrebuiltJson,
        daily: DailyBook,
        api_version: str,
    ) -> None:
        self._parts = (language, kinds, readings, cards, dataset, daily)
        self.api_version = api_version

    def document(self) -> dict[str, Any]:
        """Every answer of the language, parsed back from the bytes the API serves."""
        language, kinds, readings, cards, dataset, daily = self._parts
        api_version = self.api_version
        keys = list(product(SIDES, LIPS, (True, False)))
        rotation = daily.rotation
        return {
            "format": EXPORT_FORMAT,
            "language": language,
            "api_version": api_version,
            "dataset": _parsed(dataset),
            "readings": [_parsed(readings.answer(*key)) for key in keys],
            "cards": [_parsed(cards.answer(*key)) for key in keys],
            **{
                f"{kind}s": [_parsed(catalogue.items[i]) for i in sorted(catalogue.items)]
                for kind, catalogue in kinds.items()
            },
            "daily": RotationSchema().dump(
                {
                    "start": ROTATION_START,
                    "omen_ids": [omen.id for omen in rotation],
                    "reading_ids": [daily.reading_id(omen) for omen in rotation],
                }
            ),
        }

    @cached_property
    def answer(self) -> PrebuiltJson:
        """The document as served (built once; two first requests at once build it twice)."""
        return PrebuiltJson.of(self.document(), self._parts[0])


def _parsed(prebuilt: PrebuiltJson) -> Any:
    return json.loads(prebuilt.body)


def blueprint(declarations: Sequence[CatalogueDeclaration]) -> Blueprint:
    """``GET /v1/export``, documented with the export schema of ``declarations``."""
    blp = Blueprint(
        "export",
        __name__,
        url_prefix="/v1/export",
        description="The whole dataset in one document, for apps that bundle it offline.",
    )

    @blp.route("")
    class Export(MethodView):
        """The whole dataset in one language."""

        @blp.doc(operationId="getExport", responses=CONDITIONAL_GET_RESPONSES)
        @blp.arguments(QueryArgsSchema, location="query")
        @blp.response(
            200,
            export_schema(declarations),
            description="Every reading, card and catalogue entry, the dataset and the "
            "omen of the day's rotation, in one language.",
            headers=CACHE_HEADERS,
        )
        def get(self, _: dict[str, object]) -> Response:
            """Export the whole dataset

            Everything the API serves without symptoms, in one JSON document in one
            language (`lang` or Accept-Language): the dataset's description, the 8
            readings and their cards, every entry of every catalogue (each exactly as its
            own operation answers it), and the omen of the day's rotation. For apps that
            bundle the content offline: keep the ETag and send it back in If-None-Match to
            refresh (a 304 until the data changes). Compressed with Brotli or gzip when
            Accept-Encoding allows.
            """
            return app_state().answers().export.answer.respond()

    return blp
