"""Per-client rate limits: fixed windows counted in Redis, or in memory while Redis fails.

The front door counts every limited request (``ClientRateLimiter.hit``); a client over its
limit is refused like every refusal (``checks``), so it never gets a kept answer.

A client is its address; an IPv6 client is its network prefix (a /64 by default), since
one host usually holds a whole /64 and could otherwise take a new address per request.

Counting costs a request one Redis round trip (one script for every configured limit),
within a latency budget; past it, or when Redis fails or refuses writes, the limiter
counts in this process's memory. The memory table is bounded in size (the oldest window
goes first when it is full) and in time (a few expired windows are dropped at each
request), and no request ever walks it.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Protocol

import redis
from limits import RateLimitItem, parse_many
from prometheus_client import Counter, Gauge
from redis.backoff import NoBackoff
from redis.retry import Retry

DEFAULT_BUDGET_MS = 50
"""How long counting one request in Redis may take before the limiter counts in memory."""
STORAGE_RETRY_SECONDS = 5.0
"""While Redis fails, how often a request tries it again."""
DEFAULT_IPV6_PREFIX = 64
"""IPv6 clients are counted per network of this prefix length."""
PROCESS_COUNTS_MAX_KEYS = 100_000
"""At most this many clients per window length in memory; beyond, the oldest window goes."""
EXPIRED_DROPPED_PER_HIT = 2
"""Expired windows dropped at each request: more than the one a request may add."""

FAULTS = ("unreachable", "slow", "out_of_memory", "error")
"""Why the shared storage may fail to count a request, as /readyz and the metrics say it."""

RATE_LIMIT_STORAGE_DEGRADED = Gauge(
    "twitchlore_rate_limit_storage_degraded",
    "1 while the shared rate-limit storage fails (down, slower than the budget, out of "
    "memory) and this process counts in its own memory.",
    multiprocess_mode="max",
)
RATE_LIMIT_STORAGE_FAILURES = Counter(
    "twitchlore_rate_limit_storage_failures_total",
    "Times the shared rate-limit storage failed and the limiter fell back to memory, by why.",
    ["reason"],
)
RATE_LIMIT_EVICTIONS = Counter(
    "twitchlore_rate_limit_evictions_total",
    "Clients whose count in memory was dropped before its window ended, the table being full.",
)

logger = logging.getLogger("twitchlore.rate_limit")

Window = tuple[str, int]
"""A key and its window's length in seconds."""
Count = tuple[int, float]
"""A key's count in its window, and when the window ends (seconds since the epoch)."""


class StorageFault(Exception):
    """The shared storage did not count a request; ``reason`` is one of ``FAULTS``."""

    def __init__(self, reason: str, error: BaseException) -> None:
        super().__init__(f"{reason}: {_one_line(error)}")
        self.reason = reason


class Counts(Protocol):
    """What the limiter needs of a storage: count a request in several windows at once."""

    def hit(self, windows: Sequence[Window]) -> list[Count]:
        """Count one request in each window; each window's count and end."""
        ...

    def refund(self, windows: Sequence[Window]) -> None:
        """Take back one request counted by ``hit`` (its answer was a 304)."""
        ...

    def probe(self) -> None:
        """Count a request of nobody's, raising ``StorageFault`` as ``hit`` would."""
        ...


class WindowCounts:
    """Every client's count in fixed windows of one length, oldest window first.

    A window that starts again moves to the end, so the table stays in order of when
    windows end: the expired ones are always at the front, where each request drops a
    few, and when the table is full the one at the front goes.
    """

    def __init__(self, seconds: int, max_keys: int) -> None:
        self.seconds = seconds
        self.max_keys = max_keys
        self.entries: OrderedDict[str, list[float]] = OrderedDict()
        """Each key's [window end, count]."""

    def hit(self, key: str, now: float) -> list[float]:
        entries = self.entries
        entry = entries.get(key)
        if entry is None or entry[0] <= now:
            if entry is not None:
                del entries[key]
            entry = entries[key] = [now + self.seconds, 0]
        entry[1] += 1
        self._drop_old(now)
        return entry

    def refund(self, key: str, now: float) -> None:
        entry = self.entries.get(key)
        if entry is not None and entry[0] > now and entry[1] > 0:
            entry[1] -= 1

    def _drop_old(self, now: float) -> None:
        entries = self.entries
        for _ in range(EXPIRED_DROPPED_PER_HIT):
            if not entries:
                return
            oldest = next(iter(entries))
            if entries[oldest][0] > now:
                break
            del entries[oldest]
        if len(entries) > self.max_keys:
            entries.popitem(last=False)
            RATE_LIMIT_EVICTIONS.inc()


