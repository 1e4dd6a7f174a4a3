"""The embeddable widget: ``/widget.js`` defines ``<twitchlore-reading>``; ``/demo`` shows it.

The script is a file in ``static/widget/``, read once at start-up; its content hash names
the versioned URL ``/widget/<version>.js``, which browsers and CDNs may keep for a year.
``/widget.js`` always answers the current version with a shorter lifetime, so pages that
embed it pick up a new release within the hour.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, render_template

from ..dataset.interface import Interface
from ..language import in_language
from ..state import app_state
from .assets import CURRENT_MAX_AGE, VERSIONED_MAX_AGE, Asset

ASSETS = Path(__file__).parent / "static" / "widget"

SCRIPT_TYPE = "text/javascript; charset=utf-8"

DEMO_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The demo page runs only scripts and styles served here, and talks only to this service."""


@dataclass(frozen=True)
class WidgetAssets:
    """The widget script and the demo page's own script and stylesheet."""

    widget: Asset
    demo_script: Asset
    demo_style: Asset

    @classmethod
    def load(cls, words: Mapping[str, Interface], folder: Path = ASSETS) -> WidgetAssets:
        """Read the files once, writing the widget's words in every language of ``words``
        into its script; a missing file stops start-up."""
        return cls(
            widget=Asset(
                widget_script((folder / "widget.js").read_text("utf-8"), words), SCRIPT_TYPE
            ),
            demo_script=Asset((folder / "demo.js").read_bytes(), SCRIPT_TYPE),
            demo_style=Asset((folder / "demo.css").read_bytes(), "text/css; charset=utf-8"),
        )


WORDS_LINE = "var WORDS = {};"
"""The line of the widget script that the words of every language replace."""


def widget_words(words: Interface) -> dict[str, str]:
    """The widget's own words in one language, with the labels of urgencies and sentiments
    and the credit line."""
    labels = {
        key: text
        for key, text in words.group("labels").items()
        if key.startswith(("urgency.", "sentiment."))
    }
    return {**words.group("widget"), **labels, "credit": words["credit.line"]}


def widget_script(script: str, words: Mapping[str, Interface]) -> bytes:
    """The widget script with the words of every served language (English first) in it."""
    if script.count(WORDS_LINE) != 1:
        raise RuntimeError(f"widget.js must contain the line '{WORDS_LINE}' once")
    table = {tag: widget_words(language) for tag, language in words.items()}
    filled = f"var WORDS = {json.dumps(table, ensure_ascii=False, separators=(',', ':'))};"
    return script.replace(WORDS_LINE, filled).encode()


def blueprint(assets: WidgetAssets) -> Blueprint:
    """The widget's routes, answering from ``assets``."""
    blp = Blueprint("widget", __name__)

    @blp.get("/widget.js")
    def widget_script() -> Response:
        """The current widget script; the query string is ignored (hosts add ``?v=`` to bust)."""
        return assets.widget.respond(CURRENT_MAX_AGE)

    @blp.get("/widget/<version>.js")
    def versioned_widget_script(version: str) -> Response:
        """One version of the widget script, immutable; an old version leads to the current."""
        if version != assets.widget.version:
            # Only the current version is served: an embed pinned to an older one still works.
            return Response(status=302, headers={"Location": "/widget.js"})
        return assets.widget.respond(VERSIONED_MAX_AGE, immutable=True)

    @blp.get("/demo/<name>")
    def demo_asset(name: str) -> Response:
        """The demo page's script and stylesheet."""
        asset = {"demo.js": assets.demo_script, "demo.css": assets.demo_style}.get(name)
        if asset is None:
            abort(404)
        return asset.respond(CURRENT_MAX_AGE, embeddable=False)

    @blp.get("/demo")
    def demo() -> Response:
        """The demo page: the widget in card and full view, the picker, and the snippet."""
        dataset = app_state().localized()
        page = render_template(
            "widget_demo.html",
            language=dataset.language.tag,
            page=dataset.interface.group("demo"),
            widget_url=f"/widget/{assets.widget.version}.js",
            demo_script_url=f"/demo/demo.js?v={assets.demo_script.version}",
            demo_style_url=f"/demo/demo.css?v={assets.demo_style.version}",
        )
        html = Asset(page.encode(), "text/html; charset=utf-8")
        response = html.respond(CURRENT_MAX_AGE, embeddable=False)
        in_language(response, dataset.language.tag)
        response.headers["Content-Security-Policy"] = DEMO_CSP
        return response

    return blp


def init_app(app: Flask, words: Mapping[str, Interface]) -> None:
    """Load the widget's files and serve ``/widget.js``, ``/widget/<version>.js`` and ``/demo``."""
    app.register_blueprint(blueprint(WidgetAssets.load(words)))
