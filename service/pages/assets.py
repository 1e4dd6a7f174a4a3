"""Files served from memory: read once at start-up, tagged by their content, kept compressed.

A file's strong ETag is a hash of its bytes (never its modification time or size, which
say nothing of the content and tell a stranger about the server's files). The bytes
never change while the process runs, so the compression of answers keeps each file's
compressed copy under that tag: a file is compressed once per encoding, not per request.
A versioned URL (one whose path names the content's hash) may be kept for a year.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass, field
from typing import Any

from flask import Response, request

VERSIONED_MAX_AGE = 365 * 24 * 3600
"""A versioned URL never changes its bytes, so it may be kept for a year."""
CURRENT_MAX_AGE = 3600
"""How long an unversioned file may be kept: an hour, then revalidated with its ETag."""


@dataclass(frozen=True)
class Asset:
    """A file served from memory with a strong ETag made from its content."""

    body: bytes
    content_type: str
    digest: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest", hashlib.sha256(self.body).hexdigest())

    @property
    def version(self) -> str:
        """The first 12 hex digits of the content's SHA-256: a versioned URL's name."""
        return self.digest[:12]

    def respond(self, max_age: int, immutable: bool = False, embeddable: bool = True) -> Response:
        """Answer the current GET or HEAD, with 304 when ``If-None-Match`` matches (weakly).

        An ``embeddable`` file may be loaded by any page, including pages that isolate
        themselves with Cross-Origin-Embedder-Policy.
        """
        response = Response(self.body, content_type=self.content_type)
        response.set_etag(self.digest[:32])
        response.cache_control.public = True
        response.cache_control.max_age = max_age
        response.cache_control.immutable = immutable
        if embeddable:
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        response.make_conditional(request)
        return response


@dataclass(frozen=True)
class AssetFolder:
    """Every file directly in a folder, as ``Asset`` by name; the folder's version."""

    assets: dict[str, Asset]

    @classmethod
    def load(cls, folder: Any) -> AssetFolder:
        """Read every file of ``folder`` (a path or an importlib resource) once."""
        assets = {}
        for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
            if entry.is_file():
                assets[entry.name] = Asset(entry.read_bytes(), content_type(entry.name))
        return cls(assets)

    @property
    def version(self) -> str:
        """12 hex digits that change whenever any file of the folder does."""
        combined = "".join(f"{name}:{asset.digest}\n" for name, asset in self.assets.items())
        return hashlib.sha256(combined.encode()).hexdigest()[:12]

    def get(self, name: str) -> Asset | None:
        return self.assets.get(name)


def content_type(name: str) -> str:
    """The Content-Type of a file named ``name``: text in UTF-8, scripts as text/javascript."""
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.endswith("/javascript"):
        kind = "text/javascript"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") else kind
