"""flask-smorest's classes set up for problem details and strict query parameters."""

from __future__ import annotations

import http
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Request, Response
from flask_smorest.utils import prepare_response
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from ..errors import PROBLEM_MEDIA_TYPE, ProblemSchema, problem_for_http_exception

ERROR_HEADERS: dict[int, dict[str, Any]] = {
    405: {
        "Allow": {"description": "The methods the resource allows.", "schema": {"type": "string"}}
    },
    429: {
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer"},
        }
    },
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
    """Parses query strings strictly: unknown or repeated parameters are refused.

    webargs would drop unknown parameters and keep the first of repeated ones;
    both hide a client's mistake, so both are errors here.
    """

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }

    def load_querystring(self, req: Request, schema: ma.Schema) -> Any:
        """The query arguments, after refusing any parameter given more than once."""
        repeated = {
            name: [f"Given {len(values)} times. Give it once."]
            for name, values in req.args.lists()
            if len(values) > 1
        }
        if repeated:
            flask_smorest.abort(400, errors={"query": repeated})
        return super().load_querystring(req, schema)


class Blueprint(flask_smorest.Blueprint):
    """An API blueprint: strict query parser, and the standard errors documented."""

    ARGUMENTS_PARSER = StrictQueryParser()
    DOCUMENTED_ERRORS: tuple[tuple[int, str], ...] = STANDARD_ERRORS

    def response(self, status_code: int, schema: Any = None, **kwargs: Any) -> Any:
        """flask-smorest's ``response``, also documenting the standard errors on the operation."""
        document_success = super().response(status_code, schema, **kwargs)

        def decorator(view: Any) -> Any:
            view = document_success(view)
            for status, name in self.DOCUMENTED_ERRORS:
                view = self.alt_response(status, response=name)(view)
            return view

        return decorator


class QueryArgsSchema(ma.Schema):
    """Base of query-argument schemas: an unknown parameter's error names the allowed ones."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ", ".join(self.fields)
        unknown = (
            f"Unknown parameter. Allowed parameters: {allowed}."
            if allowed
            else "Unknown parameter. This operation takes no parameters."
        )
        self.error_messages = {**self.error_messages, "unknown": unknown}


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
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            if status in ERROR_HEADERS:
                response["headers"] = ERROR_HEADERS[status]
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
