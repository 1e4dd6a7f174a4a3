"""What Flask's answers get on the way out: CORS, compression, relative redirects, ``Vary``.

These are Flask ``after_request`` hooks (with ``preconditions``' and the security headers of
``observability``). An answer the front door keeps carries their headers already, and
``tests/test_front_door.py`` compares every kind of kept answer with what Flask, every hook
run, answers to the same request.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response
from flask_cors import CORS

from ..errors import PROBLEM_MEDIA_TYPE, localized_problem
from . import compression, preconditions

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


def _vary_on_origin(response: Response) -> Response:
    response.vary.add("Origin")
    return response


def init_app(app: Flask) -> None:
    """Install relative redirects, compression, CORS, Vary: Origin for a list of origins,
    and the preconditions (registered last, so run first: a 412 still gets the others)."""
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
    preconditions.init_app(app)
