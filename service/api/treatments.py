"""``/v1/treatments``: treatments, physiotherapy, self-care and prevention."""

from __future__ import annotations

from marshmallow import fields

from ..dataset.models import TREATMENT_KINDS
from .catalogue import equal_filters
from .declaration import CatalogueDeclaration
from .pagination import ListQuerySchema
from .refs import SourceRefSchema, TreatmentRefSchema
from .schema_fields import enum_field


class TreatmentSchema(TreatmentRefSchema):
    """A treatment, physiotherapy exercise, self-care step or preventive measure."""

    sources = fields.List(fields.Nested(SourceRefSchema))


class TreatmentQuerySchema(ListQuerySchema):
    """Filters for treatments."""

    kind = enum_field(TREATMENT_KINDS, "Only treatments of this kind.")


declaration = CatalogueDeclaration(
    kind="treatment",
    description="Treatments, physiotherapy, self-care and prevention. General information only.",
    item_schema=TreatmentSchema,
    query_schema=TreatmentQuerySchema,
    filters=equal_filters("kind"),
    example_id="warm-damp-cloth",
    list_doc="""List treatments

    Filter by kind and search with `q`. Results are sorted by id.
    """,
    item_doc="""Get one treatment

    What it is and its sources.
    """,
)
