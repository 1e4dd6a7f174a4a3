"""The service as `make run` starts it, and behind its proxy as deployed, against hostile and
faulty surroundings.

Short versions of what `make abuse` runs at length: slow clients, odd path spellings,
made-up methods, requests the HTTP server refuses itself, a Redis that dies or freezes,
and data edited under a running server. Tests that leave the server's settings alone share
the suite's one server (the ``server`` fixture); the others start their own.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .hostile import (
    MALFORMED_CHUNKS,
    PATH_SPELLINGS,
    READING,
    eventually,
    expect_continue_with_huge_body,
    malformed_chunked,
    one_answer,
    random_method_requests,
    raw_exchange,
    request,
    slow_clients,
    spelled_readings,
    split_answer,
    status_line,
)
from .live_server import Server, running_server
from .nginx_proxy import NGINX, running_nginx
from .redis_server import REDIS_SERVER, running_redis

pytestmark = pytest.mark.slow

needs_redis = pytest.mark.skipif(
    REDIS_SERVER is None, reason="no redis-server: install Debian's redis-server (.ci/run does)"
)


def port_of(server: Server | str) -> int:
    """The port of a started server, or of a base URL such as the ``server`` fixture's."""
    url = server if isinstance(server, str) else server.url
    return int(url.rsplit(":", 1)[1])


# --- Slow clients ---------------------------------------------------------------------------


def test_slow_clients_do_not_hold_up_other_requests(server: str) -> None:
    """Connections that trickle their headers a byte at a time leave one worker free to answer."""
    port = port_of(server)  # the shared server has one worker
    with slow_clients(port, count=30, byte_interval=0.5):
        time.sleep(1.5)
        answers = [request(port, READING, timeout=5) for _ in range(5)]
    assert [answer.status for answer in answers] == [200] * 5


# --- Path spellings ---------------------------------------------------------------------------


def test_every_spelling_of_the_api_counts_against_the_limit() -> None:
    """'//v1/', '/v1//' and '/./v1/' spellings reach the API only within the limit."""
    with running_server(TWITCHLORE_RATE_LIMIT="5 per minute") as server:
        statuses = spelled_readings(port_of(server), per_spelling=4)
    every = [status for spelling in statuses.values() for status in spelling]
    assert len(every) == 4 * len(PATH_SPELLINGS)
    assert every.count(200) == 5
    assert set(every) == {200, 429}, statuses


def test_redirects_never_point_at_the_host_header(server: str) -> None:
    """A spoofed Host never comes back as a redirect: odd spellings are answered in place."""
    answer = request(port_of(server), "/v1//omens?page=2", headers={"Host": "evil.example"})
    assert answer.status == 200
    assert "location" not in answer.headers


# --- Made-up methods and metrics ----------------------------------------------------------------


def test_made_up_methods_do_not_grow_the_metrics(server: str) -> None:
    """Hundreds of invented method names are counted under one label, 'other'."""
    port = port_of(server)
    before = len(request(port, "/metrics").body)
    statuses = random_method_requests(port, 300)
    text = request(port, "/metrics").body.decode()
    assert set(statuses) <= {400, 405, 501}
    assert len(text.encode()) - before < 5_000
    assert 'method="other"' in text


# --- Requests the HTTP server refuses itself ------------------------------------------------

CLOSING = b"Host: x\r\nConnection: close\r\n"
"""Headers that have the answer end the connection, so the whole of it can be read."""

