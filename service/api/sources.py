"""``/v1/sources``: every source the dataset cites."""

from __future__ import annotations

from marshmallow import fields

from ..dataset.models import SOURCE_KINDS, SOURCE_QUALITIES
from .catalogue import equal_filters
from .declaration import CatalogueDeclaration
from .pagination import ListQuerySchema
from .refs import SourceRefSchema
from .schema_fields import enum_field


class SourceSchema(SourceRefSchema):
    """A page or document that backs entries of the dataset."""

    kind = enum_field(SOURCE_KINDS, "What the source is about.", "medical")
    supports = fields.String(metadata={"description": "What in the dataset it backs."})
    copy_of = fields.String(
        allow_none=True,
        metadata={
            "description": "When the page reproduces another publisher's text: that publisher "
            "and work. A copy is rated low unless it is a facsimile; null for a publisher's "
            "own page.",
            "example": "NHS website (nhs.uk), 'Twitching eyes and muscles'",
        },
    )
    facsimile = fields.Boolean(
        metadata={
            "description": "The copy shows the original's printed pages beside its text, so "
            "it keeps the original's rating."
        }
    )


class SourceQuerySchema(ListQuerySchema):
    """Filters for sources."""

    kind = enum_field(SOURCE_KINDS, "Only sources about this.")
    quality = enum_field(SOURCE_QUALITIES, "Only sources of this quality.")


declaration = CatalogueDeclaration(
    kind="source",
    description="Every source the dataset cites, with how far it can be trusted.",
    item_schema=SourceSchema,
    query_schema=SourceQuerySchema,
    filters=equal_filters("kind", "quality"),
    example_id="lip-twitching-article",
    list_doc="""List sources

    Filter by kind and quality, and search with `q`. Results are sorted by id.
    """,
    item_doc="""Get one source

    Its title, address, publisher, quality and what it supports.
    """,
)
