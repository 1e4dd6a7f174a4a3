"""``/v1/dataset``: what the served dataset is: version, counts, checksum and licence."""

from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from marshmallow import fields

from ..dataset import KIND_RULES, Dataset
from ..state import app_state
from .base import Blueprint, QueryArgsSchema
from .paths import collection_path
from .prebuilt import CACHE_HEADERS, CONDITIONAL_GET_RESPONSES, PrebuiltJson

blp = Blueprint(
    "dataset",
    __name__,
    url_prefix="/v1/dataset",
    description="The curated dataset as a whole.",
)


class DatasetSchema(ma.Schema):
    """The served dataset: version, size, checksum and terms."""

    title = fields.String(
        metadata={"example": "Twitchlore: lip-twitch omens and their medical counterparts"}
    )
    version = fields.String(metadata={"example": "1.0.0"})
    checksum = fields.String(
        metadata={"description": "SHA-256 of the data files; changes with any edit."}
    )
    licence = fields.String(metadata={"description": "Terms of the dataset's text."})
    disclaimer = fields.String(metadata={"description": "Carried by every reading."})
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Entries of each kind.", "example": {"readings": 8}},
    )
    links = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={
            "description": "API paths of each collection.",
            "example": {rule.kind: collection_path(rule.kind) for rule in KIND_RULES},
        },
    )


def dataset_document(dataset: Dataset) -> dict[str, object]:
    """The dataset's description, as the schema dumps it."""
    info = dataset.info
    return {
        "title": info.title,
        "version": info.version,
        "checksum": dataset.checksum,
        "licence": info.licence,
        "disclaimer": info.disclaimer,
        "counts": dataset.counts(),
        "links": {
            "readings": "/v1/readings",
            **{f"{kind}s": collection_path(kind) for kind in dataset.entries},
        },
    }


@blp.route("")
class DatasetInfo(MethodView):
    """The dataset."""

    @blp.doc(operationId="getDataset", responses=CONDITIONAL_GET_RESPONSES)
    @blp.arguments(QueryArgsSchema, location="query")
    @blp.response(200, DatasetSchema, headers=CACHE_HEADERS)
    def get(self, _: dict[str, object]) -> Response:
        """Describe the dataset

        Its version, how many entries of each kind it holds, the checksum of its
        files, its licence and the links to every collection.
        """
        return app_state().catalogues.dataset.respond()


def dataset_answer(dataset: Dataset) -> PrebuiltJson:
    """The dataset's description, serialised once."""
    return PrebuiltJson.of(DatasetSchema().dump(dataset_document(dataset)))
