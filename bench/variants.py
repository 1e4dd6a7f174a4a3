"""The service built with parts left out, so the benchmark can tell what each part buys."""

from __future__ import annotations

from flask import Flask

from service import create_app
from service.api.prebuilt import PrebuiltJson
from service.edge.answer_cache import AnswerCache
from service.edge.compression import AnswerCompression
from service.edge.front import FrontDoor


def build(answer_cache: bool = True, precompressed: bool = True) -> Flask:
    """The service, its front door keeping answers or not, its answers compressed once (the
    prebuilt ones ahead of use, the others' copies kept by ETag) or on every request."""
    PrebuiltJson.precompress = precompressed
    AnswerCompression.keep_copies = precompressed
    app = create_app()
    if not answer_cache:
        assert isinstance(app.wsgi_app, FrontDoor)
        app.wsgi_app.cache = AnswerCache(0)
    return app


def cached_and_precompressed() -> Flask:
    """The service as shipped."""
    return build()


def cached_only() -> Flask:
    """Answers kept by the front door, compressed on the way in (no compressed copies)."""
    return build(precompressed=False)


def precompressed_only() -> Flask:
    """No kept answers: every request goes through Flask, prebuilt answers compressed once."""
    return build(answer_cache=False)


def neither() -> Flask:
    """Every request through Flask, compressed on every request."""
    return build(answer_cache=False, precompressed=False)


VARIANTS = {
    "answer cache, precompressed": "cached_and_precompressed",
    "answer cache, compressed per request": "cached_only",
    "no answer cache, precompressed": "precompressed_only",
    "no answer cache, compressed per request": "neither",
}
"""Each variant's description and its factory's name."""
