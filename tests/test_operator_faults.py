"""The service under gunicorn when what the operator provides fails: a log reader that stalls.

Each test starts its own server, as `make run` does, and bounds every wait.
"""

from __future__ import annotations

import pytest

from .gunicorn_server import server_with_stalled_stderr
from .helpers import metric
from .hostile import READING, request

pytestmark = pytest.mark.slow


def test_a_stalled_log_reader_never_blocks_a_request() -> None:
    """With stderr a pipe nobody reads, readings and /healthz still answer well past the 256
    requests whose log lines fill the pipe; the lines wait in the queue meanwhile."""
    with server_with_stalled_stderr() as (port, written):
        statuses = [request(port, READING, timeout=5).status for _ in range(600)]
        health = request(port, "/healthz", timeout=5)
        metrics = request(port, "/metrics", timeout=5).body.decode()
    assert statuses == [200] * 600
    assert health.status == 200
    assert metric(metrics, "twitchlore_log_lines_dropped_total") == 0  # 600 lines fit the queue
    log = written[0].decode()
    assert log.count('"logger": "twitchlore.access"') >= 600
