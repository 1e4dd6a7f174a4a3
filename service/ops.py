"""What operators need: request ids, JSON logs, Prometheus metrics, probes, security headers."""

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
from flask.views import MethodView
from marshmallow import Schema, fields
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from .api.base import REQUEST_BOUND_ERRORS, Blueprint
from .state import app_state

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
DATASET_INFO = Gauge(
    "twitchlore_dataset_info",
    "The served dataset's version and checksum (always 1).",
    ["version", "checksum"],
    multiprocess_mode="max",
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


# --- Probes and metrics ---------------------------------------------------------------


class OperationsBlueprint(Blueprint):
    """Probes and metrics: no rate limit and any Accept, so only the request bounds apply."""

    DOCUMENTED_ERRORS = REQUEST_BOUND_ERRORS


blp = OperationsBlueprint("operations", __name__, description="Probes and metrics for operators.")


class HealthSchema(Schema):
    """Whether the process is alive."""

    status = fields.String(metadata={"example": "ok"})


class ReadinessSchema(Schema):
    """Whether the service can answer: dataset loaded and valid, rate-limit storage reachable."""

    status = fields.String(metadata={"example": "ready"})
    dataset_version = fields.String(metadata={"example": "1.0.0"})
    dataset_checksum = fields.String(
        metadata={"example": "7e5f026c041b24f6161e922baa26ed6eddf12cc440ffee8d32b59fa6b5bff1cc"}
    )
    rate_limit_storage = fields.String(metadata={"example": "ok"})


@blp.route("/healthz")
class Health(MethodView):
    """Liveness."""

    @blp.doc(operationId="getHealth")
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, str]:
        """Liveness probe

        200 while the process can answer at all.
        """
        return {"status": "ok"}


@blp.route("/readyz")
class Readiness(MethodView):
    """Readiness."""

    @blp.doc(operationId="getReadiness")
    @blp.response(200, ReadinessSchema)
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def get(self) -> tuple[dict[str, str], int]:
        """Readiness probe

        200 when the dataset is loaded and valid and the rate-limit storage answers;
        503 otherwise, so a load balancer sends traffic elsewhere.
        """
        state = app_state()
        dataset = state.dataset
        storage_ok = state.rate_limiter.storage_reachable()
        body = {
            "status": "ready" if storage_ok else "unavailable",
            "dataset_version": dataset.info.version,
            "dataset_checksum": dataset.checksum,
            "rate_limit_storage": "ok" if storage_ok else "unreachable",
        }
        return body, 200 if storage_ok else 503


@blp.route("/metrics")
class Metrics(MethodView):
    """Prometheus metrics."""

    @blp.doc(operationId="getMetrics")
    @blp.response(
        200,
        description="Metrics in the Prometheus text format.",
        content_type="text/plain",
        example="twitchlore_http_requests_total{endpoint=...} 1.0",
    )
    def get(self) -> Response:
        """Prometheus metrics

        Requests by endpoint, method and status; latency histogram; dataset version.
        Under gunicorn the figures cover every worker process.
        """
        dataset = app_state().dataset
        DATASET_INFO.labels(dataset.info.version, dataset.checksum).set(1)
        return Response(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    """The registry to report: all worker processes' files in multiprocess mode."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        from prometheus_client import REGISTRY

        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def init_app(app: Flask) -> AccessLog:
    """Add security headers to every answer and set up JSON logs; return the request log."""
    app.after_request(add_security_headers)
    return configure_logging(app.config["LOG_LEVEL"])
