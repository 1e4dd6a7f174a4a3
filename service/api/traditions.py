"""``/v1/traditions``: the cultures and bodies of folklore that omens come from."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from .catalogue import equal_filters
from .declaration import CatalogueDeclaration
from .refs import SourceRefSchema
from .schema_fields import href_field


class TraditionSchema(ma.Schema):
    """A tradition of folklore."""

    tradition_id = fields.String(attribute="id", metadata={"example": "hindu-angasphurana"})
    name = fields.String(metadata={"example": "Hindu angasphurana"})
    region = fields.String(metadata={"example": "India"})
    period = fields.String(
        metadata={
            "description": "When the tradition was recorded or is attested.",
            "example": "Recorded in 1896; published in 1904",
        }
    )
    description = fields.String()
    sources = fields.List(fields.Nested(SourceRefSchema))
    omens_href = fields.Function(
        lambda tradition: f"/v1/omens?tradition={tradition.id}",
        metadata={"description": "API path listing this tradition's omens.", "type": "string"},
    )
    href = href_field("tradition")


declaration = CatalogueDeclaration(
    kind="tradition",
    description="Cultures and bodies of folklore that the omens come from.",
    item_schema=TraditionSchema,
    filters=equal_filters(),
    example_id="jamaican-folk",
    list_doc="""List traditions

    Search with `q`. Results are sorted by id.
    """,
    item_doc="""Get one tradition

    What the tradition is, where it comes from, and a link to its omens.
    """,
)
