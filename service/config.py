"""Settings read from environment variables, each with a default.

Every setting is documented in docs/configuration.md.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import limits

from .dataset import DATA_DIR
from .retirement import Retirement
from .version import VERSION


class ConfigError(RuntimeError):
    """An environment variable holds a value the service cannot use.

    ``python -m service`` reports it as one line and exits.
    """


def _whole_number(
    environ: Mapping[str, str], name: str, default: int, least: int = 0, most: int | None = None
) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = least - 1
    if value < least or (most is not None and value > most):
        wanted = "a whole number" if least == 0 else f"a whole number of at least {least}"
        if most is not None:
            wanted = f"a whole number from {least} to {most}"
        raise ConfigError(f"{name}={raw!r}: must be {wanted}")
    return value


def _boolean(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("true", "1", "yes", "on"):
        return True
    if raw.lower() in ("false", "0", "no", "off"):
        return False
    raise ConfigError(f"{name}={raw!r}: must be true or false")


def worker_count(environ: Mapping[str, str]) -> int:
    """The number of server processes, ``WEB_CONCURRENCY``: a whole number of at least 1."""
    return _whole_number(environ, "WEB_CONCURRENCY", 2, least=1)


def _rate_limit(environ: Mapping[str, str], name: str, default: str) -> str:
    raw = environ.get(name) or default
    try:
        items = limits.parse_many(raw)
    except ValueError:
        raise ConfigError(
            f"{name}={raw!r}: must be a rate limit such as '600 per minute' "
            "or '20/second;600/minute'"
        ) from None
    if any(item.amount < 1 for item in items):
        # A limit of 0 would refuse every request; to switch limits off there is
        # TWITCHLORE_RATE_LIMIT_ENABLED=false.
        raise ConfigError(
            f"{name}={raw!r}: every limit must allow at least 1 request "
            "(set TWITCHLORE_RATE_LIMIT_ENABLED=false to turn limits off)"
        )
    return raw


def _storage_uri(environ: Mapping[str, str], name: str, alias: str, default: str) -> str:
    """The storage URI from ``name``, or from its older spelling ``alias``."""
    if not environ.get(name) and environ.get(alias):
        name = alias
    raw = environ.get(name) or default
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in ("memory", "redis", "rediss", "redis+unix"):
        raise ConfigError(f"{name}={raw!r}: must be memory:// or a redis:// URI")
    return raw


def _origins(environ: Mapping[str, str], name: str) -> str | list[str]:
    raw = (environ.get(name) or "*").strip()
    if raw == "*":
        return "*"
    origins = [origin.strip() for origin in raw.split(",") if origin.strip()]
    for origin in origins:
        if not origin.startswith(("http://", "https://")) or origin.count("/") != 2:
            raise ConfigError(f"{name}: {origin!r} is not an origin such as https://app.example")
    return origins


HEADER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def _header_names(environ: Mapping[str, str], name: str) -> list[str]:
    """A comma-separated list of request header names (none by default)."""
    names = [header.strip() for header in (environ.get(name) or "").split(",") if header.strip()]
    for header in names:
        if not HEADER_NAME.fullmatch(header):
            raise ConfigError(
                f"{name}: {header!r} is not a header name such as X-App-Version "
                "(letters, digits, - and _, separated by commas)"
            )
    return names


def _log_level(environ: Mapping[str, str], name: str, default: str) -> str:
    raw = (environ.get(name) or default).upper()
    if raw not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"{name}={raw!r}: must be DEBUG, INFO, WARNING or ERROR")
    return raw


def _date(environ: Mapping[str, str], name: str) -> dt.date | None:
    raw = environ.get(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: must be a date such as 2027-06-30") from None


def _retirement(environ: Mapping[str, str]) -> Retirement | None:
    """The announced retirement of ``/v1``, if the operator has announced one."""
    deprecated_on = _date(environ, "TWITCHLORE_DEPRECATION_DATE")
    sunset_on = _date(environ, "TWITCHLORE_SUNSET_DATE")
    successor = environ.get("TWITCHLORE_SUCCESSOR_URL") or None
    if deprecated_on is None:
        for name in ("TWITCHLORE_SUNSET_DATE", "TWITCHLORE_SUCCESSOR_URL"):
            if environ.get(name):
                raise ConfigError(
                    f"{name} needs TWITCHLORE_DEPRECATION_DATE: /v1 is "
                    "deprecated before it is retired"
                )
        return None
    if sunset_on is not None and sunset_on <= deprecated_on:
        raise ConfigError(
            f"TWITCHLORE_SUNSET_DATE={sunset_on.isoformat()!r}: must be after "
            f"TWITCHLORE_DEPRECATION_DATE={deprecated_on.isoformat()!r}"
        )
    if successor is not None and not re.fullmatch(r"(/|https?://)[^\s<>\"]*", successor):
        raise ConfigError(
            f"TWITCHLORE_SUCCESSOR_URL={successor!r}: must be a path such as /v2/ or an http(s) URL"
        )
    return Retirement(deprecated_on, sunset_on, successor)


def _public_url(environ: Mapping[str, str], name: str) -> str | None:
    """The service's public address (``https://twitchlore.example``), if the operator set one.

    Pages need it for the links that must be absolute (canonical, hreflang, Open Graph); it
    is never taken from a request's Host header.
    """
    raw = (environ.get(name) or "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    try:
        parts.port  # noqa: B018 (a port that is not a number raises)
    except ValueError:
        parts = parts._replace(scheme="")
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or "?" in raw
        or "#" in raw
        or any(character.isspace() or character in '<>"' for character in raw)
    ):
        raise ConfigError(
            f"{name}={raw!r}: must be an absolute http(s) URL without query or fragment, "
            "such as https://twitchlore.example"
        )
    return raw.rstrip("/")


def settings_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the Flask config values this service reads from ``environ``.

    A value the service cannot use raises ``ConfigError`` naming the variable.
    """
    environ = os.environ if environ is None else environ
    return {
        "DATA_DIR": environ.get("TWITCHLORE_DATA_DIR") or str(DATA_DIR),
        "CACHE_MAX_AGE": _whole_number(environ, "TWITCHLORE_CACHE_MAX_AGE", 3600),
        "CACHE_S_MAXAGE": _whole_number(environ, "TWITCHLORE_CACHE_S_MAXAGE", 3600),
        "CACHE_STALE_WHILE_REVALIDATE": _whole_number(
            environ, "TWITCHLORE_CACHE_STALE_WHILE_REVALIDATE", 300
        ),
        "CORS_ORIGINS": _origins(environ, "TWITCHLORE_CORS_ORIGINS"),
        "CORS_ALLOW_HEADERS": _header_names(environ, "TWITCHLORE_CORS_ALLOW_HEADERS"),
        "RATELIMIT_ENABLED": _boolean(environ, "TWITCHLORE_RATE_LIMIT_ENABLED", True),
        "RATELIMIT_DEFAULT": _rate_limit(environ, "TWITCHLORE_RATE_LIMIT", "1200 per minute"),
        "RATELIMIT_STORAGE_URI": _storage_uri(
            environ, "TWITCHLORE_RATE_LIMIT_STORAGE", "RATELIMIT_STORAGE_URI", "memory://"
        ),
        "RATELIMIT_IPV6_PREFIX": _whole_number(
            environ, "TWITCHLORE_RATE_LIMIT_IPV6_PREFIX", 64, least=1, most=128
        ),
        "RATELIMIT_STORAGE_BUDGET_MS": _whole_number(
            environ, "TWITCHLORE_RATE_LIMIT_STORAGE_BUDGET_MS", 50, least=1, most=10_000
        ),
        "TRUSTED_PROXIES": _whole_number(environ, "TWITCHLORE_TRUSTED_PROXIES", 0),
        "LOG_LEVEL": _log_level(environ, "TWITCHLORE_LOG_LEVEL", "INFO"),
        "RETIREMENT": _retirement(environ),
        "PUBLIC_URL": _public_url(environ, "TWITCHLORE_PUBLIC_URL"),
    }


API_SETTINGS: dict[str, Any] = {
    "API_TITLE": "Twitchlore",
    "API_VERSION": VERSION,
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    "OPENAPI_SWAGGER_UI_URL": "/docs/static/",
    # validatorUrl null: Swagger UI must not send the spec to an outside validator;
    # deepLinking: /docs#/readings/getReading opens that operation.
    "OPENAPI_SWAGGER_UI_CONFIG": {
        "validatorUrl": None,
        "tryItOutEnabled": True,
        "deepLinking": True,
    },
}
"""Fixed settings of flask-smorest and Swagger UI; not configurable by design."""
