"""What operators need: request ids, JSON logs, Prometheus metrics, probes, security headers."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
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

from .dataset import Dataset

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

access_log = logging.getLogger("twitchlore.access")


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


def configure_logging(level: str) -> None:
    """Send the service's logs to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLogFormatter())
    logger = logging.getLogger("twitchlore")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
    service_errors = logging.getLogger("service")
    service_errors.handlers[:] = [handler]
    service_errors.propagate = False


def start_request() -> None:
    """Note when the request started and which id it carries (the client's, or a new one)."""
    g.started = time.perf_counter()
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if _VALID_REQUEST_ID.match(given) else uuid.uuid4().hex


def finish_request(response: Response) -> Response:
    """Echo the request id, add security headers, count the request and log one line."""
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers[REQUEST_ID_HEADER] = request_id
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = (
        DOCS_CSP if request.endpoint == DOCS_ENDPOINT else JSON_CSP
    )
    duration = time.perf_counter() - g.get("started", time.perf_counter())
    endpoint = request.endpoint or "unmatched"
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    LATENCY.labels(endpoint, request.method).observe(duration)
    access_log.info(
        "request",
        extra={
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "status": response.status_code,
            "duration_ms": round(duration * 1000, 3),
            "request_id": request_id,
            "pid": os.getpid(),
        },
    )
    return response


# --- Probes and metrics ---------------------------------------------------------------

blp = Blueprint("operations", __name__, description="Probes and metrics for operators.")


class HealthSchema(Schema):
    """Whether the process is alive."""

    status = fields.String(metadata={"example": "ok"})


class ReadinessSchema(Schema):
    """Whether the service can answer: dataset loaded and valid, rate-limit storage reachable."""

    status = fields.String(metadata={"example": "ready"})
    dataset_version = fields.String(metadata={"example": "1.0.0"})
    dataset_checksum = fields.String()
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
        dataset: Dataset = current_app.extensions["twitchlore.dataset"]
        limiters = current_app.extensions.get("limiter", ())
        storage_ok = all(limiter.storage.check() for limiter in limiters)
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
        dataset: Dataset = current_app.extensions["twitchlore.dataset"]
        DATASET_INFO.labels(dataset.info.version, dataset.checksum).set(1)
        return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    """The registry to report: all worker processes' files in multiprocess mode."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        from prometheus_client import REGISTRY

        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def init_app(app: Flask) -> None:
    """Install request ids, JSON logs, metrics and security headers on every request.

    Call it first, so every other hook's answers (errors included) are counted and logged.
    The probes are the blueprint ``blp``, registered with the API.
    """
    configure_logging(app.config["LOG_LEVEL"])
    app.before_request(start_request)
    app.after_request(finish_request)
