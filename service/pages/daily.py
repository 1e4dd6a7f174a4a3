"""``/daily``: the omen of the day as a page, in the front page's style, without scripts.

The same belief and reading as ``/v1/daily`` (``api.daily``) for the same date, in the
request's language, cached until the next midnight UTC when no date is named.
"""

from __future__ import annotations

import datetime as dt

import flask_smorest
from flask import Blueprint, Flask, Response, render_template, request
from marshmallow import ValidationError

from ..api import daily
from ..language import in_language
from ..state import app_state
from .home import HOME_CSP, conditional

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


def reading_page(reading_id: str) -> str:
    """Where a reading is read in full."""
    return f"/v1/readings/{reading_id}"


@blp.get("/daily")
def daily_page() -> Response:
    """The omen of the day (or of ``?date=``) as an HTML page."""
    named = requested_day()
    day = named or daily.today_in_utc()
    state = app_state()
    dataset = state.localized()
    book = state.answers().daily
    belief = book.featured(day)
    reading = daily.reading_featuring(dataset, belief)
    lang_query = "" if dataset is state.dataset else f"&lang={dataset.language.tag}"
    words = dataset.interface
    page = render_template(
        "daily.html",
        language=dataset.language,
        languages=[d.language for d in state.datasets.values()],
        page=words.group("daily"),
        front=words.group("front_page"),
        labels=words.group("labels"),
        featured=words.text("daily.featured", date=day.isoformat()),
        tradition=words.text("daily.tradition", tradition=belief.tradition.name),
        day=day,
        date_query="" if named is None else f"?date={day.isoformat()}",
        previous=day - dt.timedelta(days=1) if day > daily.FIRST_DATE else None,
        next=day + dt.timedelta(days=1) if day < daily.LAST_DATE else None,
        lang_query=lang_query,
        belief=belief,
        reading=reading,
        reading_href=reading_page(reading.id) + lang_query.replace("&", "?", 1),
        info=dataset.info,
    )
    response = in_language(Response(page, mimetype="text/html"), dataset.language.tag)
    response.headers["Content-Security-Policy"] = HOME_CSP
    if named is not None:
        return conditional(response)
    control, expires = daily.daily_cache_control(daily.utc_now())
    response.headers["Cache-Control"] = control
    response.expires = expires
    response.add_etag()
    response.make_conditional(request)
    return response


def init_app(app: Flask) -> None:
    """Serve ``/daily``."""
    app.register_blueprint(blp)
