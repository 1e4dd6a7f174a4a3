"""What every request meets at the edge: size bounds, content negotiation, CORS, rate limits."""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, request
from flask_compress import Compress
from flask_cors import CORS
from flask_smorest import abort
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string
from prometheus_client import Counter, Gauge
from redis.backoff import NoBackoff
from redis.retry import Retry
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

MAX_QUERY_STRING = 2048
MAX_HEADER_BYTES = 8192
MAX_BODY_BYTES = 1024
"""A read-only API needs no body; a small one is tolerated, a larger one refused."""

JSON_TYPES = ("application/json", "application/problem+json")
RATE_LIMIT_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
EXPOSED_HEADERS = ["ETag", "Link", "Retry-After", "X-Request-ID", *RATE_LIMIT_HEADERS]
API_PREFIX = "/v1/"
REFUSAL_KEY = "twitchlore.rate_limit_refusal"
"""Where the front door leaves a rate-limit refusal for Flask to answer as a 429 problem."""


# --- Rate limits ---------------------------------------------------------------------------

STORAGE_TIMEOUT_SECONDS = 0.25
"""How long one Redis command may take before the limiter counts in memory instead."""
STORAGE_RETRY_SECONDS = 5.0
"""While Redis fails, how often a request tries it again."""

RATE_LIMIT_STORAGE_DEGRADED = Gauge(
    "twitchlore_rate_limit_storage_degraded",
    "1 while the shared rate-limit storage fails and this process counts in its own memory.",
    multiprocess_mode="max",
)
RATE_LIMIT_STORAGE_FAILURES = Counter(
    "twitchlore_rate_limit_storage_failures_total",
    "Times the shared rate-limit storage failed and the limiter fell back to memory.",
)

logger = logging.getLogger("twitchlore.rate_limit")


@dataclass(frozen=True)
class RateVerdict:
    """Whether a request may proceed, and the rate-limit headers its answer carries."""

    allowed: bool
    headers: list[tuple[str, str]] = field(default_factory=list)
    limit: str = ""
    retry_after: int = 0


class Counts(Protocol):
    """What the limiter needs of a storage: fixed-window counts and when they expire."""

    def incr(self, key: str, expiry: int, amount: int = 1) -> int: ...

    def get_expiry(self, key: str) -> float: ...

    def check(self) -> bool: ...


PROCESS_COUNTS_MAX_KEYS = 100_000
"""Beyond this many live keys, expired ones are dropped before a new one is added."""


class ProcessCounts:
    """Fixed-window counts in this process's memory, as limits' MemoryStorage keeps them.

    limits' MemoryStorage expires keys from a timer thread started every 10 ms, which
    under gevent workers costs about a third of a cached answer's time; these counts
    expire lazily instead: a key past its window starts again at its next request.
    """

    def __init__(self) -> None:
        self._counts: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to ``key``'s count in its window (a new window if it expired)."""
        now = time.time()
        with self._lock:
            entry = self._counts.get(key)
            if entry is None or entry[0] <= now:
                if len(self._counts) >= PROCESS_COUNTS_MAX_KEYS:
                    self._drop_expired(now)
                entry = self._counts[key] = [now + expiry, 0]
            entry[1] += amount
            return int(entry[1])

    def get_expiry(self, key: str) -> float:
        """When ``key``'s window ends (now, if it has none)."""
        entry = self._counts.get(key)
        return entry[0] if entry else time.time()

    def check(self) -> bool:
        """Memory always answers."""
        return True

    def _drop_expired(self, now: float) -> None:
        for key in [key for key, (ends, _) in self._counts.items() if ends <= now]:
            del self._counts[key]


def shared_storage(uri: str) -> Counts:
    """The storage behind ``uri``; Redis with short timeouts and no retries.

    A Redis that is down or frozen must cost a request at most one short timeout, not
    redis-py's default of retries with backoff, so the limiter can fall back at once.
    """
    if uri.startswith("memory://"):
        return ProcessCounts()
    options: dict[str, Any] = {}
    if uri.startswith(("redis://", "rediss://", "redis+unix://")):
        options = {
            "socket_timeout": STORAGE_TIMEOUT_SECONDS,
            "socket_connect_timeout": STORAGE_TIMEOUT_SECONDS,
            "retry": Retry(NoBackoff(), 0),
            "wrap_exceptions": True,
        }
    storage = storage_from_string(uri, **options)
    if not isinstance(storage, Storage):  # only the asyncio storages fail this
        raise TypeError(f"{uri}: not a synchronous storage")
    return storage


