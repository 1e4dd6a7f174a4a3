"""flask-smorest's classes set up for problem details and strict query parameters."""

from __future__ import annotations

import http
from typing import Any

import flask_smorest
import marshmallow as ma
from apispec import BasePlugin
from flask import Request, Response
from flask_smorest.utils import prepare_response
from marshmallow import fields, validate
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from ..edge.routing import ignored_parameter
from ..errors import PROBLEM_MEDIA_TYPE, ProblemSchema, problem_for_http_exception
from ..language import served_languages, unsupported_message
from ..negotiation import LANG_PARAMETER, lookup

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The request's id: the client's X-Request-ID when it is 1 to 128 "
        "characters of A-Z a-z 0-9 . _ : -, otherwise a new one. Quote it when reporting.",
        "schema": {"type": "string", "example": "3f2b6c1d9a8e4f7b8c0d1e2f3a4b5c6d"},
    },
    "X-RateLimit-Limit": {
        "description": "Requests allowed per window for this client (the tightest limit).",
        "schema": {"type": "integer", "example": 1200},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in the current window.",
        "schema": {"type": "integer", "example": 1199},
    },
    "X-RateLimit-Reset": {
        "description": "When the current window ends, in seconds since the Unix epoch.",
        "schema": {"type": "integer", "example": 1795639800},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "example": 30},
    },
    "Allow": {
        "description": "The methods the resource allows.",
        "schema": {"type": "string", "example": "GET, HEAD, OPTIONS"},
    },
    "ETag": {
        "description": "Strong validator of the body; send it back in If-None-Match "
        "(a weak W/ form of it also matches).",
        "schema": {"type": "string", "example": '"5d41402abc4b2a76b9719d911017c592"'},
    },
    "Cache-Control": {
        "description": "Public: fresh for max-age seconds in a browser and s-maxage seconds "
        "in a shared cache (a CDN), which may serve it stale for stale-while-revalidate "
        "seconds more while it revalidates.",
        "schema": {
            "type": "string",
            "example": "public, max-age=3600, s-maxage=3600, stale-while-revalidate=300",
        },
    },
    "Last-Modified": {
        "description": "The release date of the data (or of the service, if later): answers "
        "change only with a new release. If-Modified-Since with it gets a 304.",
        "schema": {"type": "string", "example": "Fri, 04 Dec 2026 00:00:00 GMT"},
    },
    "Expires": {
        "description": "When the answer stops being fresh, for an answer that changes at a "
        "set time: today's omen of the day expires at the next midnight UTC.",
        "schema": {"type": "string", "example": "Sat, 05 Dec 2026 00:00:00 GMT"},
    },
    "Content-Language": {
        "description": "The language of the answer's text (a tag of /v1/languages): the "
        "lang parameter's, else the best for Accept-Language, else en.",
        "schema": {"type": "string", "example": "hi"},
    },
    "Vary": {
        "description": "The request headers the answer depends on: Accept-Language always "
        "(one URL, a copy per language), and Accept-Encoding when it may be compressed.",
        "schema": {"type": "string", "example": "Accept-Language, Accept-Encoding"},
    },
    "Link": {
        "description": "RFC 8288 links to the first, last, previous and next pages.",
        "schema": {
            "type": "string",
            "example": '</v1/omens?page=1>; rel="first", </v1/omens?page=2>; rel="last"',
        },
    },
}
"""Every response header the API documents, once, as a component the responses refer to."""

API_HEADERS = {
    name: name
    for name in ("X-Request-ID", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
}
"""Headers every answer of the API carries, documented on each response by reference."""

ERROR_HEADERS: dict[int, dict[str, str]] = {
    405: {"Allow": "Allow"},
    429: {"Retry-After": "Retry-After"},
}
"""Headers that come with some error statuses (RFC 9110)."""

REQUEST_BOUND_ERRORS = (
    (413, "REQUEST_ENTITY_TOO_LARGE"),
    (414, "REQUEST_URI_TOO_LONG"),
    (431, "REQUEST_HEADER_FIELDS_TOO_LARGE"),
)
"""Errors any operation at all can answer: a body, a URL or headers over the bounds."""
STANDARD_ERRORS = ((406, "NOT_ACCEPTABLE"), (429, "TOO_MANY_REQUESTS"), *REQUEST_BOUND_ERRORS)
"""Errors any API operation can answer, documented on each of them."""


class StrictQueryParser(FlaskParser):
    """Parses query strings strictly where it matters, leniently where it is safe.

    Unknown parameters are refused (webargs would drop them silently), except the
    tracking parameters and cache-busters of ``ignored_parameter`` (which the front door
    already takes out of the query string). A parameter given twice is
    refused too (webargs would keep the first), unless it is a list, which may be
    repeated (``a=1&a=2``), comma-separated (``a=1,2``) or both.
    """

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }

    def load_querystring(self, req: Request, schema: ma.Schema) -> Any:
        """The query arguments without ignored ones, after refusing repeated single values."""
        lists = {
            field.data_key or name
            for name, field in schema.fields.items()
            if isinstance(field, ma.fields.List)
        }
        args: MultiDict[str, str] = MultiDict()
        repeated: dict[str, list[str]] = {}
        for name, values in req.args.lists():
            if ignored_parameter(name):
                continue
            if len(values) > 1 and name not in lists:
                repeated[name] = [f"Given {len(values)} times. Give it once."]
            args.setlist(name, values)
        if repeated:
            flask_smorest.abort(400, errors={"query": repeated})
        return self._makeproxy(args, schema)


