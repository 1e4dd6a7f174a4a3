"""Repeated GETs are answered from kept copies, exactly as Flask answers them the first time."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder, TestResponse

from service import create_app
from service.edge.answer_cache import ENTRY_OVERHEAD_BYTES, AnswerCache, CachedAnswer, is_cacheable
from service.edge.checks import MAX_BODY_BYTES, refusal_of
from service.edge.front import FrontDoor
from service.edge.hooks import UnknownHookError, check_hooks
from service.edge.observability import flush_logs
from service.edge.routing import canonical_path

from .helpers import metric

URLS = [
    "/v1/readings?side=left&lip=upper&sudden=true",
    "/v1/readings?side=left&lip=upper&symptoms=loss-of-taste",
    "/v1/omens?page_size=5&side=right",
    "/v1/conditions/stroke",
    "/v1/dataset",
]
PER_REQUEST = {"X-Request-ID", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Date"}


def fresh_client(**config: Any) -> FlaskClient:
    """A client of an app of its own: for other settings, or a test that changes the app (the
    shared ``client`` fixture serves the rest, its answer cache emptied)."""
    return create_app({"TESTING": True, **config}).test_client()


def front_door(client: FlaskClient) -> FrontDoor:
    front = client.application.wsgi_app
    assert isinstance(front, FrontDoor)
    return front


def stable_headers(response: TestResponse) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in PER_REQUEST}


@pytest.mark.parametrize("url", URLS)
def test_repeat_is_answered_from_the_copy_identically(client: FlaskClient, url: str) -> None:
    """Once a request repeats, its answer is kept and served with Flask's status, headers, body."""
    first = client.get(url)
    assert len(front_door(client).cache) == 0, "a request asked once is not kept"
    client.get(url)
    assert len(front_door(client).cache) == 1
    third = client.get(url)
    assert third.status_code == first.status_code == 200
    assert third.data == first.data
    assert stable_headers(third) == stable_headers(first)


def test_one_off_queries_are_never_kept(client: FlaskClient) -> None:
    """A flood of distinct queries, each asked once, leaves nothing in the cache."""
    for n in range(50):
        assert client.get(f"/v1/omens?q=word{n}").status_code == 200
    assert len(front_door(client).cache) == 0


@pytest.mark.parametrize("weak", [False, True])
def test_not_modified_from_the_copy_matches_flasks(weak: bool) -> None:
    """A 304 from the copy has the headers Flask's 304 has."""
    url = URLS[2]
    flask_client, front_client = fresh_client(), fresh_client()
    etag = front_client.get(url).headers["ETag"]
    front_client.get(url)
    sent = {"If-None-Match": f"W/{etag}" if weak else etag}
    from_flask = flask_client.get(url, headers=sent)
    from_copy = front_client.get(url, headers=sent)
    assert from_flask.status_code == from_copy.status_code == 304
    assert stable_headers(from_copy) == stable_headers(from_flask)
    assert from_copy.data == b""


def test_head_from_the_copy_has_headers_and_no_body(client: FlaskClient) -> None:
    """HEAD of a kept answer gives its headers, Content-Length included, and no body."""
    got = client.get(URLS[0])
    client.get(URLS[0])
    head = client.head(URLS[0])
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == str(len(got.data))


def test_each_answer_has_its_own_request_id_and_rate_count() -> None:
    """Kept answers still carry a new request id and the client's current count."""
    client = fresh_client(RATELIMIT_DEFAULT="10 per minute")
    answers = [client.get(URLS[3]) for _ in range(3)]
    assert len({a.headers["X-Request-ID"] for a in answers}) == 3
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["9", "8", "7"]


def test_rate_limit_counts_answers_from_the_copy() -> None:
    """Repeats from the copy use up the limit like any request, then get a 429."""
    client = fresh_client(RATELIMIT_DEFAULT="2 per minute")
    assert [client.get(URLS[3]).status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Accept": "text/html"}, 406),
        ({"X-Padding": "y" * 9000}, 431),
    ],
    ids=["unacceptable Accept", "huge headers"],
)
def test_unusual_requests_still_get_flasks_rules(
    client: FlaskClient, headers: dict[str, str], status: int
) -> None:
    """A kept answer is never given to a request that Flask would refuse."""
    client.get(URLS[0])
    client.get(URLS[0])
    assert client.get(URLS[0], headers=headers).status_code == status


