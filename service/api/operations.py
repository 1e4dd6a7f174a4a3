"""Probes and metrics for operators: ``/healthz``, ``/readyz`` and ``/metrics``."""

from __future__ import annotations

import os

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Gauge,
    generate_latest,
    multiprocess,
)

from ..state import app_state
from .base import REQUEST_BOUND_ERRORS, Blueprint

DATASET_INFO = Gauge(
    "twitchlore_dataset_info",
    "The served dataset's version and checksum (always 1).",
    ["version", "checksum"],
    multiprocess_mode="max",
)


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
