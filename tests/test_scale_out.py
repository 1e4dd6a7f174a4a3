"""Two gunicorn workers sharing rate limits through a real Redis, and metrics across workers.

Which worker the kernel hands a connection to is its own choice, so the tests choose it:
every other worker is stopped (SIGSTOP) while one answers, and nothing depends on luck.
"""

from __future__ import annotations

import json
import os
import signal
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import redis

from .gunicorn_server import Server, running_server
from .helpers import metric
from .hostile import eventually, worker_pids
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
    """The service under gunicorn with 2 workers, counting limits in Redis.

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


@contextmanager
def only(server: Server, pid: int) -> Iterator[None]:
    """Only worker ``pid`` takes connections: the others are stopped until the block ends."""
    others = [other for other in workers(server) if other != pid]
    for other in others:
        os.kill(other, signal.SIGSTOP)
    try:
        yield
    finally:
        for other in others:
            os.kill(other, signal.SIGCONT)


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def burst(url: str, count: int) -> Counter[int]:
    """Send ``count`` GETs from 6 concurrent clients; their statuses."""
    with ThreadPoolExecutor(max_workers=6) as pool:
        return Counter(pool.map(status_of, [url] * count))


def answering_pids(server: Server, log_start: int, count: int) -> Counter[int]:
    """The workers that logged the ``count`` requests answered since ``log_start``."""

    def lines() -> list[dict[str, object]]:
        return [
            json.loads(line)
            for line in server.log_text()[log_start:].splitlines()
            if line.startswith("{") and '"twitchlore.access"' in line
        ]

    def logged() -> bool:
        """every request logged"""
        return len(lines()) >= count

    eventually(logged)
    return Counter(int(str(line["pid"])) for line in lines())


def test_limit_holds_across_workers(two_workers: Server, redis_url: str) -> None:
    """With limit N shared in Redis, N requests to one worker use it up for the other too."""
    redis.Redis.from_url(redis_url).flushdb()  # a fresh window, whatever ran before
    first, second = workers(two_workers)
    url = f"{two_workers.url}{READING}"
    log_start = len(two_workers.log_text())
    with only(two_workers, first):
        from_first = burst(url, LIMIT)
    with only(two_workers, second):
        from_second = burst(url, LIMIT)
    assert from_first == {200: LIMIT}
    assert from_second == {429: LIMIT}
    assert answering_pids(two_workers, log_start, 2 * LIMIT) == {first: LIMIT, second: LIMIT}


def test_metrics_add_up_across_workers(two_workers: Server) -> None:
    """/metrics, asked of either worker, counts the requests both answered."""
    labels = {"endpoint": "dataset.DatasetInfo", "method": "GET"}

    def counts() -> tuple[float, float, float]:
        with urllib.request.urlopen(f"{two_workers.url}/metrics", timeout=5) as response:
            text = response.read().decode()
        return (
            metric(text, "twitchlore_http_requests_total", status="200", **labels),
            metric(text, "twitchlore_http_requests_total", status="429", **labels),
            metric(text, "twitchlore_http_request_duration_seconds_count", **labels),
        )

    first, second = workers(two_workers)
    before = counts()
    url = f"{two_workers.url}/v1/dataset"
    with only(two_workers, first):
        statuses = burst(url, 7)
    with only(two_workers, second):
        statuses += burst(url, 5)
    for pid in (first, second):
        with only(two_workers, pid):
            after = counts()
        assert after[0] - before[0] == statuses[200]
        assert after[1] - before[1] == statuses[429]
        assert after[2] - before[2] == 12


def test_readyz_checks_redis(two_workers: Server) -> None:
    """/readyz reports the shared rate-limit storage reachable."""
    with urllib.request.urlopen(f"{two_workers.url}/readyz", timeout=5) as response:
        assert json.load(response)["rate_limit_storage"] == "ok"
