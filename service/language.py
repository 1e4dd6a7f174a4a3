"""The language of the current request's answer, and the headers that say it.

One negotiation for every answer (``negotiation``): the ``lang`` query parameter, else
``Accept-Language``, else English. Every localized answer says its language in
``Content-Language`` and ``Vary: Accept-Language``; its ETag differs per language
(``api.prebuilt``), and the front door keys its copies by the negotiated language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import flask_smorest
from flask import Flask, Response, current_app, has_request_context, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header

from .dataset.interface import Interface, MessageTranslator
from .negotiation import DEFAULT_LANGUAGE, LANG_PARAMETER, lookup, negotiate

EXTENSION_NAME = "twitchlore.languages"
LANGUAGE_KEY = "twitchlore.language"
"""Where the negotiated language of a request is kept in its WSGI environ."""


@dataclass(frozen=True)
class Languages:
    """The languages an app serves: each one's interface strings, English first."""

    words: Mapping[str, Interface]
    problems: MessageTranslator
    """Turns the English messages of problem details into another language's."""

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self.words)


def install(app: Flask, words: Mapping[str, Interface]) -> None:
    """Serve the languages of ``words`` (English first) on ``app``."""
    english = next(iter(words.values()))
    app.extensions[EXTENSION_NAME] = Languages(dict(words), MessageTranslator(english, "problems"))


def _languages(app: Flask | None = None) -> Languages:
    languages: Languages = (app or current_app).extensions[EXTENSION_NAME]
    return languages


def served_languages(app: Flask | None = None) -> tuple[str, ...]:
    """The tags of the languages ``app`` (by default the current app) serves, English first."""
    return _languages(app).tags


def translated_problem(message: str, language: str) -> str:
    """A problem's English ``message`` in ``language`` (unchanged where no string fits it)."""
    languages = _languages()
    if language == languages.tags[0]:
        return message
    translated = languages.problems.translate(message, languages.words[language])
    return message if translated is None else translated


def problem_words(language: str) -> Interface:
    """The interface strings of ``language``."""
    return _languages().words[language]


def unsupported_message(tags: Sequence[str]) -> str:
    return f"Must be one of: {', '.join(tags)}."


def request_language() -> str:
    """The language to answer the current request in; an unserved ``lang`` is a 422."""
    environ = request.environ
    if LANGUAGE_KEY not in environ:
        tags = served_languages()
        explicit = request.args.get(LANG_PARAMETER)
        if explicit is not None:
            found = lookup(explicit, tags)
            if found is None:
                flask_smorest.abort(
                    422, errors={"query": {LANG_PARAMETER: [unsupported_message(tags)]}}
                )
            environ[LANGUAGE_KEY] = found
        else:
            environ[LANGUAGE_KEY] = negotiate(request.accept_languages, tags)
    language: str = environ[LANGUAGE_KEY]
    return language


def answer_language() -> str:
    """The request's language where it can be told, else English: never an error."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    try:
        return request_language()
    except HTTPException:
        return DEFAULT_LANGUAGE


def in_language(response: Response, language: str) -> Response:
    """Mark ``response`` as written in ``language``, chosen by the request's headers."""
    response.headers["Content-Language"] = language
    response.vary.add("Accept-Language")
    return response


@lru_cache(maxsize=512)
def header_language(accept_language: str, tags: tuple[str, ...]) -> str:
    """The language an ``Accept-Language`` header negotiates (browsers send few distinct ones)."""
    return negotiate(parse_accept_header(accept_language, LanguageAccept), tags)
