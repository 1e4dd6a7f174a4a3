"""``/v1/symptoms``: what can come with a lip twitch, and how urgent it makes it."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response
from flask.views import MethodView
from marshmallow import fields

from ..dataset import URGENCY_SCALE, Dataset
from . import Api, Blueprint
from .common import (
    LINK_HEADER,
    Catalogue,
    ListQuerySchema,
    SourceRefSchema,
    SymptomRefSchema,
    catalogue,
    enum_field,
    equal_filters,
    id_parameter,
    page_schema,
    serve_catalogue,
)
from .prebuilt import CACHE_HEADERS, CONDITIONAL_GET_RESPONSES

blp = Blueprint(
    "symptoms",
    __name__,
    url_prefix="/v1/symptoms",
    description="Symptoms that can come with a lip twitch; pass their ids to /v1/readings.",
)


class SymptomSchema(SymptomRefSchema):
    """A symptom that can come with a lip twitch, with the least urgency it calls for."""

    description = fields.String()
    conditions_href = fields.Function(
        lambda symptom: f"/v1/conditions?symptom={symptom.id}",
        metadata={
            "description": "API path listing conditions that can come with it.",
            "type": "string",
        },
    )
    sources = fields.List(fields.Nested(SourceRefSchema))


SymptomPageSchema = page_schema(SymptomSchema, "Symptom")


class SymptomQuerySchema(ListQuerySchema):
    """Filters for symptoms."""

    urgency = enum_field(URGENCY_SCALE, "Only symptoms calling for this urgency.", "emergency")


@blp.route("")
class Symptoms(MethodView):
    """The symptoms."""

    @blp.doc(operationId="listSymptoms", responses=CONDITIONAL_GET_RESPONSES)
    @blp.arguments(SymptomQuerySchema, location="query")
    @blp.response(200, SymptomPageSchema, headers={**CACHE_HEADERS, **LINK_HEADER})
    def get(self, args: dict[str, Any]) -> Response:
        """List symptoms

        Filter by urgency and search with `q`. Results are sorted by id. Pass ids to
        `GET /v1/readings?symptoms=` to adjust a reading's medical half.
        """
        return catalogue("symptom").page(args)


@blp.route("/<symptom_id>", parameters=id_parameter("symptom", "sudden-facial-droop"))
class SymptomItem(MethodView):
    """One symptom."""

    @blp.doc(operationId="getSymptom", responses=CONDITIONAL_GET_RESPONSES)
    @blp.response(200, SymptomSchema, headers=CACHE_HEADERS)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, symptom_id: str) -> Response:
        """Get one symptom

        What it is, how urgent it makes a twitch, what to do, and its sources.
        """
        return catalogue("symptom").item(symptom_id)


def init_app(app: Flask, api: Api, dataset: Dataset) -> None:
    """Serialise every symptom and register the blueprint."""
    catalogue_ = Catalogue(
        dataset.collection("symptom"),
        SymptomSchema(),
        SymptomPageSchema(),
        equal_filters("urgency"),
    )
    serve_catalogue(app, api, blp, catalogue_)
