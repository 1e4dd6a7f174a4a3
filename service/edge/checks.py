"""What the edge refuses, checked once per request, in the front door: ``refusal_of``.

An HTTP/1.1 request without ``Host`` (400), a query string over 2 KiB (414), headers over
8 KiB (431), a body over 1 KiB, sized or chunked (413), malformed chunked framing (400), an
``Accept`` without JSON on the API's paths (406); and a client over its rate limit (429),
which the front door finds when it counts the request. ``refusal_of`` reads the WSGI
environ only, so it runs before the kept answers are looked up: a refused request is never
answered from a copy. It goes to Flask, whose request hook ``answer_refusal`` answers the
refusal as a problem, with the headers every Flask answer gets.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask import request
from webargs.flaskparser import abort
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header
from werkzeug.wsgi import get_content_length, get_input_stream

MAX_QUERY_STRING = 2048
MAX_HEADER_BYTES = 8192
MAX_BODY_BYTES = 1024
"""A read-only API needs no body; a small one is tolerated, a larger one refused."""

JSON_TYPES = ("application/json", "application/problem+json")
API_PREFIX = "/v1/"

CLOSE_CONNECTION = {"Connection": "close"}
"""Sent with a refusal that leaves a body unread: the server (``server.EdgeResponse``) then
closes the connection instead of reading the rest of the body to reuse it."""

REFUSAL_KEY = "twitchlore.refusal"
"""Where the front door leaves a refusal in the WSGI environ for Flask to answer."""


@dataclass(frozen=True)
class Refusal:
    """Why the edge will not answer a request: the status, what the client is told, headers."""

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)


def refusal_of(environ: dict[str, Any]) -> Refusal | None:
    """Why a request is refused for its framing, size, body or Accept; None if it is not.

    The path and query are the canonical ones the front door made.
    """
    if environ.get("SERVER_PROTOCOL") == "HTTP/1.1" and not environ.get("HTTP_HOST"):
        return Refusal(400, "An HTTP/1.1 request must have a Host header.")
    if len(environ.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        return Refusal(414, f"The query string is longer than {MAX_QUERY_STRING} bytes.")
    if header_bytes(environ) > MAX_HEADER_BYTES:
        return Refusal(431, f"The request headers are larger than {MAX_HEADER_BYTES} bytes.")
    if (get_content_length(environ) or 0) > MAX_BODY_BYTES:
        return Refusal(413, "This API takes no request body.", CLOSE_CONNECTION)
    if "HTTP_TRANSFER_ENCODING" in environ:
        refusal = _chunked_body_refusal(environ)
        if refusal is not None:
            return refusal
    if is_api_path(environ.get("PATH_INFO", "")) and not accepts_json(
        environ.get("HTTP_ACCEPT", "")
    ):
        return Refusal(406, "This API answers application/json; send Accept: application/json.")
    return None


def _chunked_body_refusal(environ: dict[str, Any]) -> Refusal | None:
    """Why a body sent without a length (chunked) is refused: larger than a sized one may
    be (413), or framing the server cannot read (400); None if it is neither.

    At most one byte more than the bound is read, so a large body costs nothing; a body
    within it is put back for Flask. Framing the server cannot read (a chunk size that is
    not hexadecimal, a missing CRLF, a bad trailer, a body cut short) is the client's error.
    """
    if "chunked" not in environ["HTTP_TRANSFER_ENCODING"].lower():
        return None
    try:
        body = get_input_stream(environ).read(MAX_BODY_BYTES + 1)
    except Exception:  # a server's own parse errors while reading the body
        return Refusal(
            400, "The chunked framing of the request body is not valid.", CLOSE_CONNECTION
        )
    if len(body) > MAX_BODY_BYTES:
        return Refusal(413, "This API takes no request body.", CLOSE_CONNECTION)
    environ["wsgi.input"] = io.BytesIO(body)
    return None


def answer_refusal() -> None:
    """Flask's request hook for refusals: answer the one the front door found, as a problem."""
    refusal: Refusal | None = request.environ.get(REFUSAL_KEY)
    if refusal is not None:
        abort(refusal.status, message=refusal.message, headers=refusal.headers)


def is_api_path(path: str) -> bool:
    """Whether ``path`` is the API's: ``/v1`` itself or anything under ``/v1/``."""
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


def header_bytes(environ: dict[str, object]) -> int:
    """The size of a request's headers: names and values, as the WSGI environ holds them."""
    return sum(
        len(name) - 5 + len(str(value)) for name, value in environ.items() if name[:5] == "HTTP_"
    )


@lru_cache(maxsize=512)
def accepts_json(accept: str) -> bool:
    """Whether an Accept header admits a JSON answer (or a JSON problem); empty admits anything.

    Clients send a handful of distinct Accept values, so each is parsed once.
    """
    mimetypes = parse_accept_header(accept, MIMEAccept)
    return not mimetypes.provided or any(mimetypes.quality(kind) > 0 for kind in JSON_TYPES)
