"""The shape of one entry of each data file, checked with marshmallow before linking.

Types, required fields, allowed values and rules within one entry live here; rules
that need other entries or files live in ``links`` and ``loader``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from .models import (
    ATTESTATIONS,
    CONDITION_CATEGORIES,
    CONDITION_ONSETS,
    FACE_SIDES,
    LIPS,
    OMEN_LIPS,
    OMEN_ONSETS,
    OMEN_SIDES,
    SENTIMENTS,
    SIDES,
    SOURCE_KINDS,
    SOURCE_QUALITIES,
    TREATMENT_KINDS,
    URGENCY_SCALE,
)

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
LANGUAGE_TAG_PATTERN = r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$"
"""A BCP 47 tag of the forms the dataset uses: language, optional script, optional region
(``tr``, ``ota``, ``sa-Latn``, ``es-MX``)."""
MIN_BELIEFS_PER_READING = 3
COMMON_URGENCIES = ("self_care", "see_doctor")
"""The urgencies a likely cause may have; more urgent conditions belong in rule_out."""


def _text(max_length: int | None = None) -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=1, max=max_length))


def _optional_text() -> fields.String:
    return fields.String(load_default=None, validate=validate.Length(min=1))


def _choice(choices: Sequence[str]) -> fields.String:
    return fields.String(required=True, validate=validate.OneOf(choices))


def _ids(min_count: int = 0) -> fields.List[Any]:
    return fields.List(
        fields.String(validate=validate.Regexp(ID_PATTERN)),
        required=True,
        validate=validate.Length(min=min_count),
    )


class EntrySchema(ma.Schema):
    id = fields.String(
        required=True,
        validate=validate.Regexp(ID_PATTERN, error="Must be kebab-case: a-z, 0-9 and '-'."),
    )


class DatasetInfoSchema(ma.Schema):
    title = _text()
    version = _text()
    licence = _text()
    disclaimer = _text()
    released = fields.Date(required=True)


class SourceSchema(EntrySchema):
    title = _text()
    url = fields.Url(load_default=None, schemes={"http", "https"})
    file = _optional_text()
    publisher = _text()
    kind = _choice(SOURCE_KINDS)
    quality = _choice(SOURCE_QUALITIES)
    supports = _text()
    date = _optional_text()
    language = fields.String(load_default="en", validate=validate.Regexp(LANGUAGE_TAG_PATTERN))
    copy_of = _optional_text()
    facsimile = fields.Boolean(load_default=False, truthy={True}, falsy={False})

    @ma.validates_schema
    def _url_or_file(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("url") is None and data.get("file") is None:
            raise ma.ValidationError(
                "Give the page's url, or the file of a source that has no page.", "url"
            )

    @ma.validates_schema
    def _copy_is_rated_as_a_copy(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("facsimile") and not data.get("copy_of"):
            raise ma.ValidationError(
                "Only a copy can be a facsimile: name the original in copy_of.", "facsimile"
            )
        copy = data.get("copy_of") and not data.get("facsimile")
        if copy and data.get("quality") not in (None, "low"):
            raise ma.ValidationError(
                f"A copy of another publisher's text ({data['copy_of']}) is rated low, "
                "not by its original: cite the publisher's own page, or rate the copy low.",
                "quality",
            )


class TraditionSchema(EntrySchema):
    name = _text()
    region = _text()
    period = _text()
    description = _text()
    sources = _ids(min_count=1)


def in_latin_script(text: str) -> bool:
    """Whether every letter of ``text`` is a Latin letter (with or without accents)."""
    return all(unicodedata.name(char, "").startswith("LATIN") for char in text if char.isalpha())


class OriginalSchema(ma.Schema):
    """A belief's words as its source gives them, in its own language."""

    language = fields.String(
        required=True,
        validate=validate.Regexp(
            LANGUAGE_TAG_PATTERN,
            error="Must be a BCP 47 language tag such as tr, ota, hi, sa or ru.",
        ),
    )
    text = _text()
    transliteration = _optional_text()

    @ma.validates_schema
    def _transliterated_unless_latin(self, data: dict[str, Any], **_: Any) -> None:
        text = data.get("text")
        if text and not data.get("transliteration") and not in_latin_script(text):
            raise ma.ValidationError(
                "Required when the text is not in Latin script: the words in Latin letters.",
                "transliteration",
            )


