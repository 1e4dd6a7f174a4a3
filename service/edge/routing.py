"""Which route a request is for: one canonical spelling of its path and query, and whether
it is limited."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote_plus

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, MapAdapter

from .checks import API_PREFIX


def canonical_path(path: str) -> str:
    """``path`` with repeated slashes merged and ``.`` segments removed.

    Every spelling of a route is then one path: for the rate limit, the cache and
    Flask alike, and no redirect (built from the Host header) is needed.

    ``..`` segments are kept, so the path matches no route and is a 404. The server
    decodes the path before the app sees it and does not give the request target as
    sent, so ``/v1/omens/x%2F..%2F..%2Fhealthz`` arrives as ``/v1/omens/x/../../healthz``:
    resolving it would climb out of the route the client named. Browsers and HTTP
    libraries remove dot segments before sending (RFC 3986 §5.2.4), so no client that
    means a route sends one.
    """
    if "//" not in path and "/." not in path:
        return path
    segments = [segment for segment in path.split("/") if segment not in ("", ".")]
    trailing = "/" if path.endswith(("/", "/.")) and segments else ""
    return "/" + "/".join(segments) + trailing


TRACKING_PARAMETERS = frozenset(
    {
        "_",  # jQuery's cache: false, and other cache-busters
        "fbclid",  # Facebook, Instagram
        "gclid",  # Google Ads, and its relatives
        "gbraid",
        "wbraid",
        "dclid",
        "msclkid",  # Microsoft Advertising
        "mc_cid",  # Mailchimp
        "mc_eid",
        "ref",  # link shorteners, directories, newsletters
        "igshid",  # Instagram shares
        "twclid",  # X (Twitter) ads
        "yclid",  # Yandex
    }
)
TRACKING_PREFIXES = ("utm_",)
"""Parameters that link shorteners, ad networks and newsletters append to a shared link, and
that no operation reads: ignored on every request (names in any letter case)."""


def ignored_parameter(name: str) -> bool:
    """Whether ``name`` is a tracking parameter or cache-buster every request may carry."""
    folded = name.lower()
    return folded in TRACKING_PARAMETERS or folded.startswith(TRACKING_PREFIXES)


def canonical_query(query: str) -> str:
    """``query`` without its tracking parameters; every other byte as sent, in order.

    A shared permalink (``?fbclid=...``) is then the request it names: strict validation
    never sees the tag, and the kept answers (and a CDN that keys on the query) are shared.
    """
    if not query:
        return query
    parts = query.split("&")
    kept = [part for part in parts if not ignored_parameter(unquote_plus(part.split("=", 1)[0]))]
    return query if len(kept) == len(parts) else "&".join(kept)


class RouteLimits:
    """Decides by the matched route, not by a path prefix, which requests count against limits.

    The routes under ``limited_prefix`` (the API's, and the reading pages and their images,
    which cost as much to build) and every path that matches no route count; the docs, the
    spec, the front page, probes and metrics do not; OPTIONS counts like GET.
    """

    def __init__(self, url_map: Map, limited_prefix: str | tuple[str, ...] = API_PREFIX) -> None:
        self.adapter: MapAdapter = url_map.bind("localhost")
        self.limited_prefix = limited_prefix
        self.applies_to = lru_cache(maxsize=1024)(self._applies_to)

    def _applies_to(self, path: str) -> bool:
        try:
            rule, _ = self.adapter.match(path, return_rule=True)
        except HTTPException:
            return True
        return str(rule.rule).startswith(self.limited_prefix)
