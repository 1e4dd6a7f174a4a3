"""The HTTP API: flask-smorest set up for problem details and strict query parameters."""

from __future__ import annotations

import http
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Flask, Response
from flask_smorest.utils import prepare_response
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from ..dataset import Dataset
from ..errors import PROBLEM_MEDIA_TYPE, ProblemSchema, problem_for_http_exception

API_DESCRIPTION = """\
Twitchlore answers one question: *my left or right, upper or lower lip twitched,
suddenly or not: what does it mean?* Every answer has two halves drawn from one
curated dataset: the **omen** (what folklore traditions say, with their sources)
and its **medical counterpart** (what usually causes such a twitch, what helps,
and the red flags that mean a doctor or emergency services).

The omen is folklore, offered for entertainment. The medical half is general
information, not medical advice or a diagnosis.

Errors are RFC 9457 problem details (`application/problem+json`).
"""


class StrictQueryParser(FlaskParser):
    """Parses query strings rejecting unknown parameters, rather than silently dropping them."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint using the strict query parser."""

    ARGUMENTS_PARSER = StrictQueryParser()


class QueryArgsSchema(ma.Schema):
    """Base of query-argument schemas: an unknown parameter's error names the allowed ones."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ", ".join(self.fields)
        self.error_messages = {
            **self.error_messages,
            "unknown": f"Unknown parameter. Allowed parameters: {allowed}.",
        }


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


def init_app(app: Flask, dataset: Dataset) -> Api:
    """Create the Api on ``app`` and register every resource's blueprint."""
    from . import (
        conditions,
        dataset_info,
        omens,
        readings,
        sources,
        symptoms,
        traditions,
        treatments,
    )

    api = Api(app, spec_kwargs={"info": {"description": API_DESCRIPTION}})
    app.extensions["twitchlore.dataset"] = dataset
    for resource in (
        readings,
        omens,
        traditions,
        conditions,
        symptoms,
        treatments,
        sources,
        dataset_info,
    ):
        resource.init_app(app, api, dataset)
    return api
