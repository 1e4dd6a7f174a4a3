"""The front door's copies of repeated answers, within a byte budget.

The dataset is immutable, so a cacheable answer (a 200 to a GET that says
``Cache-Control: public`` and has an ETag) is the same bytes every time. Once the same
request (``answer_key``) has been seen twice its answer is kept, without the headers that
differ between two identical requests (``PER_REQUEST_HEADERS``), which the front door adds
afresh.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, NamedTuple

from werkzeug.http import remove_entity_headers, unquote_etag

from ..language import header_language

PER_REQUEST_HEADERS = frozenset(
    {
        "x-request-id",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "retry-after",
        "date",
        "server",
    }
)


class AnswerKey(NamedTuple):
    """Everything two requests' answers may differ by: what a kept answer is found under."""

    path: str
    """The canonical path."""
    query: str
    """The query string without tracking parameters (``lang`` is in it when sent)."""
    accept_encoding: str
    """``Accept-Encoding`` as sent: compression picks the answer's encoding from it."""
    language: str
    """The served language ``Accept-Language`` picks (a ``lang`` in the query wins)."""
    origin: str
    """``Origin``, when CORS headers depend on it (a list of origins); else empty."""


VARY_COVERED_BY_KEY = frozenset({"accept-encoding", "accept-language", "origin"})
"""Vary values the key accounts for; an answer varying on anything else is not kept."""


def answer_key(
    environ: dict[str, Any], languages: tuple[str, ...], vary_on_origin: bool
) -> AnswerKey:
    """The key of a request's answer; ``languages`` are the served ones, and
    ``vary_on_origin`` says whether CORS headers depend on ``Origin``."""
    return AnswerKey(
        environ["PATH_INFO"],
        environ.get("QUERY_STRING", ""),
        environ.get("HTTP_ACCEPT_ENCODING", ""),
        header_language(environ.get("HTTP_ACCEPT_LANGUAGE", ""), languages),
        environ.get("HTTP_ORIGIN", "") if vary_on_origin else "",
    )


CACHE_BUDGET_BYTES = 16 * 1024 * 1024
ENTRY_OVERHEAD_BYTES = 1024
"""What one kept answer costs beyond its strings: objects, lists, tuples, dictionary slots."""
SEEN_ONCE_LIMIT = 16384
"""How many requests asked once are remembered, so that only repeated ones are kept."""


@dataclass(frozen=True)
class CachedAnswer:
    """A successful answer kept for repeats: its headers, body and where it was routed."""

    headers: list[tuple[str, str]]
    not_modified_headers: list[tuple[str, str]]
    body: bytes
    etag: str | None
    endpoint: str
    route: str | None

    @classmethod
    def of(
        cls, headers: list[tuple[str, str]], body: bytes, endpoint: str, route: str | None
    ) -> CachedAnswer:
        """The copy of a Flask answer with these headers and body, less per-request headers."""
        kept = [(name, value) for name, value in headers if name.lower() not in PER_REQUEST_HEADERS]
        not_modified = list(kept)
        remove_entity_headers(not_modified)
        etag = _header(kept, "etag")
        return cls(
            kept, not_modified, body, unquote_etag(etag)[0] if etag else None, endpoint, route
        )

    def cost(self, key: tuple[str, ...]) -> int:
        """The bytes this answer holds, kept under ``key``: strings and bookkeeping alike."""
        strings = sum(len(part) for part in key) + len(self.body)
        strings += sum(len(name) + len(value) for name, value in self.headers)
        strings += sum(len(name) + len(value) for name, value in self.not_modified_headers)
        return strings + ENTRY_OVERHEAD_BYTES


class AnswerCache:
    """Least recently used answers within a byte budget that counts everything they hold.

    An answer is kept only when its request comes a second time (the first time it is
    just remembered, by hash, in a bounded list), so a flood of one-off queries costs
    nothing and evicts nothing.
    """

    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self.size = 0
        self._answers: OrderedDict[tuple[str, ...], tuple[CachedAnswer, int]] = OrderedDict()
        self._seen_once: OrderedDict[int, None] = OrderedDict()

    def get(self, key: tuple[str, ...]) -> CachedAnswer | None:
        """The answer kept under ``key``, if any."""
        kept = self._answers.get(key)
        if kept is None:
            return None
        self._answers.move_to_end(key)
        return kept[0]

    def worth_keeping(self, key: tuple[str, ...]) -> bool:
        """Whether ``key`` was asked before; otherwise remember that it was asked once."""
        digest = hash(key)
        if digest in self._seen_once:
            del self._seen_once[digest]
            return True
        self._seen_once[digest] = None
        if len(self._seen_once) > SEEN_ONCE_LIMIT:
            self._seen_once.popitem(last=False)
        return False

    def put(self, key: tuple[str, ...], answer: CachedAnswer) -> None:
        """Keep ``answer``, dropping the least recently used ones beyond the budget."""
        cost = answer.cost(key)
        if cost > self.budget // 8 or key in self._answers:
            return
        self._answers[key] = (answer, cost)
        self.size += cost
        while self.size > self.budget:
            _, (_, dropped_cost) = self._answers.popitem(last=False)
            self.size -= dropped_cost

    def __len__(self) -> int:
        return len(self._answers)


def is_cacheable(headers: list[tuple[str, str]]) -> bool:
    """Whether an answer's own headers say every such request gets these same bytes.

    That is: ``Cache-Control: public``, an ETag, no cookie, no ``Expires`` (an answer that
    changes at a set time, such as the omen of the day, whose copy would outlive it), and no
    ``Vary`` on a request header the cache key does not account for.
    """
    cache_control = (_header(headers, "cache-control") or "").lower()
    vary = {v.strip().lower() for v in (_header(headers, "vary") or "").split(",") if v.strip()}
    return (
        "public" in cache_control
        and "no-store" not in cache_control
        and _header(headers, "etag") is not None
        and _header(headers, "set-cookie") is None
        and _header(headers, "expires") is None
        and vary <= VARY_COVERED_BY_KEY
    )


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)
