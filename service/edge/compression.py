"""Compression of answers: Brotli or gzip as the client prefers, error answers included.

The encoding is chosen as RFC 9110 §12.5.3 reads ``Accept-Encoding``: an encoding named
with ``q=0`` is ruled out, ``*`` stands for any encoding the header does not name, and
an empty or missing header (or ``identity`` alone) means no compression. Only Brotli and
gzip are offered, Brotli first on a tie.

An answer with a strong ETag is the same bytes every time it has that tag, so its
compressed copy is kept (least recently used, within a byte budget) under the tag: a
repeat costs a dictionary look-up, not a compression. A compressed answer's ETag gets the
encoding as suffix (``"tag:br"``) and the answer ``Vary: Accept-Encoding``.
"""

from __future__ import annotations

import gzip
from collections import OrderedDict
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, ClassVar

import brotli
from flask import Flask, Response, request
from werkzeug.http import parse_accept_header

ENCODINGS = ("br", "gzip")
"""Encodings answers are offered in, the preferred first."""

COMPRESSION_SETTINGS = {
    "COMPRESS_BR_LEVEL": 5,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 512,
    "COMPRESS_MIMETYPES": [
        "application/json",
        "application/problem+json",
        "application/javascript",
        "text/javascript",
        "text/css",
        "text/html",
        "text/plain",
        "image/svg+xml",
    ],
}
"""Compression levels, the smallest body worth compressing, and what is text enough to."""

COPIES_BUDGET_BYTES = 8 * 1024 * 1024
"""Compressed copies kept per process: Swagger UI's files, the spec and the pages fit."""


@lru_cache(maxsize=512)
def preferred_encoding(accept_encoding: str) -> str | None:
    """The encoding of ``ENCODINGS`` this ``Accept-Encoding`` prefers; None for none.

    Clients send a handful of distinct values, so each is parsed once.
    """
    named = {value.lower(): quality for value, quality in parse_accept_header(accept_encoding)}

    def quality(encoding: str) -> float:
        return named.get(encoding, named.get("*", 0))

    best = max(ENCODINGS, key=quality)
    return best if quality(best) > 0 else None


def compress(body: bytes, encoding: str, config: Mapping[str, Any]) -> bytes:
    """``body`` in ``encoding`` (``br`` or ``gzip``) at the configured level."""
    if encoding == "br":
        packed: bytes = brotli.compress(body, quality=config["COMPRESS_BR_LEVEL"])
        return packed
    return gzip.compress(body, config["COMPRESS_LEVEL"], mtime=0)


class CompressedCopies:
    """Compressed bodies by (strong ETag, encoding, length), least recently used first out."""

    def __init__(self, budget_bytes: int = COPIES_BUDGET_BYTES) -> None:
        self.budget = budget_bytes
        self.size = 0
        self._copies: OrderedDict[tuple[str, str, int], bytes] = OrderedDict()

    def get(self, key: tuple[str, str, int]) -> bytes | None:
        packed = self._copies.get(key)
        if packed is not None:
            self._copies.move_to_end(key)
        return packed

    def put(self, key: tuple[str, str, int], packed: bytes) -> None:
        if len(packed) > self.budget // 4 or key in self._copies:
            return
        self._copies[key] = packed
        self.size += len(packed)
        while self.size > self.budget:
            _, dropped = self._copies.popitem(last=False)
            self.size -= len(dropped)


class AnswerCompression:
    """The ``after_request`` hook that compresses answers, keeping copies of tagged ones."""

    keep_copies: ClassVar[bool] = True
    """Whether compressed copies are kept (the benchmark turns it off to measure them)."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.mimetypes = frozenset(config["COMPRESS_MIMETYPES"])
        self.copies = CompressedCopies()

    def compress_answer(self, response: Response) -> Response:
        """Compress ``response`` in the encoding the request prefers, whatever its status."""
        if response.mimetype not in self.mimetypes:
            return response
        response.vary.add("Accept-Encoding")
        if (
            response.status_code < 200
            or response.status_code in (204, 304)
            or response.is_streamed
            or response.direct_passthrough
            or "Content-Encoding" in response.headers
            or (response.content_length or 0) < self.config["COMPRESS_MIN_SIZE"]
        ):
            return response
        encoding = preferred_encoding(request.headers.get("Accept-Encoding", ""))
        if encoding is None:
            return response
        body = response.get_data()
        etag, weak = response.get_etag()
        key = (etag, encoding, len(body)) if etag and not weak and self.keep_copies else None
        packed = self.copies.get(key) if key else None
        if packed is None:
            packed = compress(body, encoding, self.config)
            if key:
                self.copies.put(key, packed)
        response.set_data(packed)
        response.headers["Content-Encoding"] = encoding
        if etag and not weak:
            response.set_etag(f"{etag}:{encoding}")
            if request.method in ("GET", "HEAD") and response.status_code == 200:
                response.make_conditional(request)
        return response


def init_app(app: Flask) -> AnswerCompression:
    """Compress every answer worth it (settings in ``COMPRESSION_SETTINGS``)."""
    for name, value in COMPRESSION_SETTINGS.items():
        app.config.setdefault(name, value)
    compression = AnswerCompression(app.config)
    app.after_request(compression.compress_answer)
    return compression