class Blueprint(flask_smorest.Blueprint):
    """An API blueprint: strict query parser, and the standard errors documented."""

    ARGUMENTS_PARSER = StrictQueryParser()
    DOCUMENTED_ERRORS: tuple[tuple[int, str], ...] = STANDARD_ERRORS

    def response(self, status_code: int, schema: Any = None, **kwargs: Any) -> Any:
        """flask-smorest's ``response``, also documenting the standard errors on the operation.

        The response's headers include the request id and rate-limit headers.
        """
        kwargs["headers"] = {**API_HEADERS, **kwargs.get("headers", {})}
        document_success = super().response(status_code, schema, **kwargs)

        def decorator(view: Any) -> Any:
            view = document_success(view)
            for status, name in self.DOCUMENTED_ERRORS:
                view = self.alt_response(status, response=name)(view)
            return view

        return decorator


class ServedLanguage(validate.Validator):
    """Accepts a language the app serves, or a more specific tag of one (``es-MX``)."""

    def __call__(self, value: str) -> str:
        tags = served_languages()
        if lookup(value, tags) is None:
            raise ma.ValidationError(unsupported_message(tags))
        return value


LANGUAGE_COMPONENT = "LanguageTag"
"""The name, in the spec, of the enum of served language tags (``/v1/languages``)."""

ACCEPT_LANGUAGE = {
    "in": "header",
    "name": "Accept-Language",
    "required": False,
    "description": "The languages the reader prefers, with q-values (RFC 9110): those of "
    "the LanguageTag schema (/v1/languages) are served; es-MX gives es, * any, q=0 rules one "
    "out. Never an error: when none fits, or the header cannot be read, the answer is in "
    "English. The lang parameter, when given, wins.",
    "schema": {"type": "string", "example": "hi-IN, hi;q=0.9, en;q=0.5"},
}
"""The ``Accept-Language`` request header, documented on every operation."""


def language_enum(tags: list[str]) -> dict[str, Any]:
    """The spec's ``Language`` enum: the served tags, English first."""
    return {
        "type": "string",
        "enum": tags,
        "description": f"A language of the answers' text: {', '.join(tags)} (see /v1/languages).",
    }


class QueryArgsSchema(ma.Schema):
    """Base of query-argument schemas: an unknown parameter's error names the allowed ones.

    Every operation takes ``lang``, the language of the answer's text.
    """

    lang = fields.String(
        data_key=LANG_PARAMETER,
        validate=ServedLanguage(),
        metadata={
            "description": "The language of the answer's text; it wins over Accept-Language. "
            "A more specific tag gives its language (es-MX gives es). Only text changes: ids, "
            "values and numbers are the same in every language.",
            "language_component": True,
            "example": "es",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The operation's own parameters first, then lang, which every operation takes.
        allowed = ", ".join(sorted(self.fields, key=lambda name: name == LANG_PARAMETER))
        unknown = f"Unknown parameter. Allowed parameters: {allowed}."
        self.error_messages = {**self.error_messages, "unknown": unknown}


class AcceptLanguageDocumented(BasePlugin):
    """Documents the ``Accept-Language`` request header on every operation of the API (and on
    the share images, which are in the request's language too)."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any
    ) -> None:
        """Add the header to each operation of an API path."""
        if path is None or not path.startswith(("/v1", "/readings/")):
            return
        for operation in (operations or {}).values():
            operation.setdefault("parameters", []).append(dict(ACCEPT_LANGUAGE))


class AlwaysPresentProperties(BasePlugin):
    """Marks the properties of every answer's schema ``required``: answers always carry them.

    Typed clients then read ``reading.omen.headline`` as a string, not "possibly
    undefined". A field that may be left out says so with ``metadata={"optional": True}``;
    a field that may be null is still present, and documented ``nullable``.

    Answers are also left open: the ``additionalProperties: false`` apispec writes for a
    marshmallow schema that refuses unknown fields is dropped, since within ``/v1`` an
    answer may gain fields and a client that validates answers must not break on one.
    (Component schemas only describe answers; what a request may send is checked by
    ``StrictQueryParser``.) Typed clients still know only the documented fields.
    """

    def schema_helper(
        self, name: str, definition: dict[str, Any], **kwargs: Any
    ) -> dict[str, Any] | None:
        """Add ``required`` to a component schema built from a marshmallow schema."""
        schema = kwargs.get("schema")
        if schema is None or "properties" not in definition:
            return None
        if definition.get("additionalProperties") is False:
            del definition["additionalProperties"]
        instance = schema() if isinstance(schema, type) else schema
        optional = {
            field.data_key or field_name
            for field_name, field in instance.fields.items()
            if field.metadata.get("optional")
        }
        required = [prop for prop in definition["properties"] if prop not in optional]
        return {"required": required} if required else None


class Api(flask_smorest.Api):
    """flask-smorest's Api answering and documenting every error as problem details."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        """Answer any HTTP error as ``application/problem+json``."""
        return problem_for_http_exception(error)

    def _register_responses(self) -> None:
        """Document error responses with the problem details media type.

        Overrides flask-smorest's version, which documents them as
        ``application/json`` with its own error schema.
        """
        for name, header in HEADERS.items():
            self.spec.components.header(name, header)
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                response["headers"] = {**API_HEADERS, **ERROR_HEADERS.get(status, {})}
            prepare_response(response, self.spec, PROBLEM_MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_MEDIA_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)

    def _register_pagination_header(self) -> None:
        """Leave out flask-smorest's ``X-Pagination`` header from the spec.

        Lists paginate in the body with an RFC 8288 ``Link`` header instead: a JSON
        object in a header is something spec checkers reject.
        """
