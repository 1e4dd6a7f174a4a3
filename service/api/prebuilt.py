"""Responses serialised once at start-up and served as bytes with their ETag.

The dataset is immutable, so a response body can be built once; each request
then costs a dictionary look-up. ETags come from the body alone, so they are
identical across processes and restarts while the data is unchanged. Each body is
compressed once per encoding too (Brotli and gzip, at the levels other answers are
compressed at), the first time a client asks for that encoding, and the answer
carries what flask-compress would give it: ``Content-Encoding``, ``Vary`` and the
ETag with the encoding as suffix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from flask import Response, current_app, request

from ..edge.compression import compress, preferred_encoding
from ..language import in_language
from ..version import RELEASED

CACHE_HEADERS = {
    "ETag": "ETag",
    "Cache-Control": "Cache-Control",
    "Last-Modified": "Last-Modified",
    "Content-Language": "Content-Language",
    "Vary": "Vary",
}
"""The headers every prebuilt response carries (components named in ``base.HEADERS``)."""

CONDITIONAL_GET_RESPONSES = {
    "304": {
        "description": "Not Modified: the If-None-Match tag (strong or weak) still matches, or "
        "(without If-None-Match) nothing changed since If-Modified-Since. Not counted "
        "against the rate limit.",
        "headers": CACHE_HEADERS,
    }
}
"""OpenAPI description of the answer to a conditional GET whose tag matches."""


@dataclass(frozen=True)
class PrebuiltJson:
    """A JSON body in one language, serialised ahead of time, with its strong ETag and
    compressed copies."""

    body: bytes
    etag: str
    language: str
    compressed: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    """The body in each encoding asked for so far (the same bytes every time)."""

    precompress: ClassVar[bool] = True
    """Whether answers are served from the compressed copies (the benchmark turns it off)."""

    @classmethod
    def of(cls, document: Any, language: str) -> PrebuiltJson:
        """Serialise ``document`` (already dumped by a schema), whose text is in ``language``.

        The ETag covers the language too: two languages' answers never share one, even
        where their bodies agree (a list of ids), so a 304 never confirms another
        language's copy.
        """
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        etag = hashlib.sha256(language.encode() + b"\0" + body).hexdigest()[:32]
        return cls(body=body, etag=etag, language=language)

    def respond(
        self, freshness: str | None = None, last_modified: dt.datetime | None = None
    ) -> Response:
        """Answer the request in the encoding it prefers; 304 when ``If-None-Match`` matches.

        Werkzeug compares ``If-None-Match`` weakly, as RFC 9110 requires, so a
        ``W/"..."`` tag from a compressing proxy also gets a 304. ``freshness`` (a
        ``Cache-Control`` value) and ``last_modified`` replace the API's usual ones (for an
        answer that changes at midnight).
        """
        encoding = self._encoding()
        if encoding is None:
            response = Response(self.body, mimetype="application/json")
            response.set_etag(self.etag)
        else:
            response = Response(self.encoded(encoding), mimetype="application/json")
            response.headers["Content-Encoding"] = encoding
            response.set_etag(f"{self.etag}:{encoding}")
        in_language(response, self.language)
        response.vary.add("Accept-Encoding")
        response.headers["Cache-Control"] = freshness or cache_control(current_app.config)
        response.last_modified = last_modified or current_app.config["LAST_MODIFIED"]
        response.make_conditional(request)
        return response

    def encoded(self, encoding: str) -> bytes:
        """The body in ``encoding`` (``br`` or ``gzip``), compressed the first time only."""
        packed = self.compressed.get(encoding)
        if packed is None:
            packed = compress(self.body, encoding, current_app.config)
            self.compressed[encoding] = packed
        return packed

    def _encoding(self) -> str | None:
        """The encoding this request prefers (Brotli or gzip); None for the plain body."""
        if not self.precompress or len(self.body) < current_app.config["COMPRESS_MIN_SIZE"]:
            return None
        return preferred_encoding(request.headers.get("Accept-Encoding", ""))


def cache_control(config: Mapping[str, Any]) -> str:
    """``Cache-Control`` of every API answer: public, fresh for ``max-age`` seconds in browsers
    and ``s-maxage`` in shared caches (CDNs), which may then serve it stale for
    ``stale-while-revalidate`` seconds more while they revalidate it in the background."""
    return (
        f"public, max-age={config['CACHE_MAX_AGE']}, s-maxage={config['CACHE_S_MAXAGE']}, "
        f"stale-while-revalidate={config['CACHE_STALE_WHILE_REVALIDATE']}"
    )


def last_modified(data_released: dt.date) -> dt.datetime:
    """When the answers last changed: the later of the data's and the service's release dates.

    A new dataset changes the answers' content, a new service version may change their shape.
    """
    day = max(data_released, dt.date.fromisoformat(RELEASED))
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
