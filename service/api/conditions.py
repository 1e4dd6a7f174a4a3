"""``/v1/conditions``: what can cause a lip twitch, benign to serious."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow import fields

from ..dataset import URGENCY_SCALE
from ..dataset.models import CONDITION_CATEGORIES, CONDITION_ONSETS, FACE_SIDES
from .catalogue import Filter, equal_filters
from .declaration import CatalogueDeclaration
from .pagination import ListQuerySchema
from .refs import SourceRefSchema, SymptomRefSchema, TreatmentRefSchema
from .schema_fields import enum_field, href_field, known_id_field, urgency_field


class ConditionSchema(ma.Schema):
    """A cause of lip twitching or a condition it can belong to. General information only."""

    condition_id = fields.String(attribute="id", metadata={"example": "bells-palsy"})
    name = fields.String(metadata={"example": "Bell's palsy"})
    category = enum_field(CONDITION_CATEGORIES, "Kind of cause.", "neurological")
    urgency = urgency_field()
    serious = fields.Boolean(
        metadata={
            "description": "A condition a doctor would rule out; readings list it in "
            "rule_out, never among likely causes."
        }
    )
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


class ConditionQuerySchema(ListQuerySchema):
    """Filters for conditions."""

    category = enum_field(CONDITION_CATEGORIES, "Only conditions of this kind.")
    urgency = enum_field(URGENCY_SCALE, "Only conditions with this urgency.")
    symptom = known_id_field(
        "symptom", "Only conditions that can come with this symptom (an id from /v1/symptoms)."
    )


def condition_filters(args: Mapping[str, Any]) -> list[Filter]:
    """Tests for the conditions that match the query's filters."""
    tests: list[Filter] = []
    if "symptom" in args:
        tests.append(lambda condition: any(s.id == args["symptom"] for s in condition.symptoms))
    return [*tests, *equal_filters("category", "urgency")(args)]


declaration = CatalogueDeclaration(
    kind="condition",
    description="Medical causes of lip twitching and conditions it can belong to.",
    item_schema=ConditionSchema,
    query_schema=ConditionQuerySchema,
    filters=condition_filters,
    example_id="bells-palsy",
    list_doc="""List conditions

    Filter by category, urgency and accompanying symptom, and search with `q`.
    Filters combine. Results are sorted by id.
    """,
    item_doc="""Get one condition

    What it is, how it relates to lip twitching, its symptoms and treatments,
    when to see a doctor, and its sources.
    """,
)
