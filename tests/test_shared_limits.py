"""Limits counted in a real Redis: one round trip per request, and a Redis that is slow, out of
memory or frozen makes the limiter fail open and /readyz and the metrics say so."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient

from service import create_app

from .helpers import metric
from .redis_server import REDIS_SERVER, RedisServer, running_redis

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        REDIS_SERVER is None, reason="no redis-server: install Debian's redis-server (.ci/run does)"
    ),
    # The tests share one redis-server: one process starts it.
    pytest.mark.xdist_group("shared-limits"),
]

READING = "/v1/readings?side=left&lip=upper"


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


@pytest.fixture
def admin(redis_server: RedisServer) -> Iterator[redis.Redis]:
    """A client to the test's Redis, emptied first; settings put back afterwards."""
    client = redis.Redis.from_url(redis_server.url, socket_timeout=5)
    client.flushdb()
    yield client
    client.config_set("maxmemory", 0)
    client.client_unpause()


def make_client(redis_server: RedisServer, **config: Any) -> FlaskClient:
    app = create_app(
        {
            "TESTING": True,
            "RATELIMIT_STORAGE_URI": redis_server.url,
            "RATELIMIT_DEFAULT": "20/second;1000/hour",
            **config,
        }
    )
    return app.test_client()


def state(client: FlaskClient) -> tuple[int, str, float]:
    """/readyz's status and storage verdict, and the degraded metric, in that order."""
    ready = client.get("/readyz")
    metrics = client.get("/metrics").get_data(as_text=True)
    (degraded,) = [
        float(line.split()[1])
        for line in metrics.splitlines()
        if line.startswith("twitchlore_rate_limit_storage_degraded ")
    ]
    return ready.status_code, ready.get_json()["rate_limit_storage"], degraded


def test_each_request_costs_one_round_trip(
    redis_server: RedisServer, admin: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two limits, a 200 and a refused request alike: one command sent to Redis per request."""
    client = make_client(redis_server, RATELIMIT_DEFAULT="1000/hour;5/minute")
    client.get(READING)  # the first loads the script
    sent: list[object] = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counted(self: Any, command: Any, check_health: bool = True) -> None:
        sent.append(command)
        original(self, command, check_health)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted)
    statuses = [client.get(READING).status_code for _ in range(10)]
    assert statuses == [200] * 4 + [429] * 6
    assert len(sent) == 10


def test_a_304_is_taken_back_in_redis(redis_server: RedisServer, admin: redis.Redis) -> None:
    """A revalidation answered 304 leaves the shared count where it was."""
    client = make_client(redis_server)
    etag = client.get(READING).headers["ETag"]
    for _ in range(3):
        answer = client.get(READING, headers={"If-None-Match": etag})
        assert answer.status_code == 304
        assert answer.headers["X-RateLimit-Remaining"] == "19"
    assert client.get(READING).headers["X-RateLimit-Remaining"] == "18"


def test_a_slow_redis_fails_open_and_is_reported(
    redis_server: RedisServer, admin: redis.Redis
) -> None:
    """Redis answering PING but pausing writes past the budget: readings answer, counted in
    memory; /readyz says 503 slow and the degraded metric is 1; then all is well again."""
    client = make_client(redis_server, RATELIMIT_STORAGE_BUDGET_MS=50)
    assert state(client) == (200, "ok", 0.0)
    admin.client_pause(3000, all=False)  # writes wait, PING answers
    assert admin.ping()
    statuses = [client.get(READING).status_code for _ in range(5)]
    paused = state(client)
    admin.client_unpause()
    assert statuses == [200] * 5
    assert paused == (503, "slow", 1.0)
    assert state(client) == (200, "ok", 0.0)


def test_an_out_of_memory_redis_fails_open_and_is_reported(
    redis_server: RedisServer, admin: redis.Redis
) -> None:
    """Redis refusing writes (maxmemory reached, noeviction): readings answer, counted in
    memory; /readyz says 503 out_of_memory and the degraded metric is 1, though PING works."""
    client = make_client(redis_server)
    client.get(READING)
    admin.config_set("maxmemory-policy", "noeviction")
    admin.config_set("maxmemory", 1)
    assert admin.ping()
    answers = [client.get(READING) for _ in range(3)]
    full = state(client)
    failures = metric(
        client.get("/metrics").get_data(as_text=True),
        "twitchlore_rate_limit_storage_failures_total",
        reason="out_of_memory",
    )
    admin.config_set("maxmemory", 0)
    assert [answer.status_code for answer in answers] == [200] * 3
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers] == ["19", "18", "17"]
    assert full == (503, "out_of_memory", 1.0)
    assert failures >= 1
    assert state(client) == (200, "ok", 0.0)


def test_a_frozen_redis_fails_open_and_is_reported(
    redis_server: RedisServer, admin: redis.Redis
) -> None:
    """Redis stopped (SIGSTOP), its connections open: readings answer and /readyz says 503."""
    client = make_client(redis_server)
    client.get(READING)
    redis_server.freeze()
    try:
        statuses = [client.get(READING).status_code for _ in range(3)]
        frozen = state(client)
    finally:
        redis_server.thaw()
    assert statuses == [200] * 3
    assert frozen == (503, "slow", 1.0)
