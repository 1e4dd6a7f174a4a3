"""Bad input gets a 4xx problem-details answer that names the field and allowed values."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from service import create_app

from .helpers import assert_problem


@pytest.mark.parametrize(
    ("query", "field", "allowed"),
    [
        ("lip=upper", "side", "left, right"),
        ("side=left", "lip", "upper, lower"),
        ("side=middle&lip=upper", "side", "left, right"),
        ("side=LEFTT&lip=upper", "side", "left, right"),
        ("side=&lip=upper", "side", "left, right"),
        ("side=left&lip=both", "lip", "upper, lower"),
        ("side=left&lip=upper&sudden=maybe", "sudden", "true, false"),
        ("side=left&lip=upper&sudden=", "sudden", "true, false"),
        ("side=left&lip=upper&mood=grumpy", "mood", "side, lip, sudden"),
        (f"side={'x' * 1500}&lip=upper", "side", "left, right"),
        ("side=%FF%FE&lip=upper", "side", "left, right"),
        ("side=left%00&lip=upper", "side", "left, right"),
    ],
    ids=[
        "missing side",
        "missing lip",
        "unknown side",
        "typo in any case",
        "empty side",
        "unknown lip",
        "not a boolean",
        "empty boolean",
        "unknown parameter",
        "very long value",
        "non-UTF-8 bytes",
        "control byte",
    ],
)
def test_bad_query_names_the_parameter_and_allowed_values(
    client: FlaskClient, query: str, field: str, allowed: str
) -> None:
    """Each kind of bad query parameter gets a 422 naming it and what it may be."""
    body = assert_problem(client.get(f"/v1/readings?{query}"), 422)
    assert list(body["errors"]) == [field]
    assert allowed in body["errors"][field][0]
    assert f"'{field}'" in body["detail"] and allowed in body["detail"]


def test_every_bad_parameter_is_reported_at_once(client: FlaskClient) -> None:
    """A request with several mistakes hears about all of them in one answer."""
    body = assert_problem(client.get("/v1/readings?side=up&sudden=perhaps"), 422)
    assert set(body["errors"]) == {"side", "lip", "sudden"}


def test_long_value_is_not_echoed_back(client: FlaskClient) -> None:
    """The error never repeats the client's value, so a huge value gives a small answer."""
    response = client.get(f"/v1/readings?side={'x' * 1500}&lip=upper")
    assert len(response.data) < 1000


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_wrong_method_answers_405_with_allow(client: FlaskClient, method: str) -> None:
    """Writing to a read-only resource answers 405 and lists the allowed methods (RFC 9110)."""
    response = client.open("/v1/readings?side=left&lip=upper", method=method)
    assert_problem(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}


def test_unknown_path_answers_404_problem(client: FlaskClient) -> None:
    """A path the API does not have answers 404 as problem details."""
    assert_problem(client.get("/v1/horoscopes"), 404)


def test_unexpected_failure_answers_500_without_details(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected error answers a plain 500 problem: no traceback, no internal path."""
    from service.api import readings

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal detail at /srv/service/x.py")

    monkeypatch.setattr(readings.Readings, "get", explode)
    app = create_app({"PROPAGATE_EXCEPTIONS": False})
    response = app.test_client().get("/v1/readings?side=left&lip=upper")
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert body["detail"].startswith("The server could not answer")


@pytest.mark.parametrize(
    "query",
    ["side=left&side=right&lip=upper", "side=left&lip=upper&lip=upper"],
    ids=["different values", "same value"],
)
def test_repeated_parameter_is_a_400_naming_it(client: FlaskClient, query: str) -> None:
    """A parameter given twice is ambiguous: 400, naming it, rather than taking the first."""
    body = assert_problem(client.get(f"/v1/readings?{query}"), 400)
    (name,) = body["errors"]
    assert name in query and "Give it once" in body["errors"][name][0]


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "image/png;q=1, */*;q=0"])
def test_unacceptable_accept_is_a_406(client: FlaskClient, accept: str) -> None:
    """A client that accepts no JSON hears so with a 406."""
    body = assert_problem(
        client.get("/v1/readings?side=left&lip=upper", headers={"Accept": accept}), 406
    )
    assert "application/json" in body["detail"]


@pytest.mark.parametrize(
    "accept", ["application/json", "*/*", "application/*", "text/html, application/json;q=0.5"]
)
def test_accept_that_allows_json_is_served(client: FlaskClient, accept: str) -> None:
    """Any Accept that admits JSON gets the reading."""
    response = client.get("/v1/readings?side=left&lip=upper", headers={"Accept": accept})
    assert response.status_code == 200


def test_overlong_query_string_is_a_414(client: FlaskClient) -> None:
    """A query string over 2 KiB is refused before any parsing."""
    assert_problem(client.get(f"/v1/readings?side=left&lip=upper&q={'x' * 3000}"), 414)


def test_huge_headers_are_a_431(client: FlaskClient) -> None:
    """Request headers over 8 KiB in all are refused."""
    headers = {f"X-Padding-{n}": "y" * 1000 for n in range(10)}
    assert_problem(client.get("/v1/readings?side=left&lip=upper", headers=headers), 431)


def test_request_body_is_a_413(client: FlaskClient) -> None:
    """This read-only API takes no body; a large one is refused."""
    response = client.get("/v1/readings?side=left&lip=upper", data=b"x" * 5000)
    assert_problem(response, 413)


def test_control_bytes_in_header_values_do_not_break_the_answer(client: FlaskClient) -> None:
    """A request id full of control characters is replaced, never echoed."""
    response = client.get(
        "/v1/readings?side=left&lip=upper", headers={"X-Request-ID": "abc\x01\x7f"}
    )
    assert response.status_code == 200
    assert "\x01" not in response.headers["X-Request-ID"]
