"""``/v1/readings``: the paired reading for one side, lip and onset."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from marshmallow import fields

from ..dataset import LIPS, SIDES, Dataset
from ..dataset.links import MIN_TRADITIONS_PER_READING
from ..dataset.models import CONDITION_CATEGORIES, SENTIMENTS, Reading
from ..dataset.schemas import MIN_BELIEFS_PER_READING
from ..state import app_state
from .attribution import AttributionSchema, attribution
from .base import Api, Blueprint, QueryArgsSchema
from .catalogue import ReadingBook
from .omens import OmenSummarySchema
from .prebuilt import CACHE_HEADERS, CONDITIONAL_GET_RESPONSES, PrebuiltJson
from .refs import SourceRefSchema, SymptomRefSchema, TreatmentRefSchema
from .schema_fields import enum_field, href_field, sudden_field, symptoms_field, urgency_field

blp = Blueprint(
    "readings",
    __name__,
    url_prefix="/v1/readings",
    description="The paired reading: a lip twitch's omen and its medical counterpart.",
)


class TwitchQuerySchema(QueryArgsSchema):
    """Which twitch to read: side of the face, lip, onset, and any symptoms with it.

    The question that /v1/readings and /v1/cards both answer. A parameter added here reaches
    both operations, and both views must take it (tests/test_query_parameters.py fails,
    naming the operation, until they do); a parameter of one of them goes in its own schema
    (``ReadingQuerySchema``, ``CardQuerySchema``).
    """

    side = enum_field(
        SIDES, "Side of the face that twitched, as the person feels it.", "left", required=True
    )
    lip = enum_field(LIPS, "Which lip twitched.", "upper", required=True)
    sudden = sudden_field(
        "Whether the twitch came on suddenly (true) or built up gradually (false). "
        "Default: false. Also 1/0, yes/no, on/off.",
        load_default=False,
        metadata={"example": True},
    )
    symptoms = symptoms_field()


class ReadingQuerySchema(TwitchQuerySchema):
    """The query of /v1/readings: the twitch; no parameter of its own yet."""


class ReadingSymptomsSchema(QueryArgsSchema):
    """Symptoms that came with the twitch; the reading's id says the side, lip and onset.

    The query of both /v1/readings/{reading_id} and /v1/cards/{reading_id}.
    """

    symptoms = symptoms_field()


def reading_id_parameter() -> list[dict[str, Any]]:
    """The documented path parameter ``reading_id`` (one shared ``ReadingId`` enum)."""
    return [
        {
            "in": "path",
            "name": "reading_id",
            "description": "The reading's id: side, lip and onset, such as left-upper-sudden "
            "or right-lower-gradual (the reading_id of every reading).",
            "schema": {
                "allOf": [{"$ref": "#/components/schemas/ReadingId"}],
                "example": "left-upper-sudden",
            },
        }
    ]


def register_reading_ids(api: Api, book: ReadingBook) -> None:
    """Document the readings' ids as the shared ``ReadingId`` enum."""
    api.spec.components.schema(
        "ReadingId",
        {"type": "string", "enum": book.ids(), "description": "A reading's id."},
    )


class ReadingQueryEchoSchema(ma.Schema):
    """The question a reading answers, as the service understood it."""

    side = enum_field(SIDES, "Side of the face.", "left")
    lip = enum_field(LIPS, "Lip.", "upper")
    sudden = fields.Boolean(metadata={"example": True})
    symptoms = fields.List(fields.String(), metadata={"example": ["sudden-facial-droop"]})
    lang = fields.String(
        metadata={
            "description": "The language of the answer's text (a tag of /v1/languages), as "
            "chosen from lang or Accept-Language: es-MX gives es, none gives en.",
            "example": "en",
        }
    )


class BeliefSchema(OmenSummarySchema):
    """One tradition's belief about this kind of twitch.

    Its ``attestation_note`` stays on the omen's own page (``href``), which keeps a
    reading small on the wire; ``attestation`` still says how well it is attested.
    """

    class Meta:
        exclude = ("attestation_note",)

    tradition_id = fields.String(attribute="tradition.id", metadata={"example": "jamaican-folk"})
    tradition = fields.String(
        attribute="tradition.name", metadata={"example": "Jamaican folk belief (recorded 1896)"}
    )


class ReadingOmenSchema(ma.Schema):
    """The folklore half of a reading: what traditions say this twitch foretells."""

    headline = fields.String(metadata={"description": "Short text for a card."})
    meaning = fields.String(metadata={"description": "The longer reading of the omen."})
    sentiment = enum_field(SENTIMENTS, "Overall tone of the omen.", "mixed")
    beliefs = fields.List(
        fields.Nested(BeliefSchema),
        metadata={
            "description": f"At least {MIN_BELIEFS_PER_READING}, from at least "
            f"{MIN_TRADITIONS_PER_READING} traditions, at least one of them documented."
        },
    )
    sources = fields.List(fields.Nested(SourceRefSchema))


class LikelyCauseSchema(ma.Schema):
    """A condition that can cause this kind of twitch, and why it fits."""

    condition_id = fields.String(attribute="condition.id", metadata={"example": "stress"})
    name = fields.String(attribute="condition.name", metadata={"example": "Stress"})
    category = enum_field(
        CONDITION_CATEGORIES, "Kind of cause.", "emotional", attribute="condition.category"
    )
    urgency = urgency_field(attribute="condition.urgency")
    why = fields.String(
        metadata={
            "description": "Why it fits this twitch. The condition's own summary and sources "
            "are at its href."
        }
    )
    href = href_field("condition", attribute="condition.id")


