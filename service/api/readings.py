"""``/v1/readings``: the paired reading for one side, lip and onset."""

from __future__ import annotations

from itertools import product
from typing import Any

import marshmallow as ma
from flask import Flask, Response, current_app
from flask.views import MethodView
from marshmallow import fields, validate

from ..dataset import LIPS, SIDES, URGENCY_SCALE, Dataset
from ..dataset.models import (
    ATTESTATIONS,
    CONDITION_CATEGORIES,
    SENTIMENTS,
    SOURCE_QUALITIES,
    TREATMENT_KINDS,
    Reading,
)
from . import Api, Blueprint, QueryArgsSchema
from .prebuilt import CACHE_HEADERS, CONDITIONAL_GET_RESPONSES, PrebuiltJson

blp = Blueprint(
    "readings",
    __name__,
    url_prefix="/v1/readings",
    description="The paired reading: a lip twitch's omen and its medical counterpart.",
)

URGENCY_DESCRIPTION = (
    "How soon to get medical help, on one ordered scale, least urgent first: "
    "`self_care` < `see_doctor` < `urgent` < `emergency`. "
    "self_care: usually harmless, the self-care steps are enough unless it persists; "
    "see_doctor: make an appointment with a doctor; urgent: get medical help the same "
    "day; emergency: call the local emergency number now."
)
PAYLOADS_KEY = "twitchlore.reading_payloads"


def _enum(
    choices: tuple[str, ...], description: str, example: str, attribute: str | None = None
) -> fields.String:
    """A documented string field limited to ``choices`` (checked on input, listed in the spec)."""
    return fields.String(
        required=True,
        attribute=attribute,
        validate=validate.OneOf(choices, error=f"Must be one of: {', '.join(choices)}."),
        error_messages={"required": f"Missing. Must be one of: {', '.join(choices)}."},
        metadata={"description": description, "example": example},
    )


class ReadingQuerySchema(QueryArgsSchema):
    """Which twitch to read: side of the face, lip, and whether it came on suddenly."""

    side = _enum(SIDES, "Side of the face that twitched, as the person feels it.", "left")
    lip = _enum(LIPS, "Which lip twitched.", "upper")
    sudden = fields.Boolean(
        load_default=False,
        dump_default=False,
        truthy={"true", "1"},
        falsy={"false", "0"},
        error_messages={"invalid": "Not a boolean. Must be one of: true, false."},
        metadata={
            "description": "Whether the twitch came on suddenly (true) "
            "or built up gradually (false). Default: false.",
            "example": True,
        },
    )


class SourceRefSchema(ma.Schema):
    """A source cited by a reading."""

    source_id = fields.String(attribute="id", metadata={"example": "seed-article"})
    title = fields.String(metadata={"example": "Lip Twitching"})
    url = fields.String(
        allow_none=True,
        metadata={"description": "The page's address; null when the source is a file."},
    )
    file = fields.String(
        allow_none=True,
        metadata={
            "description": "File name of the seed article when it is the source; else null.",
            "example": "000_acc1385d1cf40fea.txt",
        },
    )
    publisher = fields.String(metadata={"example": "Twitchlore seed article"})
    quality = _enum(SOURCE_QUALITIES, "How far the source can be trusted.", "authoritative")


class BeliefSchema(ma.Schema):
    """One tradition's belief about this kind of twitch."""

    omen_id = fields.String(attribute="id", metadata={"example": "left-side-bad-luck"})
    tradition_id = fields.String(attribute="tradition.id", metadata={"example": "popular-web"})
    tradition = fields.String(
        attribute="tradition.name", metadata={"example": "Popular superstition"}
    )
    headline = fields.String(metadata={"example": "Something bad is coming"})
    text = fields.String(metadata={"description": "What the belief says, told neutrally."})
    sentiment = _enum(SENTIMENTS, "Whether the belief foretells good or bad.", "bad")
    attestation = _enum(
        ATTESTATIONS,
        "documented: recorded by a folklore collection, encyclopaedia or reputable "
        "publication; low_quality_only: found only on low-quality websites.",
        "documented",
    )
    attestation_note = fields.String(
        allow_none=True, metadata={"description": "Why the attestation is what it is."}
    )


