"""One loader rule per kind of entry: its file, its entry schema and how an entry is built.

``load_dataset`` loads the kinds of ``KIND_RULES`` in that order (an entry may refer only
to kinds loaded before its own), and the ``Dataset`` holds one collection per rule.
Readings are not a kind: they link entries of every kind (``links``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import marshmallow as ma

from .errors import DatasetError
from .files import DataFiles
from .models import (
    MIN_INDEPENDENT_COPIES,
    Condition,
    Omen,
    Original,
    Source,
    Symptom,
    Tradition,
    Treatment,
)
from .resolve import Resolver
from .schemas import (
    ConditionSchema,
    OmenSchema,
    SourceSchema,
    SymptomSchema,
    TraditionSchema,
    TreatmentSchema,
)

Loaded = Mapping[str, Mapping[str, Any]]
"""The entries loaded so far: by kind, then by id."""


class Refs:
    """One entry's references to entries of kinds already loaded; an error names the entry."""

    def __init__(self, resolve: Resolver, loaded: Loaded) -> None:
        self.resolve = resolve
        self.loaded = loaded

    def one(self, kind: str, ref: str, field: str) -> Any:
        """The ``kind`` entry that ``field`` names by id."""
        return self.resolve.one(self.loaded[kind], ref, field, kind)

    def many(self, kind: str, refs: Iterable[str], field: str) -> tuple[Any, ...]:
        """The ``kind`` entries that the list ``field`` names by id, in its order."""
        return self.resolve.many(self.loaded[kind], refs, field, kind)

    def sources(self, entry: Mapping[str, Any]) -> tuple[Source, ...]:
        """The sources an entry cites."""
        return self.many("source", entry["sources"], "sources")

    def error(self, message: str, field: str) -> DatasetError:
        """A mistake in this entry's ``field``, located by file and entry."""
        return DatasetError(self.resolve.file, message, self.resolve.entry, field)


@dataclass(frozen=True)
class KindRule:
    """How one kind of entry is loaded: from which file, checked how, built into what."""

    kind: str
    """The kind's name, singular (``treatment``); the API serves it at its plural."""
    file: str
    schema: type[ma.Schema]
    """The shape of one entry (``schemas``)."""
    build: Callable[[dict[str, Any], Refs], Any]
    """Builds the model of one validated entry, resolving its references."""

    def load(self, files: DataFiles, loaded: Loaded) -> tuple[Any, ...]:
        """Every entry of the kind's file, in file order, checked and built."""
        label = files.label(self.file)
        return tuple(
            self.build(entry, Refs(Resolver(label, entry["id"]), loaded))
            for entry in files.entries(self.file, self.schema())
        )


def citing(model: Callable[..., Any]) -> Callable[[dict[str, Any], Refs], Any]:
    """Builds ``model`` from an entry whose only references are the sources it cites."""
    return lambda entry, refs: model(**{**entry, "sources": refs.sources(entry)})


def _attested_enough(attestation: str, sources: Iterable[Source]) -> bool:
    """Whether ``sources`` can bear ``attestation``: a source better than low quality, or
    (for a documented record read only in copies) copies from enough different publishers."""
    sources = tuple(sources)
    if attestation == "low_quality_only" or any(s.quality != "low" for s in sources):
        return True
    copyists = {s.publisher for s in sources if s.copy_of}
    return attestation == "documented" and len(copyists) >= MIN_INDEPENDENT_COPIES


def _omen(entry: dict[str, Any], refs: Refs) -> Omen:
    sources = refs.sources(entry)
    attestation = entry["attestation"]
    if not _attested_enough(attestation, sources):
        raise refs.error(
            f"a {attestation} belief needs a source of better than low quality "
            f"(or, if documented, copies of the record by {MIN_INDEPENDENT_COPIES} different "
            "publishers); otherwise mark it low_quality_only",
            "attestation",
        )
    tradition = refs.one("tradition", entry["tradition"], "tradition")
    original = Original(**entry["original"]) if entry["original"] else None
    return Omen(**{**entry, "tradition": tradition, "sources": sources, "original": original})


def _condition(entry: dict[str, Any], refs: Refs) -> Condition:
    return Condition(
        **{
            **entry,
            "symptoms": refs.many("symptom", entry["symptoms"], "symptoms"),
            "treatments": refs.many("treatment", entry["treatments"], "treatments"),
            "sources": refs.sources(entry),
        }
    )


KIND_RULES = (
    KindRule("source", "sources.yaml", SourceSchema, lambda entry, _: Source(**entry)),
    KindRule("tradition", "traditions.yaml", TraditionSchema, citing(Tradition)),
    KindRule("omen", "omens.yaml", OmenSchema, _omen),
    KindRule("symptom", "symptoms.yaml", SymptomSchema, citing(Symptom)),
    KindRule("treatment", "treatments.yaml", TreatmentSchema, citing(Treatment)),
    KindRule("condition", "conditions.yaml", ConditionSchema, _condition),
)
"""Every kind of entry, in the order it is loaded; adding a kind means adding its rule here."""
