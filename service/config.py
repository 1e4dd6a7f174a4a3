"""Settings read from environment variables, each with a default.

Every setting is documented in the README's configuration table.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .dataset import DATA_DIR


class ConfigError(RuntimeError):
    """An environment variable holds a value the service cannot use.

    A ``RuntimeError`` so that gunicorn reports it as one line and exits.
    """


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: must be a whole number of seconds") from None
    if value < 0:
        raise ConfigError(f"{name}={raw!r}: must not be negative")
    return value


def settings_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the Flask config values this service reads from ``environ``."""
    environ = os.environ if environ is None else environ
    return {
        "DATA_DIR": environ.get("TWITCHLORE_DATA_DIR") or str(DATA_DIR),
        "CACHE_MAX_AGE": _positive_int(environ, "TWITCHLORE_CACHE_MAX_AGE", 3600),
    }


API_SETTINGS: dict[str, Any] = {
    "API_TITLE": "Twitchlore",
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    "OPENAPI_SWAGGER_UI_URL": "/docs/static/",
    # validatorUrl null: Swagger UI must not send the spec to an outside validator.
    "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None, "tryItOutEnabled": True},
}
"""Fixed settings of flask-smorest and Swagger UI; not configurable by design."""
