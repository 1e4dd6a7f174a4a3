"""Turning the ids an entry cites into the entries they name, or a located error."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from .errors import DatasetError
from .models import Source

T = TypeVar("T")


class Resolver:
    """Turns ids into the objects they name, with an error that locates a bad one."""

    def __init__(self, file: str, entry: str) -> None:
        self.file = file
        self.entry = entry

    def one(self, index: Mapping[str, T], ref: str, field: str, kind: str) -> T:
        try:
            return index[ref]
        except KeyError:
            known = ", ".join(sorted(index)) or "none"
            raise DatasetError(
                self.file, f"unknown {kind} '{ref}' (known: {known})", self.entry, field
            ) from None

    def many(
        self, index: Mapping[str, T], refs: Iterable[str], field: str, kind: str
    ) -> tuple[T, ...]:
        return tuple(self.one(index, ref, f"{field}.{n}", kind) for n, ref in enumerate(refs))


def by_id(items: Iterable[T]) -> dict[str, T]:
    return {item.id: item for item in items}  # type: ignore[attr-defined]


def unique_sources(sources: Iterable[Source]) -> tuple[Source, ...]:
    return tuple(dict.fromkeys(sources))
