"""``/daily``: the omen of the day as a page, on the reading pages' templates, without scripts.

The same belief and reading as ``/v1/daily`` (``api.daily``) for the same date, in the
request's language, cached until the next midnight UTC when no date is named.
"""

from __future__ import annotations

import datetime as dt

import flask_smorest
from flask import Blueprint, Flask, Response, current_app, request
from marshmallow import ValidationError

from ..api import daily
from ..state import app_state
from . import shared

blp = Blueprint("daily_page", __name__)


def requested_day() -> dt.date | None:
    """The ``date`` of the query, or None for today; a bad one is a 422 naming the field."""
    given = request.args.get("date")
    if given is None:
        return None
    try:
        return daily.parse_day(given)
    except ValidationError as error:
        flask_smorest.abort(422, errors={"query": {"date": error.messages}})
        raise  # abort raises


@blp.get("/daily")
def daily_page() -> Response:
    """The omen of the day (or of ``?date=``) as an HTML page."""
    named = requested_day()
    day = named or daily.today_in_utc()
    state = app_state()
    dataset = state.localized()
    belief = state.answers().daily.featured(day)
    reading = daily.reading_featuring(dataset, belief)
    words = dataset.interface
    date_query = {} if named is None else {"date": day.isoformat()}
    page = shared.PageContext(dataset, "/daily", query=date_query)
    featured = words.text("daily.featured", date=day.isoformat())
    json_path = f"/v1/daily?{shared.query_string(date=day.isoformat(), lang=dataset.language.tag)}"
    meta = page.meta(featured, belief.headline, json_path)
    freshness = last_modified = expires = None
    if named is None:
        now = daily.utc_now()
        freshness, expires = daily.daily_cache_control(now)
        started = dt.datetime(now.year, now.month, now.day, tzinfo=dt.UTC)
        last_modified = max(current_app.config["LAST_MODIFIED"], started)
    response = page.render(
        "daily.html",
        meta,
        freshness=freshness,
        last_modified=last_modified,
        daily=words.group("daily"),
        featured=featured,
        tradition=words.text("daily.tradition", tradition=belief.tradition.name),
        day=day,
        previous=day - dt.timedelta(days=1) if day > daily.FIRST_DATE else None,
        next=day + dt.timedelta(days=1) if day < daily.LAST_DATE else None,
        belief=belief,
        reading=reading,
    )
    if expires is not None:
        response.expires = expires
    return response


def init_app(app: Flask) -> None:
    """Serve ``/daily``."""
    app.register_blueprint(blp)
