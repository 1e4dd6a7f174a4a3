"""Load the curated dataset from ``data/`` and enforce its rules.

Each file is checked entry by entry against a marshmallow schema (``schemas``: types,
required fields, allowed values), then each kind's entries are built by its rule
(``rules``), resolving references between files, readings are linked and checked
(``links``) and the dataset-wide rules are checked. The first mistake stops loading with
a ``DatasetError`` that names the file, the entry and the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import marshmallow as ma

from .errors import DatasetError
from .files import DataFiles
from .links import ReadingLinks, check_every_combination_once
from .models import DatasetInfo, Source
from .queries import Dataset
from .resolve import Resolver, by_id
from .rules import KIND_RULES
from .schemas import DatasetInfoSchema, ReadingSchema

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
    dataset = Dataset(
        info=info, checksum=files.digest.hexdigest(), entries=entries, readings=readings
    )
    _check_every_source_is_cited(dataset, files.label("sources.yaml"))
    return dataset


def _check_every_source_is_cited(dataset: Dataset, file: str) -> None:
    citing: list[Iterable[Source]] = [
        # Every entry of a kind that cites sources; a source itself cites none.
        *(getattr(entry, "sources", ()) for kind in dataset.entries.values() for entry in kind),
        *(reading.omen.sources for reading in dataset.readings),
        *(reading.medical.sources for reading in dataset.readings),
    ]
    cited = {source.id for group in citing for source in group}
    for source in dataset.sources:
        if source.id not in cited:
            raise DatasetError(file, "no entry cites this source", source.id, "id")
