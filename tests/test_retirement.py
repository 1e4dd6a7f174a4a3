"""Once /v1's retirement is announced, every /v1 answer says so (RFC 9745, RFC 8594)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.config import ConfigError, settings_from_env

from .helpers import TEST_SETTINGS, empty_answer_cache

ANNOUNCED = {
    "TWITCHLORE_DEPRECATION_DATE": "2027-01-01",
    "TWITCHLORE_SUNSET_DATE": "2027-07-01",
    "TWITCHLORE_SUCCESSOR_URL": "/v2/",
}


def client_with(environ: dict[str, str]) -> FlaskClient:
    settings = settings_from_env(environ)
    app = create_app({**settings, **TEST_SETTINGS})
    return app.test_client()


@pytest.fixture(scope="module")
def announced_app() -> Flask:
    """The service with /v1's retirement announced (deprecation, sunset and successor)."""
    return create_app({**settings_from_env(ANNOUNCED), **TEST_SETTINGS})


@pytest.fixture
def announced(announced_app: Flask) -> FlaskClient:
    """A client of the announcing app whose front door keeps no answer from earlier tests."""
    empty_answer_cache(announced_app)
    return announced_app.test_client()


def test_nothing_is_announced_by_default() -> None:
    """Without the settings, answers carry no Deprecation, Sunset or deprecation link."""
    answer = client_with({}).get("/v1/readings?side=left&lip=upper")
    assert "Deprecation" not in answer.headers
    assert "Sunset" not in answer.headers
    assert 'rel="deprecation"' not in answer.headers.get("Link", "")


@pytest.mark.parametrize(
    "path", ["/v1/readings?side=left&lip=upper", "/v1/cards/left-upper-sudden", "/v1"]
)
def test_every_v1_answer_announces_the_retirement_even_when_kept(
    announced: FlaskClient, path: str
) -> None:
    """The first answer and the front door's kept copies all carry the same headers."""
    for _ in range(3):
        answer = announced.get(path)
        assert answer.status_code == 200
        assert answer.headers["Deprecation"] == "@1798761600"  # 2027-01-01T00:00:00Z
        assert answer.headers["Sunset"] == "Thu, 01 Jul 2027 00:00:00 GMT"
        links = answer.headers["Link"]
        assert '</readme>; rel="deprecation"; type="text/markdown"' in links
        assert '</v2/>; rel="successor-version"' in links


def test_pagination_links_are_kept_beside_the_announcement(announced: FlaskClient) -> None:
    """A list's first/next links stay in Link, followed by the deprecation links."""
    links = announced.get("/v1/omens?page_size=5").headers["Link"]
    assert 'rel="next"' in links and 'rel="first"' in links
    assert links.index('rel="next"') < links.index('rel="deprecation"')


@pytest.mark.parametrize("path", ["/healthz", "/openapi.json", "/"])
def test_answers_outside_v1_say_nothing(announced: FlaskClient, path: str) -> None:
    """Probes, the spec and the front page are not part of /v1 and are not retired."""
    answer = announced.get(path)
    assert "Deprecation" not in answer.headers
    assert "Sunset" not in answer.headers


def test_a_deprecation_without_sunset_or_successor_is_announced_alone() -> None:
    """Deprecation may come first; Sunset and the successor link follow when known."""
    answer = client_with({"TWITCHLORE_DEPRECATION_DATE": "2027-01-01"}).get("/v1/sources")
    assert answer.headers["Deprecation"] == "@1798761600"
    assert "Sunset" not in answer.headers
    assert "successor-version" not in answer.headers["Link"]


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"TWITCHLORE_DEPRECATION_DATE": "soon"}, "TWITCHLORE_DEPRECATION_DATE='soon'"),
        ({"TWITCHLORE_SUNSET_DATE": "2027-07-01"}, "TWITCHLORE_SUNSET_DATE needs"),
        ({"TWITCHLORE_SUCCESSOR_URL": "/v2/"}, "TWITCHLORE_SUCCESSOR_URL needs"),
        (
            {"TWITCHLORE_DEPRECATION_DATE": "2027-07-01", "TWITCHLORE_SUNSET_DATE": "2027-01-01"},
            "TWITCHLORE_SUNSET_DATE='2027-01-01': must be after",
        ),
        (
            {"TWITCHLORE_DEPRECATION_DATE": "2027-01-01", "TWITCHLORE_SUCCESSOR_URL": "v2 now"},
            "TWITCHLORE_SUCCESSOR_URL='v2 now'",
        ),
    ],
)
def test_a_setting_that_cannot_be_announced_stops_start_up(
    environ: dict[str, str], named: str
) -> None:
    """A bad date, a sunset before the deprecation or a bad URL names the variable."""
    with pytest.raises(ConfigError, match=re.escape(named)):
        settings_from_env(environ)
