"""The front door: a WSGI layer before Flask for what every request needs, and a response cache.

Every request gets here, whichever way it is answered: its path made canonical, its
request id, its rate-limit count and headers, a metrics sample and one JSON log line.

The dataset is immutable, so a cacheable answer (a 200 to a GET that says
``Cache-Control: public`` and has an ETag) is the same bytes every time. The first one
goes through Flask; once the same request has been seen twice its answer is kept, and
repeats are served from the copy with the same headers, ETag and 304 handling, at a
fraction of the cost. A hit skips Flask and so its request hooks: ``HOOKS`` lists every
hook with why skipping it is safe, and start-up refuses a hook that is not listed.
Anything unusual (another method, a body, an Accept the copy does not satisfy,
conditional headers other than If-None-Match, a refused client) goes through Flask,
which has the full rules.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_etags, parse_options_header, remove_entity_headers, unquote_etag
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import Map, MapAdapter

from .edge import (
    API_PREFIX,
    MAX_HEADER_BYTES,
    REFUSAL_KEY,
    ClientRateLimiter,
    accepts,
    header_bytes,
)
from .ops import (
    ENDPOINT_KEY,
    REQUEST_ID_HEADER,
    ROUTE_KEY,
    AccessLog,
    RequestMetrics,
    known_method,
    new_request_id,
)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

HOOKS = {
    "before_request": {
        "refuse_if_over_limit": "the front door counts the limit itself, and a refused "
        "client always goes through Flask",
        "check_request_bounds": "the front door checks header size, body and Accept itself, "
        "and only answers that Flask once answered 200 are kept",
    },
    "after_request": {
        "add_security_headers": "its headers depend on the route only and are kept with the answer",
        "cors_after_request": "with '*' its headers are the same for every request; with a "
        "list of origins the copy is kept per Origin",
        "_vary_on_origin": "kept with the answer, which is kept per Origin",
        "relative_redirects": "redirects are never kept",
        "after_request": "flask-compress: the compressed copy is kept per Accept-Encoding",
    },
}
"""Every Flask request hook, and why a cached answer may skip it."""

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
    "HTTP_TRANSFER_ENCODING",
)
VARY_COVERED_BY_KEY = frozenset({"origin", "accept-encoding"})
"""Vary values the cache key accounts for; an answer varying on anything else is not kept."""
CACHE_BUDGET_BYTES = 16 * 1024 * 1024
ENTRY_OVERHEAD_BYTES = 1024
"""What one kept answer costs beyond its strings: objects, lists, tuples, dictionary slots."""
SEEN_ONCE_LIMIT = 16384
"""How many requests asked once are remembered, so that only repeated ones are kept."""


@dataclass(frozen=True)
class CachedAnswer:
    """A successful answer kept for repeats: its headers, body and where it was routed."""

    headers: list[tuple[str, str]]
    not_modified_headers: list[tuple[str, str]]
    body: bytes
    etag: str | None
    mimetype: str
    endpoint: str
    route: str | None

    def cost(self, key: tuple[str, ...]) -> int:
        """The bytes this answer holds, kept under ``key``: strings and bookkeeping alike."""
        strings = sum(len(part) for part in key) + len(self.body)
        strings += sum(len(name) + len(value) for name, value in self.headers)
        strings += sum(len(name) + len(value) for name, value in self.not_modified_headers)
        return strings + ENTRY_OVERHEAD_BYTES


class AnswerCache:
    """Least recently used answers within a byte budget that counts everything they hold.

    An answer is kept only when its request comes a second time (the first time it is
    just remembered, by hash, in a bounded list), so a flood of one-off queries costs
    nothing and evicts nothing.
    """

    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self.size = 0
        self._answers: OrderedDict[tuple[str, ...], tuple[CachedAnswer, int]] = OrderedDict()
        self._seen_once: OrderedDict[int, None] = OrderedDict()

    def get(self, key: tuple[str, ...]) -> CachedAnswer | None:
        """The answer kept under ``key``, if any."""
        kept = self._answers.get(key)
        if kept is None:
            return None
        self._answers.move_to_end(key)
        return kept[0]

    def worth_keeping(self, key: tuple[str, ...]) -> bool:
        """Whether ``key`` was asked before; otherwise remember that it was asked once."""
        digest = hash(key)
        if digest in self._seen_once:
            del self._seen_once[digest]
            return True
        self._seen_once[digest] = None
        if len(self._seen_once) > SEEN_ONCE_LIMIT:
            self._seen_once.popitem(last=False)
        return False

    def put(self, key: tuple[str, ...], answer: CachedAnswer) -> None:
        """Keep ``answer``, dropping the least recently used ones beyond the budget."""
        cost = answer.cost(key)
        if cost > self.budget // 8 or key in self._answers:
            return
        self._answers[key] = (answer, cost)
        self.size += cost
        while self.size > self.budget:
            _, (_, dropped_cost) = self._answers.popitem(last=False)
            self.size -= dropped_cost

    def __len__(self) -> int:
        return len(self._answers)


def canonical_path(path: str) -> str:
    """``path`` with repeated slashes merged and ``.`` and ``..`` segments resolved.

    Every spelling of a route is then one path: for the rate limit, the cache and
    Flask alike, and no redirect (built from the Host header) is needed.
    """
    if "//" not in path and "/." not in path:
        return path
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    trailing = "/" if path.endswith(("/", "/.", "/..")) and segments else ""
    return "/" + "/".join(segments) + trailing


class RouteLimits:
    """Decides by the matched route, not by a path prefix, which requests count against limits.

    The API's routes and every path that matches no route count; the docs, the spec,
    probes, metrics and CORS preflights do not.
    """

    def __init__(self, url_map: Map, limited_prefix: str = API_PREFIX) -> None:
        self.adapter: MapAdapter = url_map.bind("localhost")
        self.limited_prefix = limited_prefix
        self.applies_to = lru_cache(maxsize=1024)(self._applies_to)

    def _applies_to(self, path: str) -> bool:
        try:
            rule, _ = self.adapter.match(path, return_rule=True)
        except HTTPException:
            return True
        return str(rule.rule).startswith(self.limited_prefix)


class FrontDoor:
    """Wraps the Flask WSGI app: request ids, rate limits, metrics, logs, repeated answers."""

    def __init__(
        self,
        app: WSGIApp,
        limiter: ClientRateLimiter,
        access_log: AccessLog,
        routes: RouteLimits,
        vary_on_origin: bool,
        cache_budget_bytes: int = CACHE_BUDGET_BYTES,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.access_log = access_log
        self.routes = routes
        self.metrics = RequestMetrics()
        self.vary_on_origin = vary_on_origin
        self.cache = AnswerCache(cache_budget_bytes)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        method = environ["REQUEST_METHOD"]
        environ["PATH_INFO"] = path = canonical_path(environ.get("PATH_INFO", ""))
        request_id = new_request_id(environ.get("HTTP_X_REQUEST_ID"))
        extra = [(REQUEST_ID_HEADER, request_id)]
        if self.limiter.enabled and method != "OPTIONS" and self.routes.applies_to(path):
            verdict = self.limiter.hit(environ.get("REMOTE_ADDR") or "127.0.0.1")
            extra += verdict.headers
            if not verdict.allowed:
                environ[REFUSAL_KEY] = verdict
        key = self._cache_key(environ)
        answer = self.cache.get(key) if self._may_answer_from_cache(environ) else None
        if answer is not None and accepts(environ.get("HTTP_ACCEPT", ""), answer.mimetype):
            status, body = self._answer_from_cache(answer, environ, extra, start_response)
            self._account(method, answer.endpoint, answer.route, status, started, request_id)
            return body
        return self._answer_with_flask(environ, start_response, extra, key, started, request_id)

    def _cache_key(self, environ: dict[str, Any]) -> tuple[str, ...]:
        key: tuple[str, ...] = (
            environ["PATH_INFO"],
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT_ENCODING", ""),
        )
        if self.vary_on_origin:
            key += (environ.get("HTTP_ORIGIN", ""),)
        return key

    @staticmethod
    def _may_answer_from_cache(environ: dict[str, Any]) -> bool:
        return (
            environ["REQUEST_METHOD"] in ("GET", "HEAD")
            and REFUSAL_KEY not in environ
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
        if (
            status == 200
            and environ["REQUEST_METHOD"] == "GET"
            and is_cacheable(seen["headers"])
            and self.cache.worth_keeping(key)
        ):
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
        etag = _header(kept, "etag")
        mimetype = parse_options_header(_header(kept, "content-type") or "")[0]
        self.cache.put(
            key,
            CachedAnswer(
                kept,
                not_modified,
                content,
                unquote_etag(etag)[0] if etag else None,
                mimetype,
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
        method = known_method(method)
        self.metrics.record(endpoint, method, status, seconds)
        self.access_log.write(method, route, status, seconds, request_id)


def is_cacheable(headers: list[tuple[str, str]]) -> bool:
    """Whether an answer's own headers say every such request gets these same bytes.

    That is: ``Cache-Control: public``, an ETag, no cookie, and no ``Vary`` on a request
    header the cache key does not account for.
    """
    cache_control = (_header(headers, "cache-control") or "").lower()
    vary = {v.strip().lower() for v in (_header(headers, "vary") or "").split(",") if v.strip()}
    return (
        "public" in cache_control
        and "no-store" not in cache_control
        and _header(headers, "etag") is not None
        and _header(headers, "set-cookie") is None
        and vary <= VARY_COVERED_BY_KEY
    )


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


class UnknownHookError(RuntimeError):
    """A Flask request hook the front door does not know would be skipped on cached answers."""


def check_hooks(app: Flask) -> None:
    """Refuse to start with a request hook that ``HOOKS`` does not account for."""
    for kind, registry in (
        ("before_request", app.before_request_funcs),
        ("after_request", app.after_request_funcs),
    ):
        for functions in registry.values():
            for function in functions:
                if function.__name__ not in HOOKS[kind]:
                    raise UnknownHookError(
                        f"{kind} hook {function.__name__!r} would be skipped when the front "
                        "door answers from its cache: add it to HOOKS in service/front.py "
                        "with why skipping it is safe, or do its work in the front door"
                    )


def install(app: Flask, limiter: ClientRateLimiter, access_log: AccessLog) -> None:
    """Put the front door before the Flask app, and trust proxies if configured to."""
    check_hooks(app)
    app.wsgi_app = FrontDoor(  # type: ignore[method-assign]
        app.wsgi_app,
        limiter,
        access_log,
        RouteLimits(app.url_map),
        vary_on_origin=app.config["CORS_ORIGINS"] != "*",
    )
    if app.config["TRUSTED_PROXIES"]:
        # Only behind this many trusted proxies may X-Forwarded-For name the client; the
        # fix comes first so the rate limiter counts the real client.
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