class ProcessCounts:
    """Fixed-window counts in this process's memory, one bounded table per window length.

    limits' MemoryStorage expires keys from a timer thread started every 10 ms, which
    cost about a third of a kept answer's time under the earlier gevent workers; these tables
    expire at each request instead, a bounded amount of work each time.
    """

    def __init__(self, max_keys: int | None = None) -> None:
        self.max_keys = PROCESS_COUNTS_MAX_KEYS if max_keys is None else max_keys
        self.tables: dict[int, WindowCounts] = {}
        self._lock = threading.Lock()

    def hit(self, windows: Sequence[Window]) -> list[Count]:
        now = time.time()
        counts = []
        with self._lock:
            for key, seconds in windows:
                ends, count = self._table(seconds).hit(key, now)
                counts.append((int(count), ends))
        return counts

    def refund(self, windows: Sequence[Window]) -> None:
        now = time.time()
        with self._lock:
            for key, seconds in windows:
                self._table(seconds).refund(key, now)

    def probe(self) -> None:
        """Memory always answers."""

    def __len__(self) -> int:
        return sum(len(table.entries) for table in self.tables.values())

    def _table(self, seconds: int) -> WindowCounts:
        table = self.tables.get(seconds)
        if table is None:  # one per configured window length
            table = self.tables[seconds] = WindowCounts(seconds, self.max_keys)
        return table


HIT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if count == 1 or ttl < 0 then
    ttl = tonumber(ARGV[i])
    redis.call('PEXPIRE', key, ttl)
  end
  counts[#counts + 1] = count
  counts[#counts + 1] = ttl
end
return counts
"""
"""Count one request in every window (KEYS, with their lengths in ms as ARGV) in one round
trip; each key's count and the milliseconds left in its window."""

REFUND_SCRIPT = """
for _, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count > 0 then redis.call('DECR', key) end
end
"""
"""Take back one request in every window that is still open (DECR keeps its expiry)."""

PROBE_KEY = "twitchlore/readiness-probe"


class RedisCounts:
    """Counts in a shared Redis: one script, so one round trip, per request.

    Every call must answer within the budget (connecting included), with no retries: a
    Redis that is down, frozen or slow costs a request at most the budget, and the
    limiter falls back at once. A Redis that refuses writes (out of memory) fails too.
    """

    def __init__(self, uri: str, budget_seconds: float) -> None:
        if uri.startswith("redis+unix://"):  # limits' spelling of redis-py's unix://
            uri = "unix://" + uri.removeprefix("redis+unix://")
        self.client = redis.Redis.from_url(
            uri,
            socket_timeout=budget_seconds,
            socket_connect_timeout=budget_seconds,
            retry=Retry(NoBackoff(), 0),
        )
        self._hit = self.client.register_script(HIT_SCRIPT)
        self._refund = self.client.register_script(REFUND_SCRIPT)

    def hit(self, windows: Sequence[Window]) -> list[Count]:
        reply = self._run(self._hit, windows)
        now = time.time()
        return [(int(reply[i]), now + int(reply[i + 1]) / 1000) for i in range(0, len(reply), 2)]

    def refund(self, windows: Sequence[Window]) -> None:
        self._run(self._refund, windows)

    def probe(self) -> None:
        self.hit([(PROBE_KEY, 1)])

    @staticmethod
    def _run(script: redis.commands.core.Script, windows: Sequence[Window]) -> list[int]:
        keys = [key for key, _ in windows]
        lengths = [seconds * 1000 for _, seconds in windows]
        try:
            return script(keys=keys, args=lengths)  # type: ignore[no-any-return]
        except redis.TimeoutError as error:
            raise StorageFault("slow", error) from error
        except redis.ConnectionError as error:
            raise StorageFault("unreachable", error) from error
        except redis.exceptions.OutOfMemoryError as error:  # writes refused: maxmemory
            raise StorageFault("out_of_memory", error) from error
        except redis.RedisError as error:
            raise StorageFault("error", error) from error


def shared_storage(uri: str, budget_seconds: float = DEFAULT_BUDGET_MS / 1000) -> Counts:
    """The storage behind ``uri``: this process's memory, or a Redis within the budget."""
    if uri.startswith("memory://"):
        return ProcessCounts()
    return RedisCounts(uri, budget_seconds)


@lru_cache(maxsize=4096)
def client_key(address: str, ipv6_prefix: int = DEFAULT_IPV6_PREFIX) -> str:
    """Who a request is counted against: an IPv4 address, or an IPv6 address's network."""
    if ":" not in address:
        return address
    try:
        ip = ipaddress.IPv6Address(address.split("%", 1)[0])
    except ValueError:
        return address
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, ipv6_prefix), strict=False))


@dataclass(frozen=True)
class RateVerdict:
    """Whether a request may proceed, and the rate-limit headers its answer carries."""

    allowed: bool
    amount: int
    remaining: int
    reset: float
    limit: str = ""
    retry_after: int = 0

    @property
    def headers(self) -> list[tuple[str, str]]:
        return [
            ("X-RateLimit-Limit", str(self.amount)),
            ("X-RateLimit-Remaining", str(self.remaining)),
            ("X-RateLimit-Reset", str(math.ceil(self.reset))),
        ]

    def refunded(self) -> RateVerdict:
        """The verdict once the request is taken back: one more request remains."""
        return replace(self, remaining=min(self.amount, self.remaining + 1))


