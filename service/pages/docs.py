"""Swagger UI's assets, served by the service itself so ``/docs`` works offline.

The assets come from the ``flask-swagger-ui`` package's ``dist/`` folder;
flask-smorest's Swagger UI page loads them from ``OPENAPI_SWAGGER_UI_URL``.
"""

from __future__ import annotations

from importlib.resources import files

from flask import Blueprint, Flask

SWAGGER_UI_ASSETS = files("flask_swagger_ui") / "dist"
ASSETS_URL_PATH = "/docs/static"


def init_app(app: Flask) -> None:
    """Serve Swagger UI's assets under ``/docs/static/`` and its start script under ``/docs/``.

    The page itself is flask-smorest's, rendered from ``service/pages/templates/swagger_ui.html``,
    which the app's template folder lets us replace.
    """
    assets = Blueprint(
        "swagger_ui_assets",
        __name__,
        static_folder=str(SWAGGER_UI_ASSETS),
        static_url_path=ASSETS_URL_PATH,
    )
    start_script = Blueprint(
        "swagger_ui_init", __name__, static_folder="static", static_url_path="/docs/app"
    )
    app.register_blueprint(assets)
    app.register_blueprint(start_script)
