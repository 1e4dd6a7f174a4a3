"""The service under gunicorn, started the way `make run` starts it."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from .gunicorn_server import free_port, start_gunicorn


def test_gunicorn_serves_a_reading(server: str) -> None:
    """The documented curl request gets the paired reading from a real server."""
    url = f"{server}/v1/readings?side=left&lip=upper&sudden=true"
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200
        body = json.load(response)
    assert body["query"] == {"side": "left", "lip": "upper", "sudden": True, "symptoms": []}
    assert body["omen"]["beliefs"] and body["medical"]["red_flags"]


def test_broken_dataset_stops_gunicorn_with_one_clear_line(data_dir: Path, tmp_path: Path) -> None:
    """Start-up on a broken dataset exits non-zero and says file, entry and field, no traceback."""
    text = (data_dir / "conditions.yaml").read_text(encoding="utf-8")
    (data_dir / "conditions.yaml").write_text(
        text.replace("urgency: ", "urgency: someday-", 1), encoding="utf-8"
    )
    log = tmp_path / "gunicorn.log"
    process = start_gunicorn(free_port(), log, TWITCHLORE_DATA_DIR=str(data_dir))
    assert process.wait(timeout=30) != 0
    output = log.read_text(encoding="utf-8")
    assert "Error: data/conditions.yaml: entry '" in output
    assert "field 'urgency': Must be one of: self_care, see_doctor, urgent, emergency." in output
    assert "Traceback" not in output


def test_bad_setting_stops_gunicorn_with_one_clear_line(tmp_path: Path) -> None:
    """A setting the service cannot use stops start-up naming the variable, no traceback."""
    log = tmp_path / "gunicorn.log"
    process = start_gunicorn(free_port(), log, TWITCHLORE_RATE_LIMIT="lots")
    assert process.wait(timeout=30) != 0
    output = log.read_text(encoding="utf-8")
    assert "Error: TWITCHLORE_RATE_LIMIT='lots': must be a rate limit" in output
    assert "Traceback" not in output