class ReadingOmenSchema(ma.Schema):
    """The folklore half of a reading: what traditions say this twitch foretells."""

    headline = fields.String(metadata={"description": "Short text for a card."})
    meaning = fields.String(metadata={"description": "The longer reading of the omen."})
    sentiment = _enum(SENTIMENTS, "Overall tone of the omen.", "mixed")
    beliefs = fields.List(fields.Nested(BeliefSchema), metadata={"description": "At least two."})
    sources = fields.List(fields.Nested(SourceRefSchema))


class LikelyCauseSchema(ma.Schema):
    """A condition that can cause this kind of twitch, and why it fits."""

    condition_id = fields.String(attribute="condition.id", metadata={"example": "stress"})
    name = fields.String(attribute="condition.name", metadata={"example": "Stress"})
    category = _enum(CONDITION_CATEGORIES, "Kind of cause.", "emotional", "condition.category")
    urgency = _enum(URGENCY_SCALE, URGENCY_DESCRIPTION, "self_care", "condition.urgency")
    summary = fields.String(attribute="condition.summary")
    why = fields.String(metadata={"description": "Why it fits this side, lip and onset."})


class SelfCareStepSchema(ma.Schema):
    """Something a person can do themselves."""

    treatment_id = fields.String(attribute="id", metadata={"example": "warm-compress"})
    name = fields.String(metadata={"example": "Warm, damp compress"})
    kind = _enum(TREATMENT_KINDS, "Kind of step.", "self_care")
    description = fields.String()


class ReadingMedicalSchema(ma.Schema):
    """The medical half of a reading: general information, not a diagnosis."""

    headline = fields.String(metadata={"description": "Short text for a card."})
    explanation = fields.String(metadata={"description": "Plain explanation of such a twitch."})
    urgency = _enum(URGENCY_SCALE, URGENCY_DESCRIPTION, "self_care")
    likely_causes = fields.List(fields.Nested(LikelyCauseSchema))
    red_flags = fields.List(
        fields.String(),
        metadata={"description": "Signs that mean a doctor or emergency services."},
    )
    self_care = fields.List(fields.Nested(SelfCareStepSchema))
    when_to_see_doctor = fields.String()
    when_to_call_emergency = fields.String()
    sources = fields.List(fields.Nested(SourceRefSchema))


class ReadingSchema(ma.Schema):
    """The paired reading of one lip twitch."""

    reading_id = fields.String(metadata={"example": "left-upper-sudden"})
    query = fields.Nested(ReadingQuerySchema, metadata={"description": "The question, echoed."})
    omen = fields.Nested(ReadingOmenSchema)
    medical = fields.Nested(ReadingMedicalSchema)
    disclaimer = fields.String(
        metadata={"description": "The omen is folklore; the medical half is not advice."}
    )


def _document(reading: Reading, disclaimer: str) -> dict[str, Any]:
    return {
        "reading_id": reading.id,
        "query": {"side": reading.side, "lip": reading.lip, "sudden": reading.sudden},
        "omen": reading.omen,
        "medical": reading.medical,
        "disclaimer": disclaimer,
    }


def build_payloads(dataset: Dataset) -> dict[tuple[str, str, bool], PrebuiltJson]:
    """Serialise the reading of every side, lip and onset once."""
    schema = ReadingSchema()
    return {
        key: PrebuiltJson.of(
            schema.dump(_document(dataset.reading_for(*key), dataset.info.disclaimer))
        )
        for key in product(SIDES, LIPS, (True, False))
    }


@blp.route("")
class Readings(MethodView):
    """The reading of one twitch."""

    @blp.doc(operationId="getReading", responses=CONDITIONAL_GET_RESPONSES)
    @blp.arguments(ReadingQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, ReadingSchema, description="The paired reading.", headers=CACHE_HEADERS)
    def get(self, side: str, lip: str, sudden: bool) -> Response:
        """Read a lip twitch: its omen and its medical counterpart

        Give the side of the face and the lip that twitched, and whether it came on
        suddenly. The answer pairs what folklore traditions say such a twitch foretells
        with what usually causes it, what helps, and when to see a doctor or call
        emergency services. All 8 combinations have their own curated text.
        """
        payloads: dict[tuple[str, str, bool], PrebuiltJson] = current_app.extensions[PAYLOADS_KEY]
        return payloads[(side, lip, sudden)].respond()


def init_app(app: Flask, api: Api, dataset: Dataset) -> None:
    """Build the readings' responses and register the blueprint."""
    app.extensions[PAYLOADS_KEY] = build_payloads(dataset)
    api.register_blueprint(blp)