class ClientRateLimiter:
    """Fixed-window limits per client address, counted in memory or in a shared Redis.

    Every request to the API counts against each configured limit (for example
    ``20/second;1200/minute``); the headers describe the limit closest to running out.
    When the shared storage fails, the limiter fails open to this process's own memory
    (a read-only API should stay up), says so once in the log and in a metric, and goes
    back to the shared storage as soon as it answers again.
    """

    def __init__(self, limits: str, storage_uri: str, enabled: bool = True) -> None:
        self.enabled = enabled
        self.limits: list[RateLimitItem] = parse_many(limits)
        self.degraded = False
        self._retry_at = 0.0
        # Made in the gunicorn master and inherited by each worker: the counts start
        # empty, and redis-py opens new connections in a process that did not make them.
        self.shared = shared_storage(storage_uri)
        """The configured storage (Redis, or this process's memory)."""
        self.local = self.shared if isinstance(self.shared, ProcessCounts) else ProcessCounts()
        """This process's own memory, where counts go while the shared storage fails."""

    def hit(self, client: str) -> RateVerdict:
        """Count one request from ``client`` and say whether it is within every limit."""
        storage = self._storage()
        try:
            return self._count(storage, client)
        except StorageError as error:
            self._degrade(error)
            return self._count(self.local, client)

    def _count(self, storage: Counts, client: str) -> RateVerdict:
        tightest: tuple[int, float, RateLimitItem] | None = None
        refused: RateLimitItem | None = None
        for item in self.limits:
            key = item.key_for("twitchlore", client)
            count = storage.incr(key, item.get_expiry())
            remaining = max(0, item.amount - count)
            if count > item.amount and refused is None:
                refused = item
            if tightest is None or remaining < tightest[0]:
                tightest = (remaining, storage.get_expiry(key), item)
        assert tightest is not None  # parse_many refuses an empty specification
        remaining, reset, item = tightest
        headers = [
            ("X-RateLimit-Limit", str(item.amount)),
            ("X-RateLimit-Remaining", str(remaining)),
            ("X-RateLimit-Reset", str(math.ceil(reset))),
        ]
        if refused is None:
            return RateVerdict(True, headers)
        retry_after = max(1, math.ceil(reset - time.time()))
        return RateVerdict(False, headers, str(refused), retry_after)

    def _storage(self) -> Counts:
        """The shared storage, unless it failed lately; then, now and again, a retry of it."""
        if not self.degraded:
            return self.shared
        if time.monotonic() < self._retry_at:
            return self.local
        if self.shared.check():
            self.degraded = False
            RATE_LIMIT_STORAGE_DEGRADED.set(0)
            logger.warning("rate-limit storage answers again: limits are shared again")
            return self.shared
        self._retry_at = time.monotonic() + STORAGE_RETRY_SECONDS
        return self.local

    def _degrade(self, error: Exception) -> None:
        self._retry_at = time.monotonic() + STORAGE_RETRY_SECONDS
        RATE_LIMIT_STORAGE_FAILURES.inc()
        if not self.degraded:
            self.degraded = True
            RATE_LIMIT_STORAGE_DEGRADED.set(1)
            logger.error(
                "rate-limit storage failed (%s): counting in this process's memory until it "
                "answers again",
                _one_line(error),
            )

    def storage_reachable(self) -> bool:
        """Whether the counts' storage answers now (always true in memory)."""
        return bool(self.shared.check())


def _one_line(error: BaseException) -> str:
    cause = error.__cause__ or error
    return f"{type(cause).__name__}: {cause}".splitlines()[0]


def refuse_if_over_limit() -> None:
    """Answer 429 when the front door found the client over its limit."""
    verdict: RateVerdict | None = request.environ.get(REFUSAL_KEY)
    if verdict is not None:
        abort(
            429,
            message=verdict.limit,
            headers={"Retry-After": str(verdict.retry_after)},
        )


# --- Request bounds and CORS ------------------------------------------------------------------


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
        allow_headers=[
            "Accept",
            "Authorization",
            "Cache-Control",
            "Content-Type",
            "If-None-Match",
            "X-Request-ID",
            "X-Requested-With",
        ],
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
    )
    return limiter
