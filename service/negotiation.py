"""Which language to answer in: the ``lang`` parameter, else ``Accept-Language``, else English.

``Accept-Language`` is read as RFC 9110 §12.5.4 describes it, with werkzeug's parser (which
drops a malformed quality value): ranges are tried from the highest quality down, each by
RFC 4647 §3.4 lookup (``es-MX`` tries ``es-MX``, then ``es``); ``*`` stands for any language
not named, English first; ``q=0`` rules a language out. A header never causes an error:
nothing acceptable, or nothing readable, gives English.

An explicit ``lang`` is a choice, not a preference: it is looked up the same way
(``lang=es-MX`` gives ``es``), and one that names no served language is a 422 listing them.
"""

from __future__ import annotations

from collections.abc import Sequence

from werkzeug.datastructures import LanguageAccept

DEFAULT_LANGUAGE = "en"
LANG_PARAMETER = "lang"


def _subtags(language_range: str) -> list[str]:
    return language_range.strip().lower().replace("_", "-").split("-")


def lookup(language_range: str, supported: Sequence[str]) -> str | None:
    """The served language ``language_range`` asks for, by RFC 4647 lookup, or None."""
    subtags = _subtags(language_range)
    while subtags:
        candidate = "-".join(subtags)
        if candidate in supported:
            return candidate
        subtags.pop()
    return None


def negotiate(accept: LanguageAccept, supported: Sequence[str]) -> str:
    """The best served language for this ``Accept-Language`` (English when none fits).

    ``supported`` lists the served tags, the default (English) first.
    """
    excluded = {"-".join(_subtags(value)) for value, quality in accept if quality == 0}
    allowed = [tag for tag in supported if tag not in excluded]
    # werkzeug lists '*' after every named range; RFC 9110 orders by quality alone.
    for value, quality in sorted(accept, key=lambda item: -item[1]):
        if quality == 0:
            continue
        if value == "*":
            if allowed:
                return allowed[0]
            continue
        found = lookup(value, allowed)
        if found is not None:
            return found
    return supported[0] if supported else DEFAULT_LANGUAGE
