"""``/v1/languages``: the languages the service answers in, and how each was made."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from marshmallow import fields

from ..dataset import Dataset
from ..state import app_state
from .base import Blueprint, QueryArgsSchema
from .prebuilt import CACHE_HEADERS, CONDITIONAL_GET_RESPONSES, PrebuiltJson

blp = Blueprint(
    "languages",
    __name__,
    url_prefix="/v1/languages",
    description="The languages every answer is available in, and how each was made.",
)


class LanguageSchema(ma.Schema):
    """One language the service answers in."""

    tag = fields.String(metadata={"description": "Its BCP 47 tag: the value of lang."})
    name = fields.String(metadata={"description": "Its name in itself."})
    english_name = fields.String(metadata={"description": "Its name in English."})
    completeness = fields.Float(
        metadata={
            "description": "The share of the English strings it has (1.0: all of them). "
            "A language is served only when complete.",
            "example": 1.0,
        }
    )
    strings = fields.Integer(
        metadata={
            "description": "How many strings it has: every text of every answer.",
            "example": 2900,
        }
    )
    reviewed_by_native_speaker = fields.Boolean(
        metadata={"description": "Whether a native speaker has reviewed it.", "example": False}
    )
    method = fields.String(metadata={"description": "How it was made, in the language itself."})


class LanguagesSchema(ma.Schema):
    """Every language served, English (the default) first."""

    default = fields.String(
        metadata={
            "description": "The language of an answer when the request asks for none it can have.",
            "example": "en",
        }
    )
    languages = fields.List(fields.Nested(LanguageSchema))


def languages_document(datasets: Mapping[str, Dataset]) -> dict[str, Any]:
    """The served languages, as the schema dumps them."""
    english = next(iter(datasets.values())).language
    return {
        "default": english.tag,
        "languages": [
            {
                **{key: getattr(d.language, key) for key in ("tag", "name", "english_name")},
                "completeness": round(d.language.strings / english.strings, 3),
                "strings": d.language.strings,
                "reviewed_by_native_speaker": d.language.reviewed_by_native_speaker,
                "method": d.language.method,
            }
            for d in datasets.values()
        ],
    }


def languages_answer(datasets: Mapping[str, Dataset]) -> PrebuiltJson:
    """The list, serialised once; its text is in every language it lists."""
    document = LanguagesSchema().dump(languages_document(datasets))
    return PrebuiltJson.of(document, ", ".join(datasets))


@blp.route("")
class Languages(MethodView):
    """The languages."""

    @blp.doc(operationId="listLanguages", responses=CONDITIONAL_GET_RESPONSES)
    @blp.arguments(QueryArgsSchema, location="query")
    @blp.response(200, LanguagesSchema, headers=CACHE_HEADERS)
    def get(self, _: dict[str, object]) -> Response:
        """List the languages

        Every language the answers are available in: its tag (the value of `lang`, or
        of `Accept-Language`), its name in itself and in English, how complete it is,
        whether a native speaker has reviewed it, and how it was made.
        """
        return app_state().answers().languages.respond()
