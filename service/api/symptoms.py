"""``/v1/symptoms``: what can come with a lip twitch, and how urgent it makes it."""

from __future__ import annotations

from marshmallow import fields

from ..dataset import URGENCY_SCALE
from .catalogue import equal_filters
from .declaration import CatalogueDeclaration
from .pagination import ListQuerySchema
from .refs import SourceRefSchema, SymptomRefSchema
from .schema_fields import enum_field


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


class SymptomQuerySchema(ListQuerySchema):
    """Filters for symptoms."""

    urgency = enum_field(URGENCY_SCALE, "Only symptoms calling for this urgency.")


declaration = CatalogueDeclaration(
    kind="symptom",
    description="Symptoms that can come with a lip twitch; pass their ids to /v1/readings.",
    item_schema=SymptomSchema,
    query_schema=SymptomQuerySchema,
    filters=equal_filters("urgency"),
    example_id="sudden-facial-droop",
    list_doc="""List symptoms

    Filter by urgency and search with `q`. Results are sorted by id. Pass ids to
    `GET /v1/readings?symptoms=` to adjust a reading's medical half.
    """,
    item_doc="""Get one symptom

    What it is, how urgent it makes a twitch, what to do, and its sources.
    """,
)
