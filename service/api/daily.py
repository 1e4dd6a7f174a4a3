"""``/v1/daily``: the omen of the day, the same for everyone on a date (UTC).

Which belief a date features is a pure function of the date and the dataset:

1. The rotation lists the ``documented`` beliefs first, then the others (``reported``, then
   ``low_quality_only``). Within each group it takes one belief of each tradition in turn
   (traditions by id, each tradition's beliefs by id), so consecutive days change tradition
   where they can.
2. The date's day number counted from ``ROTATION_START`` (2026-01-01 is day 0), modulo the
   length of the rotation, picks its belief; after the last belief the rotation starts again.
3. The reading shown with it is the first reading, in the order of the readings' ids
   (left before right, upper before lower, sudden before gradual), whose beliefs list it;
   a belief no reading lists gets the first reading it speaks about.

Ids and attestations are the same in every language, so every language features the same
belief on a date. A new dataset version may change the rotation.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import product
from typing import Any

import marshmallow as ma
from flask import Response, current_app
from flask.views import MethodView
from marshmallow import fields, validate

from ..dataset import LIPS, SIDES, Dataset
from ..dataset.models import ATTESTATIONS, Omen, Reading
from ..state import app_state
from .base import Blueprint, QueryArgsSchema
from .cards import CardSchema
from .omens import OmenSchema
from .prebuilt import CACHE_HEADERS, CONDITIONAL_GET_RESPONSES, PrebuiltJson
from .readings import ReadingSchema

ROTATION_START = dt.date(2026, 1, 1)
"""Day 0 of the rotation: it features the rotation's first belief."""
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2099, 12, 31)
"""The dates ``date`` may name: enough for any calendar an app shows, and bounded."""
DATE_MESSAGE = f"Must be a date as YYYY-MM-DD, from {FIRST_DATE} to {LAST_DATE}."
DATE_RANGE = validate.Range(FIRST_DATE, LAST_DATE, error=DATE_MESSAGE)
DATE_ERRORS: dict[str, str | list[Any] | dict[Any, Any]] = {"invalid": DATE_MESSAGE}
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DAILY_CACHE_SIZE = 64
"""Days kept built per language: today, its neighbours, and the dates apps page through."""

DAILY_HEADERS = {**CACHE_HEADERS, "Expires": "Expires"}
"""The headers of the day's answer: those of every prebuilt answer, and ``Expires``."""


def utc_now() -> dt.datetime:
    """The current time in UTC (tests replace it to stand on another day)."""
    return dt.datetime.now(dt.UTC)


def midnight_after(day: dt.date) -> dt.datetime:
    """The moment ``day`` ends in UTC: the next day's midnight."""
    after = day + dt.timedelta(days=1)
    return dt.datetime(after.year, after.month, after.day, tzinfo=dt.UTC)


def rotation(omens: Iterable[Omen]) -> tuple[Omen, ...]:
    """The beliefs in the order the days feature them: the best attested first, one
    tradition after another within each attestation."""
    order: list[Omen] = []
    for attestation in ATTESTATIONS:
        by_tradition: dict[str, list[Omen]] = {}
        for omen in sorted(omens, key=lambda omen: omen.id):
            if omen.attestation == attestation:
                by_tradition.setdefault(omen.tradition.id, []).append(omen)
        queues = [by_tradition[tradition] for tradition in sorted(by_tradition)]
        for turn in range(max(map(len, queues), default=0)):
            order.extend(queue[turn] for queue in queues if turn < len(queue))
    return tuple(order)


def reading_featuring(dataset: Dataset, omen: Omen) -> Reading:
    """The first reading whose beliefs list ``omen``, else the first it speaks about."""
    readings = [dataset.reading_for(*key) for key in product(SIDES, LIPS, (True, False))]
    listing = [reading for reading in readings if omen in reading.omen.beliefs]
    return (listing or [r for r in readings if omen.applies_to(r.side, r.lip, r.sudden)])[0]


class DailySchema(ma.Schema):
    """The omen of the day: one featured belief and its reading, the same for everyone."""

    date = fields.Date(
        metadata={"description": "The day (UTC) this omen is featured on.", "example": "2026-12-04"}
    )
    valid_until = fields.DateTime(
        format="iso",
        metadata={
            "description": "When the next day's omen takes its place: the next midnight UTC.",
            "example": "2026-12-05T00:00:00+00:00",
        },
    )
    belief = fields.Nested(
        OmenSchema,
        metadata={"description": "The featured belief, in full, as /v1/omens/{omen_id} has it."},
    )
    card = fields.Nested(
        CardSchema, metadata={"description": "The card of the reading the belief belongs to."}
    )
    reading = fields.Nested(
        ReadingSchema,
        metadata={"description": "The reading the belief belongs to, as /v1/readings has it."},
    )


