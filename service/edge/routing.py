"""Which route a request is for: one canonical spelling of its path, and whether it is limited."""

from __future__ import annotations

from functools import lru_cache

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, MapAdapter

from .checks import API_PREFIX


def canonical_path(path: str) -> str:
    """``path`` with repeated slashes merged and ``.`` and ``..`` segments resolved.

    Every spelling of a route is then one path: for the rate limit, the cache and
    Flask alike, and no redirect (built from the Host header) is needed.
    """
    if "//" not in path and "/." not in path:
        return path
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    trailing = "/" if path.endswith(("/", "/.", "/..")) and segments else ""
    return "/" + "/".join(segments) + trailing


class RouteLimits:
    """Decides by the matched route, not by a path prefix, which requests count against limits.

    The API's routes and every path that matches no route count; the docs, the spec,
    probes, metrics and CORS preflights do not.
    """

    def __init__(self, url_map: Map, limited_prefix: str = API_PREFIX) -> None:
        self.adapter: MapAdapter = url_map.bind("localhost")
        self.limited_prefix = limited_prefix
        self.applies_to = lru_cache(maxsize=1024)(self._applies_to)

    def _applies_to(self, path: str) -> bool:
        try:
            rule, _ = self.adapter.match(path, return_rule=True)
        except HTTPException:
            return True
        return str(rule.rule).startswith(self.limited_prefix)
