"""``/v1/sources``: every source the dataset cites."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response
from flask.views import MethodView
from marshmallow import fields

from ..dataset import Dataset
from ..dataset.models import SOURCE_KINDS, SOURCE_QUALITIES
from . import Api, Blueprint
from .common import (
    LINK_HEADER,
    Catalogue,
    ListQuerySchema,
    SourceRefSchema,
    catalogue,
    enum_field,
    equal_filters,
    id_parameter,
    page_schema,
    serve_catalogue,
)
from .prebuilt import CACHE_HEADERS, CONDITIONAL_GET_RESPONSES

blp = Blueprint(
    "sources",
    __name__,
    url_prefix="/v1/sources",
    description="Every source the dataset cites, with how far it can be trusted.",
)


class SourceSchema(SourceRefSchema):
    """A page or document that backs entries of the dataset."""

    kind = enum_field(SOURCE_KINDS, "What the source is about.", "medical")
    supports = fields.String(metadata={"description": "What in the dataset it backs."})


SourcePageSchema = page_schema(SourceSchema, "Source")


class SourceQuerySchema(ListQuerySchema):
    """Filters for sources."""

    kind = enum_field(SOURCE_KINDS, "Only sources about this.", "folklore")
    quality = enum_field(SOURCE_QUALITIES, "Only sources of this quality.", "authoritative")


@blp.route("")
class Sources(MethodView):
    """The sources."""

    @blp.doc(operationId="listSources", responses=CONDITIONAL_GET_RESPONSES)
    @blp.arguments(SourceQuerySchema, location="query")
    @blp.response(200, SourcePageSchema, headers={**CACHE_HEADERS, **LINK_HEADER})
    def get(self, args: dict[str, Any]) -> Response:
        """List sources

        Filter by kind and quality, and search with `q`. Results are sorted by id.
        """
        return catalogue("source").page(args)


@blp.route("/<source_id>", parameters=id_parameter("source", "seed-article"))
class SourceItem(MethodView):
    """One source."""

    @blp.doc(operationId="getSource", responses=CONDITIONAL_GET_RESPONSES)
    @blp.response(200, SourceSchema, headers=CACHE_HEADERS)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, source_id: str) -> Response:
        """Get one source

        Its title, address, publisher, quality and what it supports.
        """
        return catalogue("source").item(source_id)


def init_app(app: Flask, api: Api, dataset: Dataset) -> None:
    """Serialise every source and register the blueprint."""
    catalogue_ = Catalogue(
        dataset.collection("source"),
        SourceSchema(),
        SourcePageSchema(),
        equal_filters("kind", "quality"),
    )
    serve_catalogue(app, api, blp, catalogue_)
