"""``/v1/treatments``: treatments, physiotherapy, self-care and prevention."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response
from flask.views import MethodView
from marshmallow import fields

from ..dataset import Dataset
from ..dataset.models import TREATMENT_KINDS
from . import Api, Blueprint
from .common import (
    LINK_HEADER,
    Catalogue,
    ListQuerySchema,
    SourceRefSchema,
    TreatmentRefSchema,
    catalogue,
    enum_field,
    equal_filters,
    id_parameter,
    page_schema,
    serve_catalogue,
)
from .prebuilt import CACHE_HEADERS, CONDITIONAL_GET_RESPONSES

blp = Blueprint(
    "treatments",
    __name__,
    url_prefix="/v1/treatments",
    description="Treatments, physiotherapy, self-care and prevention. General information only.",
)


class TreatmentSchema(TreatmentRefSchema):
    """A treatment, physiotherapy exercise, self-care step or preventive measure."""

    sources = fields.List(fields.Nested(SourceRefSchema))


TreatmentPageSchema = page_schema(TreatmentSchema, "Treatment")


class TreatmentQuerySchema(ListQuerySchema):
    """Filters for treatments."""

    kind = enum_field(TREATMENT_KINDS, "Only treatments of this kind.", "prevention")


@blp.route("")
class Treatments(MethodView):
    """The treatments."""

    @blp.doc(operationId="listTreatments", responses=CONDITIONAL_GET_RESPONSES)
    @blp.arguments(TreatmentQuerySchema, location="query")
    @blp.response(200, TreatmentPageSchema, headers={**CACHE_HEADERS, **LINK_HEADER})
    def get(self, args: dict[str, Any]) -> Response:
        """List treatments

        Filter by kind and search with `q`. Results are sorted by id.
        """
        return catalogue("treatment").page(args)


@blp.route("/<treatment_id>", parameters=id_parameter("treatment", "warm-damp-cloth"))
class TreatmentItem(MethodView):
    """One treatment."""

    @blp.doc(operationId="getTreatment", responses=CONDITIONAL_GET_RESPONSES)
    @blp.response(200, TreatmentSchema, headers=CACHE_HEADERS)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, treatment_id: str) -> Response:
        """Get one treatment

        What it is and its sources.
        """
        return catalogue("treatment").item(treatment_id)


def init_app(app: Flask, api: Api, dataset: Dataset) -> None:
    """Serialise every treatment and register the blueprint."""
    catalogue_ = Catalogue(
        dataset.collection("treatment"),
        TreatmentSchema(),
        TreatmentPageSchema(),
        equal_filters("kind"),
    )
    serve_catalogue(app, api, blp, catalogue_)
