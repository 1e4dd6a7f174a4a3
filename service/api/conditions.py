"""``/v1/conditions``: what can cause a lip twitch, benign to serious."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask import Flask, Response
from flask.views import MethodView
from marshmallow import fields

from ..dataset import URGENCY_SCALE, Dataset
from ..dataset.models import CONDITION_CATEGORIES, CONDITION_ONSETS, FACE_SIDES
from . import Api, Blueprint
from .common import (
    LINK_HEADER,
    Catalogue,
    Filter,
    ListQuerySchema,
    SourceRefSchema,
    SymptomRefSchema,
    TreatmentRefSchema,
    catalogue,
    enum_field,
    equal_filters,
    href_field,
    id_parameter,
    known_id_field,
    page_schema,
    serve_catalogue,
    urgency_field,
)
from .prebuilt import CACHE_HEADERS, CONDITIONAL_GET_RESPONSES

blp = Blueprint(
    "conditions",
    __name__,
    url_prefix="/v1/conditions",
    description="Medical causes of lip twitching and conditions it can belong to.",
)


class ConditionSchema(ma.Schema):
    """A cause of lip twitching or a condition it can belong to. General information only."""

    condition_id = fields.String(attribute="id", metadata={"example": "bells-palsy"})
    name = fields.String(metadata={"example": "Bell's palsy"})
    category = enum_field(CONDITION_CATEGORIES, "Kind of cause.", "neurological")
    urgency = urgency_field()
    summary = fields.String(metadata={"description": "One sentence for a card."})
    description = fields.String()
    lip_twitch_link = fields.String(metadata={"description": "How it relates to lip twitching."})
    face_sides = enum_field(FACE_SIDES, "Whether it affects one side of the face.", "one_side")
    onset = enum_field(CONDITION_ONSETS, "How it usually comes on.", "sudden")
    see_doctor_when = fields.String(
        metadata={"description": "When to see a doctor, and when to call emergency services."}
    )
    symptoms = fields.List(fields.Nested(SymptomRefSchema))
    treatments = fields.List(fields.Nested(TreatmentRefSchema))
    sources = fields.List(fields.Nested(SourceRefSchema))
    href = href_field("condition")


ConditionPageSchema = page_schema(ConditionSchema, "Condition")


class ConditionQuerySchema(ListQuerySchema):
    """Filters for conditions."""

    category = enum_field(CONDITION_CATEGORIES, "Only conditions of this kind.", "neurological")
    urgency = enum_field(URGENCY_SCALE, "Only conditions with this urgency.", "see_doctor")
    symptom = known_id_field(
        "symptom",
        "Only conditions that can come with this symptom (an id from /v1/symptoms).",
        "sudden-facial-droop",
    )


def condition_filters(args: Mapping[str, Any]) -> list[Filter]:
    """Tests for the conditions that match the query's filters."""
    tests: list[Filter] = []
    if "symptom" in args:
        tests.append(lambda condition: any(s.id == args["symptom"] for s in condition.symptoms))
    return [*tests, *equal_filters("category", "urgency")(args)]


@blp.route("")
class Conditions(MethodView):
    """The conditions."""

    @blp.doc(operationId="listConditions", responses=CONDITIONAL_GET_RESPONSES)
    @blp.arguments(ConditionQuerySchema, location="query")
    @blp.response(200, ConditionPageSchema, headers={**CACHE_HEADERS, **LINK_HEADER})
    def get(self, args: dict[str, Any]) -> Response:
        """List conditions

        Filter by category, urgency and accompanying symptom, and search with `q`.
        Filters combine. Results are sorted by id.
        """
        return catalogue("condition").page(args)


@blp.route("/<condition_id>", parameters=id_parameter("condition", "bells-palsy"))
class ConditionItem(MethodView):
    """One condition."""

    @blp.doc(operationId="getCondition", responses=CONDITIONAL_GET_RESPONSES)
    @blp.response(200, ConditionSchema, headers=CACHE_HEADERS)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, condition_id: str) -> Response:
        """Get one condition

        What it is, how it relates to lip twitching, its symptoms and treatments,
        when to see a doctor, and its sources.
        """
        return catalogue("condition").item(condition_id)


def init_app(app: Flask, api: Api, dataset: Dataset) -> None:
    """Serialise every condition and register the blueprint."""
    catalogue_ = Catalogue(
        dataset.collection("condition"), ConditionSchema(), ConditionPageSchema(), condition_filters
    )
    serve_catalogue(app, api, blp, catalogue_)
