"""What every request meets at the edge: size bounds, content negotiation, CORS, rate limits."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import abort
from werkzeug.middleware.proxy_fix import ProxyFix

MAX_QUERY_STRING = 2048
MAX_HEADER_BYTES = 8192
MAX_BODY_BYTES = 1024
"""A read-only API needs no body; a small one is tolerated, a larger one refused."""

JSON_TYPES = ("application/json", "application/problem+json")
RATE_LIMIT_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
EXPOSED_HEADERS = ["ETag", "Link", "Retry-After", "X-Request-ID", *RATE_LIMIT_HEADERS]
API_PREFIX = "/v1/"


def _exempt_from_rate_limits() -> bool:
    """Only the API is limited; docs, probes, metrics and CORS preflights are not."""
    return request.method == "OPTIONS" or not request.path.startswith(API_PREFIX)


def check_request_bounds() -> None:
    """Refuse requests too large in their query, headers or body, and unacceptable Accepts."""
    if len(request.query_string) > MAX_QUERY_STRING:
        abort(414, message=f"The query string is longer than {MAX_QUERY_STRING} bytes.")
    header_bytes = sum(len(name) + len(value) for name, value in request.headers.items())
    if header_bytes > MAX_HEADER_BYTES:
        abort(431, message=f"The request headers are larger than {MAX_HEADER_BYTES} bytes.")
    if (request.content_length or 0) > MAX_BODY_BYTES:
        abort(413, message="This API takes no request body.")
    if request.path.startswith(API_PREFIX) and not _accepts_json():
        abort(406, message="This API answers application/json; send Accept: application/json.")


def _accepts_json() -> bool:
    accept = request.accept_mimetypes
    return not accept.provided or any(accept.quality(kind) > 0 for kind in JSON_TYPES)


def _vary_on_origin(response: Response) -> Response:
    response.vary.add("Origin")
    return response


def _retry_after_only_when_refused(response: Response) -> Response:
    """Keep Retry-After for 429 and 503; Flask-Limiter adds it to every response."""
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    return response


def init_app(app: Flask) -> None:
    """Install the proxy fix, request bounds, CORS and the rate limiter on ``app``."""
    if app.config["TRUSTED_PROXIES"]:
        # Only behind this many trusted proxies may X-Forwarded-For name the client.
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
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
    # Registered before the limiter's own hook, so it runs after it (Flask runs them in reverse).
    app.after_request(_retry_after_only_when_refused)
    # One limiter per app: its storage follows this app's RATELIMIT_* settings.
    limiter = Limiter(
        key_func=get_remote_address,
        headers_enabled=True,
        default_limits_exempt_when=_exempt_from_rate_limits,
    )
    limiter.init_app(app)
