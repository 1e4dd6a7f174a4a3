"""RFC 9457 problem details for every error the service answers.

One shape for all errors: ``type``, ``title``, ``status``, ``detail`` and,
where the client's input was wrong, ``errors`` with messages per parameter.
No traceback or internal path ever reaches the client.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import marshmallow as ma
from flask import Response
from marshmallow import fields
from werkzeug.exceptions import HTTPException

from .language import answer_language, in_language, problem_words, translated_problem

PROBLEM_MEDIA_TYPE = "application/problem+json"

logger = logging.getLogger(__name__)


class ProblemSchema(ma.Schema):
    """Problem details (RFC 9457)."""

    type = fields.String(
        metadata={
            "description": "A URI reference naming the kind of problem; "
            "'about:blank' means the HTTP status says it all.",
            "example": "about:blank",
        }
    )
    title = fields.String(
        metadata={
            "description": "Short summary of the problem.",
            "example": "Unprocessable Content",
        }
    )
    status = fields.Integer(metadata={"description": "The HTTP status code.", "example": 422})
    detail = fields.String(
        metadata={
            "description": "What went wrong in this request, in plain words.",
            "example": "Query parameter 'side': Must be one of: left, right.",
        }
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={
            "description": "Messages per parameter, when the request's input was wrong.",
            "example": {"side": ["Must be one of: left, right."]},
            "optional": True,
        },
    )


def problem_response(
    status: int,
    detail: str,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Build an ``application/problem+json`` response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": problem_title(status),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = dict(errors)
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MEDIA_TYPE
    )
    response.headers.extend(headers or {})
    return response


RFC_9110_TITLES = {413: "Content Too Large", 414: "URI Too Long", 422: "Unprocessable Content"}
"""Reason phrases RFC 9110 renamed; Python's http module still has the older ones."""


def problem_title(status: int) -> str:
    """The RFC 9110 reason phrase of ``status``, used as a problem's title."""
    if status in RFC_9110_TITLES:
        return RFC_9110_TITLES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def localized_problem(status: int, message: str) -> Response:
    """A problem with this English ``message`` as its detail, in the request's language."""
    language = answer_language()
    return in_language(problem_response(status, translated_problem(message, language)), language)


def problem_for_http_exception(error: HTTPException) -> Response:
    """Turn any ``HTTPException`` (including webargs' validation aborts) into problem details.

    The ``detail`` and the messages per parameter are in the request's language (English
    when it asked for one that is not served); parameter names and values stay as sent.
    """
    language = answer_language()
    response = _problem_for(error, language)
    return in_language(response, language)


def _problem_for(error: HTTPException, language: str) -> Response:
    status = error.code or 500
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    data = getattr(error, "data", None) or {}
    headers.update(data.get("headers") or {})
    if status >= 500:
        original = getattr(error, "original_exception", None)
        if original is not None:
            logger.error("unhandled error", exc_info=original)
        return problem_response(
            status,
            translated_problem(
                "The server could not answer this request. Please try again later.", language
            ),
            None,
            headers,
        )
    if status == 429:
        detail = (
            f"Too many requests from this client: the limit is {data.get('message')}. "
            "Try again after the number of seconds in Retry-After."
        )
        return problem_response(status, translated_problem(detail, language), None, headers)
    messages = data.get("messages") or data.get("errors")
    if messages:
        errors = {
            name: [translated_problem(message, language) for message in parameter_messages]
            for name, parameter_messages in _messages_by_parameter(messages).items()
        }
        return problem_response(status, _describe(errors, language), errors, headers)
    message = data.get("message") or error.description or ""
    return problem_response(status, translated_problem(message, language), None, headers)


MAX_PARAMETERS = 8
"""Parameters an error answer names at most; the first ones named in the request."""
MAX_MESSAGES = 3
"""Distinct messages an error answer gives at most per parameter."""
MAX_NAME_LENGTH = 64
"""A parameter name longer than this is cut (with an ellipsis) where an answer echoes it."""


def _messages_by_parameter(messages: Mapping[str, Any]) -> dict[str, list[str]]:
    """Flatten webargs' ``{location: {field: [msg]}}`` to ``{field: [msg]}``, bounded.

    The same message for many items of one parameter (each invalid id of a list) is
    given once, so the allowed values are named once; at most ``MAX_PARAMETERS``
    parameters with ``MAX_MESSAGES`` messages each, so no query makes a large answer.
    """
    flat: dict[str, list[str]] = {}
    for location_or_field, value in messages.items():
        if isinstance(value, Mapping):
            for name, field_messages in value.items():
                _add(flat, str(name), _strings(field_messages))
        else:
            _add(flat, str(location_or_field), _strings(value))
    return flat


def _add(flat: dict[str, list[str]], name: str, messages: list[str]) -> None:
    if len(name) > MAX_NAME_LENGTH:
        name = name[: MAX_NAME_LENGTH - 1] + "…"
    if name not in flat and len(flat) >= MAX_PARAMETERS:
        return
    kept = flat.setdefault(name, [])
    for message in messages:
        if len(kept) >= MAX_MESSAGES:
            return
        if message not in kept:
            kept.append(message)


def _strings(messages: Any) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, Mapping):
        return [m for value in messages.values() for m in _strings(value)]
    return [m for value in messages for m in _strings(value)]


def _describe(errors: Mapping[str, list[str]], language: str) -> str:
    words = problem_words(language)
    return " ".join(
        words.text("problems.query_parameter", name=name, messages=" ".join(messages))
        for name, messages in errors.items()
    )
