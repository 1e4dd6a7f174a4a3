"""Search and pagination of lists: query parameters, page bodies and the Link header."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
from marshmallow import fields, validate

from .base import QueryArgsSchema

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_QUERY_LENGTH = 100
MAX_PAGE = 1_000_000
"""Far past the last page of any list (which answers an empty page), and bounded."""

LINK_HEADER = {"Link": "Link"}
"""The Link header every page carries (a component named in ``base.HEADERS``)."""


class DigitsInteger(fields.Integer):
    """A whole number written in ASCII digits only, from 1 to ``maximum``.

    Python's ``int()`` also reads a sign, ``_`` between digits, the digits of other
    scripts (fullwidth, Arabic-Indic...) and numbers of any length: none of them is a page
    number. A number out of range gets an error naming the range, never the number sent.
    """

    def __init__(self, maximum: int, **kwargs: Any) -> None:
        self.range_error = f"Must be from 1 to {maximum}."
        self.digits = len(str(maximum))
        validator = validate.Range(min=1, max=maximum, error=self.range_error)
        super().__init__(validate=validator, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        text = str(value)
        if not (text.isascii() and text.isdigit()):
            raise self.make_error("invalid")
        if len(text.lstrip("0")) > self.digits:
            raise ma.ValidationError(self.range_error)
        return int(text)


class ListQuerySchema(QueryArgsSchema):
    """Search and pagination, shared by every list."""

    q = fields.String(
        validate=validate.Length(min=1, max=MAX_QUERY_LENGTH),
        metadata={
            "description": "Search words: an entry matches when its names and texts contain "
            "every word, ignoring case and accents, such as palsy.",
        },
    )
    page = DigitsInteger(
        MAX_PAGE,
        load_default=1,
        metadata={"description": f"Page number, from 1 to {MAX_PAGE}.", "example": 1},
    )
    page_size = DigitsInteger(
        MAX_PAGE_SIZE,
        load_default=DEFAULT_PAGE_SIZE,
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


def link_header(path: str, args: dict[str, Any], page: int, total_pages: int) -> str:
    """RFC 8288 links from one page of ``path`` (queried with ``args``) to its neighbours."""

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
