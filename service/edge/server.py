"""How Granian runs the service: the app built once before the workers fork, rebuilt on SIGHUP.

``python -m service`` (`make run`, the image) calls ``serve``. The master process builds
the app (a dataset or setting with a mistake stops start-up here, in one line), then
Granian forks its workers, each of which serves that app: Granian's Rust core reads
requests and writes answers, and Python runs only the app. On SIGHUP the master builds
the app again from the current data and settings and Granian replaces the workers one
at a time, so no request is dropped; with a mistake in the data, the running app stays.
On SIGTERM each worker finishes the requests in flight (for up to ``GRACEFUL_SECONDS``).
A worker that dies is started again.

The app knows nothing of the server: only this module and ``python -m service`` import it.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping
from multiprocessing.util import Finalize
from typing import Any

from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.server import MPServer

from ..config import ConfigError, worker_count
from ..dataset import DatasetError
from . import metric_files
from .observability import flush_logs

logger = logging.getLogger("twitchlore.server")

GRACEFUL_SECONDS = 20
"""On SIGTERM or a reload, how long a worker may take to finish the requests in flight."""

HEADER_READ_MILLISECONDS = 5_000
"""A request's headers must all arrive within this time, or the connection is closed."""

THREADS_PER_WORKER = 2
"""Python threads running the app in each worker. Two, so that one request waiting on Redis
does not hold up the worker; more only contend for the GIL: a kept reading served 3.9, 3.4
and 2.3 times the bare-Flask anchor with 1, 2 and 4 threads (one worker, wrk -c50)."""

_apps: list[Callable[..., Any]] = []
"""The app the next workers serve: built in the master, inherited by each forked worker."""


def build_app() -> Callable[..., Any]:
    """The service's WSGI app, built from the current data and settings."""
    from .. import create_app

    return create_app()


def serving_app(target: str) -> Callable[..., Any]:
    """Granian's loader, called in each new worker: the app the master built, once the metrics
    files of workers that are gone are retired (their counts kept in the totals).

    A worker ends through ``multiprocessing``, which runs its own finalizers but not
    ``atexit``: the worker's log lines are written out and its metrics retired there.
    """
    metric_files.retire_dead_processes()
    Finalize(None, _worker_stopped, exitpriority=10)
    return _apps[-1]


def _worker_stopped() -> None:
    """A worker's last step: its queued log lines written, its metrics added to the totals."""
    flush_logs(2.0)
    metric_files.retire_dead_processes(also=(os.getpid(),))


def reload_app() -> None:
    """SIGHUP: build the app again for the workers Granian is about to start; with a mistake in
    the data or settings, keep serving the app built before and say why in one line."""
    try:
        app = build_app()
    except (DatasetError, ConfigError) as error:
        logger.error("reload refused, still serving the data loaded before: %s", error)
        return
    _apps[:] = [app]
    logger.info("reloaded the data and settings")


LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "service.edge.observability.JsonLogFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {"_granian": {"handlers": ["stderr"], "level": "INFO", "propagate": False}},
}
"""Granian's own messages (workers started, stopped, respawned) as JSON lines like the app's."""


def granian_server(environ: Mapping[str, str]) -> MPServer:
    """Granian, configured from ``HOST``, ``PORT`` and ``WEB_CONCURRENCY`` in ``environ``."""
    # Granian's process-per-worker server (its threaded one is for Python without a GIL).
    server = MPServer(
        "service:create_app",
        address=environ.get("HOST", "127.0.0.1"),
        port=int(environ.get("PORT", "8000")),
        interface=Interfaces.WSGI,
        workers=worker_count(environ),
        blocking_threads=THREADS_PER_WORKER,
        http=HTTPModes.http1,
        websockets=False,
        http1_settings=HTTP1Settings(header_read_timeout=HEADER_READ_MILLISECONDS),
        respawn_failed_workers=True,
        respawn_interval=0.5,
        workers_kill_timeout=GRACEFUL_SECONDS,
        log_dictconfig=LOG_CONFIG,
    )
    server.on_reload(reload_app)
    server.on_shutdown(metric_files.remove_run_directory)
    return server


def serve(environ: Mapping[str, str]) -> None:
    """Check the settings, build the app, then serve it with Granian until SIGTERM or SIGINT."""
    try:
        server = granian_server(environ)
        _apps[:] = [build_app()]
    except (DatasetError, ConfigError) as error:
        sys.exit(f"Error: {error}")
    try:
        server.serve(target_loader=serving_app)
    except RuntimeError as error:  # Granian's Rust core could not bind: "Address already in use"
        reason = str(error).splitlines()[0]  # without the Rust backtrace RUST_BACKTRACE adds
        sys.exit(f"Error: cannot listen on {server.bind_addr}:{server.bind_port}: {reason}")
