"""Short forms of entries, nested wherever another entry or a reading links to them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from .schema_fields import enum_field, href_field, urgency_field


class SourceRefSchema(ma.Schema):
    """A source cited by an entry, with its page and its place in the API."""

    source_id = fields.String(attribute="id", metadata={"example": "lip-twitching-article"})
    title = fields.String(metadata={"example": "Lip Twitching"})
    url = fields.String(
        allow_none=True,
        metadata={"description": "The page's address; null for a source that has none."},
    )
    publisher = fields.String(metadata={"example": "Mayo Clinic"})
    date = fields.String(
        allow_none=True,
        metadata={
            "description": "The date the page shows (published, updated or reviewed), "
            "as it gives it; null when it shows none.",
            "example": "Page last reviewed: 18/01/2021",
        },
    )
    quality = enum_field(
        ("authoritative", "reputable", "low"), "How far the source can be trusted.", "reputable"
    )
    href = href_field("source")


class SymptomRefSchema(ma.Schema):
    """A symptom, briefly, with the least urgency it calls for."""

    symptom_id = fields.String(attribute="id", metadata={"example": "sudden-facial-droop"})
    name = fields.String(metadata={"example": "Sudden drooping of one side of the face"})
    urgency = urgency_field()
    advice = fields.String(metadata={"description": "What to do about it."})
    href = href_field("symptom")


class TreatmentRefSchema(ma.Schema):
    """A treatment or self-care step, briefly."""

    treatment_id = fields.String(attribute="id", metadata={"example": "warm-damp-cloth"})
    name = fields.String(metadata={"example": "Warm, damp cloth on the lip"})
    kind = enum_field(
        ("prevention", "self_care", "physiotherapy", "medical"), "Kind of step.", "self_care"
    )
    description = fields.String()
    href = href_field("treatment")
