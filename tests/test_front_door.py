"""Repeated GETs are answered from kept copies, exactly as Flask answers them the first time."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import itertools
import json
from typing import Any

import brotli
import pytest
from flask import Flask, Response, request
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder, TestResponse

from service import create_app
from service.edge.answer_cache import ENTRY_OVERHEAD_BYTES, AnswerCache, CachedAnswer, is_cacheable
from service.edge.checks import MAX_BODY_BYTES, refusal_of
from service.edge.front import FrontDoor
from service.edge.observability import flush_logs
from service.edge.routing import canonical_path
from service.retirement import Retirement

from .helpers import TEST_SETTINGS, metric

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
        # As Granian marks a chunked body: its end is known though its length is not.
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
        ("/v1/./readings/.", "/v1/readings/"),
        ("/v1/omens/../readings", "/v1/omens/../readings"),
        ("/../../v1/readings", "/../../v1/readings"),
        ("/v1/omens/", "/v1/omens/"),
        ("//", "/"),
    ],
)
def test_every_spelling_of_a_path_is_one_path(path: str, canonical: str) -> None:
    """Merged slashes and no ``.`` segments: one path for limits, cache and routing; ``..``
    segments are kept (the server decodes ``%2F`` first), so such a path is a 404."""
    assert canonical_path(path) == canonical


KEPT_URLS = [
    *URLS,
    "/v1",
    "/v1/cards?side=right&lip=lower&sudden=false",
    "/v1/readings/left-upper-sudden?lang=es",
    "/v1/languages",
    "/v1/sources?page_size=3&utm_source=newsletter",
    "/openapi.json",
    "/readings",
    "/readings/left-upper-sudden?lang=hi",
    "/readings/left-upper-sudden/image.png",
    "/omens/jamaica-lips-twitch-kiss",
    "/demo",
    "/demo/demo.css",
    "/widget.js",
    "/docs/static/swagger-ui.css",
    "/docs/app/swagger-init.js",
    "/favicon.ico",
    "/readme",
    "/license",
]
"""A URL of every kind of answer the front door keeps: API answers, pages, their images and
style sheets, scripts, files; in other languages and with tracking parameters too."""

KEY_HEADERS = ("Accept-Encoding", "Accept-Language", "Origin")
"""The request headers the answer key is made of: a kept answer's first request had them."""

