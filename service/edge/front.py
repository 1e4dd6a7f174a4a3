"""The front door: the WSGI layer before Flask, where every request enters and leaves.

What it runs for a request, in order, on the fast path and the slow path, is listed in the
package's docstring (``service.edge``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.http import parse_etags
from werkzeug.middleware.proxy_fix import ProxyFix

from ..language import served_languages
from ..negotiation import DEFAULT_LANGUAGE
from .answer_cache import (
    CACHE_BUDGET_BYTES,
    AnswerCache,
    AnswerKey,
    CachedAnswer,
    answer_key,
    is_cacheable,
)
from .checks import API_PREFIX, REFUSAL_KEY, Refusal, answer_refusal, refusal_of
from .observability import (
    ENDPOINT_KEY,
    REQUEST_ID_HEADER,
    ROUTE_KEY,
    AccessLog,
    RequestMetrics,
    known_method,
    new_request_id,
)
from .rate_limit import ClientRateLimiter
from .routing import RouteLimits, canonical_path, canonical_query

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
ExtraHeaders = Callable[[int], list[tuple[str, str]]]
"""The per-request headers (request id, rate-limit counts) of an answer with a given status."""

CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")

SLOW_PATH_HEADERS = (
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_RANGE",
    "HTTP_RANGE",
    "HTTP_TRANSFER_ENCODING",
)
"""Headers whose rules only Flask applies: a request with any of them goes through Flask."""


class FrontDoor:
    """Wraps the Flask WSGI app: request ids, rate counts, refusals, kept answers, metrics, logs."""

    def __init__(
        self,
        app: WSGIApp,
        limiter: ClientRateLimiter,
        access_log: AccessLog,
        routes: RouteLimits,
        vary_on_origin: bool,
        languages: tuple[str, ...] = (DEFAULT_LANGUAGE,),
        cache_budget_bytes: int = CACHE_BUDGET_BYTES,
    ) -> None:
        self.app = app
        self.languages = languages
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
        environ["QUERY_STRING"] = canonical_query(environ.get("QUERY_STRING", ""))
        request_id = new_request_id(environ.get("HTTP_X_REQUEST_ID"))
        extra, refusal = self._count(environ, method, path, request_id)
        refusal = refusal or refusal_of(environ)
        if refusal is not None:
            environ[REFUSAL_KEY] = refusal
            return self._answer_with_flask(
                environ, start_response, extra, None, started, request_id
            )
        key = answer_key(environ, self.languages, self.vary_on_origin)
        answer = self.cache.get(key) if self._plain_read(environ) else None
        if answer is not None:
            status, body = self._answer_from_cache(answer, environ, extra, start_response)
            self._account(method, answer.endpoint, answer.route, status, started, request_id)
            return body
        return self._answer_with_flask(environ, start_response, extra, key, started, request_id)

    def _count(
        self, environ: dict[str, Any], method: str, path: str, request_id: str
    ) -> tuple[ExtraHeaders, Refusal | None]:
        """Count the request against its client's limit: the per-request headers by status,
        and the refusal of a client over its limit.

        A conditional GET (If-None-Match, If-Modified-Since) whose answer is a 304 is
        taken back once answered: revalidating costs the client nothing, as on GitHub's
        API, so a CDN or an app that revalidates often is not punished for it. It is
        counted first, like any request, so concurrent revalidations cannot pass the limit.
        """
        request_header = [(REQUEST_ID_HEADER, request_id)]
        if not (self.limiter.enabled and self.routes.applies_to(path)):
            return (lambda status: request_header), None
        client = self.limiter.client(environ.get("REMOTE_ADDR") or "127.0.0.1")
        verdict, counted_in = self.limiter.hit(client)
        if not verdict.allowed:
            refusal = Refusal(429, verdict.limit, {"Retry-After": str(verdict.retry_after)})
            return (lambda status: request_header + verdict.headers), refusal
        if method in ("GET", "HEAD") and any(name in environ for name in CONDITIONAL_HEADERS):

            def taken_back_if_not_modified(status: int) -> list[tuple[str, str]]:
                if status != 304:
                    return request_header + verdict.headers
                self.limiter.refund(client, counted_in)
                return request_header + verdict.refunded().headers

            return taken_back_if_not_modified, None
        return (lambda status: request_header + verdict.headers), None

    @staticmethod
    def _plain_read(environ: dict[str, Any]) -> bool:
        """Whether a request is a GET or HEAD with no body and no header only Flask handles."""
        return (
            environ["REQUEST_METHOD"] in ("GET", "HEAD")
            and environ.get("CONTENT_LENGTH", "") in ("", "0")
            and not any(name in environ for name in SLOW_PATH_HEADERS)
        )

    @staticmethod
    def _answer_from_cache(
        answer: CachedAnswer,
        environ: dict[str, Any],
        extra: ExtraHeaders,
        start_response: Callable[..., Any],
    ) -> tuple[int, list[bytes]]:
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and answer.etag and parse_etags(if_none_match).contains_weak(answer.etag):
            start_response("304 NOT MODIFIED", answer.not_modified_headers + extra(304))
            return 304, []
        start_response("200 OK", answer.headers + extra(200))
        return 200, [] if environ["REQUEST_METHOD"] == "HEAD" else [answer.body]

    def _answer_with_flask(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        extra: ExtraHeaders,
        key: AnswerKey | None,
        started: float,
        request_id: str,
    ) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def start_with_extra(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers + extra(int(status.split(" ", 1)[0])), *args)

        body = self.app(environ, start_with_extra)
        status = int(seen["status"].split(" ", 1)[0])
        endpoint = environ.get(ENDPOINT_KEY) or "unmatched"
        route = environ.get(ROUTE_KEY)
        if (
            key is not None
            and status == 200
            and environ["REQUEST_METHOD"] == "GET"
            and is_cacheable(seen["headers"])
            and self.cache.worth_keeping(key)
        ):
            body = self._keep(key, seen["headers"], body, endpoint, route)
        self._account(environ["REQUEST_METHOD"], endpoint, route, status, started, request_id)
        return body

    def _keep(
        self,
        key: AnswerKey,
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
        self.cache.put(key, CachedAnswer.of(headers, content, endpoint, route))
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


def install(
    app: Flask,
    limiter: ClientRateLimiter,
    access_log: AccessLog,
    limited_prefixes: tuple[str, ...] = (API_PREFIX,),
) -> None:
    """Put the front door before the Flask app, and trust proxies if configured to; routes
    under ``limited_prefixes`` count against the rate limit. Flask gets the request hook
    that answers the refusals the front door finds."""
    app.before_request(answer_refusal)
    app.wsgi_app = FrontDoor(  # type: ignore[method-assign]
        app.wsgi_app,
        limiter,
        access_log,
        RouteLimits(app.url_map, limited_prefixes),
        vary_on_origin=app.config["CORS_ORIGINS"] != "*",
        languages=served_languages(app),
    )
    if app.config["TRUSTED_PROXIES"]:
        # Only behind this many trusted proxies may X-Forwarded-For name the client; the
        # fix comes first so the rate limiter counts the real client.
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
