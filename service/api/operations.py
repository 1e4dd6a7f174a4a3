"""Probes and metrics for operators: ``/healthz``, ``/readyz`` and ``/metrics``."""

from __future__ import annotations

import os

from flask import Blueprint, Response, jsonify
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Gauge,
    generate_latest,
    multiprocess,
)

from ..state import app_state

DATASET_INFO = Gauge(
    "twitchlore_dataset_info",
    "The served dataset's version and checksum (always 1).",
    ["version", "checksum"],
    multiprocess_mode="max",
)


blp = Blueprint("operations", __name__)
"""Probes and metrics. They are for the operator's load balancer, orchestrator and Prometheus,
not for API clients, so they stay out of the public spec (docs/operations.md describes them);
they take any Accept, count against no rate limit, and answer errors as problem details."""


@blp.get("/healthz")
def health() -> Response:
    """Liveness: 200 while the process can answer at all."""
    return jsonify(status="ok")


@blp.get("/readyz")
def readiness() -> tuple[Response, int]:
    """Readiness: 200 when the dataset is loaded and valid and the rate-limit storage counts a
    request within its budget; 503 otherwise (the storage unreachable, slow, out of memory),
    so a load balancer sends traffic elsewhere."""
    state = app_state()
    dataset = state.dataset
    storage = state.rate_limiter.storage_state()
    body = {
        "status": "ready" if storage == "ok" else "unavailable",
        "dataset_version": dataset.info.version,
        "dataset_checksum": dataset.checksum,
        "rate_limit_storage": storage,
    }
    return jsonify(body), 200 if storage == "ok" else 503


@blp.get("/metrics")
def metrics() -> Response:
    """Prometheus metrics: requests by endpoint, method and status; latency histogram;
    dataset version. Under the server the figures cover every worker process."""
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