REQUESTS = [
    ("GET", {}),
    ("HEAD", {}),
    ("GET", {"Accept-Encoding": "gzip, deflate, br, zstd"}),
    ("GET", {"Accept-Encoding": "gzip"}),
    ("GET", {"Accept-Encoding": "br;q=0, *"}),
    ("HEAD", {"Accept-Encoding": "br"}),
    ("GET", {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}),
    ("GET", {"Accept-Language": "tr", "Accept-Encoding": "br"}),
    ("GET", {"Accept-Language": "fr"}),
    ("GET", {"Origin": "https://a.example"}),
    ("GET", {"Origin": "https://elsewhere.example", "Accept-Encoding": "gzip"}),
    ("GET", {"If-None-Match": "{etag}"}),
    ("GET", {"If-None-Match": "W/{etag}", "Accept-Encoding": "br"}),
    ("GET", {"If-None-Match": '"another", {etag}', "Accept-Language": "hi"}),
    ("GET", {"If-None-Match": '"another"'}),
    ("GET", {"If-None-Match": "*"}),
    ("HEAD", {"If-None-Match": "{etag}", "Accept-Encoding": "gzip"}),
    ("GET", {"Accept": "application/json, text/plain, */*"}),
    ("GET", {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}),
    ("GET", {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"}),
    ("GET", {"Cookie": "session=1", "Authorization": "Bearer x", "Cache-Control": "no-cache"}),
    ("GET", {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}),
    ("GET", {"Referer": "https://x.example/", "X-Request-ID": "abc-123", "DNT": "1"}),
]
"""Requests for a kept answer that differ in every header a request hook might read: each
encoding, language and Origin (so each kept copy), 304s, HEAD, and headers the key ignores."""

APP_SETTINGS = {
    "defaults": {},
    "origins listed": {"CORS_ORIGINS": ["https://a.example"]},
    "retirement announced": {
        "RETIREMENT": Retirement(dt.date(2030, 1, 1), dt.date(2031, 1, 1), "https://v2.example/")
    },
}


def kept_answer_differences(
    app: Flask, method: str, url: str, headers: dict[str, str]
) -> list[str]:
    """How the kept answer to a request differs from what Flask, every hook run, answers it.

    The answer is kept from GETs that share only the key's headers with the request; then
    the request is answered with Flask unreachable (so surely from the copy), and again
    with no copy (so by Flask).
    """
    client = app.test_client()
    front = front_door(client)
    first = {name: value for name, value in headers.items() if name in KEY_HEADERS}
    etag = ""
    for _ in range(2):
        etag = answered(client, "GET", url, first).headers.get("ETag", "")
    headers = {name: value.replace("{etag}", etag) for name, value in headers.items()}
    flask = front.app

    def flask_must_not_be_called(*args: object) -> list[bytes]:
        raise AssertionError(f"{method} {url} {headers}: not answered from a kept copy")

    front.app = flask_must_not_be_called
    try:
        kept = answered(client, method, url, headers)
    finally:
        front.app = flask
    cache, front.cache = front.cache, AnswerCache(0)
    try:
        reference = answered(client, method, url, headers)
    finally:
        front.cache = cache
    differences = []
    if kept.status != reference.status:
        differences.append(f"status {kept.status} != {reference.status}")
    if decoded(kept) != decoded(reference):
        differences.append("body")
    kept_headers, flask_headers = stable_headers(kept), stable_headers(reference)
    for name in sorted(kept_headers.keys() | flask_headers.keys()):
        if kept_headers.get(name) != flask_headers.get(name):
            differences.append(f"{name}: {kept_headers.get(name)!r} != {flask_headers.get(name)!r}")
    return differences


def answered(client: FlaskClient, method: str, url: str, headers: dict[str, str]) -> TestResponse:
    """The answer to a request, read and closed (an answer from a file holds it open till then)."""
    response = client.open(url, method=method, headers=headers)
    response.get_data()
    response.close()
    return response


def decoded(response: TestResponse) -> bytes:
    """The body as it was before compression (what a client reads); a HEAD's is empty."""
    decoder = {"gzip": gzip.decompress, "br": brotli.decompress}.get(
        response.headers.get("Content-Encoding", ""), bytes
    )
    body: bytes = decoder(response.data) if response.data else b""
    return body


@pytest.mark.slow  # about 2 s per setting: 24 URLs x 23 requests, each asked twice
@pytest.mark.parametrize("settings", APP_SETTINGS.values(), ids=APP_SETTINGS.keys())
def test_a_kept_answer_is_what_flask_and_every_hook_answer(settings: dict[str, Any]) -> None:
    """Served from a copy, Flask and its request hooks skipped, each answer is Flask's own:
    status, headers (but the per-request ones) and body, for every kind of kept answer."""
    app = create_app({**TEST_SETTINGS, **settings})
    differences = {
        f"{method} {url} {headers}": found
        for url in KEPT_URLS
        for method, headers in REQUESTS
        if (found := kept_answer_differences(app, method, url, headers))
    }
    assert differences == {}


def test_a_hook_a_kept_answer_would_skip_fails_the_comparison_by_what_it_does() -> None:
    """A new request hook that changes answers shows up as kept answers unlike Flask's;
    one whose work the copy already carries (a fixed header) does not."""
    numbered = create_app(TEST_SETTINGS)
    served = itertools.count()

    @numbered.after_request
    def number_each_answer(response: Response) -> Response:
        response.headers["X-Answer-Number"] = str(next(served))
        return response

    assert kept_answer_differences(numbered, "GET", URLS[3], {}) == ["X-Answer-Number: '1' != '2'"]

    guarded = create_app(TEST_SETTINGS)

    @guarded.before_request
    def refuse_crawlers() -> Response | None:
        crawler = "Googlebot" in request.headers.get("User-Agent", "")
        return Response("no crawlers", status=403) if crawler else None

    assert kept_answer_differences(guarded, "GET", URLS[3], {}) == []
    assert "status 200 OK != 403 FORBIDDEN" in kept_answer_differences(
        guarded, "GET", URLS[3], {"User-Agent": "Googlebot/2.1"}
    )

    fixed = create_app(TEST_SETTINGS)

    @fixed.after_request
    def add_a_fixed_header(response: Response) -> Response:
        response.headers["X-Frame-Options"] = "DENY"
        return response

    assert all(
        kept_answer_differences(fixed, method, URLS[3], headers) == []
        for method, headers in REQUESTS
    )


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