class IsoDate(fields.Date):
    """A calendar date written exactly YYYY-MM-DD (2026-12-04; not 2026-12-4 nor 20261204)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def parse_day(value: str) -> dt.date:
    """``value`` as a date within the served range; a ``ValidationError`` otherwise."""
    day: dt.date = IsoDate(validate=DATE_RANGE, error_messages=DATE_ERRORS).deserialize(value)
    return day


class DailyQuerySchema(QueryArgsSchema):
    """Which day's omen: today (UTC) by default."""

    day = IsoDate(
        data_key="date",
        validate=DATE_RANGE,
        error_messages=DATE_ERRORS,
        metadata={
            "description": f"The day, as YYYY-MM-DD, from {FIRST_DATE} to {LAST_DATE}. "
            "Default: today in UTC.",
            "example": "2026-12-04",
            # The range's years, 2000 to 2099, as a pattern: a schema's date has no bounds.
            "pattern": "^20[0-9]{2}-[0-9]{2}-[0-9]{2}$",
        },
    )


class DailyBook:
    """The omen of each day in one language, built the first time a day is asked for."""

    def __init__(self, dataset: Dataset, answer: Callable[[Reading], tuple[bytes, bytes]]):
        self._dataset = dataset
        self._answer = answer
        self.rotation = rotation(dataset.omens)
        self._day = lru_cache(maxsize=DAILY_CACHE_SIZE)(self._build)

    def featured(self, day: dt.date) -> Omen:
        """The belief ``day`` features."""
        return self.rotation[(day - ROTATION_START).days % len(self.rotation)]

    def reading_id(self, omen: Omen) -> str:
        """The id of the reading shown with ``omen``."""
        return reading_featuring(self._dataset, omen).id

    def answer(self, day: dt.date) -> PrebuiltJson:
        """The day's answer, serialised once."""
        return self._day(day)

    def _build(self, day: dt.date) -> PrebuiltJson:
        belief = self.featured(day)
        reading, card = self._answer(reading_featuring(self._dataset, belief))
        document: dict[str, Any] = DailySchema().dump(
            {"date": day, "valid_until": midnight_after(day), "belief": belief}
        )
        document.update(card=json.loads(card), reading=json.loads(reading))
        return PrebuiltJson.of(document, self._dataset.language.tag)


def daily_cache_control(now: dt.datetime) -> tuple[str, dt.datetime]:
    """``Cache-Control`` and ``Expires`` of today's answer: fresh until the next midnight UTC,
    in browsers and shared caches alike."""
    expires = midnight_after(now.date())
    seconds = max(1, int((expires - now).total_seconds()))
    return f"public, max-age={seconds}, s-maxage={seconds}", expires


def today_in_utc() -> dt.date:
    """Today's date in UTC: the day ``/v1/daily`` answers without a ``date``."""
    return utc_now().date()


def respond_for(book: DailyBook, day: dt.date | None) -> Response:
    """The answer for ``day``, or for today until midnight UTC when no day is named.

    A named day's answer never changes while the dataset does not, so it is cached like any
    other answer; today's is fresh only until midnight, and says so with ``Expires`` too.
    """
    if day is not None:
        return book.answer(day).respond()
    now = utc_now()
    control, expires = daily_cache_control(now)
    started = dt.datetime(now.year, now.month, now.day, tzinfo=dt.UTC)
    modified = max(current_app.config["LAST_MODIFIED"], started)
    response = book.answer(now.date()).respond(freshness=control, last_modified=modified)
    response.expires = expires
    return response


blp = Blueprint(
    "daily",
    __name__,
    url_prefix="/v1/daily",
    description="The omen of the day: one belief and its reading, the same for everyone.",
)


@blp.route("")
class Daily(MethodView):
    """The omen of one day."""

    @blp.doc(operationId="getDaily", responses=CONDITIONAL_GET_RESPONSES)
    @blp.arguments(DailyQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, DailySchema, description="The day's omen.", headers=DAILY_HEADERS)
    def get(self, day: dt.date | None = None, lang: str = "") -> Response:
        """Get the omen of the day

        One folklore belief featured for everyone on a date (UTC), with its reading and
        card. The days go through the documented beliefs first, one tradition after
        another, then the others, and start again: the same date always gives the same
        belief for the same dataset, in every language. Without `date`, today's omen,
        fresh until the next midnight UTC (Cache-Control max-age and Expires say when).
        """
        return respond_for(app_state().answers().daily, day)
