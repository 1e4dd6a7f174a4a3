"""Per-client rate limits: fixed windows counted in Redis, or in memory while Redis fails.

The front door counts every limited request (``ClientRateLimiter.hit``) and leaves a
refusal in the WSGI environ under ``REFUSAL_KEY``; Flask answers it as a 429 problem
(``refuse_if_over_limit``), so a refused client never gets a kept answer.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import request
from flask_smorest import abort
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string
from prometheus_client import Counter, Gauge
from redis.backoff import NoBackoff
from redis.retry import Retry

REFUSAL_KEY = "twitchlore.rate_limit_refusal"
"""Where the front door leaves a rate-limit refusal for Flask to answer as a 429 problem."""

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

    def get(self, key: str) -> int: ...

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

    def get(self, key: str) -> int:
        """``key``'s count in its current window (0 once the window has passed)."""
        entry = self._counts.get(key)
        return int(entry[1]) if entry and entry[0] > time.time() else 0

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
        return self._verdict(client, counted=True)

    def peek(self, client: str) -> RateVerdict:
        """Whether one more request from ``client`` would be within every limit, uncounted.

        For conditional requests: one answered 304 costs nothing (as GitHub's API does), so
        the front door counts it (``hit``) only once it turns out to get a full answer.
        """
        return self._verdict(client, counted=False)

    def _verdict(self, client: str, counted: bool) -> RateVerdict:
        storage = self._storage()
        try:
            return self._count(storage, client, counted)
        except StorageError as error:
            self._degrade(error)
            return self._count(self.local, client, counted)

    def _count(self, storage: Counts, client: str, counted: bool) -> RateVerdict:
        tightest: tuple[int, float, RateLimitItem] | None = None
        refused: RateLimitItem | None = None
        for item in self.limits:
            key = item.key_for("twitchlore", client)
            if counted:
                used = storage.incr(key, item.get_expiry())
                over = used > item.amount
            else:
                used = storage.get(key)
                over = used >= item.amount  # this request, counted, would be over
            remaining = max(0, item.amount - used)
            if over and refused is None:
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
