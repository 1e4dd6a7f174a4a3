"""Swagger UI's files and the spec, served from memory so ``/docs`` works offline and cheaply.

Swagger UI's files come from the ``flask-swagger-ui`` package's ``dist/`` folder, read
once at start-up (``assets``): each has an ETag from its content and is compressed once
per encoding. The Swagger UI page (flask-smorest's, rendered from
``service/pages/templates/swagger_ui.html``) loads them from a versioned URL,
``/docs/static/<version>/<file>``, which may be kept for a year; the unversioned
``/docs/static/<file>`` stays for other links, kept for an hour.

``/openapi.json`` is flask-smorest's spec, built at its first request and then served as
bytes with its ETag (``prebuilt``), like the API's own answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app

from ..api.prebuilt import PrebuiltJson
from ..negotiation import DEFAULT_LANGUAGE
from .assets import CURRENT_MAX_AGE, VERSIONED_MAX_AGE, Asset, AssetFolder, content_type

SWAGGER_UI_ASSETS = files("flask_swagger_ui") / "dist"
START_SCRIPT = Path(__file__).parent / "static" / "swagger-init.js"
ASSETS_URL_PATH = "/docs/static"
SPEC_ENDPOINT = "api-docs.openapi_json"


def blueprint(swagger_ui: AssetFolder, start_script: Asset) -> Blueprint:
    """Swagger UI's files (versioned and not) and the page's start script."""
    blp = Blueprint("swagger_ui_assets", __name__)

    def file(name: str) -> Asset:
        asset = swagger_ui.get(name)
        if asset is None:
            abort(404)
        return asset

    @blp.get(f"{ASSETS_URL_PATH}/<name>")
    def swagger_ui_file(name: str) -> Response:
        """One of Swagger UI's files, at the URL that does not name its version."""
        return file(name).respond(CURRENT_MAX_AGE, embeddable=False)

    @blp.get(f"{ASSETS_URL_PATH}/<version>/<name>")
    def versioned_swagger_ui_file(version: str, name: str) -> Response:
        """One of Swagger UI's files, immutable; another version leads to the current file."""
        asset = file(name)
        if version != swagger_ui.version:
            return Response(status=302, headers={"Location": f"{ASSETS_URL_PATH}/{name}"})
        return asset.respond(VERSIONED_MAX_AGE, immutable=True, embeddable=False)

    @blp.get("/docs/app/swagger-init.js")
    def start_script_file() -> Response:
        """The script that starts Swagger UI on the page (no inline script under the CSP)."""
        return start_script.respond(CURRENT_MAX_AGE, embeddable=False)

    return blp


def init_app(app: Flask) -> None:
    """Serve Swagger UI's files under ``/docs/static/`` and its start script under ``/docs/``;
    point the Swagger UI page at the files' versioned URL."""
    swagger_ui = AssetFolder.load(SWAGGER_UI_ASSETS)
    start_script = Asset(START_SCRIPT.read_bytes(), content_type(START_SCRIPT.name))
    app.config["OPENAPI_SWAGGER_UI_URL"] = f"{ASSETS_URL_PATH}/{swagger_ui.version}/"
    app.register_blueprint(blueprint(swagger_ui, start_script))


def serve_spec_once(app: Flask) -> None:
    """Answer ``/openapi.json`` from the spec built at the first request, with its ETag.

    flask-smorest builds and serialises the whole spec on every request; here its view
    runs once, and its document is then served like any prebuilt answer (compressed once
    per encoding, 304 on a matching ``If-None-Match``).
    """
    build: Callable[[], Any] = app.view_functions[SPEC_ENDPOINT]
    built: list[PrebuiltJson] = []

    def openapi_json() -> Response:
        """The OpenAPI document of this API."""
        if not built:
            document = json.loads(current_app.make_response(build()).get_data())
            built.append(PrebuiltJson.of(document, DEFAULT_LANGUAGE))
        return built[0].respond()

    app.view_functions[SPEC_ENDPOINT] = openapi_json
