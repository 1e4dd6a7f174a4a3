"""The front door: a WSGI layer before Flask for what every request needs, and a response cache.

Every request gets its request id, its rate-limit count and headers, a metrics sample
and one JSON log line here, whichever way it is answered. The dataset is immutable, so a
successful GET of the API is the same bytes every time: the first one goes through Flask
and is kept; repeats are answered from the copy, with the same headers, ETag and 304
handling, at a fraction of the cost. Anything unusual (another method, a body, an
Accept without JSON, conditional headers other than If-None-Match, a refused client) goes
through Flask, which has the full rules.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.http import parse_etags, remove_entity_headers, unquote_etag
from werkzeug.middleware.proxy_fix import ProxyFix

from .api.prebuilt import CACHEABLE_KEY
from .edge import MAX_HEADER_BYTES, REFUSAL_KEY, ClientRateLimiter, accepts_json, header_bytes
from .ops import (
    ENDPOINT_KEY,
    REQUEST_ID_HEADER,
    ROUTE_KEY,
    AccessLog,
    RequestMetrics,
    new_request_id,
)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
PER_REQUEST_HEADERS = frozenset(
    {
        "x-request-id",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "retry-after",
        "date",
        "server",
    }
)
SLOW_PATH_HEADERS = (
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_RANGE",
    "HTTP_RANGE",
)
CACHE_BUDGET_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class CachedAnswer:
    """A successful answer kept for repeats: its headers, body and where it was routed."""

    headers: list[tuple[str, str]]
    not_modified_headers: list[tuple[str, str]]
    body: bytes
    etag: str | None
    endpoint: str
    route: str | None


class AnswerCache:
    """Least recently used answers, within a budget of body bytes."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self.size = 0
        self._answers: OrderedDict[tuple[str, ...], CachedAnswer] = OrderedDict()

    def get(self, key: tuple[str, ...]) -> CachedAnswer | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: tuple[str, ...], answer: CachedAnswer) -> None:
        if len(answer.body) > self.budget // 8:
            return
        self._answers[key] = answer
        self.size += len(answer.body)
        while self.size > self.budget:
            _, dropped = self._answers.popitem(last=False)
            self.size -= len(dropped.body)


class FrontDoor:
    """Wraps the Flask WSGI app: request ids, rate limits, metrics, logs, repeated answers."""

    def __init__(
        self,
        app: WSGIApp,
        limiter: ClientRateLimiter,
        access_log: AccessLog,
        vary_on_origin: bool,
        cache_budget_bytes: int = CACHE_BUDGET_BYTES,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.access_log = access_log
        self.metrics = RequestMetrics()
        self.vary_on_origin = vary_on_origin
        self.cache = AnswerCache(cache_budget_bytes)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        method = environ["REQUEST_METHOD"]
        request_id = new_request_id(environ.get("HTTP_X_REQUEST_ID"))
        extra = [(REQUEST_ID_HEADER, request_id)]
        if self.limiter.applies_to(method, environ.get("PATH_INFO", "")):
            verdict = self.limiter.hit(environ.get("REMOTE_ADDR") or "127.0.0.1")
            extra += verdict.headers
            if not verdict.allowed:
                environ[REFUSAL_KEY] = verdict
        key = self._cache_key(environ)
        answer = self.cache.get(key) if self._may_answer_from_cache(environ) else None
        if answer is not None:
            status, body = self._answer_from_cache(answer, environ, extra, start_response)
            self._account(method, answer.endpoint, answer.route, status, started, request_id)
            return body
        return self._answer_with_flask(environ, start_response, extra, key, started, request_id)

    def _cache_key(self, environ: dict[str, Any]) -> tuple[str, ...]:
        key: tuple[str, ...] = (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
        if self.vary_on_origin:
            key += (environ.get("HTTP_ORIGIN", ""),)
        return key

    @staticmethod
    def _may_answer_from_cache(environ: dict[str, Any]) -> bool:
        return (
            environ["REQUEST_METHOD"] in ("GET", "HEAD")
            and REFUSAL_KEY not in environ
            and accepts_json(environ.get("HTTP_ACCEPT", ""))
            and environ.get("CONTENT_LENGTH", "") in ("", "0")
            and not any(name in environ for name in SLOW_PATH_HEADERS)
            and header_bytes(environ) <= MAX_HEADER_BYTES
        )

    @staticmethod
    def _answer_from_cache(
        answer: CachedAnswer,
        environ: dict[str, Any],
        extra: list[tuple[str, str]],
        start_response: Callable[..., Any],
    ) -> tuple[int, list[bytes]]:
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and answer.etag and parse_etags(if_none_match).contains_weak(answer.etag):
            start_response("304 NOT MODIFIED", answer.not_modified_headers + extra)
            return 304, []
        start_response("200 OK", answer.headers + extra)
        return 200, [] if environ["REQUEST_METHOD"] == "HEAD" else [answer.body]

    def _answer_with_flask(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        extra: list[tuple[str, str]],
        key: tuple[str, ...],
        started: float,
        request_id: str,
    ) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def start_with_extra(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers + extra, *args)

        body = self.app(environ, start_with_extra)
        status = int(seen["status"].split(" ", 1)[0])
        endpoint = environ.get(ENDPOINT_KEY) or "unmatched"
        route = environ.get(ROUTE_KEY)
        if status == 200 and environ["REQUEST_METHOD"] == "GET" and environ.get(CACHEABLE_KEY):
            body = self._keep(key, seen["headers"], body, endpoint, route)
        self._account(environ["REQUEST_METHOD"], endpoint, route, status, started, request_id)
        return body

    def _keep(
        self,
        key: tuple[str, ...],
        headers: list[tuple[str, str]],
        body: Iterable[bytes],
        endpoint: str,
        route: str | None,
    ) -> list[bytes]:
        try:
            content = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        kept = [(name, value) for name, value in headers if name.lower() not in PER_REQUEST_HEADERS]
        not_modified = list(kept)
        remove_entity_headers(not_modified)
        etag = next((value for name, value in kept if name.lower() == "etag"), None)
        self.cache.put(
            key,
            CachedAnswer(
                kept,
                not_modified,
                content,
                unquote_etag(etag)[0] if etag else None,
                endpoint,
                route,
            ),
        )
        return [content]

    def _account(
        self,
        method: str,
        endpoint: str,
        route: str | None,
        status: int,
        started: float,
        request_id: str,
    ) -> None:
        seconds = time.perf_counter() - started
        self.metrics.record(endpoint, method, status, seconds)
        self.access_log.write(method, route, status, seconds, request_id)


def install(app: Flask, limiter: ClientRateLimiter, access_log: AccessLog) -> None:
    """Put the front door before the Flask app, and trust proxies if configured to."""
    app.wsgi_app = FrontDoor(  # type: ignore[method-assign]
        app.wsgi_app, limiter, access_log, vary_on_origin=app.config["CORS_ORIGINS"] != "*"
    )
    if app.config["TRUSTED_PROXIES"]:
        # Only behind this many trusted proxies may X-Forwarded-For name the client; the
        # fix comes first so the rate limiter counts the real client.
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
