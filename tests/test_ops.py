"""Probes, metrics, JSON request logs, request ids and security headers."""

from __future__ import annotations

import io
import json
import os
import re
import time

import pytest
from flask.testing import FlaskClient

from service import create_app
from service.dataset import load_dataset
from service.edge import observability
from service.edge.observability import flush_logs

from .helpers import metric

READING = "/v1/readings?side=right&lip=upper"


def test_healthz_says_the_process_is_alive(client: FlaskClient) -> None:
    """/healthz answers 200 ok."""
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_reports_the_loaded_dataset(client: FlaskClient) -> None:
    """/readyz answers 200 with the dataset's version and checksum."""
    dataset = load_dataset()
    body = client.get("/readyz").get_json()
    assert body == {
        "status": "ready",
        "dataset_version": dataset.info.version,
        "dataset_checksum": dataset.checksum,
        "rate_limit_storage": "ok",
    }


def test_readyz_is_503_when_rate_limit_storage_is_unreachable() -> None:
    """With Redis configured but down, the instance reports itself not ready."""
    app = create_app({"TESTING": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["rate_limit_storage"] == "unreachable"


def test_metrics_count_requests_by_endpoint_method_and_status(client: FlaskClient) -> None:
    """Each request adds one to its endpoint, method and status; raw paths are never labels."""
    labels = {"endpoint": "omens.OmenItem", "method": "GET", "status": "404"}
    before = metric(
        client.get("/metrics").get_data(as_text=True), "twitchlore_http_requests_total", **labels
    )
    for n in range(3):
        client.get(f"/v1/omens/no-such-omen-{n}")
    text = client.get("/metrics").get_data(as_text=True)
    after = metric(text, "twitchlore_http_requests_total", **labels)
    assert after - before == 3
    assert "no-such-omen" not in text


def test_metrics_have_latency_and_dataset_version(client: FlaskClient) -> None:
    """The latency histogram and the dataset's version are exported."""
    client.get(READING)
    response = client.get("/metrics")
    assert response.headers["Content-Type"] == "text/plain; version=1.0.0; charset=utf-8"
    text = response.get_data(as_text=True)
    assert "twitchlore_http_request_duration_seconds_bucket{" in text
    dataset = load_dataset()
    assert (
        metric(
            text, "twitchlore_dataset_info", version=dataset.info.version, checksum=dataset.checksum
        )
        == 1.0
    )


def test_each_request_logs_one_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    """One JSON line per request: method, route, status, duration and request id."""
    app = create_app({"TESTING": True})
    flush_logs()
    capsys.readouterr()
    response = app.test_client().get(READING, headers={"X-Request-ID": "trace-42"})
    flush_logs()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    (entry,) = [line for line in lines if line.get("logger") == "twitchlore.access"]
    assert entry["method"] == "GET" and entry["route"] == "/v1/readings"
    assert entry["status"] == 200 and entry["duration_ms"] >= 0
    assert entry["request_id"] == "trace-42" == response.headers["X-Request-ID"]


@pytest.mark.parametrize("given", [None, "", "has spaces", "x" * 200], ids=repr)
def test_missing_or_unusable_request_id_is_replaced(client: FlaskClient, given: str | None) -> None:
    """Without a usable X-Request-ID the service makes one and sends it back."""
    headers = {} if given is None else {"X-Request-ID": given}
    request_id = client.get(READING, headers=headers).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)


@pytest.mark.parametrize("url", [READING, "/v1/omens/none", "/openapi.json", "/healthz"])
def test_json_answers_carry_strict_security_headers(client: FlaskClient, url: str) -> None:
    """JSON answers forbid sniffing, framing, referrers and any active content."""
    headers = client.get(url).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_docs_page_has_its_own_csp(client: FlaskClient) -> None:
    """/docs may run its own scripts and styles, nothing from elsewhere, and not be framed."""
    csp = client.get("/docs").headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "http" not in csp


def test_the_log_queue_drops_and_counts_lines_when_its_reader_stalls() -> None:
    """Lines for a pipe nobody reads never block the writer of the line: once the queue is
    full they are dropped and counted, and the reader, back, gets the earlier ones in order."""
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "w") as stream, os.fdopen(read_end, "rb") as reader:
        queue = observability.LogQueue(stream, size=100)
        dropped = observability.LOG_LINES_DROPPED._value.get()
        for n in range(2000):  # 200 KB: three times what a pipe holds
            queue.put_nowait(f"line {n:04} {'x' * 90}\n")
        dropped = observability.LOG_LINES_DROPPED._value.get() - dropped
        os.set_blocking(read_end, False)
        received = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not received.endswith(b"\n") or len(received) < 1000:
            try:
                received += reader.read() or b""
            except BlockingIOError:
                time.sleep(0.01)
        queue.flush()
        received += reader.read() or b""
    lines = received.decode().splitlines()
    assert 1000 <= dropped <= 2000 - 100
    assert len(lines) == 2000 - dropped
    assert lines[0].startswith("line 0000 ") and lines == sorted(lines)


class CountingStream(io.StringIO):
    """A stream that counts the writes it is given."""

    writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def test_the_log_queue_writes_the_lines_of_many_requests_at_once() -> None:
    """Lines queued while the writer is busy or pausing go out together, in order: one write
    per line woke a thread and called the kernel for every request, more than answering a
    kept request costs."""
    stream = CountingStream()
    queue = observability.LogQueue(stream)
    for n in range(500):
        queue.put_nowait(f"line {n:03}\n")
    queue.flush()
    assert stream.getvalue().splitlines() == [f"line {n:03}" for n in range(500)]
    assert stream.writes <= 5