def test_body_on_a_repeat_still_gets_a_413(client: FlaskClient) -> None:
    """A request with a body goes to Flask even when its URL has a kept answer."""
    client.get(URLS[0])
    client.get(URLS[0])
    assert client.get(URLS[0], data=b"x" * 5000).status_code == 413
    chunked = client.get(
        URLS[0],
        input_stream=io.BytesIO(b"x" * 5000),
        headers={"Transfer-Encoding": "chunked"},
        # As gunicorn marks a chunked body: its end is known though its length is not.
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert chunked.status_code == 413, "a body without a length is refused like a sized one"


def test_a_small_chunked_body_passes_the_check_and_is_left_for_flask(client: FlaskClient) -> None:
    """The front door reads a chunked body to check its size; one within bounds is answered,
    and what the check read is still there for the app to read."""
    body = b"x" * MAX_BODY_BYTES
    environ = EnvironBuilder(
        URLS[0], headers=[("Transfer-Encoding", "chunked")], input_stream=io.BytesIO(body)
    ).get_environ()
    environ["wsgi.input_terminated"] = True
    assert refusal_of(environ) is None
    assert environ["wsgi.input"].read() == body
    answer = client.get(
        URLS[0],
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert answer.status_code == 200


def test_errors_are_not_kept(client: FlaskClient) -> None:
    """Only successful answers are kept; an error is worked out each time."""
    for _ in range(3):
        assert client.get("/v1/omens/none").status_code == 404
    assert len(front_door(client).cache) == 0


def test_answers_from_the_copy_are_counted_and_logged(capsys: pytest.CaptureFixture[str]) -> None:
    """Metrics and the request log see every answer, kept or not."""
    client = fresh_client()  # its request log writes to the stderr this test captures
    labels = {"endpoint": "conditions.ConditionItem", "method": "GET", "status": "200"}
    before = metric(
        client.get("/metrics").get_data(as_text=True), "twitchlore_http_requests_total", **labels
    )
    flush_logs()
    capsys.readouterr()
    for _ in range(3):
        client.get(URLS[3])
    flush_logs()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    routes = [line["route"] for line in lines if line["logger"] == "twitchlore.access"]
    assert routes == ["/v1/conditions/<condition_id>"] * 3
    after = metric(
        client.get("/metrics").get_data(as_text=True), "twitchlore_http_requests_total", **labels
    )
    assert after - before == 3


def test_cache_keeps_within_its_byte_budget() -> None:
    """The least recently used answers go first once the budget is spent."""
    cache = AnswerCache(budget_bytes=8 * (ENTRY_OVERHEAD_BYTES + 110))

    def answer(size: int) -> CachedAnswer:
        return CachedAnswer([], [], b"x" * size, None, "e", None)

    for n in range(10):
        cache.put(("path", str(n)), answer(100))
    assert cache.size <= cache.budget
    assert cache.get(("path", "0")) is None and cache.get(("path", "9")) is not None
    cache.put(("too", "big"), answer(cache.budget // 2))
    assert cache.get(("too", "big")) is None, "one answer may not take most of the budget"


def test_cache_budget_counts_keys_headers_and_bookkeeping() -> None:
    """What an answer costs is all it holds, not its body alone."""
    cache = AnswerCache(budget_bytes=1_000_000)
    headers = [("X-Padding", "p" * 500)]
    cache.put(
        ("/v1/omens", "q=" + "k" * 1000), CachedAnswer(headers, headers, b"", None, "e", None)
    )
    assert cache.size >= 1000 + 2 * 500 + ENTRY_OVERHEAD_BYTES


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/v1/readings", "/v1/readings"),
        ("//v1/readings", "/v1/readings"),
        ("/v1//readings", "/v1/readings"),
        ("/./v1/readings", "/v1/readings"),
        ("/v1/omens/../readings", "/v1/readings"),
        ("/../../v1/readings", "/v1/readings"),
        ("/v1/omens/", "/v1/omens/"),
        ("//", "/"),
    ],
)
def test_every_spelling_of_a_path_is_one_path(path: str, canonical: str) -> None:
    """Merged slashes and resolved dot segments: one path for limits, cache and routing."""
    assert canonical_path(path) == canonical


def test_a_request_hook_the_front_door_does_not_know_stops_start_up() -> None:
    """A new before/after_request hook, silently skipped on cached answers, is refused by name."""
    app = create_app({"TESTING": True})

    @app.after_request
    def add_a_header(response: Any) -> Any:
        return response

    with pytest.raises(UnknownHookError, match="'add_a_header' would be skipped"):
        check_hooks(app)


def test_answers_varying_on_other_headers_are_not_kept() -> None:
    """An answer that says Vary: Accept is not kept, since the cache key ignores Accept."""
    assert is_cacheable([("Cache-Control", "public"), ("ETag", '"x"')])
    assert not is_cacheable([("Cache-Control", "public"), ("ETag", '"x"'), ("Vary", "Accept")])
    assert not is_cacheable([("Cache-Control", "public")]), "no ETag"
    assert not is_cacheable([("ETag", '"x"')]), "not public"


def test_configured_origins_keep_one_copy_per_origin() -> None:
    """With a list of origins, each Origin gets its own answer (CORS headers differ)."""
    client = fresh_client(CORS_ORIGINS=["https://a.example", "https://b.example"])
    for origin in ("https://a.example", "https://b.example", "https://c.example") * 2:
        response = client.get(URLS[3], headers={"Origin": origin})
        allowed = response.headers.get("Access-Control-Allow-Origin")
        assert allowed == (None if origin == "https://c.example" else origin)


@pytest.mark.parametrize(
    "accept", ["application/json, text/plain, */*", "text/html, application/json;q=0.9"]
)
def test_any_accept_admitting_json_is_answered_from_the_copy(accept: str) -> None:
    """Common clients' Accept values (axios sends the first) get the kept copy, not Flask."""
    client = fresh_client()
    first = client.get(URLS[3], headers={"Accept": accept})
    client.get(URLS[3], headers={"Accept": accept})
    front = front_door(client)

    def flask_must_not_be_called(*args: object) -> list[bytes]:
        raise AssertionError("the repeat went to Flask")

    front.app = flask_must_not_be_called
    repeat = client.get(URLS[3], headers={"Accept": accept})
    assert repeat.status_code == 200 and repeat.data == first.data
