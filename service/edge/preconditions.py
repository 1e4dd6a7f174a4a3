"""If-Match and If-Unmodified-Since (RFC 9110 §13.2.2), which only Flask applies.

The front door sends every request carrying either header through Flask (never a kept
answer); there ``defer_preconditions`` (a ``before_request`` hook) holds them out of the
views' way and ``evaluate_preconditions`` (an ``after_request`` hook) answers 412 when one
fails.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.http import parse_date, parse_etags

from ..errors import localized_problem
from . import compression

PRECONDITIONS_KEY = "twitchlore.preconditions"
PRECONDITION_HEADERS = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


def defer_preconditions() -> None:
    """Keep If-Match and If-Unmodified-Since for ``evaluate_preconditions``, out of the views' way.

    werkzeug's ``make_conditional``, which the views call for If-None-Match, would answer
    ``If-Match: *`` with 412 (its tag sets ignore ``*``), keeping the full body.
    """
    environ = request.environ
    held = {name: environ.pop(name) for name in PRECONDITION_HEADERS if name in environ}
    if held:
        environ[PRECONDITIONS_KEY] = held


def evaluate_preconditions(response: Response) -> Response:
    """RFC 9110 §13.2.2 for a successful answer: If-Match, else If-Unmodified-Since.

    ``If-Match: *`` holds for any current answer; a listed tag must match the answer's
    strong ETag (ignoring the encoding suffix compression adds, so a tag of any encoding
    holds). A failed precondition is a small problem, never kept by a cache.
    """
    held = request.environ.get(PRECONDITIONS_KEY)
    if not held or not 200 <= response.status_code < 300:
        return response
    etag, weak = response.get_etag()
    if "HTTP_IF_MATCH" in held:
        tags = parse_etags(held["HTTP_IF_MATCH"])
        holds = tags.star_tag or (
            etag is not None and not weak and _unencoded(etag) in map(_unencoded, tags)
        )
    else:
        since = parse_date(held["HTTP_IF_UNMODIFIED_SINCE"])
        modified = response.last_modified
        holds = since is None or modified is None or modified <= since
    if holds:
        return response
    failed = localized_problem(
        412, "The current answer does not match If-Match or If-Unmodified-Since."
    )
    failed.headers["Cache-Control"] = "no-store"
    return failed


ENCODING_SUFFIXES = tuple(f":{encoding}" for encoding in compression.ENCODINGS)


def _unencoded(tag: str) -> str:
    """An entity tag without the encoding suffix compression gives it."""
    return tag.rsplit(":", 1)[0] if tag.endswith(ENCODING_SUFFIXES) else tag


def init_app(app: Flask) -> None:
    """Hold the preconditions before the view, and evaluate them on its answer."""
    app.before_request(defer_preconditions)
    app.after_request(evaluate_preconditions)
