"""The omen of the day: /v1/daily, its caching until midnight UTC, and the /daily page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.api import daily
from service.state import AppState

from .helpers import assert_problem

LANGUAGES = ("en", "es", "hi", "tr")
Clock = Callable[[str], None]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Stand at a moment in UTC: ``clock("2026-12-04T23:00:00")``."""

    def stand_at(moment: str) -> None:
        at = dt.datetime.fromisoformat(moment).replace(tzinfo=dt.UTC)
        monkeypatch.setattr(daily, "utc_now", lambda: at)

    return stand_at


def state(app: Flask) -> AppState:
    shared: AppState = app.extensions["twitchlore"]
    return shared


def test_everyone_gets_the_same_belief_on_a_date_in_every_language(client: FlaskClient) -> None:
    """A date features one belief and one reading, whatever the language; only the text and
    the ETag change with it."""
    answers = [client.get(f"/v1/daily?date=2026-12-04&lang={tag}") for tag in LANGUAGES]
    bodies = [answer.get_json() for answer in answers]
    assert {body["belief"]["omen_id"] for body in bodies} == {bodies[0]["belief"]["omen_id"]}
    assert {body["reading"]["reading_id"] for body in bodies} == {bodies[0]["card"]["reading_id"]}
    assert [answer.headers["Content-Language"] for answer in answers] == list(LANGUAGES)
    assert len({answer.headers["ETag"] for answer in answers}) == len(LANGUAGES)
    assert len({body["belief"]["headline"] for body in bodies}) == len(LANGUAGES)
    by_header = client.get("/v1/daily?date=2026-12-04", headers={"Accept-Language": "hi-IN"})
    assert by_header.data == answers[2].data


def test_the_days_go_through_the_documented_beliefs_first_then_the_others(
    app: Flask, client: FlaskClient
) -> None:
    """From the rotation's first day, every belief comes once per cycle, the documented ones
    first, then the cycle starts again."""
    omens = state(app).dataset.omens
    documented = {omen.id for omen in omens if omen.attestation == "documented"}
    cycle = len(omens)
    featured = []
    for offset in range(cycle + 2):
        day = daily.ROTATION_START + dt.timedelta(days=offset)
        featured.append(client.get(f"/v1/daily?date={day}").get_json()["belief"]["omen_id"])
    assert sorted(featured[:cycle]) == sorted(omen.id for omen in omens)
    assert set(featured[: len(documented)]) == documented
    assert featured[cycle:] == featured[:2]


def test_consecutive_days_change_tradition_where_they_can(app: Flask) -> None:
    """Within the documented beliefs, the first days each come from another tradition."""
    omens = state(app).dataset.omens
    traditions = {omen.tradition.id for omen in omens if omen.attestation == "documented"}
    order = daily.rotation(omens)
    assert len({omen.tradition.id for omen in order[: len(traditions)]}) == len(traditions)


def test_the_reading_shown_is_one_the_belief_belongs_to(app: Flask) -> None:
    """Each belief of the rotation comes with a reading that lists it (or that it speaks of)."""
    dataset = state(app).dataset
    for omen in daily.rotation(dataset.omens):
        reading = daily.reading_featuring(dataset, omen)
        assert omen.applies_to(reading.side, reading.lip, reading.sudden), omen.id
        listing = [r for r in dataset.readings if omen in r.omen.beliefs]
        assert not listing or omen in reading.omen.beliefs, omen.id


def test_today_is_fresh_until_the_next_midnight_utc(client: FlaskClient, clock: Clock) -> None:
    """Without a date: today's omen, cached by browsers and CDNs until midnight UTC exactly."""
    clock("2026-12-04T23:00:00")
    answer = client.get("/v1/daily")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "public, max-age=3600, s-maxage=3600"
    assert answer.headers["Expires"] == "Sat, 05 Dec 2026 00:00:00 GMT"
    assert answer.headers["Last-Modified"] == "Fri, 04 Dec 2026 00:00:00 GMT"
    body = answer.get_json()
    assert body["date"] == "2026-12-04"
    assert body["valid_until"] == "2026-12-05T00:00:00+00:00"
    assert body == client.get("/v1/daily?date=2026-12-04").get_json()


def test_a_named_date_is_cached_like_any_answer(client: FlaskClient, clock: Clock) -> None:
    """With a date the answer never changes for this dataset: the usual caching, no Expires."""
    clock("2026-12-04T23:00:00")
    answer = client.get("/v1/daily?date=2026-12-04")
    assert answer.headers["Cache-Control"] == client.get("/v1/omens").headers["Cache-Control"]
    assert "Expires" not in answer.headers
    again = client.get(
        "/v1/daily?date=2026-12-04", headers={"If-None-Match": answer.headers["ETag"]}
    )
    assert again.status_code == 304


