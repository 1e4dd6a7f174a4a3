"""The service under gunicorn, started the way `make run` starts it."""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask

from service import __main__ as entry_point
from service.edge import server
from service.edge.server import problem_bytes

from .gunicorn_server import refused_start, running_server
from .helpers import query_echo


@pytest.mark.slow
def test_gunicorn_serves_a_reading(server: str) -> None:
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
def test_broken_dataset_stops_gunicorn_with_one_clear_line(data_dir: Path, tmp_path: Path) -> None:
    """Start-up on a broken dataset exits non-zero and says file, entry and field, no traceback."""
    text = (data_dir / "conditions.yaml").read_text(encoding="utf-8")
    (data_dir / "conditions.yaml").write_text(
        text.replace("urgency: ", "urgency: someday-", 1), encoding="utf-8"
    )
    log = tmp_path / "gunicorn.log"
    assert refused_start(log, TWITCHLORE_DATA_DIR=str(data_dir)) != 0
    output = log.read_text(encoding="utf-8")
    assert "Error: data/conditions.yaml: entry '" in output
    assert "field 'urgency': Must be one of: self_care, see_doctor, urgent, emergency." in output
    assert "Traceback" not in output


@pytest.mark.slow
def test_bad_setting_stops_gunicorn_with_one_clear_line(tmp_path: Path) -> None:
    """A setting the service cannot use stops start-up naming the variable, no traceback."""
    log = tmp_path / "gunicorn.log"
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
def test_operator_mistakes_stop_gunicorn_with_one_line(
    setting: dict[str, str], message: str, tmp_path: Path
) -> None:
    """Each start-up fault exits at once with one line naming the setting or file, no traceback."""
    log = tmp_path / "gunicorn.log"
    assert refused_start(log, **setting) != 0
    output = log.read_text(encoding="utf-8")
    assert message in output
    assert "Traceback" not in output


@pytest.mark.slow
def test_a_data_file_replaced_by_a_directory_stops_gunicorn_naming_it(
    data_dir: Path, tmp_path: Path
) -> None:
    """A directory where a data file should be is named in one line, not a traceback."""
    (data_dir / "omens.yaml").unlink()
    (data_dir / "omens.yaml").mkdir()
    log = tmp_path / "gunicorn.log"
    assert refused_start(log, TWITCHLORE_DATA_DIR=str(data_dir)) != 0
    output = log.read_text(encoding="utf-8")
    assert "Error: data/omens.yaml: cannot be read" in output
    assert "Traceback" not in output


def test_server_refusals_are_complete_problem_answers() -> None:
    """What gunicorn writes for a request it refuses is HTTP with a problem+json body."""
    answer = problem_bytes(431, "Request Header Fields Too Large")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert b"Content-Type: application/problem+json" in head
    assert f"Content-Length: {len(body)}".encode() in head
    assert json.loads(body) == {
        "type": "about:blank",
        "title": "Request Header Fields Too Large",
        "status": 431,
        "detail": "The request headers are too large or too many.",
    }


class FakeArbiter:
    """The part of gunicorn's arbiter that reloading touches: the app it hands to workers."""

    def __init__(self) -> None:
        self.app = SimpleNamespace(callable="the app loaded before")


def test_reload_serves_new_data_or_keeps_the_old_app(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A valid data directory replaces the app new workers get; a broken one leaves it."""
    messages: list[str] = []
    monkeypatch.setattr(server.logger, "error", lambda *args: messages.append(args[0] % args[1:]))
    monkeypatch.setenv("TWITCHLORE_DATA_DIR", str(data_dir))
    arbiter = FakeArbiter()
    server.reload_app(arbiter)
    assert isinstance(arbiter.app.callable, Flask)
    (data_dir / "omens.yaml").write_text("- id: [not, an, id]\n", encoding="utf-8")
    before = arbiter.app.callable
    server.reload_app(arbiter)
    assert arbiter.app.callable is before
    assert messages and messages[0].startswith("reload refused, still serving the data")
    assert "data/omens.yaml" in messages[0]


def test_python_m_service_checks_workers_then_becomes_gunicorn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`python -m service` refuses an unusable WEB_CONCURRENCY in one line, else execs gunicorn."""
    monkeypatch.setenv("WEB_CONCURRENCY", "many")
    with pytest.raises(SystemExit, match=r"^Error: WEB_CONCURRENCY='many': must be a whole"):
        entry_point.main()
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    calls: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, argv: calls.append(argv))
    monkeypatch.setattr(sys, "argv", ["service"])
    entry_point.main()
    assert calls[0][1:] == ["-m", "gunicorn", "-c", "gunicorn.conf.py", "service:create_app()"]
