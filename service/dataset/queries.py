"""The loaded dataset and the questions the service asks of it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any, Generic, Protocol, TypeVar

from .interface import Interface
from .models import (
    URGENCY_SCALE,
    Condition,
    DatasetInfo,
    Language,
    LikelyCause,
    Omen,
    Reading,
    RuleOut,
    Source,
    Symptom,
    Tradition,
    Treatment,
)

ReadingKey = tuple[str, str, bool]


class HasId(Protocol):
    """An entry of any kind: every entry has an id."""

    @property
    def id(self) -> str: ...


Entry = TypeVar("Entry", bound=HasId)

_WORD = re.compile(r"\w+")


class _CombiningMarks(dict[int, int | None]):
    """For ``str.translate``: each combining mark to None (dropped), any other character to
    itself. Filled as characters are met, so translating is a look-up in C per character
    (calling ``unicodedata.combining`` on each character of every entry took a third of the
    start-up)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_COMBINING_MARKS = _CombiningMarks()


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents, so that 'Café' and 'cafe' compare equal."""
    if text.isascii():
        return text.casefold()
    return unicodedata.normalize("NFKD", text).translate(_COMBINING_MARKS).casefold()


def search_words(query: str) -> tuple[str, ...]:
    """The folded words of a search query; punctuation separates words."""
    return tuple(_WORD.findall(fold(query)))


def _searchable_text(entry: Any) -> str:
    """The folded text of every string field of an entry and of the names it links to."""
    parts: list[str] = []
    for item in fields(entry):
        value = getattr(entry, item.name)
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, Tradition):
            parts.append(value.name)
    return fold(" ".join(parts))


class Collection(Generic[Entry]):
    """One kind of entry, sorted by id, with look-up by id and word search."""

    def __init__(self, kind: str, entries: Iterable[Entry]) -> None:
        self.kind = kind
        self.entries: tuple[Entry, ...] = tuple(sorted(entries, key=lambda e: e.id))
        self._by_id: Mapping[str, Entry] = MappingProxyType({e.id: e for e in self.entries})
        self._text: Mapping[str, str] = MappingProxyType(
            {e.id: _searchable_text(e) for e in self.entries}
        )

    def __len__(self) -> int:
        return len(self.entries)

    def ids(self) -> tuple[str, ...]:
        """Every id, sorted."""
        return tuple(self._by_id)

    def has(self, entry_id: str) -> bool:
        """Whether an entry has ``entry_id``."""
        return entry_id in self._by_id

    def get(self, entry_id: str) -> Entry:
        """The entry with ``entry_id``; ``KeyError`` when there is none."""
        return self._by_id[entry_id]

    def where(self, *tests: Callable[[Entry], bool], words: Sequence[str] = ()) -> list[Entry]:
        """Entries, in id order, passing every test and containing every search word."""
        return [
            entry
            for entry in self.entries
            if all(test(entry) for test in tests)
            and all(word in self._text[entry.id] for word in words)
        ]


def more_urgent(first: str, second: str) -> str:
    """The more urgent of two levels of ``URGENCY_SCALE``."""
    return max(first, second, key=URGENCY_SCALE.index)


@dataclass(frozen=True)
class Dataset:
    """The whole curated dataset, validated and immutable, with its indexes."""

    info: DatasetInfo
    checksum: str
    entries: Mapping[str, tuple[Any, ...]]
    """Each kind's entries in file order, by kind, in the order the loader rules list them."""
    readings: tuple[Reading, ...]
    language: Language
    """The language of every text of this dataset; ids, enums and numbers are the same in all."""
    interface: Interface
    """The language's words for the service's own pages, widget, cards and errors."""
    _readings_by_key: Mapping[ReadingKey, Reading] = field(init=False, repr=False, compare=False)
    _collections: Mapping[str, Collection[Any]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", MappingProxyType(dict(self.entries)))
        by_key = {(r.side, r.lip, r.sudden): r for r in self.readings}
        object.__setattr__(self, "_readings_by_key", MappingProxyType(by_key))
        collections = {kind: Collection(kind, entries) for kind, entries in self.entries.items()}
        object.__setattr__(self, "_collections", MappingProxyType(collections))

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every source, in file order."""
        return self.entries["source"]

    @property
    def traditions(self) -> tuple[Tradition, ...]:
        """Every tradition, in file order."""
        return self.entries["tradition"]

    @property
    def omens(self) -> tuple[Omen, ...]:
        """Every omen, in file order."""
        return self.entries["omen"]

    @property
    def symptoms(self) -> tuple[Symptom, ...]:
        """Every symptom, in file order."""
        return self.entries["symptom"]

    @property
    def treatments(self) -> tuple[Treatment, ...]:
        """Every treatment, in file order."""
        return self.entries["treatment"]

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """Every condition, in file order (the order symptoms add them to a reading)."""
        return self.entries["condition"]

    def collection(self, kind: str) -> Collection[Any]:
        """The collection of one kind (``source``, ``omen``...): sorted, by id, searchable."""
        return self._collections[kind]

    def counts(self) -> dict[str, int]:
        """How many entries of each kind the dataset holds."""
        return {
            "readings": len(self.readings),
            **{f"{kind}s": len(collection) for kind, collection in self._collections.items()},
        }

    def reading_for(self, side: str, lip: str, sudden: bool) -> Reading:
        """Return the curated reading for a twitch of this side, lip and onset.

        Raises ``LookupError`` for a combination the dataset does not hold,
        which the loader's validation rules out for valid sides and lips.
        """
        try:
            return self._readings_by_key[(side, lip, sudden)]
        except KeyError:
            raise LookupError(f"no reading for {side} {lip} sudden={sudden}") from None

    def with_symptoms(self, reading: Reading, symptoms: Sequence[Symptom]) -> Reading:
        """The reading with its medical half adjusted for symptoms that came with the twitch.

        The urgency rises to the most urgent level any symptom calls for (it never
        falls). Other conditions that can come with the symptoms join the reading's
        own: serious ones its ``rule_out`` list, the others its likely causes. In both
        lists, conditions that can come with more of the symptoms move up, the more
        urgent first among equals, and the rest keep their curated order. The omen
        half never changes.
        """
        reported = {symptom.id for symptom in symptoms}
        urgency = reading.medical.urgency
        for symptom in symptoms:
            urgency = more_urgent(urgency, symptom.urgency)

        def matches(condition: Condition) -> int:
            return sum(1 for s in condition.symptoms if s.id in reported)

        def rank(item: LikelyCause | RuleOut) -> tuple[int, int]:
            count = matches(item.condition)
            return (-count, -URGENCY_SCALE.index(item.condition.urgency) if count else 0)

        medical = reading.medical
        listed = {c.condition.id for c in medical.likely_causes} | {
            c.condition.id for c in medical.rule_out
        }
        extra = [c for c in self.conditions if c.id not in listed and matches(c)]
        causes = [
            *medical.likely_causes,
            *(LikelyCause(c, self._why_with(c, reported)) for c in extra if not c.serious),
        ]
        rule_out = [
            *medical.rule_out,
            *(RuleOut(c, self._why_with(c, reported)) for c in extra if c.serious),
        ]
        adjusted = replace(
            medical,
            urgency=urgency,
            likely_causes=tuple(sorted(causes, key=rank)),
            rule_out=tuple(sorted(rule_out, key=rank)),
            reported_symptoms=tuple(symptoms),
        )
        return replace(reading, medical=adjusted)

    def _why_with(self, condition: Condition, reported: set[str]) -> str:
        names = [s.name.lower() for s in condition.symptoms if s.id in reported]
        return self.interface.text(
            "reading.why_with", condition=condition.name, symptoms="; ".join(names)
        )
