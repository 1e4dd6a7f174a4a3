"""What every request meets at the edge: size bounds, content negotiation, CORS, rate limits."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import lru_cache

from flask import Flask, Response, request
from flask_cors import CORS
from flask_smorest import abort
from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
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


@dataclass(frozen=True)
class RateVerdict:
    """Whether a request may proceed, and the rate-limit headers its answer carries."""

    allowed: bool
    headers: list[tuple[str, str]] = field(default_factory=list)
    limit: str = ""
    retry_after: int = 0


class ClientRateLimiter:
    """Fixed-window limits per client address, counted in memory or in Redis.

    Every request to the API counts against each configured limit (for example
    ``20/second;1200/minute``); the headers describe the limit closest to running out.
    """

    def __init__(self, limits: str, storage_uri: str, enabled: bool = True) -> None:
        self.enabled = enabled
        self.limits: list[RateLimitItem] = parse_many(limits)
        storage = storage_from_string(storage_uri)
        if not isinstance(storage, Storage):  # only the asyncio storages fail this
            raise TypeError(f"{storage_uri}: not a synchronous storage")
        self.storage = storage

    def applies_to(self, method: str, path: str) -> bool:
        """Only the API is limited; docs, probes, metrics and CORS preflights are not."""
        return self.enabled and method != "OPTIONS" and path.startswith(API_PREFIX)

    def hit(self, client: str) -> RateVerdict:
        """Count one request from ``client`` and say whether it is within every limit."""
        tightest: tuple[int, float, RateLimitItem] | None = None
        refused: RateLimitItem | None = None
        for item in self.limits:
            key = item.key_for("twitchlore", client)
            count = self.storage.incr(key, item.get_expiry())
            remaining = max(0, item.amount - count)
            if count > item.amount and refused is None:
                refused = item
            if tightest is None or remaining < tightest[0]:
                tightest = (remaining, self.storage.get_expiry(key), item)
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

    def storage_reachable(self) -> bool:
        """Whether the counts' storage answers (always true in memory)."""
        return bool(self.storage.check())


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
    if (request.content_length or 0) > MAX_BODY_BYTES:
        abort(413, message="This API takes no request body.")
    if request.path.startswith(API_PREFIX) and not accepts_json(request.headers.get("Accept", "")):
        abort(406, message="This API answers application/json; send Accept: application/json.")


def header_bytes(environ: dict[str, object]) -> int:
    """The size of a request's headers: names and values, as the WSGI environ holds them."""
    return sum(
        len(name) - 5 + len(str(value)) for name, value in environ.items() if name[:5] == "HTTP_"
    )


@lru_cache(maxsize=256)
def accepts_json(accept: str) -> bool:
    """Whether an Accept header admits a JSON answer; an empty one admits anything.

    Clients send a handful of distinct Accept values, so each is parsed once.
    """
    mimetypes = parse_accept_header(accept, MIMEAccept)
    return not mimetypes.provided or any(mimetypes.quality(kind) > 0 for kind in JSON_TYPES)


def _vary_on_origin(response: Response) -> Response:
    response.vary.add("Origin")
    return response


def init_app(app: Flask) -> ClientRateLimiter:
    """Install request bounds, CORS and the 429 answer on ``app``; return its rate limiter."""
    app.before_request(refuse_if_over_limit)
    app.before_request(check_request_bounds)
    CORS(
        app,
        resources={r"/v1/*": {}, r"/openapi.json": {}},
        origins=app.config["CORS_ORIGINS"],
        methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["Accept", "If-None-Match", "X-Request-ID"],
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
