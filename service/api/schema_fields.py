"""Field builders every schema shares: choices, urgency, API paths and dataset ids."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ..dataset import Dataset
from ..dataset.models import (
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
from ..state import app_state
from .base import LANGUAGE_COMPONENT, language_enum
from .paths import collection_path, href

URGENCY_DESCRIPTION = (
    "How soon to get medical help, on one ordered scale, least urgent first: "
    "`self_care` < `see_doctor` < `urgent` < `emergency`. "
    "self_care: usually harmless, the self-care steps are enough unless it persists; "
    "see_doctor: make an appointment with a doctor; urgent: get medical help the same "
    "day; emergency: call the local emergency number now."
)


ENUMS: dict[tuple[str, ...], tuple[str, str]] = {
    SIDES: ("Side", "Side of the face, as the person feels it."),
    LIPS: ("Lip", "Upper or lower lip."),
    OMEN_SIDES: ("OmenSide", "Side a belief speaks of; any means either side."),
    OMEN_LIPS: ("OmenLip", "Lip a belief speaks of; any means either lip."),
    OMEN_ONSETS: ("OmenOnset", "Onset a belief speaks of; any means either onset."),
    URGENCY_SCALE: ("Urgency", URGENCY_DESCRIPTION),
    SENTIMENTS: ("Sentiment", "Whether an omen foretells good, bad, both (mixed) or neither."),
    ATTESTATIONS: (
        "Attestation",
        "How well a belief is attested, best first. documented: a folklore record, "
        "classical text or reference work names the lip, or lips, and the reading; reported: "
        "a newspaper or news site reports it as something people say, or a record gives it "
        "only for the whole body; low_quality_only: found only on low-quality websites.",
    ),
    CONDITION_CATEGORIES: ("ConditionCategory", "Kind of cause or condition."),
    TREATMENT_KINDS: ("TreatmentKind", "Kind of treatment or step."),
    SOURCE_KINDS: ("SourceKind", "What a source is about."),
    SOURCE_QUALITIES: ("SourceQuality", "How far a source can be trusted."),
    FACE_SIDES: ("FaceSides", "Whether a condition affects one side of the face or both."),
    CONDITION_ONSETS: ("ConditionOnset", "How a condition's twitching comes on."),
}
"""Every set of values a field may take, with its name in the spec: one shared component each."""

GROWING_SETS = frozenset({"Attestation", "ConditionCategory", "TreatmentKind", "SourceKind"})
"""Sets of ``ENUMS`` that may gain values within /v1, as the dataset grows (the ids of every
kind of entry grow too). The spec gives them as strings with the values known today in
``x-extensible-enum``, so generated clients accept a value they have not seen; the other
sets (side, lip, urgency, sentiment...) are closed and only change with a new major version."""

EXTENSIBLE_NOTE = (
    " The values known today are listed in x-extensible-enum; more may be added within /v1, "
    "so accept a value you do not know (show it as it is, or treat it as unknown)."
)


class FoldedString(fields.String):
    """A string read without regard to letter case: ``LEFT`` reads as ``left``.

    Every enum value and dataset id is lower case, so folding input loses nothing.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).lower()


def enum_field(
    choices: Sequence[str],
    description: str,
    example: str | None = None,
    *,
    required: bool = False,
    attribute: str | None = None,
) -> fields.String:
    """A documented field limited to ``choices``, in any letter case on input.

    The spec refers to the set's one shared component (see ``ENUMS``); an unlisted
    set of choices fails here, at import.
    """
    name, _ = ENUMS[tuple(choices)]
    allowed = ", ".join(choices)
    metadata: dict[str, Any] = {"description": description, "enum_component": name}
    if example is not None:
        metadata["example"] = example
    return FoldedString(
        required=required,
        attribute=attribute,
        validate=validate.OneOf(choices, error=f"Must be one of: {allowed}."),
        error_messages={"required": f"Missing. Must be one of: {allowed}."},
        metadata=metadata,
    )


TRUTHY = ("true", "1", "yes", "on")
FALSY = ("false", "0", "no", "off")


