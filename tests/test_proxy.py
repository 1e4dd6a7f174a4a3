"""The nginx configuration shipped to stand in front of the service (deploy/nginx/)."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from .hostile import READING, idle_connections, raw_exchange, request, slow_readers
from .nginx_proxy import NGINX, running_nginx

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NGINX is None, reason="no nginx: install Debian's nginx (.ci/run does)"),
]


@pytest.fixture
def upstream(server: str) -> Iterator[int]:
    """The service as `make run` starts it (the test process's shared server), for nginx to
    stand in front of: its port."""
    yield int(server.rsplit(":", 1)[1])


def test_a_reading_through_the_proxy_is_the_services_own(upstream: int) -> None:
    """Through nginx a reading is the service's answer, its headers and request id included."""
    direct = request(upstream, READING)
    with running_nginx(upstream) as port:
        proxied = request(port, READING, headers={"X-Request-ID": "through-the-proxy"})
    assert proxied.status == 200 and proxied.body == direct.body
    assert proxied.headers["x-request-id"] == "through-the-proxy"
    assert proxied.headers["content-security-policy"] == direct.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"GET /v1 HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n", 431),
        (b"NOT HTTP AT ALL\r\n\r\n", 400),
    ],
    ids=["header over the proxy's buffers", "not HTTP"],
)
def test_the_proxys_own_refusals_are_problem_details(
    upstream: int, raw: bytes, status: int
) -> None:
    """What nginx refuses before the service sees it is still an RFC 9457 problem."""
    with running_nginx(upstream) as port:
        answer = raw_exchange(port, raw)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status}".encode()), head
    assert b"Content-Type: application/problem+json" in head
    assert f'"status":{status}'.encode() in body


class EchoForwardedFor(http.server.BaseHTTPRequestHandler):
    """Answers every GET with the X-Forwarded-For it was sent (what the service would read)."""

    def do_GET(self) -> None:
        body = (self.headers.get("X-Forwarded-For") or "").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads the answers."""


@pytest.fixture(scope="module")
def echo() -> Iterator[int]:
    """A server that echoes the X-Forwarded-For nginx sends it: its port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EchoForwardedFor)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("forwarded_by", "sent", "client"),
    [
        ("unix:", "203.0.113.9", "127.0.0.1"),
        ("127.0.0.1", "203.0.113.9", "203.0.113.9"),
        ("127.0.0.1", "198.51.100.1, 203.0.113.9", "203.0.113.9"),
        ("10.0.0.0/8", "203.0.113.9", "127.0.0.1"),
    ],
    ids=["nobody believed", "a proxy in front", "the last address only", "another proxy's"],
)
def test_the_service_is_told_the_client_nginx_believes(
    echo: int, forwarded_by: str, sent: str, client: str
) -> None:
    """nginx passes on one address: the X-Forwarded-For's last from FORWARDED_BY, else the peer.

    A client cannot name itself unless it connects from FORWARDED_BY (a proxy in front).
    """
    with running_nginx(echo, forwarded_by) as port:
        answer = request(port, "/anything", headers={"X-Forwarded-For": sent})
    assert answer.status == 200
    assert answer.body.decode() == client


@pytest.mark.parametrize(
    "attack", [idle_connections, slow_readers], ids=["idle connections", "slow readers"]
)
def test_held_connections_leave_a_normal_client_answered(upstream: int, attack: object) -> None:
    """A thousand idle connections or slow readers cost the proxy, not the service's workers.

    The service alone (1,000 connections a worker) would leave the normal client unanswered;
    how fast the answers come is `make abuse`'s figure, not a timed test.
    """
    with running_nginx(upstream) as port:
        with attack(port, 1200):  # type: ignore[operator]
            time.sleep(2)
            answers = [request(port, READING, timeout=5) for _ in range(5)]
    assert [answer.status for answer in answers] == [200] * 5
