"""What operators see of each request: its id, one JSON log line, metrics; security headers."""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import sys
import time
import uuid
from _thread import allocate_lock, start_new_thread
from collections import deque
from logging.handlers import QueueHandler
from typing import Any, TextIO

from flask import Flask, Response, request
from prometheus_client import Counter, Histogram

from . import metric_files

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

METRICS_WRITE_ERRORS = Counter(
    "twitchlore_metrics_write_errors_total",
    "Metric updates that could not be written to the metrics directory (full, read-only); "
    "the process kept them in memory.",
)
metric_files.REPORTER.counter = METRICS_WRITE_ERRORS

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


LOG_QUEUE_LINES = 10_000
"""Log lines a process holds while its log reader is slow; beyond, lines are dropped."""

LOG_LINES_DROPPED = Counter(
    "twitchlore_log_lines_dropped_total",
    "Log lines dropped because the log reader (stderr) fell behind and the queue was full.",
)


WRITE_INTERVAL_SECONDS = 0.05
"""How long the log writer waits after a write, so the lines of many requests go out in one."""


class LogQueue:
    """Log lines on their way to stderr: a bounded queue that a thread of its own writes out.

    Request code only appends to it and never waits: when whoever reads stderr stalls (a
    full pipe), lines wait here, and once ``size`` wait, new ones are dropped and counted
    (``twitchlore_log_lines_dropped_total``). It offers ``put_nowait`` to
    ``logging.handlers.QueueHandler``. Its writer is a thread of its own that sleeps on a
    lock until lines come; each process (a forked worker too) starts its own writer.
    """

    def __init__(self, stream: TextIO, size: int = LOG_QUEUE_LINES) -> None:
        self.stream = stream
        self.size = size
        self._lines: deque[str] = deque()
        self._writing = False
        self._start()
        os.register_at_fork(after_in_child=self._start)

    def _start(self) -> None:
        self._lines.clear()  # a forked child leaves its parent's pending lines to the parent
        self._writing = False
        self._wake = allocate_lock()
        self._wake.acquire()
        start_new_thread(self._write_out, ())

    def put_nowait(self, line: str) -> None:
        """Queue one line (with its newline) for stderr; drop and count it if the queue is full."""
        if len(self._lines) >= self.size:
            LOG_LINES_DROPPED.inc()
            return
        self._lines.append(line)
        if self._wake.locked():
            try:
                self._wake.release()
            except RuntimeError:  # the writer woke in between
                pass

    def _write_out(self) -> None:
        wake, pause = self._wake, allocate_lock()
        pause.acquire()
        while True:
            if not self._lines:
                wake.acquire(timeout=1)
                continue
            self._writing = True
            try:
                self.stream.write("".join(self._take_all()))
                self.stream.flush()
            except (OSError, ValueError):  # stderr closed: nothing to tell it
                pass
            finally:
                self._writing = False
            # One write for the lines of many requests: waking this thread and writing for
            # every line cost a busy worker more than the rest of answering a kept request.
            pause.acquire(timeout=WRITE_INTERVAL_SECONDS)

    def _take_all(self) -> list[str]:
        """Every line queued so far, oldest first, taken off the queue."""
        taken = []
        try:
            while True:
                taken.append(self._lines.popleft())
        except IndexError:
            return taken

    def flush(self, seconds: float = 5.0) -> None:
        """Wait (at most ``seconds``) until every queued line is written."""
        deadline = time.monotonic() + seconds
        while (self._lines or self._writing) and time.monotonic() < deadline:
            time.sleep(0.001)


class LineQueueHandler(QueueHandler):
    """Hands a record to the log queue as its finished JSON line, formatted by the caller."""

    def prepare(self, record: logging.LogRecord) -> Any:
        return self.format(record) + "\n"


_LOG_QUEUE: LogQueue | None = None


def log_queue(stream: TextIO) -> LogQueue:
    """This process's log queue, now writing to ``stream``."""
    global _LOG_QUEUE
    if _LOG_QUEUE is None:
        _LOG_QUEUE = LogQueue(stream)
        atexit.register(flush_logs, 1.0)
    _LOG_QUEUE.stream = stream
    return _LOG_QUEUE


def flush_logs(seconds: float = 5.0) -> None:
    """Wait (at most ``seconds``) until every log line queued so far is written."""
    if _LOG_QUEUE is not None:
        _LOG_QUEUE.flush(seconds)


class AccessLog:
    """Queues one JSON line per request, in the format of ``JsonLogFormatter``.

    It formats the line itself: the logging module's records, filters and formatters
    would cost more than the request they describe.
    """

    def __init__(self, lines: LogQueue, enabled: bool) -> None:
        self.lines = lines
        self.enabled = enabled

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
        self.lines.put_nowait(line + "\n")


def configure_logging(level: str) -> AccessLog:
    """Send the service's logs to stderr as JSON lines, through a bounded queue that never
    blocks a request; return the request log."""
    lines = log_queue(sys.stderr)
    handler = LineQueueHandler(lines)  # type: ignore[arg-type]
    handler.setFormatter(JsonLogFormatter())
    for name in ("twitchlore", "service"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
    return AccessLog(lines, logging.getLogger("twitchlore").isEnabledFor(logging.INFO))


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
