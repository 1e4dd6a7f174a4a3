"""``/v1/cards``: a reading in a few lines, for widgets and share cards (1,536 characters)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial
from typing import Any

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from marshmallow import fields

from ..dataset import Dataset
from ..dataset.interface import Interface
from ..dataset.models import SENTIMENTS, URGENCY_SCALE, Reading
from ..state import app_state
from .attribution import AttributionSchema, attribution
from .base import Blueprint
from .catalogue import ReadingBook
from .prebuilt import CACHE_HEADERS, CONDITIONAL_GET_RESPONSES, PrebuiltJson
from .readings import ReadingSymptomsSchema, TwitchQuerySchema, reading_id_parameter
from .schema_fields import enum_field, urgency_field

blp = Blueprint(
    "cards",
    __name__,
    url_prefix="/v1/cards",
    description="A reading in a few short lines, for widgets and share cards.",
)

MAX_LINE = 140
MAX_SHARE_TEXT = 280
MAX_CARD_CHARACTERS = 1536
"""A card's size in characters of its JSON: 1.5 KB in English, where a character is a byte."""
MIN_OMEN_LINE = 40
MIN_SHARE_NOTE = 24
"""The least room worth a medical note in a share text: with less (a long page address),
the note is left out and the page's address tells the rest."""
SENTIMENT_EMOJI = {"good": "🍀", "bad": "⚡", "mixed": "🔮", "neutral": "👄"}
URGENT_EMOJI = {"emergency": "🚑", "urgent": "⚠️"}
"""A card's emoji: an ambulance or a warning when the medical half calls for it first."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


class CardSchema(ma.Schema):
    """A reading in brief: the omen's headline and tone, one line each of omen and medicine."""

    reading_id = fields.String(metadata={"description": "The full reading's id."})
    headline = fields.String(metadata={"description": "The omen's headline."})
    sentiment = enum_field(SENTIMENTS, "Overall tone of the omen.")
    omen = fields.String(metadata={"description": "The omen in one line."})
    medical = fields.String(
        metadata={
            "description": "The medical half in one line: its headline, or the advice of the "
            "reported symptom that decides the urgency."
        }
    )
    urgency = urgency_field()
    when_to_call_emergency = fields.String(
        metadata={"description": "When to call emergency services, as the reading says."}
    )
    emoji = fields.String(metadata={"description": "One emoji for the card."})
    share_text = fields.String(
        metadata={
            "description": f"Text to share, at most {MAX_SHARE_TEXT} characters. It ends with "
            "the address of the reading's page (/readings/{reading_id}) when the service "
            "knows its public address."
        }
    )
    disclaimer = fields.String(metadata={"description": "A short disclaimer to show."})
    href = fields.String(metadata={"description": "API path of the full reading."})
    attribution = fields.Nested(
        AttributionSchema,
        metadata={"description": "The credit to show with the card (CC BY 4.0)."},
    )


class CardQuerySchema(TwitchQuerySchema):
    """The query of /v1/cards: the twitch, as /v1/readings reads it; no parameter of its own yet.

    Its own schema, so a parameter added to the readings' alone never reaches the cards' view.
    """


