"""Answers built once at start-up: each kind's pages and entries, the readings, the dataset.

The dataset is immutable, so every answer is serialised once (or once per distinct query,
within a bounded cache) and then served as bytes with its ETag.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from typing import TYPE_CHECKING, Any

import marshmallow as ma
from flask import Response
from flask_smorest import abort

from ..dataset import LIPS, SIDES, Dataset
from ..dataset.models import Reading
from ..dataset.queries import Collection, search_words
from .pagination import link_header
from .paths import collection_path
from .prebuilt import PrebuiltJson

if TYPE_CHECKING:
    from .daily import DailyBook
    from .export import ExportBook

LIST_CACHE_SIZE = 32
"""Pages kept per kind. Few: a page is up to ~90 KB, and the front door keeps repeated ones."""
SYMPTOM_CACHE_SIZE = 64
"""Readings with symptoms kept (~20 KB each); the front door keeps repeated ones too."""

Filter = Callable[[Any], bool]
FilterBuilder = Callable[[Mapping[str, Any]], Sequence[Filter]]
"""Turns a list's query arguments into the tests an entry must pass."""


def equal_filters(*names: str) -> FilterBuilder:
    """Filters keeping entries whose attribute ``name`` equals the query's ``name``."""

    def build(args: Mapping[str, Any]) -> list[Filter]:
        return [_attribute_equals(name, args[name]) for name in names if name in args]

    return build


def _attribute_equals(name: str, value: Any) -> Filter:
    return lambda entry: getattr(entry, name) == value


class Catalogue:
    """Serves one kind's pages and entries, each serialised once and then cached."""

    def __init__(
        self,
        collection: Collection[Any],
        item_schema: ma.Schema,
        page_schema: ma.Schema,
        filters: FilterBuilder,
        language: str,
    ) -> None:
        self.collection = collection
        self.page_schema = page_schema
        self.filters = filters
        self.language = language
        self.items = {
            entry.id: PrebuiltJson.of(item_schema.dump(entry), language)
            for entry in collection.entries
        }
        self._page = lru_cache(maxsize=LIST_CACHE_SIZE)(self._build_page)

    def item(self, entry_id: str) -> Response:
        """Answer one entry, or a 404 problem naming the list to look in."""
        if entry_id not in self.items:
            kind = self.collection.kind
            abort(404, message=f"No {kind} has this id. {collection_path(kind)} lists them all.")
        return self.items[entry_id].respond()

    def page(self, args: Mapping[str, Any]) -> Response:
        """Answer one page of the entries matching ``args`` (filters, q, page, page_size)."""
        key = tuple(sorted((name, _hashable(value)) for name, value in args.items()))
        prebuilt, link = self._page(key)
        response = prebuilt.respond()
        response.headers["Link"] = link
        return response

    def _build_page(self, key: tuple[tuple[str, Any], ...]) -> tuple[PrebuiltJson, str]:
        args = dict(key)
        page, page_size = args.pop("page"), args.pop("page_size")
        words = search_words(args.pop("q")) if "q" in args else ()
        matching = self.collection.where(*self.filters(args), words=words)
        total_pages = max(1, math.ceil(len(matching) / page_size))
        start = (page - 1) * page_size
        body = {
            "items": matching[start : start + page_size],
            "page": page,
            "page_size": page_size,
            "total_items": len(matching),
            "total_pages": total_pages,
        }
        link = link_header(collection_path(self.collection.kind), dict(key), page, total_pages)
        return PrebuiltJson.of(self.page_schema.dump(body), self.language), link


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class ReadingBook:
    """The reading of every side, lip and onset, built once; with symptoms, kept once asked."""

    def __init__(
        self, dataset: Dataset, serialise: Callable[[Reading, Dataset], PrebuiltJson]
    ) -> None:
        self._dataset = dataset
        self._serialise = serialise
        self._plain = {
            key: serialise(dataset.reading_for(*key), dataset)
            for key in product(SIDES, LIPS, (True, False))
        }
        self._keys = {
            dataset.reading_for(*key).id: key for key in product(SIDES, LIPS, (True, False))
        }
        self._with_symptoms = lru_cache(maxsize=SYMPTOM_CACHE_SIZE)(self._build_with_symptoms)

    def answer(
        self, side: str, lip: str, sudden: bool, symptom_ids: Sequence[str] = ()
    ) -> PrebuiltJson:
        """The reading for this twitch, adjusted for the symptoms given (repeats ignored)."""
        if not symptom_ids:
            return self._plain[(side, lip, sudden)]
        return self._with_symptoms(side, lip, sudden, tuple(dict.fromkeys(symptom_ids)))

    def ids(self) -> list[str]:
        """Every reading's id (``left-upper-sudden``...)."""
        return list(self._keys)

    def key_for(self, reading_id: str) -> tuple[str, str, bool]:
        """The side, lip and onset of the reading with this id, or a 404 naming the ids."""
        if reading_id.lower() not in self._keys:
            abort(404, message=f"No reading has this id. Reading ids: {', '.join(self._keys)}.")
        return self._keys[reading_id.lower()]

    def _build_with_symptoms(
        self, side: str, lip: str, sudden: bool, symptom_ids: tuple[str, ...]
    ) -> PrebuiltJson:
        symptoms = [self._dataset.collection("symptom").get(s) for s in symptom_ids]
        reading = self._dataset.reading_for(side, lip, sudden)
        return self._serialise(self._dataset.with_symptoms(reading, symptoms), self._dataset)


@dataclass(frozen=True)
class Catalogues:
    """Every answer the API builds ahead of time in one language, for one app."""

    kinds: Mapping[str, Catalogue]
    """Each kind's catalogue, by kind (``"omen"``, ``"source"``...)."""
    readings: ReadingBook
    cards: ReadingBook
    """The compact card of every reading, built the same way as the readings."""
    dataset: PrebuiltJson
    """The description of the dataset as a whole."""
    languages: PrebuiltJson
    """The languages served, and how each was made."""
    daily: DailyBook
    """The omen of each day, built the first time a day is asked for."""
    export: ExportBook
    """The whole dataset in one document, built the first time it is asked for."""
