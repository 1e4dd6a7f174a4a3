"""``/v1/omens``: folklore beliefs about lip twitches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow import fields

from ..dataset import LIPS, SIDES
from ..dataset.models import ATTESTATIONS, OMEN_LIPS, OMEN_ONSETS, OMEN_SIDES, SENTIMENTS
from .catalogue import Filter, equal_filters
from .declaration import CatalogueDeclaration
from .pagination import ListQuerySchema
from .refs import SourceRefSchema
from .schema_fields import enum_field, href_field, known_id_field, sudden_field


class TraditionRefSchema(ma.Schema):
    """The tradition a belief comes from."""

    tradition_id = fields.String(attribute="id", metadata={"example": "jamaican-folk"})
    name = fields.String(metadata={"example": "Jamaican folk belief (recorded 1896)"})
    href = href_field("tradition")


class OriginalSchema(ma.Schema):
    """The belief in its source's own language and words, quoted as the source gives them."""

    language = fields.String(
        metadata={
            "description": "BCP 47 tag of the words' language (ota: Ottoman Turkish).",
            "example": "hi",
        }
    )
    text = fields.String(
        metadata={"description": "The words as the source prints them.", "example": "होंठ फड़कना"}
    )
    transliteration = fields.String(
        allow_none=True,
        metadata={
            "description": "The words in Latin letters; always given when the text is in "
            "another script, else null or a reading aid.",
            "example": "hoṁṭh phaṛaknā",
        },
    )


class OmenSummarySchema(ma.Schema):
    """What every view of a belief shows: its words, tone and how well it is attested."""

    omen_id = fields.String(attribute="id", metadata={"example": "jamaica-lips-twitch-kiss"})
    headline = fields.String(metadata={"description": "Short text for a card (80 characters)."})
    text = fields.String(metadata={"description": "What the belief says, told neutrally."})
    sentiment = enum_field(SENTIMENTS, "Whether the belief foretells good or bad.", "good")
    attestation = enum_field(
        ATTESTATIONS,
        "documented: a folklore record, classical text or reference work (or a faithful "
        "reproduction of one) names the lip, or lips, and the reading; reported: a newspaper "
        "or news site reports it as something people say, with no record behind it, or a "
        "record gives the rule for the whole body and no source applies it to the lips; "
        "low_quality_only: found only on low-quality websites.",
        "documented",
    )
    attestation_note = fields.String(
        allow_none=True, metadata={"description": "Why the attestation is what it is."}
    )
    original = fields.Nested(
        OriginalSchema,
        allow_none=True,
        metadata={
            "description": "The belief in its source's own words and language, the same in "
            "every language of the answer; null where the source gives it in English only."
        },
    )
    href = href_field("omen")


class OmenSchema(OmenSummarySchema):
    """One folklore belief about a lip twitch."""

    tradition = fields.Nested(TraditionRefSchema)
    side = enum_field(OMEN_SIDES, "Side the belief speaks of; any means either.", "any")
    lip = enum_field(OMEN_LIPS, "Lip the belief speaks of; any means either.", "any")
    onset = enum_field(OMEN_ONSETS, "Onset the belief speaks of; any means either.", "any")
    sources = fields.List(fields.Nested(SourceRefSchema))


class OmenQuerySchema(ListQuerySchema):
    """Filters for omens; an omen about any side, lip or onset matches every value."""

    side = enum_field(SIDES, "Only omens about this side (or any side).")
    lip = enum_field(LIPS, "Only omens about this lip (or either lip).")
    sudden = sudden_field("Only omens about a sudden (true) or gradual (false) twitch, or any.")
    tradition = known_id_field(
        "tradition", "Only omens of this tradition (an id from /v1/traditions)."
    )
    sentiment = enum_field(SENTIMENTS, "Only omens with this sentiment.")


def omen_filters(args: Mapping[str, Any]) -> list[Filter]:
    """Tests for the omens that match the query's filters."""
    tests: list[Filter] = []
    if "tradition" in args:
        tests.append(lambda omen: omen.tradition.id == args["tradition"])
    if "side" in args:
        tests.append(lambda omen: omen.speaks_of_side(args["side"]))
    if "lip" in args:
        tests.append(lambda omen: omen.speaks_of_lip(args["lip"]))
    if "sudden" in args:
        tests.append(lambda omen: omen.speaks_of_onset(args["sudden"]))
    return [*tests, *equal_filters("sentiment")(args)]


declaration = CatalogueDeclaration(
    kind="omen",
    description="Folklore beliefs about lip twitches, each from one tradition, with sources.",
    item_schema=OmenSchema,
    query_schema=OmenQuerySchema,
    filters=omen_filters,
    example_id="jamaica-lips-twitch-kiss",
    list_doc="""List omens

    Filter by the side, lip and onset a belief speaks of, by tradition and by
    sentiment, and search with `q`. Filters combine. Results are sorted by id.
    """,
    item_doc="""Get one omen

    The belief, its tradition and the sources that record it.
    """,
)