class OmenSchema(EntrySchema):
    tradition = _text()
    side = _choice(OMEN_SIDES)
    lip = _choice(OMEN_LIPS)
    onset = _choice(OMEN_ONSETS)
    sentiment = _choice(SENTIMENTS)
    headline = _text(max_length=80)
    text = _text()
    attestation = _choice(ATTESTATIONS)
    attestation_note = _optional_text()
    sources = _ids(min_count=1)
    original = fields.Nested(OriginalSchema, load_default=None)

    @ma.validates_schema
    def _weak_attestation_is_explained(self, data: dict[str, Any], **_: Any) -> None:
        attestation = data.get("attestation")
        if attestation not in (None, "documented") and not data.get("attestation_note"):
            raise ma.ValidationError(
                f"Required when attestation is {attestation}: say plainly what the sources are.",
                "attestation_note",
            )


class SymptomSchema(EntrySchema):
    name = _text()
    description = _text()
    urgency = _choice(URGENCY_SCALE)
    advice = _text()
    emergency_phrase = _optional_text()
    sources = _ids(min_count=1)

    @ma.validates_schema
    def _emergency_has_phrase(self, data: dict[str, Any], **_: Any) -> None:
        emergency = data.get("urgency") == "emergency"
        if emergency and not data.get("emergency_phrase"):
            raise ma.ValidationError(
                "Required for an emergency symptom: the words a reading's "
                "when_to_call_emergency must contain to name it.",
                "emergency_phrase",
            )
        if not emergency and data.get("emergency_phrase"):
            raise ma.ValidationError(
                "Only an emergency symptom has an emergency_phrase.", "emergency_phrase"
            )


class TreatmentSchema(EntrySchema):
    name = _text()
    kind = _choice(TREATMENT_KINDS)
    description = _text()
    sources = _ids(min_count=1)


class ConditionSchema(EntrySchema):
    name = _text()
    category = _choice(CONDITION_CATEGORIES)
    urgency = _choice(URGENCY_SCALE)
    summary = _text(max_length=160)
    description = _text()
    lip_twitch_link = _text()
    face_sides = _choice(FACE_SIDES)
    onset = _choice(CONDITION_ONSETS)
    symptoms = _ids()
    treatments = _ids()
    see_doctor_when = _text()
    serious = fields.Boolean(load_default=False, truthy={True}, falsy={False})
    sources = _ids(min_count=1)

    @ma.validates_schema
    def _urgent_is_serious(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("urgency") not in COMMON_URGENCIES and not data.get("serious"):
            raise ma.ValidationError(
                "An urgent or emergency condition is serious: set serious: true.", "serious"
            )


class OmenHalfSchema(ma.Schema):
    headline = _text(max_length=80)
    meaning = _text()
    sentiment = _choice(SENTIMENTS)
    beliefs = _ids(min_count=MIN_BELIEFS_PER_READING)
    sources = _ids(min_count=1)


class LikelyCauseSchema(ma.Schema):
    condition = _text()
    why = _text()


class RuleOutSchema(ma.Schema):
    condition = _text()
    signs = _text()


class MedicalHalfSchema(ma.Schema):
    headline = _text(max_length=80)
    explanation = _text()
    urgency = _choice(URGENCY_SCALE)
    likely_causes = fields.List(
        fields.Nested(LikelyCauseSchema), required=True, validate=validate.Length(min=1)
    )
    rule_out = fields.List(
        fields.Nested(RuleOutSchema), required=True, validate=validate.Length(min=1)
    )
    red_flags = _ids(min_count=1)
    self_care = _ids(min_count=1)
    when_to_see_doctor = _text()
    when_to_call_emergency = _text()
    sources = _ids(min_count=1)


class ReadingSchema(EntrySchema):
    side = _choice(SIDES)
    lip = _choice(LIPS)
    sudden = fields.Boolean(required=True, truthy={True}, falsy={False})
    omen = fields.Nested(OmenHalfSchema, required=True)
    medical = fields.Nested(MedicalHalfSchema, required=True)