def one_line(text: str, limit: int = MAX_LINE, enough: int = 60) -> str:
    """The opening of ``text``: whole sentences until ``enough`` characters, within ``limit``.

    A line longer than ``limit`` is cut at a word and ends with an ellipsis.
    """
    line = ""
    for sentence in _SENTENCE_END.split(text.strip()):
        line = f"{line} {sentence}".strip()
        if len(line) >= enough:
            break
    if len(line) <= limit:
        return line
    return line[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def medical_line(reading: Reading) -> str:
    """The medical headline, or the advice of the reported symptom that set the urgency."""
    medical = reading.medical
    deciding = [s for s in medical.reported_symptoms if s.urgency == medical.urgency]
    if deciding and medical.urgency != URGENCY_SCALE[0]:
        symptom = deciding[0]
        return one_line(f"{symptom.name}: {one_line(symptom.advice, enough=0)}", enough=0)
    return one_line(medical.headline, enough=0)


def share_text(
    reading: Reading,
    emoji: str,
    medical: str,
    words: Interface,
    page_url: str | None = None,
    with_note: bool = True,
) -> str:
    """A post of at most 280 characters: the twitch, the omen, the medical line, the gist,
    and the reading page's address when there is one (left out only if it cannot fit; the
    medical line gives way to it when both cannot).

    Its words (``card.*`` of the interface strings) are in the reading's language.
    """
    twitched = words.text(
        "card.share_twitched_suddenly" if reading.sudden else "card.share_twitched",
        side=words[f"labels.side.{reading.side}"],
        lip=words[f"labels.lip.{reading.lip}"],
    )
    opening = f"{emoji} {twitched}"
    omen = words.text("card.share_folklore", headline=reading.omen.headline)
    closing = words["card.share_gist"]
    room = MAX_SHARE_TEXT - len(f"{opening} {omen}  {closing}") - 1
    if page_url is not None and room >= len(page_url) + 1:
        room -= len(page_url) + 1
        closing = f"{closing} {page_url}"
    if room < MIN_SHARE_NOTE or not with_note:  # the page and the card say it all
        return f"{opening} {omen} {closing}"
    note = _sentence(medical if len(medical) <= room else one_line(medical, room))
    return f"{opening} {omen} {note} {closing}"


def card_document(
    reading: Reading,
    words: Interface,
    public_url: str | None = None,
    language: str = "en",
    share_note: bool = True,
) -> dict[str, Any]:
    """The card of ``reading`` (already adjusted for any reported symptoms), in ``words``'
    language (``language``); with the service's ``public_url``, its share text links the
    reading's page in that language. Without ``share_note`` the share text leaves out the
    medical line, which the card shows anyway."""
    medical = medical_line(reading)
    urgency = reading.medical.urgency
    emoji = URGENT_EMOJI.get(urgency, SENTIMENT_EMOJI[reading.omen.sentiment])
    symptoms = ",".join(symptom.id for symptom in reading.medical.reported_symptoms)
    page_url = f"{public_url}/readings/{reading.id}?lang={language}" if public_url else None
    return {
        "reading_id": reading.id,
        "headline": reading.omen.headline,
        "sentiment": reading.omen.sentiment,
        "omen": one_line(reading.omen.meaning),
        "medical": medical,
        "urgency": urgency,
        "when_to_call_emergency": reading.medical.when_to_call_emergency,
        "emoji": emoji,
        "share_text": share_text(reading, emoji, medical, words, page_url, share_note),
        "disclaimer": words["card.disclaimer"],
        "href": f"/v1/readings/{reading.id}" + (f"?symptoms={symptoms}" if symptoms else ""),
        "attribution": attribution(public_url),
    }


_CARD_SCHEMA = CardSchema()
"""One instance serialises every card."""


def serialise_card(
    reading: Reading, dataset: Dataset, public_url: str | None = None
) -> PrebuiltJson:
    """The card as JSON within 1.5 KB: a long ``href`` (many symptoms) shortens the omen line,
    and if that is not enough, the share text leaves out the medical line.

    The limit counts characters, as a widget shows them; a script outside ASCII (Hindi)
    takes up to three bytes a character in UTF-8.
    """
    language = dataset.language.tag
    document = card_document(reading, dataset.interface, public_url, language)
    card = PrebuiltJson.of(_CARD_SCHEMA.dump(document), language)
    overflow = len(card.body.decode()) - MAX_CARD_CHARACTERS
    if overflow > 0:
        room = max(MIN_OMEN_LINE, len(document["omen"]) - overflow - 1)
        omen = one_line(document["omen"], room)
        if len(document["omen"]) - len(omen) < overflow:
            document = card_document(reading, dataset.interface, public_url, language, False)
        document["omen"] = omen
        card = PrebuiltJson.of(_CARD_SCHEMA.dump(document), language)
    return card


def card_book(dataset: Dataset, public_url: str | None = None) -> ReadingBook:
    """The card of every reading, serialised once, with symptoms on demand; with the
    service's ``public_url``, share texts link the reading's page."""
    return ReadingBook(dataset, partial(serialise_card, public_url=public_url))


@blp.route("")
class Cards(MethodView):
    """The card of one twitch."""

    @blp.doc(operationId="getCard", responses=CONDITIONAL_GET_RESPONSES)
    @blp.arguments(CardQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, CardSchema, description="The reading's card.", headers=CACHE_HEADERS)
    def get(
        self, side: str, lip: str, sudden: bool, symptoms: Sequence[str] = (), lang: str = ""
    ) -> Response:
        """Get the card of a lip twitch

        The same question as /v1/readings, answered in a few short lines for a widget or
        a share card: the omen's headline and tone, one line of omen, one line of
        medicine, the urgency (raised by symptoms as in the reading), when to call
        emergency services, an emoji, a text to share and a link to the full reading.
        """
        return app_state().answers().cards.answer(side, lip, sudden, symptoms).respond()


@blp.route("/<reading_id>", parameters=reading_id_parameter())
class CardById(MethodView):
    """The card of one reading, by the reading's id."""

    @blp.doc(operationId="getCardById", responses=CONDITIONAL_GET_RESPONSES)
    @blp.arguments(ReadingSymptomsSchema, location="query", as_kwargs=True)
    @blp.response(200, CardSchema, description="The reading's card.", headers=CACHE_HEADERS)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, reading_id: str, symptoms: Sequence[str] = (), lang: str = "") -> Response:
        """Get the card of a reading by its id

        The card of the reading with this id (`reading_id`), with symptoms as in
        /v1/readings.
        """
        book = app_state().answers().cards
        return book.answer(*book.key_for(reading_id), symptoms).respond()