class Flag(fields.Boolean):
    """A boolean query parameter: true/false, 1/0, yes/no or on/off, in any letter case.

    ``requests`` sends Python's ``True`` as ``True``; other clients send ``TRUE`` or ``on``.
    """

    def __init__(self, **kwargs: Any) -> None:
        allowed = ", ".join(value for pair in zip(TRUTHY, FALSY, strict=True) for value in pair)
        super().__init__(
            truthy=set(TRUTHY),
            falsy=set(FALSY),
            error_messages={"invalid": f"Not a boolean. Must be one of: {allowed}."},
            **kwargs,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        folded = value.lower() if isinstance(value, str) else value
        return super()._deserialize(folded, attr, data, **kwargs)


class RepeatedList(fields.List[Any]):
    """A list parameter given repeated (``a=x&a=y``), comma-separated (``a=x,y``) or both.

    The spec documents the repeated form (``style: form``, ``explode: true``), which is
    what generated clients send; people typing URLs may use commas.

    A list longer than its ``Length`` validator allows is refused before any item is
    checked: 2,000 commas cost one message, not 2,000 look-ups.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        raw = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) for item in raw):
            raise self.make_error("invalid")
        parts = [part.strip() for item in raw if item != "" for part in item.split(",")]
        for validator in self.validators:
            if isinstance(validator, validate.Length) and validator.max is not None:
                if len(parts) > validator.max:
                    validator(parts)  # raises its own message
        return super()._deserialize(parts, attr, data, **kwargs)


def sudden_field(description: str, **kwargs: Any) -> Flag:
    """The ``sudden`` query parameter: a twitch that came on suddenly (true) or gradually (false).

    ``Omen.speaks_of_onset`` reads it as an onset; ``kwargs`` go to ``Flag`` (a default, an
    example in ``metadata``).
    """
    metadata = {"description": description, **kwargs.pop("metadata", {})}
    return Flag(metadata=metadata, **kwargs)


def enum_reference(converter: Any, field: fields.Field[Any], ret: dict[str, Any], **_: Any) -> Any:
    """An apispec attribute function: an enum field refers to its shared component.

    The component (``#/components/schemas/Urgency``...) is registered on first use, so
    generated clients get one type per set of values instead of one per property.
    """
    name = field.metadata.get("enum_component")
    if name is None:
        return {}
    choices = next(v.choices for v in field.validators if isinstance(v, validate.OneOf))
    description = ENUMS[tuple(choices)][1]
    _register_enum(converter.spec, name, list(choices), description, name in GROWING_SETS)
    return _refer(ret, name)


def _register_enum(
    spec: Any, name: str, choices: list[str], description: str, growing: bool
) -> None:
    """Register a set of values once: a closed ``enum``, or a string whose known values a
    growing set lists in ``x-extensible-enum`` (see ``GROWING_SETS``)."""
    if name in spec.components.schemas:
        return
    component: dict[str, Any] = {"type": "string"}
    if growing:
        component |= {
            "description": description + EXTENSIBLE_NOTE,
            "x-extensible-enum": choices,
        }
    else:
        component |= {"enum": choices, "description": description}
    spec.components.schema(name, component)


def _refer(ret: dict[str, Any], name: str) -> dict[str, Any]:
    """Replace a property's inline type by a reference, keeping its own description."""
    kept: dict[str, Any] = {key: ret[key] for key in ("description", "example") if key in ret}
    ret.clear()
    ref = {"$ref": f"#/components/schemas/{name}"}
    return {"allOf": [ref], **kept} if kept else ref


def urgency_field(attribute: str | None = None) -> fields.String:
    """The urgency of the ordered scale, documented once for every schema."""
    return enum_field(URGENCY_SCALE, URGENCY_DESCRIPTION, "self_care", attribute=attribute)


def href_field(kind: str, attribute: str = "id") -> fields.Function:
    """The API path of the entry (or of the entry at ``attribute``)."""

    def path(obj: Any) -> str:
        for name in attribute.split("."):
            obj = getattr(obj, name)
        return href(kind, str(obj))

    return fields.Function(
        path,
        metadata={
            "description": f"API path of this {kind}.",
            "example": href(kind, "example-id"),
            "type": "string",
        },
    )


class KnownId(validate.Validator):
    """Accepts only the ids of one kind of entry that the served dataset holds.

    The spec lists them as an ``enum`` (see ``known_ids_as_enum``), so the
    allowed values are documented and checked in one place.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(self, value: str) -> str:
        collection = app_state().dataset.collection(self.kind)
        if not collection.has(value):
            raise ma.ValidationError(f"Must be one of: {', '.join(collection.ids())}.")
        return value


def served_languages_as_enum(tags: list[str]) -> Callable[..., dict[str, Any]]:
    """An apispec attribute function documenting ``lang`` as the ``Language`` enum of ``tags``."""
    description = language_enum(tags)["description"]

    def language_component(
        converter: Any, field: fields.Field[Any], ret: dict[str, Any], **_: Any
    ) -> dict[str, Any]:
        if not field.metadata.get("language_component"):
            return {}
        _register_enum(converter.spec, LANGUAGE_COMPONENT, tags, description, growing=False)
        return _refer(ret, LANGUAGE_COMPONENT)

    return language_component


def known_ids_as_enum(dataset: Dataset) -> Callable[..., dict[str, Any]]:
    """An apispec attribute function documenting ``KnownId`` fields as the dataset's ids.

    Each kind's ids are one shared component (``SymptomId``...), referred to wherever
    a parameter takes them.
    """

    def known_ids_enum(
        converter: Any, field: fields.Field[Any], ret: dict[str, Any], **_: Any
    ) -> dict[str, Any]:
        for validator in field.validators:
            if isinstance(validator, KnownId):
                name = f"{validator.kind.capitalize()}Id"
                ids = list(dataset.collection(validator.kind).ids())
                description = f"The id of a {validator.kind} in {collection_path(validator.kind)}."
                _register_enum(converter.spec, name, ids, description, growing=True)
                return _refer(ret, name)
        return {}

    return known_ids_enum


MAX_SYMPTOMS = 10


def symptoms_field() -> RepeatedList:
    """The ``symptoms`` parameter: ids from /v1/symptoms, repeated or comma-separated."""
    return RepeatedList(
        FoldedString(validate=KnownId("symptom")),
        validate=validate.Length(
            min=1,
            max=MAX_SYMPTOMS,
            error=f"From 1 to {MAX_SYMPTOMS} symptoms, repeated or comma-separated.",
        ),
        metadata={
            "description": "Ids from /v1/symptoms that came with the twitch, as repeated "
            "parameters (symptoms=a&symptoms=b) or comma-separated (symptoms=a,b). They "
            "raise the medical urgency where they call for it and re-rank the likely "
            "causes and the conditions to rule out; the omen never changes.",
        },
    )


def known_id_field(kind: str, description: str) -> fields.String:
    """A query parameter holding the id of one ``kind`` of entry in the dataset."""
    return FoldedString(validate=KnownId(kind), metadata={"description": description})
