"""The words of the service's own pages, widget, cards and error messages, per language.

``data/translations/en/interface.yaml`` is the English master: groups of keyed strings in
which ``{name}`` marks a value the service fills in. Each language's ``interface.yaml``
translates every key and keeps every placeholder. Keys are ``group.key``
(``card.disclaimer``, ``problems.must_be_one_of``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from .errors import DatasetError

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
"""A value the service fills in: ``{name}``, lower-case letters and underscores."""

INTERFACE_FILE = "interface.yaml"


def placeholders(text: str) -> set[str]:
    """The names of the placeholders in ``text``."""
    return set(PLACEHOLDER.findall(text))


class Interface:
    """One language's interface strings, by ``group.key``."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = MappingProxyType(dict(texts))

    def __getitem__(self, key: str) -> str:
        return self._texts[key]

    def __len__(self) -> int:
        return len(self._texts)

    def keys(self) -> tuple[str, ...]:
        """Every key, in file order."""
        return tuple(self._texts)

    def group(self, name: str) -> dict[str, str]:
        """The strings of one group, by their key within it (``card`` → ``disclaimer``...)."""
        prefix = f"{name}."
        return {k[len(prefix) :]: v for k, v in self._texts.items() if k.startswith(prefix)}

    def text(self, key: str, **values: Any) -> str:
        """The string ``key`` with its placeholders filled from ``values``."""
        return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), self._texts[key])


def _flattened(document: Any, file: str) -> Iterator[tuple[str, str, str, Any]]:
    """(group, key, group.key, value) for every string of an interface file."""
    if not isinstance(document, dict):
        raise DatasetError(file, "must be a YAML mapping of groups of strings")
    for group, strings in document.items():
        if not isinstance(strings, dict):
            raise DatasetError(file, "must be a mapping of keys to strings", str(group))
        for key, value in strings.items():
            yield str(group), str(key), f"{group}.{key}", value


def _check_text(file: str, group: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DatasetError(file, "must be a non-empty string", group, key)
    leftover = PLACEHOLDER.sub("", value)
    if "{" in leftover or "}" in leftover:
        raise DatasetError(
            file,
            "a brace that is not a placeholder: write placeholders as {name} "
            "(lower-case letters and _), and no other braces",
            group,
            key,
        )
    return value


def english_interface(document: Any, file: str) -> Interface:
    """The English master, checked: every value a string, placeholders well formed."""
    return Interface(
        {
            full: _check_text(file, group, key, value)
            for group, key, full, value in _flattened(document, file)
        }
    )


def translated_interface(
    document: Any, file: str, english: Interface, check_words: Any
) -> Interface:
    """A translation of ``english``: the same keys, the same placeholders, no leftovers.

    ``check_words(file, entry, field, text, english_text)`` applies the rules every
    translated string follows (no placeholder word, no English sentence left).
    """
    texts: dict[str, str] = {}
    for group, key, full, value in _flattened(document, file):
        try:
            original = english[full]
        except KeyError:
            raise DatasetError(
                file, "no such key in the English interface strings", group, key
            ) from None
        text = _check_text(file, group, key, value)
        if placeholders(text) != placeholders(original):
            wanted = ", ".join(f"{{{name}}}" for name in sorted(placeholders(original)))
            raise DatasetError(
                file,
                f"must keep the English placeholders exactly: {wanted or 'none'}",
                group,
                key,
            )
        check_words(file, group, key, text, original)
        texts[full] = text
    for full in english.keys():
        if full not in texts:
            group, key = full.split(".", 1)
            raise DatasetError(file, "missing: every English key needs its translation", group, key)
    return Interface({full: texts[full] for full in english.keys()})


class MessageTranslator:
    """Turns the service's English messages (a group of the interface) into another language.

    Each English string of the group is a pattern: its placeholders match any text, which
    is carried into the other language's string unchanged (parameter names and values).
    """

    def __init__(self, english: Interface, group: str) -> None:
        self.group = group
        self._patterns = [
            (key, re.compile(_pattern(text), re.DOTALL))
            for key, text in english.group(group).items()
        ]

    def translate(self, text: str, words: Interface) -> str | None:
        """``text`` in the language of ``words``; None when no English string matches it."""
        for key, pattern in self._patterns:
            match = pattern.fullmatch(text)
            if match:
                return words.text(f"{self.group}.{key}", **match.groupdict())
        return None


def _pattern(text: str) -> str:
    parts = []
    seen: set[str] = set()
    for position, piece in enumerate(PLACEHOLDER.split(text)):
        if position % 2 == 0:
            parts.append(re.escape(piece))
        elif piece in seen:
            parts.append(f"(?P={piece})")
        else:
            seen.add(piece)
            parts.append(f"(?P<{piece}>.+?)")
    return "".join(parts)
