"""Two server workers sharing rate limits through a real Redis, and metrics across workers.

Which worker takes a connection is the server's choice, so the tests find out: they open
connections until each worker has answered one (its pid is in the access log line of the
request), then send each burst over a kept-alive connection to the worker they mean.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.client import HTTPConnection

import pytest
import redis

from .helpers import metric
from .hostile import eventually, worker_pids
from .live_server import Server, running_server
from .redis_server import REDIS_SERVER, running_redis

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("scale-out")]

LIMIT = 10
READING = "/v1/readings?side=left&lip=lower&sudden=true"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A real redis-server on a free loopback port, with no persistence."""
    if REDIS_SERVER is None:
        pytest.skip("no redis-server: install Debian's redis-server (.ci/run does)")
    with running_redis() as redis:
        yield redis.url


@pytest.fixture(scope="module")
def two_workers(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service with 2 workers, counting limits in Redis.

    A day's window, so no window ends between a test's bursts (a minute's did, now and then);
    Redis may take 5 s to count a request before a worker counts in its own memory instead
    (the usual 50 ms passed on a busy machine, and a worker let requests over the limit in).
    """
    with running_server(
        WEB_CONCURRENCY="2",
        TWITCHLORE_RATE_LIMIT_STORAGE=redis_url,
        TWITCHLORE_RATE_LIMIT=f"{LIMIT} per day",
        TWITCHLORE_RATE_LIMIT_STORAGE_BUDGET_MS="5000",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path_factory.mktemp("metrics")),
    ) as server:

        def started() -> bool:
            """both workers started"""
            return len(workers(server)) == 2

        eventually(started)
        yield server


def workers(server: Server) -> list[int]:
    return sorted(worker_pids(server.process.pid))


def logged_pid(server: Server, request_id: str) -> int:
    """The pid in the access log line of the request with ``request_id``."""
    found: list[int] = []

    def logged() -> bool:
        """the request was logged"""
        for line in server.log_text().splitlines():
            if request_id in line and '"twitchlore.access"' in line:
                found.append(int(json.loads(line)["pid"]))
                return True
        return False

    eventually(logged)
    return found[0]


@contextmanager
def connection_to_each_worker(server: Server) -> Iterator[dict[int, HTTPConnection]]:
    """A kept-alive connection to each worker, by its pid, closed afterwards."""
    port = int(server.url.rsplit(":", 1)[1])
    connections: dict[int, HTTPConnection] = {}
    try:
        for attempt in range(100):
            connection = HTTPConnection("127.0.0.1", port, timeout=5)
            request_id = f"which-worker-{attempt}-{os.getpid()}-{id(connection)}"
            connection.request("GET", "/healthz", headers={"X-Request-ID": request_id})
            connection.getresponse().read()
            pid = logged_pid(server, request_id)
            if pid in connections:
                connection.close()
            else:
                connections[pid] = connection
            if len(connections) == 2:
                break
        assert sorted(connections) == workers(server), "no connection reached each worker"
        yield connections
    finally:
        for connection in connections.values():
            connection.close()


def burst(connection: HTTPConnection, path: str, count: int) -> Counter[int]:
    """Send ``count`` GETs over ``connection``, one after the other; their statuses."""
    statuses: Counter[int] = Counter()
    for _ in range(count):
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        statuses[response.status] += 1
    return statuses


def test_limit_holds_across_workers(two_workers: Server, redis_url: str) -> None:
    """With limit N shared in Redis, N requests to one worker use it up for the other too."""
    with connection_to_each_worker(two_workers) as connections:
        (first, to_first), (second, to_second) = sorted(connections.items())
        redis.Redis.from_url(redis_url).flushdb()  # a fresh window, whatever ran before
        from_first = burst(to_first, READING, LIMIT)
        from_second = burst(to_second, READING, LIMIT)
    assert first != second
    assert from_first == {200: LIMIT}
    assert from_second == {429: LIMIT}


def test_metrics_add_up_across_workers(two_workers: Server) -> None:
    """/metrics, asked of either worker, counts the requests both answered."""
    labels = {"endpoint": "dataset.DatasetInfo", "method": "GET"}

    def counts(connection: HTTPConnection) -> tuple[float, float, float]:
        connection.request("GET", "/metrics")
        text = connection.getresponse().read().decode()
        return (
            metric(text, "twitchlore_http_requests_total", status="200", **labels),
            metric(text, "twitchlore_http_requests_total", status="429", **labels),
            metric(text, "twitchlore_http_request_duration_seconds_count", **labels),
        )

    with connection_to_each_worker(two_workers) as connections:
        (_, to_first), (_, to_second) = sorted(connections.items())
        before = counts(to_first)
        statuses = burst(to_first, "/v1/dataset", 7) + burst(to_second, "/v1/dataset", 5)
        for connection in (to_first, to_second):
            after = counts(connection)
            assert after[0] - before[0] == statuses[200]
            assert after[1] - before[1] == statuses[429]
            assert after[2] - before[2] == 12


def test_readyz_checks_redis(two_workers: Server) -> None:
    """/readyz reports the shared rate-limit storage reachable."""
    with urllib.request.urlopen(f"{two_workers.url}/readyz", timeout=5) as response:
        assert json.load(response)["rate_limit_storage"] == "ok"
