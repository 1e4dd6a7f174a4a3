"""Two gunicorn workers sharing rate limits through a real Redis, and metrics across workers."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from .gunicorn_server import Server, free_port, running_server
from .test_ops import metric

REDIS_SERVER = shutil.which("redis-server")
LIMIT = 10
READING = "/v1/readings?side=left&lip=lower&sudden=true"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free loopback port, with no persistence."""
    if REDIS_SERVER is None:
        pytest.skip("no redis-server: install Debian's redis-server (.ci/run does)")
    port = free_port()
    process = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path_factory.mktemp("redis")),
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def two_workers(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service under gunicorn with 2 workers, counting limits in Redis."""
    with running_server(
        WEB_CONCURRENCY="2",
        RATELIMIT_STORAGE_URI=redis_url,
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


def test_limit_holds_across_workers(two_workers: Server) -> None:
    """With limit N shared in Redis, 3N requests to 2 workers give exactly N successes."""
    # Concurrent clients keep both workers busy, so both answer some of the requests.
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = Counter(pool.map(status_of, [f"{two_workers.url}{READING}"] * (3 * LIMIT)))
    assert statuses == {200: LIMIT, 429: 2 * LIMIT}
    time.sleep(0.2)  # let the workers flush their log lines
    assert len(worker_pids(two_workers.log_text())) == 2, "both workers answered"


def test_metrics_add_up_across_workers(two_workers: Server) -> None:
    """/metrics, from whichever worker answers, counts the requests of both."""
    with urllib.request.urlopen(f"{two_workers.url}/metrics", timeout=5) as response:
        text = response.read().decode()
    labels = {"endpoint": "readings.Readings", "method": "GET"}
    assert metric(text, "twitchlore_http_requests_total", status="200", **labels) == LIMIT
    assert metric(text, "twitchlore_http_requests_total", status="429", **labels) == 2 * LIMIT
    assert metric(text, "twitchlore_http_request_duration_seconds_count", **labels) == 3 * LIMIT


def test_readyz_checks_redis(two_workers: Server) -> None:
    """/readyz reports the shared rate-limit storage reachable."""
    with urllib.request.urlopen(f"{two_workers.url}/readyz", timeout=5) as response:
        assert json.load(response)["rate_limit_storage"] == "ok"
