"""Responses serialised once at start-up and served as bytes with their ETag.

The dataset is immutable, so a response body can be built once; each request
then costs a dictionary look-up. ETags come from the body alone, so they are
identical across processes and restarts while the data is unchanged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, request

from ..language import in_language

CACHE_HEADERS = {
    "ETag": "ETag",
    "Cache-Control": "Cache-Control",
    "Content-Language": "Content-Language",
    "Vary": "Vary",
}
"""The headers every prebuilt response carries (components named in ``base.HEADERS``)."""

CONDITIONAL_GET_RESPONSES = {
    "304": {
        "description": "Not Modified: the If-None-Match tag (strong or weak) still matches.",
        "headers": CACHE_HEADERS,
    }
}
"""OpenAPI description of the answer to a conditional GET whose tag matches."""


@dataclass(frozen=True)
class PrebuiltJson:
    """A JSON body in one language, serialised ahead of time, with its strong ETag."""

    body: bytes
    etag: str
    language: str

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

    def respond(self) -> Response:
        """Answer the current request, with 304 when ``If-None-Match`` matches.

        Werkzeug compares ``If-None-Match`` weakly, as RFC 9110 requires, so a
        ``W/"..."`` tag from a compressing proxy also gets a 304.
        """
        response = Response(self.body, mimetype="application/json")
        in_language(response, self.language)
        response.set_etag(self.etag)
        response.cache_control.public = True
        response.cache_control.max_age = current_app.config["CACHE_MAX_AGE"]
        response.make_conditional(request)
        return response