def test_a_new_day_brings_a_new_omen_even_from_the_front_doors_copies(
    client: FlaskClient, clock: Clock
) -> None:
    """Repeated requests before midnight are not kept past it: after midnight the next day's
    omen comes, and yesterday's validators no longer match."""
    clock("2026-12-04T23:59:59")
    before = [client.get("/v1/daily") for _ in range(3)]
    assert before[-1].headers["Cache-Control"] == "public, max-age=1, s-maxage=1"
    clock("2026-12-05T00:00:00")
    assert client.get("/v1/daily").get_json()["date"] == "2026-12-05"
    after = client.get(
        "/v1/daily",
        headers={
            "If-None-Match": before[0].headers["ETag"],
            "If-Modified-Since": before[0].headers["Last-Modified"],
        },
    )
    assert after.status_code == 200
    assert after.get_json()["date"] == "2026-12-05"
    assert after.get_json()["belief"] != before[0].get_json()["belief"]
    assert after.headers["Cache-Control"] == "public, max-age=86400, s-maxage=86400"


@pytest.mark.parametrize(
    "value", ["2026-12-4", "20261204", "2026-02-30", "04/12/2026", "1999-12-31", "2100-01-01", ""]
)
@pytest.mark.parametrize("path", ["/v1/daily", "/daily"])
def test_a_bad_date_is_a_422_naming_the_field_and_the_format(
    client: FlaskClient, path: str, value: str
) -> None:
    """A date not written YYYY-MM-DD, not in the calendar or out of range is refused."""
    body = assert_problem(client.get(f"{path}?date={value}"), 422)
    assert body["errors"] == {"date": [daily.DATE_MESSAGE]}
    assert "YYYY-MM-DD" in body["detail"] and "2000-01-01" in body["detail"]


def test_the_date_problem_speaks_the_language(client: FlaskClient) -> None:
    """The 422's message is translated like every other, the format kept as written."""
    body = assert_problem(client.get("/v1/daily?date=someday&lang=es"), 422)
    spanish = state(client.application).datasets["es"].interface
    expected = spanish.text("problems.date_range", first="2000-01-01", last="2099-12-31")
    assert expected != daily.DATE_MESSAGE and "YYYY-MM-DD" in expected
    assert body["errors"]["date"] == [expected]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_daily_page_shows_the_days_belief_and_reading(
    client: FlaskClient, clock: Clock, language: str
) -> None:
    """/daily is an HTML page in the language, with the API's belief and reading for the day,
    links to the days around it, and the API's caching until midnight."""
    clock("2026-12-04T12:00:00")
    page = client.get(f"/daily?lang={language}")
    api = client.get(f"/v1/daily?lang={language}").get_json()
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert f'<html lang="{language}">' in html
    assert f'data-omen="{api["belief"]["omen_id"]}"' in html
    assert f'data-reading="{api["reading"]["reading_id"]}"' in html
    assert api["belief"]["text"].replace("'", "&#39;") in html
    assert '<time datetime="2026-12-04">' in html
    assert "/daily?date=2026-12-03" in html and "/daily?date=2026-12-05" in html
    assert page.headers["Expires"] == "Sat, 05 Dec 2026 00:00:00 GMT"
    assert page.headers["Cache-Control"] == "public, max-age=43200, s-maxage=43200"


def test_the_daily_page_of_a_named_date(client: FlaskClient) -> None:
    """/daily?date= shows that day's belief and keeps the date in its language links."""
    answer = client.get("/daily?date=2026-01-01")
    assert "Expires" not in answer.headers
    page = answer.get_data(as_text=True)
    first = daily.rotation(state(client.application).dataset.omens)[0]
    assert f'data-omen="{first.id}"' in page
    assert 'href="/daily?date=2026-01-01&amp;lang=es"' in page


def test_the_spec_documents_the_daily_operation(client: FlaskClient) -> None:
    """getDaily documents its date parameter (format and range) and its Expires header."""
    spec = client.get("/openapi.json").get_json()
    operation = spec["paths"]["/v1/daily"]["get"]
    assert operation["operationId"] == "getDaily"
    (date,) = [p for p in operation["parameters"] if p["name"] == "date"]
    assert date["schema"]["format"] == "date"
    assert "YYYY-MM-DD" in date["description"]
    assert date["schema"]["pattern"] == "^20[0-9]{2}-[0-9]{2}-[0-9]{2}$"  # 2000 to 2099
    assert "Expires" in operation["responses"]["200"]["headers"]
    assert "Expires" in spec["components"]["headers"]  # the header's $ref resolves
    assert "422" in operation["responses"]
