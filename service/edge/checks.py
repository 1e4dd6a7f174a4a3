"""What every request meets at the edge: size bounds, content negotiation, CORS, compression.

Rate limits, which the front door counts, are in ``service.edge.rate_limit``; ``init_app``
installs their 429 answer with the rest.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, request
from flask_compress import Compress
from flask_cors import CORS
from flask_smorest import abort
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

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


def check_request_bounds() -> None:
    """Refuse requests too large in their query, headers or body, and unacceptable Accepts."""
    if len(request.query_string) > MAX_QUERY_STRING:
        abort(414, message=f"The query string is longer than {MAX_QUERY_STRING} bytes.")
    if header_bytes(request.environ) > MAX_HEADER_BYTES:
        abort(431, message=f"The request headers are larger than {MAX_HEADER_BYTES} bytes.")
    if (request.content_length or 0) > MAX_BODY_BYTES or _chunked_body_too_large():
        abort(413, message="This API takes no request body.")
    if request.path.startswith(API_PREFIX) and not accepts_json(request.headers.get("Accept", "")):
        abort(406, message="This API answers application/json; send Accept: application/json.")


def _chunked_body_too_large() -> bool:
    """Whether a body sent without a length (chunked) is larger than a sized one may be.

    At most one byte more than the bound is read, so a large body costs nothing.
    """
    if "chunked" not in request.headers.get("Transfer-Encoding", "").lower():
        return False
    return len(request.stream.read(MAX_BODY_BYTES + 1)) > MAX_BODY_BYTES


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
    """Make a redirect's Location a path: never an address built from the Host header."""
    location = response.headers.get("Location")
    if location and "://" in location.split("?", 1)[0]:
        parts = urlsplit(location)
        response.headers["Location"] = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return response


def _vary_on_origin(response: Response) -> Response:
    response.vary.add("Origin")
    return response


COMPRESSION_SETTINGS = {
    # Brotli where the client takes it (browsers do over HTTPS), else gzip.
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_BR_LEVEL": 5,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 512,
    "COMPRESS_MIMETYPES": [
        "application/json",
        "application/problem+json",
        "application/javascript",
        "text/javascript",
        "text/css",
        "text/html",
        "text/plain",
        "image/svg+xml",
    ],
}
"""Compression of answers (flask-compress): a compressed answer's strong ETag gets a
``:br`` or ``:gzip`` suffix and ``Vary: Accept-Encoding``; the front door keeps one copy
per Accept-Encoding, so repeats cost no compression."""


def init_app(app: Flask) -> ClientRateLimiter:
    """Install request bounds, compression, CORS and the 429 answer; return the rate limiter."""
    app.before_request(refuse_if_over_limit)
    app.before_request(check_request_bounds)
    app.after_request(relative_redirects)
    for name, value in COMPRESSION_SETTINGS.items():
        app.config.setdefault(name, value)
    Compress(app)
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
    limiter = ClientRateLimiter(
        app.config["RATELIMIT_DEFAULT"],
        app.config["RATELIMIT_STORAGE_URI"],
        app.config["RATELIMIT_ENABLED"],
        ipv6_prefix=app.config["RATELIMIT_IPV6_PREFIX"],
        budget_ms=app.config["RATELIMIT_STORAGE_BUDGET_MS"],
    )
    return limiter
