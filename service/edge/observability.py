"""What operators see of each request: its id, one JSON log line, metrics; security headers."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
import time
import uuid
from typing import Any, TextIO

from flask import Flask, Response, request
from prometheus_client import Counter, Histogram

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
"""Swagger UI runs only scripts served here; it sets inline styles and data: images."""
DOCS_ENDPOINT = "api-docs.openapi_swagger_ui"

# Metrics are process-wide (one registry), so they are created once, not per app.
REQUESTS = Counter(
    "twitchlore_http_requests_total",
    "HTTP requests answered, by endpoint, method and status.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "twitchlore_http_request_duration_seconds",
    "Time to answer a request, by endpoint and method.",
    ["endpoint", "method"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)

ENDPOINT_KEY = "twitchlore.endpoint"
ROUTE_KEY = "twitchlore.route"
"""Where Flask leaves the matched endpoint and route for the front door's metrics and log."""


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any ``extra`` fields."""

    STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in self.STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class AccessLog:
    """Writes one JSON line per request, in the format of ``JsonLogFormatter``.

    It writes to the log handler's stream itself: the logging module's records,
    filters and formatters would cost more than the request they describe.
    """

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self._lock = threading.Lock()

    def write(
        self, method: str, route: str | None, status: int, seconds: float, request_id: str
    ) -> None:
        """Log one answered request."""
        if not self.enabled:
            return
        line = json.dumps(
            {
                "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "level": "INFO",
                "logger": "twitchlore.access",
                "message": "request",
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 3),
                "request_id": request_id,
                "pid": os.getpid(),
            }
        )
        with self._lock:
            self.stream.write(line + "\n")


def configure_logging(level: str) -> AccessLog:
    """Send the service's logs to stderr as JSON lines; return the request log."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLogFormatter())
    for name in ("twitchlore", "service"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
    return AccessLog(sys.stderr, logging.getLogger("twitchlore").isEnabledFor(logging.INFO))


class RequestMetrics:
    """Counts and times answered requests, reusing each label set's child metric."""

    def __init__(self) -> None:
        self._counters: dict[tuple[str, str, str], Any] = {}
        self._timers: dict[tuple[str, str], Any] = {}

    def record(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        """Add one request to the counter and the latency histogram."""
        key = (endpoint, method, str(status))
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = REQUESTS.labels(*key)
        counter.inc()
        timer = self._timers.get(key[:2])
        if timer is None:
            timer = self._timers[key[:2]] = LATENCY.labels(endpoint, method)
        timer.observe(seconds)


KNOWN_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})
"""Methods that get their own metric label; any other is counted as ``other``."""


def known_method(method: str) -> str:
    """``method`` if it is a standard one, else ``other``: metric labels are a closed set."""
    return method if method in KNOWN_METHODS else "other"


def new_request_id(given: str | None) -> str:
    """The client's X-Request-ID when usable, otherwise a new 32-hex-digit id."""
    if given and _VALID_REQUEST_ID.match(given):
        return given
    return uuid.uuid4().hex


def add_security_headers(response: Response) -> Response:
    """Security headers on every Flask answer, and the endpoint for metrics and logs."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault(  # a page with a policy of its own keeps it
        "Content-Security-Policy", DOCS_CSP if request.endpoint == DOCS_ENDPOINT else JSON_CSP
    )
    request.environ[ENDPOINT_KEY] = request.endpoint
    request.environ[ROUTE_KEY] = request.url_rule.rule if request.url_rule else None
    return response


def init_app(app: Flask) -> AccessLog:
    """Add security headers to every answer and set up JSON logs; return the request log."""
    app.after_request(add_security_headers)
    return configure_logging(app.config["LOG_LEVEL"])
