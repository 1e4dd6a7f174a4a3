"""The service under Granian, started the way `make run` starts it."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from granian.server import MPServer

from service import __main__ as entry_point
from service.edge import metric_files, server

from .helpers import query_echo
from .live_server import refused_start, running_server


@pytest.mark.slow
def test_the_server_serves_a_reading(server: str) -> None:
    """The documented curl request gets the paired reading from a real server."""
    url = f"{server}/v1/readings?side=left&lip=upper&sudden=true"
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200
        body = json.load(response)
    assert body["query"] == query_echo(side="left", lip="upper", sudden=True)
    assert body["omen"]["beliefs"] and body["medical"]["red_flags"]


@pytest.mark.slow
def test_a_metrics_directory_not_yet_made_is_made(tmp_path: Path) -> None:
    """PROMETHEUS_MULTIPROC_DIR naming a directory that does not exist yet still serves metrics."""
    metrics = tmp_path / "not" / "yet"
    with running_server(PROMETHEUS_MULTIPROC_DIR=str(metrics)) as running:
        with urllib.request.urlopen(f"{running.url}/healthz", timeout=5) as response:
            assert response.status == 200
        with urllib.request.urlopen(f"{running.url}/metrics", timeout=5) as response:
            assert b"twitchlore_http_requests_total" in response.read()


@pytest.mark.slow
def test_broken_dataset_stops_the_server_in_one_clear_line(data_dir: Path, tmp_path: Path) -> None:
    """Start-up on a broken dataset exits non-zero and says file, entry and field, no traceback."""
    text = (data_dir / "conditions.yaml").read_text(encoding="utf-8")
    (data_dir / "conditions.yaml").write_text(
        text.replace("urgency: ", "urgency: someday-", 1), encoding="utf-8"
    )
    log = tmp_path / "server.log"
    assert refused_start(log, TWITCHLORE_DATA_DIR=str(data_dir)) != 0
    output = log.read_text(encoding="utf-8")
    assert "Error: data/conditions.yaml: entry '" in output
    assert "field 'urgency': Must be one of: self_care, see_doctor, urgent, emergency." in output
    assert "Traceback" not in output


@pytest.mark.slow
def test_bad_setting_stops_the_server_with_one_clear_line(tmp_path: Path) -> None:
    """A setting the service cannot use stops start-up naming the variable, no traceback."""
    log = tmp_path / "server.log"
    assert refused_start(log, TWITCHLORE_RATE_LIMIT="lots") != 0
    output = log.read_text(encoding="utf-8")
    assert "Error: TWITCHLORE_RATE_LIMIT='lots': must be a rate limit" in output
    assert "Traceback" not in output


@pytest.mark.slow
@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"WEB_CONCURRENCY": "abc"}, "Error: WEB_CONCURRENCY='abc': must be a whole number"),
        (
            {"WEB_CONCURRENCY": "0"},
            "Error: WEB_CONCURRENCY='0': must be a whole number of at least 1",
        ),
        (
            {"TWITCHLORE_RATE_LIMIT": "0 per minute"},
            "Error: TWITCHLORE_RATE_LIMIT='0 per minute': every limit must allow at least 1",
        ),
        (
            {"TWITCHLORE_DATA_DIR": str(Path(__file__))},
            "test_server.py: not a directory of data files",
        ),
    ],
    ids=["workers not a number", "no workers", "limit of 0", "data dir is a file"],
)
def test_operator_mistakes_stop_the_server_with_one_line(
    setting: dict[str, str], message: str, tmp_path: Path
) -> None:
    """Each start-up fault exits at once with one line naming the setting or file, no traceback."""
    log = tmp_path / "server.log"
    assert refused_start(log, **setting) != 0
    output = log.read_text(encoding="utf-8")
    assert message in output
    assert "Traceback" not in output


@pytest.mark.slow
def test_a_data_file_replaced_by_a_directory_stops_the_server_naming_it(
    data_dir: Path, tmp_path: Path
) -> None:
    """A directory where a data file should be is named in one line, not a traceback."""
    (data_dir / "omens.yaml").unlink()
    (data_dir / "omens.yaml").mkdir()
    log = tmp_path / "server.log"
    assert refused_start(log, TWITCHLORE_DATA_DIR=str(data_dir)) != 0
    output = log.read_text(encoding="utf-8")
    assert "Error: data/omens.yaml: cannot be read" in output
    assert "Traceback" not in output


def test_reload_serves_new_data_or_keeps_the_old_app(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A valid data directory replaces the app new workers get; a broken one leaves it."""
    messages: list[str] = []
    monkeypatch.setattr(server.logger, "error", lambda *args: messages.append(args[0] % args[1:]))
    monkeypatch.setenv("TWITCHLORE_DATA_DIR", str(data_dir))
    monkeypatch.setattr(server, "_apps", ["the app built before"])
    server.reload_app()
    assert isinstance(server.serving_app("service:create_app"), Flask)
    (data_dir / "omens.yaml").write_text("- id: [not, an, id]\n", encoding="utf-8")
    before = server.serving_app("service:create_app")
    server.reload_app()
    assert server.serving_app("service:create_app") is before
    assert messages and messages[0].startswith("reload refused, still serving the data")
    assert "data/omens.yaml" in messages[0]


def test_python_m_service_checks_workers_then_serves_with_granian(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`python -m service` refuses an unusable WEB_CONCURRENCY in one line, else serves the app
    it built with Granian, with that many workers on HOST and PORT."""
    monkeypatch.setattr(metric_files, "start_run", lambda: "")  # not this process's metrics
    monkeypatch.setenv("WEB_CONCURRENCY", "many")
    with pytest.raises(SystemExit, match=r"^Error: WEB_CONCURRENCY='many': must be a whole"):
        entry_point.main()
    served: list[Any] = []
    monkeypatch.setattr(MPServer, "serve", lambda self, target_loader: served.append(self))
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("HOST", "127.0.0.2")
    monkeypatch.setenv("PORT", "8123")
    entry_point.main()
    (granian,) = served
    assert (granian.workers, granian.bind_addr, granian.bind_port) == (3, "127.0.0.2", 8123)
    assert isinstance(server.serving_app("service:create_app"), Flask)


@pytest.mark.slow
def test_sigterm_lets_an_answer_in_flight_finish() -> None:
    """An answer still being written when the server is told to stop (SIGTERM, as Kubernetes
    does) reaches the client whole, and the server then exits cleanly."""
    with running_server() as started:
        port = int(started.url.rsplit(":", 1)[1])
        with socket.socket() as client:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
            client.connect(("127.0.0.1", port))
            client.sendall(
                b"GET /docs/static/swagger-ui-bundle.js HTTP/1.1\r\n"
                b"Host: x\r\nConnection: close\r\n\r\n"
            )
            answer = client.recv(16384)
            time.sleep(0.5)  # the rest of 1.6 MB waits on this slow reader
            os.kill(started.process.pid, signal.SIGTERM)
            while chunk := client.recv(65536):
                answer += chunk
                time.sleep(0.01)
        assert started.process.wait(timeout=30) == 0
    head, _, body = answer.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if b"content-length" in line.lower()
    )
    assert head.startswith(b"HTTP/1.1 200 ") and length > 1_000_000
    assert len(body) == length
