"""The credit the dataset's licence asks for: "Twitchlore contributors", CC BY 4.0, a link.

Every reading and card carries it as ``attribution``; the pages and the widget show its line.

data/LICENSE.md states the licence and the name to credit; a test keeps these in step with it.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

NAME = "Twitchlore contributors"
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
PROJECT_PATH = "/"
"""Where the project is described (its front page), on this service."""


class AttributionSchema(ma.Schema):
    """The credit the text's licence asks for, to show with it: who, which licence, where."""

    name = fields.String(metadata={"description": "Whom to credit.", "example": NAME})
    licence = fields.String(metadata={"description": "The text's licence.", "example": LICENCE})
    licence_url = fields.String(
        metadata={"description": "The licence's text.", "example": LICENCE_URL}
    )
    url = fields.String(
        metadata={
            "description": "Where the project is: this service's front page, an absolute URL "
            "when the service knows its public address (else a path).",
            "example": "https://twitchlore.example/",
        }
    )


def attribution(public_url: str | None) -> dict[str, str]:
    """The credit; its line, in each language, is the interface string ``credit.line``."""
    return {
        "name": NAME,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "url": f"{public_url or ''}{PROJECT_PATH}",
    }
