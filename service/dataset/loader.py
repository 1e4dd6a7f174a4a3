"""Load the curated dataset from ``data/`` and enforce its rules.

Each file is checked entry by entry against a marshmallow schema (``schemas``: types,
required fields, allowed values), then each kind's entries are built by its rule
(``rules``), resolving references between files, readings are linked and checked
(``links``) and the dataset-wide rules are checked. Then every language of
``data/translations/`` is loaded and checked against the English (``translations``), its
health sources join the sources, and the dataset is built once per language. The first
mistake stops loading with a ``DatasetError`` that names the file, the entry and the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import marshmallow as ma

from .errors import DatasetError
from .files import DataFiles
from .links import ReadingLinks, check_every_combination_once
from .models import DatasetInfo, Reading, Source
from .queries import Dataset
from .resolve import Resolver, by_id
from .rules import KIND_RULES
from .schemas import DatasetInfoSchema, ReadingSchema
from .translations import (
    ENGLISH,
    KIND_TEXTS,
    READING_MEDICAL_FIELDS,
    READING_OMEN_FIELDS,
    TRANSLATIONS,
    Localizer,
    load_english,
    load_translation,
    translation_tags,
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
    """The English dataset of ``data_dir``, after every language of it has been checked."""
    return load_datasets(data_dir)[ENGLISH]


def load_datasets(data_dir: Path = DATA_DIR) -> dict[str, Dataset]:
    """Load, validate and link every file of ``data_dir``: one immutable ``Dataset`` per
    language, by tag, English first.

    Raises ``DatasetError`` naming the file, entry and field of the first mistake.
    """
    files = DataFiles(data_dir)
    info = DatasetInfo(**files.mapping("dataset.yaml", DatasetInfoSchema()))
    entries: dict[str, tuple[Any, ...]] = {}
    loaded: dict[str, dict[str, Any]] = {}
    for rule in KIND_RULES:
        entries[rule.kind] = rule.load(files, loaded)
        loaded[rule.kind] = by_id(entries[rule.kind])
    links = ReadingLinks(
        loaded["source"],
        loaded["omen"],
        loaded["condition"],
        loaded["treatment"],
        loaded["symptom"],
    )
    readings = _build_all(files, "readings.yaml", ReadingSchema(), links.reading)
    check_every_combination_once(readings, files.label("readings.yaml"))
    _check_every_source_is_cited(entries, readings, files.label("sources.yaml"))
    english_strings = _english_strings(entries, readings)
    tags = translation_tags(files)
    language, interface = load_english(files.folder(f"{TRANSLATIONS}/{ENGLISH}"))
    english_info = {"title": info.title, "licence": info.licence, "disclaimer": info.disclaimer}
    translations = [
        load_translation(
            files.folder(f"{TRANSLATIONS}/{tag}"), tag, entries, readings, interface, english_info
        )
        for tag in tags[1:]
    ]
    entries["source"] = (
        *entries["source"],
        *(source for translation in translations for source in translation.health_sources),
    )
    english = Dataset(
        info=info,
        checksum=files.digest.hexdigest(),
        entries=entries,
        readings=readings,
        language=replace(language, strings=len(interface) + english_strings),
        interface=interface,
    )
    datasets = {ENGLISH: english}
    for translation in translations:
        localize = Localizer(translation)
        datasets[translation.language.tag] = replace(
            english,
            info=replace(
                info,
                title=translation.info["title"],
                licence=translation.info["licence"],
                disclaimer=translation.info["disclaimer"],
            ),
            entries={
                kind: tuple(map(localize.entry, kind_entries))
                for kind, kind_entries in entries.items()
            },
            readings=tuple(map(localize.reading, readings)),
            language=translation.language,
            interface=translation.interface,
        )
    return datasets


def _english_strings(entries: dict[str, tuple[Any, ...]], readings: tuple[Reading, ...]) -> int:
    """How many strings a translation of the English dataset translates (for the count)."""
    return (
        sum(
            sum(1 for name in kind.fields if getattr(entry, name) is not None)
            for kind in KIND_TEXTS
            for entry in entries[kind.kind]
        )
        + sum(
            len(READING_OMEN_FIELDS)
            + len(READING_MEDICAL_FIELDS)
            + len(reading.medical.likely_causes)
            + len(reading.medical.rule_out)
            for reading in readings
        )
        + 3
    )


def _check_every_source_is_cited(
    entries: dict[str, tuple[Any, ...]], readings: tuple[Reading, ...], file: str
) -> None:
    citing: list[Iterable[Source]] = [
        # Every entry of a kind that cites sources; a source itself cites none.
        *(getattr(entry, "sources", ()) for kind in entries.values() for entry in kind),
        *(reading.omen.sources for reading in readings),
        *(reading.medical.sources for reading in readings),
    ]
    cited = {source.id for group in citing for source in group}
    for source in entries["source"]:
        if source.id not in cited:
            raise DatasetError(file, "no entry cites this source", source.id, "id")
