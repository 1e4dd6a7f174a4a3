"""What every request meets at the edge: size bounds, content negotiation, CORS, compression.

Rate limits, which the front door counts, are in ``service.edge.rate_limit``; ``init_app``
installs their 429 answer with the rest.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, request
from flask_cors import CORS
from webargs.flaskparser import abort
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_date, parse_etags

from ..errors import PROBLEM_MEDIA_TYPE, localized_problem
from . import compression
from .rate_limit import ClientRateLimiter, refuse_if_over_limit

MAX_QUERY_STRING = 2048
MAX_HEADER_BYTES = 8192
MAX_BODY_BYTES = 1024
"""A read-only API needs no body; a small one is tolerated, a larger one refused."""

JSON_TYPES = ("application/json", "application/problem+json")
RATE_LIMIT_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
EXPOSED_HEADERS = [
    "ETag",
    "Link",
    "Retry-After",
    "X-Request-ID",
    *RATE_LIMIT_HEADERS,
    "Deprecation",
    "Sunset",
]
"""Response headers scripts may read, beside the ones CORS always lets through
(Cache-Control, Content-Language, Content-Length, Content-Type, Expires, Last-Modified)."""

CORS_ALLOW_HEADERS = (
    # What apps and HTTP libraries commonly send.
    "Accept",
    "Accept-Language",
    "Authorization",
    "Cache-Control",
    "Content-Type",
    "If-Modified-Since",
    "If-None-Match",
    "X-Request-ID",
    "X-Requested-With",
    "X-Correlation-ID",
    # Distributed tracing: W3C Trace Context and Baggage (OpenTelemetry), Sentry, Zipkin B3,
    # Jaeger, AWS X-Ray, Google Cloud, Datadog, New Relic, Azure Application Insights.
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
    "b3",
    "X-B3-TraceId",
    "X-B3-SpanId",
    "X-B3-ParentSpanId",
    "X-B3-Sampled",
    "X-B3-Flags",
    "uber-trace-id",
    "X-Amzn-Trace-Id",
    "X-Cloud-Trace-Context",
    "x-datadog-trace-id",
    "x-datadog-parent-id",
    "x-datadog-origin",
    "x-datadog-sampling-priority",
    "newrelic",
    "Request-Id",
    "Request-Context",
)
"""Request headers a preflight allows by default; TWITCHLORE_CORS_ALLOW_HEADERS adds more."""
API_PREFIX = "/v1/"


CLOSE_CONNECTION = {"Connection": "close"}
"""Sent with a refusal that leaves a body unread: the server (``server.EdgeResponse``) then
closes the connection instead of reading the rest of the body to reuse it."""


def check_request_bounds() -> None:
    """Refuse requests without a Host (in HTTP/1.1), too large in their query, headers or
    body, or with malformed chunked framing, and unacceptable Accepts."""
    environ = request.environ
    if environ.get("SERVER_PROTOCOL") == "HTTP/1.1" and "HTTP_HOST" not in environ:
        abort(400, message="An HTTP/1.1 request must have a Host header.")
    if len(request.query_string) > MAX_QUERY_STRING:
        abort(414, message=f"The query string is longer than {MAX_QUERY_STRING} bytes.")
    if header_bytes(request.environ) > MAX_HEADER_BYTES:
        abort(431, message=f"The request headers are larger than {MAX_HEADER_BYTES} bytes.")
    if (request.content_length or 0) > MAX_BODY_BYTES or _chunked_body_too_large():
        abort(413, message="This API takes no request body.", headers=CLOSE_CONNECTION)
    if is_api_path(request.path) and not accepts_json(request.headers.get("Accept", "")):
        abort(406, message="This API answers application/json; send Accept: application/json.")


def _chunked_body_too_large() -> bool:
    """Whether a body sent without a length (chunked) is larger than a sized one may be.

    At most one byte more than the bound is read, so a large body costs nothing. Framing
    the server cannot read (a chunk size that is not hexadecimal, a missing CRLF, a bad
    trailer, a body cut short) is the client's error: a 400, and the connection closed.
    """
    if "chunked" not in request.headers.get("Transfer-Encoding", "").lower():
        return False
    try:
        return len(request.stream.read(MAX_BODY_BYTES + 1)) > MAX_BODY_BYTES
    except Exception:  # the server's own parse errors: gunicorn's, or another server's
        abort(
            400,
            message="The chunked framing of the request body is not valid.",
            headers=CLOSE_CONNECTION,
        )


def is_api_path(path: str) -> bool:
    """Whether ``path`` is the API's: ``/v1`` itself or anything under ``/v1/``."""
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


