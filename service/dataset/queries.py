"""The loaded dataset and the questions the service asks of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .models import (
    Condition,
    DatasetInfo,
    Omen,
    Reading,
    Source,
    Symptom,
    Tradition,
    Treatment,
)

ReadingKey = tuple[str, str, bool]


@dataclass(frozen=True)
class Dataset:
    """The whole curated dataset, validated and immutable, with its indexes."""

    info: DatasetInfo
    checksum: str
    sources: tuple[Source, ...]
    traditions: tuple[Tradition, ...]
    omens: tuple[Omen, ...]
    symptoms: tuple[Symptom, ...]
    treatments: tuple[Treatment, ...]
    conditions: tuple[Condition, ...]
    readings: tuple[Reading, ...]
    _readings_by_key: Mapping[ReadingKey, Reading] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key = {(r.side, r.lip, r.sudden): r for r in self.readings}
        object.__setattr__(self, "_readings_by_key", MappingProxyType(by_key))

    def reading_for(self, side: str, lip: str, sudden: bool) -> Reading:
        """Return the curated reading for a twitch of this side, lip and onset.

        Raises ``LookupError`` for a combination the dataset does not hold,
        which the loader's validation rules out for valid sides and lips.
        """
        try:
            return self._readings_by_key[(side, lip, sudden)]
        except KeyError:
            raise LookupError(f"no reading for {side} {lip} sudden={sudden}") from None
