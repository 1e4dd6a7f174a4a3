"""Pieces every resource shares: field helpers, references, search, pagination, catalogues."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
from flask import Flask, Response, current_app
from flask_smorest import abort
from marshmallow import fields, validate

from ..dataset import Dataset
from ..dataset.models import URGENCY_SCALE
from ..dataset.queries import Collection, search_words
from . import QueryArgsSchema
from .prebuilt import PrebuiltJson

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_QUERY_LENGTH = 100
LIST_CACHE_SIZE = 1024
DATASET_KEY = "twitchlore.dataset"
CATALOGUES_KEY = "twitchlore.catalogues"

URGENCY_DESCRIPTION = (
    "How soon to get medical help, on one ordered scale, least urgent first: "
    "`self_care` < `see_doctor` < `urgent` < `emergency`. "
    "self_care: usually harmless, the self-care steps are enough unless it persists; "
    "see_doctor: make an appointment with a doctor; urgent: get medical help the same "
    "day; emergency: call the local emergency number now."
)

PATHS = {
    "source": "/v1/sources",
    "tradition": "/v1/traditions",
    "omen": "/v1/omens",
    "symptom": "/v1/symptoms",
    "treatment": "/v1/treatments",
    "condition": "/v1/conditions",
}
"""Where each kind of entry lives in the API."""


def href(kind: str, entry_id: str) -> str:
    """The API path of one entry."""
    return f"{PATHS[kind]}/{entry_id}"


def current_dataset() -> Dataset:
    """The dataset the running app serves."""
    dataset: Dataset = current_app.extensions[DATASET_KEY]
    return dataset


# --- Fields ----------------------------------------------------------------------------


def enum_field(
    choices: Sequence[str],
    description: str,
    example: str,
    *,
    required: bool = False,
    attribute: str | None = None,
) -> fields.String:
    """A documented string field limited to ``choices`` (checked on input, listed in the spec)."""
    allowed = ", ".join(choices)
    return fields.String(
        required=required,
        attribute=attribute,
        validate=validate.OneOf(choices, error=f"Must be one of: {allowed}."),
        error_messages={"required": f"Missing. Must be one of: {allowed}."},
        metadata={"description": description, "example": example},
    )


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
            "example": f"{PATHS[kind]}/example-id",
            "type": "string",
        },
    )


class SourceRefSchema(ma.Schema):
    """A source cited by an entry, with its page and its place in the API."""

    source_id = fields.String(attribute="id", metadata={"example": "seed-article"})
    title = fields.String(metadata={"example": "Lip Twitching"})
    url = fields.String(
        allow_none=True,
        metadata={"description": "The page's address; null when the source is a file."},
    )
    file = fields.String(
        allow_none=True,
        metadata={
            "description": "File name of the seed article when it is the source; else null.",
            "example": "000_acc1385d1cf40fea.txt",
        },
    )
    publisher = fields.String(metadata={"example": "Mayo Clinic"})
    quality = enum_field(
        ("authoritative", "reputable", "low"), "How far the source can be trusted.", "reputable"
    )
    href = href_field("source")


class SymptomRefSchema(ma.Schema):
    """A symptom, briefly, with the least urgency it calls for."""

    symptom_id = fields.String(attribute="id", metadata={"example": "sudden-facial-droop"})
    name = fields.String(metadata={"example": "Sudden drooping of one side of the face"})
    urgency = urgency_field()
    advice = fields.String(metadata={"description": "What to do about it."})
    href = href_field("symptom")


class TreatmentRefSchema(ma.Schema):
    """A treatment or self-care step, briefly."""

    treatment_id = fields.String(attribute="id", metadata={"example": "warm-damp-cloth"})
    name = fields.String(metadata={"example": "Warm, damp cloth on the lip"})
    kind = enum_field(
        ("prevention", "self_care", "physiotherapy", "medical"), "Kind of step.", "self_care"
    )
    description = fields.String()
    href = href_field("treatment")


class KnownId(validate.Validator):
    """Accepts only the ids of one kind of entry that the served dataset holds.

    The spec lists them as an ``enum`` (see ``known_ids_as_enum``), so the
    allowed values are documented and checked in one place.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(self, value: str) -> str:
        collection = current_dataset().collection(self.kind)
        if not collection.has(value):
            raise ma.ValidationError(f"Must be one of: {', '.join(collection.ids())}.")
        return value


def known_ids_as_enum(dataset: Dataset) -> Callable[..., dict[str, Any]]:
    """An apispec attribute function documenting ``KnownId`` fields as the dataset's ids."""

    def known_ids_enum(converter: Any, field: fields.Field[Any], **_: Any) -> dict[str, Any]:
        for validator in field.validators:
            if isinstance(validator, KnownId):
                return {"enum": list(dataset.collection(validator.kind).ids())}
        return {}

    return known_ids_enum


