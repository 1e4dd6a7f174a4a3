"""A complete, machine-made translation folder for tests: every string of the English, changed.

Tests that need a language besides English (the loader's failure table, negotiation, the
cache per language) write one into a copy of the data. Its text is the English in lower
case with accented vowels ("Goes numb" becomes "góés númb"): every sentence differs from
the English, each emergency phrase stays inside the emergency text that contains it, and
the placeholders of the interface strings are kept.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from service.dataset import load_dataset
from service.dataset.interface import PLACEHOLDER
from service.dataset.translations import (
    DATASET_FIELDS,
    KIND_TEXTS,
    READING_MEDICAL_FIELDS,
    READING_OMEN_FIELDS,
)

from .helpers import read_yaml, write_yaml

ACUTE = str.maketrans("aeiou", "áéíóú")
GRAVE = str.maketrans("aeiou", "àèìòù")
_PIECES = re.compile(r"(\{[a-z_]+\})")


def pseudo_text(text: str, grave: bool = False) -> str:
    """``text`` in the pseudo-language: lower case, vowels accented (acute, or grave for a
    second language), placeholders kept."""
    accents = GRAVE if grave else ACUTE
    return "".join(
        piece if PLACEHOLDER.fullmatch(piece) else piece.lower().translate(accents)
        for piece in _PIECES.split(text)
    )


def _write(folder: Path, name: str, document: Any) -> None:
    write_yaml(folder / name, document)


def write_pseudo_language(
    data_dir: Path, tag: str, name: str | None = None, grave: bool = False
) -> Path:
    """Write a complete translation of ``data_dir``'s English into ``translations/<tag>/``.

    It has one health source, ``<tag>-health-page``, which its first condition was checked
    against. ``grave`` accents make a second language differ from the first. Returns the
    folder.
    """
    dataset = load_dataset(data_dir)

    def pseudo(text: str) -> str:
        return pseudo_text(text, grave)

    folder = data_dir / "translations" / tag
    folder.mkdir(parents=True)
    _write(
        folder,
        "language.yaml",
        {
            "tag": tag,
            "name": name or f"Pseudo {tag}",
            "english_name": f"Pseudo-{tag}",
            "method": pseudo("Made by a test from the English, letter by letter."),
            "reviewed_by_native_speaker": False,
        },
    )
    _write(folder, "dataset.yaml", {f: pseudo(getattr(dataset.info, f)) for f in DATASET_FIELDS})
    english_interface = read_yaml(data_dir / "translations" / "en" / "interface.yaml")
    _write(
        folder,
        "interface.yaml",
        {
            group: {key: pseudo(text) for key, text in strings.items()}
            for group, strings in english_interface.items()
        },
    )
    english_sources = {entry["id"] for entry in read_yaml(data_dir / "sources.yaml")}
    for kind in KIND_TEXTS:
        entries = [
            e
            for e in dataset.entries[kind.kind]
            if kind.kind != "source" or e.id in english_sources
        ]
        _write(
            folder,
            kind.file,
            {
                entry.id: {
                    field: pseudo(getattr(entry, field))
                    for field in kind.fields
                    if getattr(entry, field) is not None
                }
                for entry in entries
            },
        )
    readings = {}
    for reading in dataset.readings:
        medical = reading.medical
        readings[reading.id] = {
            "omen": {f: pseudo(getattr(reading.omen, f)) for f in READING_OMEN_FIELDS},
            "medical": {
                **{f: pseudo(getattr(medical, f)) for f in READING_MEDICAL_FIELDS},
                "likely_causes": {c.condition.id: pseudo(c.why) for c in medical.likely_causes},
                "rule_out": {r.condition.id: pseudo(r.signs) for r in medical.rule_out},
            },
        }
    _write(folder, "readings.yaml", readings)
    conditions = read_yaml(folder / "conditions.yaml")
    first_condition = dataset.conditions[0].id
    conditions[first_condition]["checked_against"] = [f"{tag}-health-page"]
    _write(folder, "conditions.yaml", conditions)
    _write(
        folder,
        "health-sources.yaml",
        [
            {
                "id": f"{tag}-health-page",
                "title": f"A health page in {tag}",
                "url": f"https://health.example.org/{tag}/lip-twitching",
                "publisher": "Example health service",
                "kind": "medical",
                "quality": "reputable",
                "supports": pseudo("The wording of the first condition."),
                "language": tag,
            }
        ],
    )
    return folder


pseudo = pseudo_text
"""``text`` in the first pseudo-language (acute accents)."""