def header_bytes(environ: dict[str, object]) -> int:
    """The size of a request's headers: names and values, as the WSGI environ holds them."""
    return sum(
        len(name) - 5 + len(str(value)) for name, value in environ.items() if name[:5] == "HTTP_"
    )


@lru_cache(maxsize=512)
def accepts(accept: str, mimetype: str) -> bool:
    """Whether an Accept header admits ``mimetype``; an empty one admits anything.

    Clients send a handful of distinct Accept values, so each is parsed once.
    """
    mimetypes = parse_accept_header(accept, MIMEAccept)
    return not mimetypes.provided or mimetypes.quality(mimetype) > 0


def accepts_json(accept: str) -> bool:
    """Whether an Accept header admits a JSON answer (or a JSON problem)."""
    return any(accepts(accept, kind) for kind in JSON_TYPES)


def relative_redirects(response: Response) -> Response:
    """Make a redirect's Location a path (never an address built from the Host header), and
    its body a problem naming it, like every other answer that is not the resource."""
    location = response.headers.get("Location")
    if location and "://" in location.split("?", 1)[0]:
        parts = urlsplit(location)
        location = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        response.headers["Location"] = location
    if location and 300 <= response.status_code < 400:
        problem = localized_problem(response.status_code, f"This resource is at {location}.")
        response.set_data(problem.get_data())
        response.content_type = PROBLEM_MEDIA_TYPE
        response.headers["Content-Language"] = problem.headers["Content-Language"]
    return response


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


def _vary_on_origin(response: Response) -> Response:
    response.vary.add("Origin")
    return response


def init_app(app: Flask) -> ClientRateLimiter:
    """Install request bounds, compression, CORS and the 429 answer; return the rate limiter."""
    app.before_request(refuse_if_over_limit)
    app.before_request(check_request_bounds)
    app.before_request(defer_preconditions)
    app.after_request(relative_redirects)
    compression.init_app(app)
    CORS(
        app,
        resources={r"/v1/*": {}, r"/openapi.json": {}},
        origins=app.config["CORS_ORIGINS"],
        methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=[*CORS_ALLOW_HEADERS, *app.config["CORS_ALLOW_HEADERS"]],
        expose_headers=EXPOSED_HEADERS,
        max_age=86400,
        # A public API answers "*" rather than echoing each origin, which would split caches.
        send_wildcard=app.config["CORS_ORIGINS"] == "*",
        vary_header=app.config["CORS_ORIGINS"] != "*",
    )
    if app.config["CORS_ORIGINS"] != "*":
        # Whether Access-Control-Allow-Origin is sent depends on Origin, even for one
        # allowed origin (where flask-cors leaves Vary out), so caches must key on it.
        app.after_request(_vary_on_origin)
    # Registered last so that it runs first: a 412 still gets CORS and security headers.
    app.after_request(evaluate_preconditions)
    limiter = ClientRateLimiter(
        app.config["RATELIMIT_DEFAULT"],
        app.config["RATELIMIT_STORAGE_URI"],
        app.config["RATELIMIT_ENABLED"],
        ipv6_prefix=app.config["RATELIMIT_IPV6_PREFIX"],
        budget_ms=app.config["RATELIMIT_STORAGE_BUDGET_MS"],
    )
    return limiter
