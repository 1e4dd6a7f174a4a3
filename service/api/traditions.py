"""``/v1/traditions``: the cultures and bodies of folklore that omens come from."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Flask, Response
from flask.views import MethodView
from marshmallow import fields

from ..dataset import Dataset
from . import Api, Blueprint
from .common import (
    LINK_HEADER,
    Catalogue,
    ListQuerySchema,
    SourceRefSchema,
    catalogue,
    equal_filters,
    href_field,
    id_parameter,
    page_schema,
    serve_catalogue,
)
from .prebuilt import CACHE_HEADERS, CONDITIONAL_GET_RESPONSES

blp = Blueprint(
    "traditions",
    __name__,
    url_prefix="/v1/traditions",
    description="Cultures and bodies of folklore that the omens come from.",
)


class TraditionSchema(ma.Schema):
    """A tradition of folklore."""

    tradition_id = fields.String(attribute="id", metadata={"example": "hindu-angasphurana"})
    name = fields.String(metadata={"example": "Hindu angasphurana"})
    region = fields.String(metadata={"example": "India"})
    description = fields.String()
    sources = fields.List(fields.Nested(SourceRefSchema))
    omens_href = fields.Function(
        lambda tradition: f"/v1/omens?tradition={tradition.id}",
        metadata={"description": "API path listing this tradition's omens.", "type": "string"},
    )
    href = href_field("tradition")


TraditionPageSchema = page_schema(TraditionSchema, "Tradition")


@blp.route("")
class Traditions(MethodView):
    """The traditions."""

    @blp.doc(operationId="listTraditions", responses=CONDITIONAL_GET_RESPONSES)
    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, TraditionPageSchema, headers={**CACHE_HEADERS, **LINK_HEADER})
    def get(self, args: dict[str, Any]) -> Response:
        """List traditions

        Search with `q`. Results are sorted by id.
        """
        return catalogue("tradition").page(args)


@blp.route("/<tradition_id>", parameters=id_parameter("tradition", "jamaican-folk"))
class TraditionItem(MethodView):
    """One tradition."""

    @blp.doc(operationId="getTradition", responses=CONDITIONAL_GET_RESPONSES)
    @blp.response(200, TraditionSchema, headers=CACHE_HEADERS)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, tradition_id: str) -> Response:
        """Get one tradition

        What the tradition is, where it comes from, and a link to its omens.
        """
        return catalogue("tradition").item(tradition_id)


def init_app(app: Flask, api: Api, dataset: Dataset) -> None:
    """Serialise every tradition and register the blueprint."""
    catalogue_ = Catalogue(
        dataset.collection("tradition"), TraditionSchema(), TraditionPageSchema(), equal_filters()
    )
    serve_catalogue(app, api, blp, catalogue_)