UNREADABLE_REQUESTS = {
    "9 KB request line": (
        b"GET /v1/readings?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        414,
    ),
    "16.5 KB header": (
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 16500 + b"\r\n\r\n",
        431,
    ),
    "150 headers": (
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Many: 1\r\n" * 150 + b"\r\n",
        431,
    ),
    "bare CR": (b"GET /healthz HTTP/1.1\r\nHost: x\rBad\r\n\r\n", 400),
    "bare LF": (b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad\nHeader: y\r\n\r\n", 400),
}
"""Requests no server should pass on as they are, and the status each deserves."""

GRANIAN_OWN_ANSWERS = {"150 headers", "bare CR", "bare LF"}
"""The requests Granian itself refuses before the app runs: with the right status and an
empty body, not a problem (it offers no hook for that body). The proxy gives the problem
for those it refuses itself; more than 100 header fields pass nginx, and Granian's empty
431 comes through."""


@pytest.fixture(scope="module")
def edge(server: str) -> Iterator[int]:
    """The suite's shared server behind nginx with the project's proxy configuration, as
    deployed; nginx's port."""
    if NGINX is None:
        pytest.skip("no nginx: install Debian's nginx (.ci/run does)")
    with running_nginx(port_of(server)) as port:
        yield port


@pytest.mark.parametrize("name", UNREADABLE_REQUESTS)
def test_requests_refused_before_the_app_get_problem_details_at_the_edge(
    edge: int, name: str
) -> None:
    """As deployed, even answers given before the app runs are RFC 9457 problems."""
    raw, status = UNREADABLE_REQUESTS[name]
    code, headers, body = split_answer(one_answer(edge, raw))
    if name == "bare LF":  # nginx drops a header line it cannot read (ignore_invalid_headers)
        assert code == 200
        return
    assert code == status, (name, headers)
    if name == "150 headers":
        assert body == b""
        return
    assert headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == status and problem["detail"]


@pytest.mark.parametrize("name", UNREADABLE_REQUESTS)
def test_requests_refused_before_the_app_get_their_status_from_the_server_alone(
    server: str, name: str
) -> None:
    """Without the proxy, each gets its 4xx, the app's problem where the app can answer, and
    Granian's empty answer (connection closed) where it refuses first: never a 5xx."""
    raw, status = UNREADABLE_REQUESTS[name]
    code, headers, body = split_answer(raw_exchange(port_of(server), raw))
    assert code == status
    if name in GRANIAN_OWN_ANSWERS:
        assert body == b"" and headers["connection"] == "close"
    else:
        assert json.loads(body)["status"] == status


# --- Malformed framing and odd requests ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/healthz", READING, "/nowhere"])
def test_malformed_chunked_framing_is_a_400_problem_at_the_edge(edge: int, path: str) -> None:
    """As deployed, chunk sizes zz, -5 and 0x5, a missing CRLF: 400 problems. nginx does not
    read trailers (this API has no use for them), so a malformed one is dropped and the
    request answered; a client that stops sending mid-body is taken to have gone."""
    for name, framing in MALFORMED_CHUNKS.items():
        answer = raw_exchange(
            edge,
            malformed_chunked(path, framing).replace(b"\r\n", b"\r\nConnection: close\r\n", 1),
            half_close=name == "truncated body",
        )
        if name == "truncated body":
            assert answer == b"" or split_answer(answer)[0] == 400, answer[:200]
            continue
        status, headers, body = split_answer(answer)
        if name == "bad trailer":
            assert status < 500 and status != 400, (name, answer[:200])
            continue
        assert status == 400, (name, answer[:200])
        assert headers["content-type"] == "application/problem+json", name
        assert json.loads(body)["status"] == 400


def test_malformed_chunked_framing_never_smuggles_a_request_nor_fails_the_server() -> None:
    """Without the proxy, a GET whose chunked body cannot be read is answered for its headers
    (the body is never read), the connection is then closed: a request hidden after the
    broken body is never answered; no traceback and no 5xx."""
    with running_server() as server:
        port = port_of(server)
        for name, framing in MALFORMED_CHUNKS.items():
            hidden = b"GET /v1/omens/hidden HTTP/1.1\r\nHost: x\r\n\r\n"
            answer = raw_exchange(
                port,
                malformed_chunked("/healthz", framing) + hidden,
                half_close=name == "truncated body",
            )
            assert answer.count(b"HTTP/1.1 ") == 1, (name, answer[:300])
            assert split_answer(answer)[0] < 500
        metrics = request(port, "/metrics").body.decode()
        time.sleep(0.5)
        log = server.log_text()
    assert "Traceback" not in log
    assert "/v1/omens/hidden" not in log
    assert 'status="5' not in metrics


def test_a_later_http_1_version_is_answered_in_http_1_1_at_the_edge(edge: int) -> None:
    """``HTTP/1.9`` is not echoed: the status line says the version the server speaks."""
    request_19 = b"GET /healthz HTTP/1.9\r\nHost: x\r\nConnection: close\r\n\r\n"
    assert status_line(edge, request_19) == "HTTP/1.1 200 OK"


def test_http_1_1_without_host_is_a_400(server: str) -> None:
    """RFC 9112 §3.2: an HTTP/1.1 request without Host is refused; HTTP/1.0 may omit it."""
    port = port_of(server)
    for _ in range(3):  # a kept answer is no way around it either
        assert request(port, READING).status == 200
    for path in (b"/healthz", READING.encode()):
        answer = raw_exchange(port, b"GET " + path + b" HTTP/1.1\r\nConnection: close\r\n\r\n")
        status, headers, body = split_answer(answer)
        assert status == 400 and headers["content-type"] == "application/problem+json"
        assert "Host" in json.loads(body)["detail"]
    assert status_line(port, b"GET /healthz HTTP/1.0\r\n\r\n") == "HTTP/1.0 200 OK"


def test_no_answer_names_the_server_software_or_its_version_at_the_edge(edge: int) -> None:
    """As deployed, ``Server`` says at most ``nginx``, with no version: not on answers, not on
    refusals. (Neither Granian nor Debian's nginx can leave the header out.)"""
    assert request(edge, READING).headers.get("server", "nginx") == "nginx"
    _, headers, _ = split_answer(
        raw_exchange(edge, b"GET /healthz HTTP/1.1\r\nHost: x\rBad\r\n\r\n")
    )
    assert headers.get("server", "nginx") == "nginx"


def test_an_encoded_slash_never_reaches_another_route(server: str) -> None:
    """/v1/omens/x%2F..%2F..%2Fhealthz, and the form with one more ``..`` that would climb to
    /healthz once decoded, are 404s under /v1/omens/, never /healthz's 200."""
    for target in ("/v1/omens/x%2F..%2F..%2Fhealthz", "/v1/omens/x%2F..%2F..%2F..%2Fhealthz"):
        answer = request(port_of(server), target)
        assert answer.status == 404, target
        assert answer.content_type == "application/problem+json", target


def test_expect_continue_with_a_huge_body_is_refused_without_reading_it(server: str) -> None:
    """A GET declaring 50 MB gets a 413 at once (no 100 Continue) and the connection closed."""
    line, seconds = expect_continue_with_huge_body(port_of(server))
    assert line.startswith("HTTP/1.1 413 ")
    assert seconds < 2


# --- Redis faults -----------------------------------------------------------------------------


@needs_redis
def test_redis_dying_leaves_the_api_answering_and_not_ready() -> None:
    """Redis killed: readings still answer fast as JSON, /readyz says 503, one log line says why."""
    with (
        running_redis() as redis,
        running_server(
            TWITCHLORE_RATE_LIMIT_STORAGE=redis.url, TWITCHLORE_RATE_LIMIT="1000 per minute"
        ) as server,
    ):
        port = port_of(server)
        assert request(port, READING).status == 200
        redis.kill()
        answers = [request(port, READING, timeout=2) for _ in range(10)]
        ready = request(port, "/readyz", timeout=2)
        redis.start()

        def shared_again() -> bool:
            """/readyz says ready and the limit counts in Redis again"""
            answer = request(port, READING, timeout=2)
            return (
                request(port, "/readyz", timeout=2).status == 200
                and answer.headers.get("x-ratelimit-remaining") == "999"
            )

        eventually(shared_again)
        log = server.log_text()
    assert [answer.status for answer in answers] == [200] * 10
    assert all(answer.content_type == "application/json" for answer in answers)
    assert ready.status == 503 and ready.json()["rate_limit_storage"] == "unreachable"
    assert log.count("rate-limit storage failed") == 1
    assert log.count("rate-limit storage answers again") == 1
    assert "Traceback" not in log


@needs_redis
def test_redis_freezing_costs_a_request_at_most_a_short_timeout() -> None:
    """Redis frozen (SIGSTOP): readings and /readyz answer in about a second, never hang."""
    with (
        running_redis() as redis,
        running_server(TWITCHLORE_RATE_LIMIT_STORAGE=redis.url) as server,
    ):
        port = port_of(server)
        assert request(port, READING).status == 200
        redis.freeze()
        try:
            answers = [request(port, READING, timeout=2) for _ in range(5)]
            ready = request(port, "/readyz", timeout=2)
        finally:
            redis.thaw()
    assert [answer.status for answer in answers] == [200] * 5
    assert ready.status == 503


# --- Data updates under a running server ----------------------------------------------------


def test_sighup_reloads_valid_data_and_keeps_serving_on_broken_data(data_dir: Path) -> None:
    """SIGHUP serves edited data; a broken edit keeps the old data serving and says why."""
    dataset_file = data_dir / "dataset.yaml"
    with running_server(TWITCHLORE_DATA_DIR=str(data_dir)) as server:
        port = port_of(server)

        def version() -> str:
            return str(request(port, "/v1/dataset").json()["version"])

        old = version()
        text = dataset_file.read_text(encoding="utf-8")
        dataset_file.write_text(text.replace(f'"{old}"', '"99.0.0"'), encoding="utf-8")
        os.kill(server.process.pid, signal.SIGHUP)

        def reloaded() -> bool:
            """the edited dataset is served"""
            return version() == "99.0.0"

        # A reload loads and checks the data in every language, then starts new workers: on a
        # busy machine (make test's four processes on two cores) that took over 15 s.
        eventually(reloaded, seconds=60)
        conditions = data_dir / "conditions.yaml"
        conditions.write_text(
            conditions.read_text(encoding="utf-8").replace("urgency: ", "urgency: x-", 1),
            encoding="utf-8",
        )
        os.kill(server.process.pid, signal.SIGHUP)

        def refused() -> bool:
            """the broken reload is reported"""
            return "reload refused" in server.log_text()

        eventually(refused, seconds=60)
        time.sleep(1)
        still = version()
        log = server.log_text()
    assert still == "99.0.0"
    refusal = next(line for line in log.splitlines() if "reload refused" in line)
    assert "data/conditions.yaml" in refusal and "field 'urgency'" in refusal
    assert "Traceback" not in log