class ClientRateLimiter:
    """Fixed-window limits per client, counted in memory or in a shared Redis.

    Every request to the API counts against each configured limit (for example
    ``20/second;1200/minute``); the headers describe the limit closest to running out.
    When the shared storage fails (down, slower than the budget, out of memory), the
    limiter fails open to this process's own memory (a read-only API should stay up),
    says so once in the log and in a metric, and goes back to the shared storage as
    soon as it counts again.
    """

    def __init__(
        self,
        limits: str,
        storage_uri: str,
        enabled: bool = True,
        ipv6_prefix: int = DEFAULT_IPV6_PREFIX,
        budget_ms: int = DEFAULT_BUDGET_MS,
    ) -> None:
        self.enabled = enabled
        self.limits: list[RateLimitItem] = parse_many(limits)
        self.ipv6_prefix = ipv6_prefix
        self.degraded = False
        self._retry_at = 0.0
        # Made in the server's master process and inherited by each worker: the counts start
        # empty, and redis-py opens new connections in a process that did not make them.
        self.shared = shared_storage(storage_uri, budget_ms / 1000)
        """The configured storage (Redis, or this process's memory)."""
        self.local = self.shared if isinstance(self.shared, ProcessCounts) else ProcessCounts()
        """This process's own memory, where counts go while the shared storage fails."""

    @classmethod
    def from_settings(cls, config: Mapping[str, Any]) -> ClientRateLimiter:
        """The limiter the ``RATELIMIT_*`` settings describe."""
        return cls(
            config["RATELIMIT_DEFAULT"],
            config["RATELIMIT_STORAGE_URI"],
            config["RATELIMIT_ENABLED"],
            ipv6_prefix=config["RATELIMIT_IPV6_PREFIX"],
            budget_ms=config["RATELIMIT_STORAGE_BUDGET_MS"],
        )

    def client(self, address: str) -> str:
        """The key a request from ``address`` counts against."""
        return client_key(address, self.ipv6_prefix)

    def hit(self, client: str) -> tuple[RateVerdict, Counts]:
        """Count one request from ``client``: whether it is within every limit, and where
        it was counted (for ``refund``)."""
        windows = [(item.key_for("twitchlore", client), item.get_expiry()) for item in self.limits]
        storage = self._storage()
        try:
            counts = storage.hit(windows)
        except StorageFault as fault:
            self._degrade(fault)
            storage = self.local
            counts = storage.hit(windows)
        else:
            if storage is self.shared and self.degraded:
                self._recover()
        return self._verdict(counts), storage

    def refund(self, client: str, storage: Counts) -> None:
        """Take back a request ``hit`` counted in ``storage`` (its answer was a 304)."""
        windows = [(item.key_for("twitchlore", client), item.get_expiry()) for item in self.limits]
        try:
            storage.refund(windows)
        except StorageFault as fault:
            self._degrade(fault)

    def _verdict(self, counts: list[Count]) -> RateVerdict:
        tightest: tuple[int, float, RateLimitItem] | None = None
        refused: RateLimitItem | None = None
        for item, (used, reset) in zip(self.limits, counts, strict=True):
            remaining = max(0, item.amount - used)
            if used > item.amount and refused is None:
                refused = item
            if tightest is None or remaining < tightest[0]:
                tightest = (remaining, reset, item)
        assert tightest is not None  # parse_many refuses an empty specification
        remaining, reset, item = tightest
        if refused is None:
            return RateVerdict(True, item.amount, remaining, reset)
        retry_after = max(1, math.ceil(reset - time.time()))
        return RateVerdict(False, item.amount, remaining, reset, str(refused), retry_after)

    def _storage(self) -> Counts:
        """The shared storage, unless it failed lately; then, now and again, a retry of it."""
        if not self.degraded or time.monotonic() >= self._retry_at:
            return self.shared
        return self.local

    def _degrade(self, fault: StorageFault) -> None:
        self._retry_at = time.monotonic() + STORAGE_RETRY_SECONDS
        RATE_LIMIT_STORAGE_FAILURES.labels(fault.reason).inc()
        RATE_LIMIT_STORAGE_DEGRADED.set(1)
        if not self.degraded:
            self.degraded = True
            logger.error(
                "rate-limit storage failed (%s): counting in this process's memory until it "
                "counts again",
                fault,
            )

    def _recover(self) -> None:
        self.degraded = False
        RATE_LIMIT_STORAGE_DEGRADED.set(0)
        logger.warning("rate-limit storage answers again: limits are shared again")

    def storage_state(self) -> str:
        """``ok`` when the storage counts a request within the budget now, else one of
        ``FAULTS``; the limiter's state (and metric) follows."""
        try:
            self.shared.probe()
        except StorageFault as fault:
            self._degrade(fault)
            return fault.reason
        if self.degraded:
            self._recover()
        RATE_LIMIT_STORAGE_DEGRADED.set(0)
        return "ok"


def _one_line(error: BaseException) -> str:
    cause = error.__cause__ or error
    return f"{type(cause).__name__}: {cause}".splitlines()[0]
