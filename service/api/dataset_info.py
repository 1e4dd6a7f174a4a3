"""``/v1/dataset``: what the served dataset is: version, counts, checksum and licence."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from marshmallow import fields

from ..dataset import KIND_RULES, Dataset
from ..dataset.models import Language
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


def collection_links(kinds: Iterable[str]) -> dict[str, str]:
    """The ``links`` of /v1/dataset: the readings, each kind's collection (keyed by plural) and
    the languages."""
    return {
        "readings": "/v1/readings",
        **{f"{kind}s": collection_path(kind) for kind in kinds},
        "languages": "/v1/languages",
    }


CHECKSUM_EXAMPLE = hashlib.sha256(b"").hexdigest()
"""The form of a checksum (this one is of no bytes): the served one would rewrite the spec at
every change of the data."""


class DatasetLanguageSchema(ma.Schema):
    """A language the dataset's text is in, and whether a native speaker has reviewed it."""

    tag = fields.String(metadata={"example": "hi"})
    name = fields.String(metadata={"example": "हिन्दी"})
    english_name = fields.String(metadata={"example": "Hindi"})
    reviewed_by_native_speaker = fields.Boolean(metadata={"example": False})


class DatasetSchema(ma.Schema):
    """The served dataset: version, size, checksum and terms."""

    title = fields.String(
        metadata={"example": "Twitchlore: lip-twitch omens and their medical counterparts"}
    )
    version = fields.String(metadata={"example": "1.0.0"})
    released = fields.Date(
        metadata={
            "description": "When this version was released; answers carry it as Last-Modified.",
            "example": "2026-12-04",
        }
    )
    checksum = fields.String(
        metadata={
            "description": "SHA-256 of the data files; changes with any edit.",
            "example": CHECKSUM_EXAMPLE,
        }
    )
    licence = fields.String(metadata={"description": "Terms of the dataset's text."})
    disclaimer = fields.String(metadata={"description": "Carried by every reading."})
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Entries of each kind.", "example": {"readings": 8}},
    )
    languages = fields.List(
        fields.Nested(DatasetLanguageSchema),
        metadata={"description": "Every language its text is served in (more at /v1/languages)."},
    )
    links = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={
            "description": "API paths of each collection.",
            "example": collection_links(rule.kind for rule in KIND_RULES),
        },
    )


def dataset_document(dataset: Dataset, languages: Sequence[Language]) -> dict[str, object]:
    """The dataset's description (in ``dataset``'s language), as the schema dumps it."""
    info = dataset.info
    return {
        "title": info.title,
        "version": info.version,
        "released": info.released,
        "checksum": dataset.checksum,
        "licence": info.licence,
        "disclaimer": info.disclaimer,
        "counts": dataset.counts(),
        "languages": languages,
        "links": collection_links(dataset.entries),
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
        return app_state().answers().dataset.respond()


def dataset_answer(dataset: Dataset, languages: Sequence[Language]) -> PrebuiltJson:
    """The dataset's description, serialised once."""
    document = DatasetSchema().dump(dataset_document(dataset, languages))
    return PrebuiltJson.of(document, dataset.language.tag)
