"""Two gunicorn workers sharing rate limits through a real Redis, and metrics across workers."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from .gunicorn_server import Server, running_server
from .helpers import metric
from .redis_server import REDIS_SERVER, running_redis

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
    """The service under gunicorn with 2 workers, counting limits in Redis."""
    with running_server(
        WEB_CONCURRENCY="2",
        TWITCHLORE_RATE_LIMIT_STORAGE=redis_url,
        TWITCHLORE_RATE_LIMIT=f"{LIMIT} per minute",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path_factory.mktemp("metrics")),
    ) as server:
        yield server


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def worker_pids(log: str) -> set[int]:
    pids = set()
    for line in log.splitlines():
        if line.startswith("{") and '"twitchlore.access"' in line:
            pids.add(json.loads(line)["pid"])
    return pids


def burst(url: str, count: int) -> Counter[int]:
    """Send ``count`` GETs from 6 concurrent clients, so both workers answer some; statuses."""
    with ThreadPoolExecutor(max_workers=6) as pool:
        return Counter(pool.map(status_of, [url] * count))


def test_limit_holds_across_workers(two_workers: Server, redis_url: str) -> None:
    """With limit N shared in Redis, 3N requests to 2 workers give exactly N successes."""
    redis.Redis.from_url(redis_url).flushdb()  # a fresh window, whatever ran before
    log_start = len(two_workers.log_text())
    statuses = burst(f"{two_workers.url}{READING}", 3 * LIMIT)
    assert statuses == {200: LIMIT, 429: 2 * LIMIT}
    time.sleep(0.2)  # let the workers flush their log lines
    assert len(worker_pids(two_workers.log_text()[log_start:])) == 2, "both workers answered"


def test_metrics_add_up_across_workers(two_workers: Server) -> None:
    """/metrics, from whichever worker answers, counts the requests of both."""
    labels = {"endpoint": "dataset.DatasetInfo", "method": "GET"}

    def counts() -> tuple[float, float, float]:
        with urllib.request.urlopen(f"{two_workers.url}/metrics", timeout=5) as response:
            text = response.read().decode()
        return (
            metric(text, "twitchlore_http_requests_total", status="200", **labels),
            metric(text, "twitchlore_http_requests_total", status="429", **labels),
            metric(text, "twitchlore_http_request_duration_seconds_count", **labels),
        )

    before = counts()
    log_start = len(two_workers.log_text())
    statuses = burst(f"{two_workers.url}/v1/dataset", 3 * LIMIT)
    time.sleep(0.2)  # let the workers flush their log lines
    assert len(worker_pids(two_workers.log_text()[log_start:])) == 2, "both workers answered"
    for _ in range(4):  # /metrics itself is answered by either worker
        after = counts()
        assert after[0] - before[0] == statuses[200]
        assert after[1] - before[1] == statuses[429]
        assert after[2] - before[2] == 3 * LIMIT


def test_readyz_checks_redis(two_workers: Server) -> None:
    """/readyz reports the shared rate-limit storage reachable."""
    with urllib.request.urlopen(f"{two_workers.url}/readyz", timeout=5) as response:
        assert json.load(response)["rate_limit_storage"] == "ok"
