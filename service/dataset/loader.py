"""Load the curated dataset from ``data/`` and enforce its rules.

Each file is checked entry by entry against a marshmallow schema (``schemas``: types,
required fields, allowed values), then references between files are resolved
(``resolve``), readings are linked and checked (``links``) and the dataset-wide rules
are checked. The first mistake stops loading with a ``DatasetError`` that names the
file, the entry and the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import marshmallow as ma

from .errors import DatasetError
from .files import DataFiles
from .links import ReadingLinks, check_every_combination_once
from .models import Condition, DatasetInfo, Omen, Source, Symptom, Tradition, Treatment
from .queries import Dataset
from .resolve import Resolver, by_id
from .schemas import (
    ConditionSchema,
    DatasetInfoSchema,
    OmenSchema,
    ReadingSchema,
    SourceSchema,
    SymptomSchema,
    TraditionSchema,
    TreatmentSchema,
)

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
"""The dataset shipped with the service."""

T = TypeVar("T")


def _build_all(
    files: DataFiles,
    name: str,
    schema: ma.Schema,
    build: Callable[[dict[str, Any], Resolver], T],
) -> tuple[T, ...]:
    label = files.label(name)
    return tuple(
        build(entry, Resolver(label, entry["id"])) for entry in files.entries(name, schema)
    )


def load_dataset(data_dir: Path = DATA_DIR) -> Dataset:
    """Load, validate and link every file of ``data_dir`` into an immutable ``Dataset``.

    Raises ``DatasetError`` naming the file, entry and field of the first mistake.
    """
    files = DataFiles(data_dir)
    info = DatasetInfo(**files.mapping("dataset.yaml", DatasetInfoSchema()))

    sources = _build_all(files, "sources.yaml", SourceSchema(), lambda e, _: Source(**e))
    source_index = by_id(sources)

    def cited(entry: dict[str, Any], resolve: Resolver) -> tuple[Source, ...]:
        return resolve.many(source_index, entry["sources"], "sources", "source")

    traditions = _build_all(
        files,
        "traditions.yaml",
        TraditionSchema(),
        lambda e, r: Tradition(**{**e, "sources": cited(e, r)}),
    )
    tradition_index = by_id(traditions)

    def omen(entry: dict[str, Any], resolve: Resolver) -> Omen:
        sources = cited(entry, resolve)
        attestation = entry["attestation"]
        if attestation != "low_quality_only" and all(s.quality == "low" for s in sources):
            raise DatasetError(
                resolve.file,
                f"a {attestation} belief needs a source of better than low quality; "
                "otherwise mark it low_quality_only",
                resolve.entry,
                "attestation",
            )
        tradition = resolve.one(tradition_index, entry["tradition"], "tradition", "tradition")
        return Omen(**{**entry, "tradition": tradition, "sources": sources})

    omens = _build_all(files, "omens.yaml", OmenSchema(), omen)
    symptoms = _build_all(
        files,
        "symptoms.yaml",
        SymptomSchema(),
        lambda e, r: Symptom(**{**e, "sources": cited(e, r)}),
    )
    treatments = _build_all(
        files,
        "treatments.yaml",
        TreatmentSchema(),
        lambda e, r: Treatment(**{**e, "sources": cited(e, r)}),
    )
    symptom_index, treatment_index = by_id(symptoms), by_id(treatments)
    conditions = _build_all(
        files,
        "conditions.yaml",
        ConditionSchema(),
        lambda e, r: Condition(
            **{
                **e,
                "symptoms": r.many(symptom_index, e["symptoms"], "symptoms", "symptom"),
                "treatments": r.many(treatment_index, e["treatments"], "treatments", "treatment"),
                "sources": cited(e, r),
            }
        ),
    )
    links = ReadingLinks(
        source_index, by_id(omens), by_id(conditions), treatment_index, symptom_index
    )
    readings = _build_all(files, "readings.yaml", ReadingSchema(), links.reading)
    check_every_combination_once(readings, files.label("readings.yaml"))

    dataset = Dataset(
        info=info,
        checksum=files.digest.hexdigest(),
        sources=sources,
        traditions=traditions,
        omens=omens,
        symptoms=symptoms,
        treatments=treatments,
        conditions=conditions,
        readings=readings,
    )
    _check_every_source_is_cited(dataset, files.label("sources.yaml"))
    return dataset


def _check_every_source_is_cited(dataset: Dataset, file: str) -> None:
    citing: list[Iterable[Source]] = [
        *(entry.sources for entry in dataset.traditions),
        *(entry.sources for entry in dataset.omens),
        *(entry.sources for entry in dataset.symptoms),
        *(entry.sources for entry in dataset.treatments),
        *(entry.sources for entry in dataset.conditions),
        *(reading.omen.sources for reading in dataset.readings),
        *(reading.medical.sources for reading in dataset.readings),
    ]
    cited = {source.id for group in citing for source in group}
    for source in dataset.sources:
        if source.id not in cited:
            raise DatasetError(file, "no entry cites this source", source.id, "id")