class RuleOutSchema(ma.Schema):
    """A serious condition a doctor would rule out, with the signs that point to it."""

    condition_id = fields.String(attribute="condition.id", metadata={"example": "stroke"})
    name = fields.String(attribute="condition.name", metadata={"example": "Stroke"})
    urgency = urgency_field(attribute="condition.urgency")
    signs = fields.String(metadata={"description": "The signs that point to it."})
    href = href_field("condition", attribute="condition.id")


class ReadingMedicalSchema(ma.Schema):
    """The medical half of a reading: general information, not a diagnosis."""

    headline = fields.String(metadata={"description": "Short text for a card."})
    explanation = fields.String(metadata={"description": "Plain explanation of such a twitch."})
    urgency = urgency_field()
    reported_symptoms = fields.List(
        fields.Nested(SymptomRefSchema),
        metadata={"description": "The symptoms given in the query, with their advice."},
    )
    likely_causes = fields.List(
        fields.Nested(LikelyCauseSchema),
        metadata={"description": "Common, usually harmless causes (self_care or see_doctor)."},
    )
    rule_out = fields.List(
        fields.Nested(RuleOutSchema),
        metadata={
            "description": "Serious conditions a doctor would rule out, "
            "with the signs that point to them."
        },
    )
    red_flags = fields.List(
        fields.Nested(SymptomRefSchema),
        metadata={
            "description": "Symptoms that mean a doctor or emergency services, each linked to "
            "its entry in /v1/symptoms, which decides its urgency and advice."
        },
    )
    self_care = fields.List(fields.Nested(TreatmentRefSchema))
    when_to_see_doctor = fields.String()
    when_to_call_emergency = fields.String()
    sources = fields.List(
        fields.Nested(SourceRefSchema),
        metadata={
            "description": "The sources of this half's own text. Each linked cause, symptom "
            "and treatment cites its own sources at its href."
        },
    )


class ReadingSchema(ma.Schema):
    """The paired reading of one lip twitch."""

    reading_id = fields.String(metadata={"example": "left-upper-sudden"})
    query = fields.Nested(ReadingQueryEchoSchema)
    omen = fields.Nested(ReadingOmenSchema)
    medical = fields.Nested(ReadingMedicalSchema)
    disclaimer = fields.String(
        metadata={"description": "The omen is folklore; the medical half is not advice."}
    )
    attribution = fields.Nested(
        AttributionSchema,
        metadata={"description": "The credit to show with the text (CC BY 4.0)."},
    )


_READING_SCHEMA = ReadingSchema()
"""One instance serialises every reading: making one builds its nested schemas again."""


def _serialise(reading: Reading, dataset: Dataset, public_url: str | None = None) -> PrebuiltJson:
    query = {
        "side": reading.side,
        "lip": reading.lip,
        "sudden": reading.sudden,
        "symptoms": [symptom.id for symptom in reading.medical.reported_symptoms],
        "lang": dataset.language.tag,
    }
    document = {
        "reading_id": reading.id,
        "query": query,
        "omen": reading.omen,
        "medical": reading.medical,
        "disclaimer": dataset.info.disclaimer,
        "attribution": attribution(public_url),
    }
    return PrebuiltJson.of(_READING_SCHEMA.dump(document), dataset.language.tag)


def reading_book(dataset: Dataset, public_url: str | None = None) -> ReadingBook:
    """Every reading of ``dataset``, serialised once, with symptoms on demand; its credit
    links the project at ``public_url`` (a path without one)."""
    return ReadingBook(dataset, partial(_serialise, public_url=public_url))


@blp.route("")
class Readings(MethodView):
    """The reading of one twitch."""

    @blp.doc(operationId="getReading", responses=CONDITIONAL_GET_RESPONSES)
    @blp.arguments(ReadingQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, ReadingSchema, description="The paired reading.", headers=CACHE_HEADERS)
    def get(
        self, side: str, lip: str, sudden: bool, symptoms: Sequence[str] = (), lang: str = ""
    ) -> Response:
        """Read a lip twitch: its omen and its medical counterpart

        Give the side of the face and the lip that twitched, and whether it came on
        suddenly. The answer pairs what folklore traditions say such a twitch foretells
        with what usually causes it, what helps, and when to see a doctor or call
        emergency services. All 8 combinations have their own curated text. Symptoms
        that came with the twitch (ids from /v1/symptoms) raise the urgency where they
        call for it and re-rank the likely causes and the conditions to rule out.
        """
        return app_state().answers().readings.answer(side, lip, sudden, symptoms).respond()


@blp.route("/<reading_id>", parameters=reading_id_parameter())
class ReadingById(MethodView):
    """One reading, by its id: its permalink."""

    @blp.doc(operationId="getReadingById", responses=CONDITIONAL_GET_RESPONSES)
    @blp.arguments(ReadingSymptomsSchema, location="query", as_kwargs=True)
    @blp.response(200, ReadingSchema, description="The paired reading.", headers=CACHE_HEADERS)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, reading_id: str, symptoms: Sequence[str] = (), lang: str = "") -> Response:
        """Get a reading by its id

        The permalink of a reading: the same answer as /v1/readings with that reading's
        side, lip and onset (`reading_id` in every reading), so it can be shared and
        bookmarked. Symptoms may be added as in /v1/readings.
        """
        book = app_state().answers().readings
        return book.answer(*book.key_for(reading_id), symptoms).respond()