def known_id_field(kind: str, description: str, example: str) -> fields.String:
    """A query parameter holding the id of one ``kind`` of entry in the dataset."""
    return fields.String(
        validate=KnownId(kind), metadata={"description": description, "example": example}
    )


# --- Search and pagination -------------------------------------------------------------


class ListQuerySchema(QueryArgsSchema):
    """Search and pagination, shared by every list."""

    q = fields.String(
        validate=validate.Length(min=1, max=MAX_QUERY_LENGTH),
        metadata={
            "description": "Search words: an entry matches when its names and texts contain "
            "every word, ignoring case and accents.",
            "example": "palsy",
        },
    )
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, error="Must be 1 or more."),
        metadata={"description": "Page number, from 1.", "example": 1},
    )
    page_size = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE,
        validate=validate.Range(
            min=1, max=MAX_PAGE_SIZE, error=f"Must be from 1 to {MAX_PAGE_SIZE}."
        ),
        metadata={
            "description": f"Entries per page, from 1 to {MAX_PAGE_SIZE}.",
            "example": DEFAULT_PAGE_SIZE,
        },
    )


class PageSchema(ma.Schema):
    """One page of a list."""

    page = fields.Integer(metadata={"example": 1})
    page_size = fields.Integer(metadata={"example": DEFAULT_PAGE_SIZE})
    total_items = fields.Integer(metadata={"description": "Entries matching the query."})
    total_pages = fields.Integer(metadata={"description": "At least 1, even for no match."})


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A named page schema (``<name>PageSchema``) whose ``items`` use ``item_schema``."""
    return type(
        f"{name}PageSchema",
        (PageSchema,),
        {
            "items": fields.List(fields.Nested(item_schema)),
            "__doc__": f"One page of {name.lower()} entries, sorted by id.",
        },
    )


LINK_HEADER = {
    "Link": {
        "description": "RFC 8288 links to the first, last, previous and next pages.",
        "schema": {"type": "string"},
    }
}


Filter = Callable[[Any], bool]
FilterBuilder = Callable[[Mapping[str, Any]], Sequence[Filter]]


class Catalogue:
    """Serves one kind's pages and entries, each serialised once and then cached."""

    def __init__(
        self,
        collection: Collection[Any],
        item_schema: ma.Schema,
        page_schema_: ma.Schema,
        filters: FilterBuilder,
    ) -> None:
        self.collection = collection
        self.page_schema = page_schema_
        self.filters = filters
        self.items = {
            entry.id: PrebuiltJson.of(item_schema.dump(entry)) for entry in collection.entries
        }
        self._page = lru_cache(maxsize=LIST_CACHE_SIZE)(self._build_page)

    def item(self, entry_id: str) -> Response:
        """Answer one entry, or a 404 problem naming the list to look in."""
        if entry_id not in self.items:
            kind = self.collection.kind
            abort(404, message=f"No {kind} has this id. {PATHS[kind]} lists them all.")
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
        link = _link_header(PATHS[self.collection.kind], dict(key), page, total_pages)
        return PrebuiltJson.of(self.page_schema.dump(body)), link


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _link_header(path: str, args: dict[str, Any], page: int, total_pages: int) -> str:
    def url(number: int) -> str:
        query = {name: _query_value(value) for name, value in args.items()}
        query["page"] = str(number)
        return f"{path}?{urlencode(sorted(query.items()))}"

    links = {"first": 1, "last": total_pages}
    if page > 1:
        links["prev"] = min(page - 1, total_pages)
    if page < total_pages:
        links["next"] = page + 1
    return ", ".join(f'<{url(number)}>; rel="{rel}"' for rel, number in links.items())


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def serve_catalogue(app: Flask, api: Any, blueprint: Any, catalogue_: Catalogue) -> None:
    """Make a kind's catalogue available to its views, and register its blueprint."""
    app.extensions.setdefault(CATALOGUES_KEY, {})[catalogue_.collection.kind] = catalogue_
    api.register_blueprint(blueprint)


def catalogue(kind: str) -> Catalogue:
    """The catalogue of one kind, for the running app."""
    found: Catalogue = current_app.extensions[CATALOGUES_KEY][kind]
    return found


def id_parameter(kind: str, example: str) -> list[dict[str, Any]]:
    """The documented path parameter ``<kind>_id`` of an item route."""
    return [
        {
            "in": "path",
            "name": f"{kind}_id",
            "description": f"The {kind}'s id, as listed by {PATHS[kind]}.",
            "schema": {"type": "string", "example": example},
        }
    ]


def equal_filters(*names: str) -> FilterBuilder:
    """Filters keeping entries whose attribute ``name`` equals the query's ``name``."""

    def build(args: Mapping[str, Any]) -> list[Filter]:
        return [_attribute_equals(name, args[name]) for name in names if name in args]

    return build


def _attribute_equals(name: str, value: Any) -> Filter:
    return lambda entry: getattr(entry, name) == value
