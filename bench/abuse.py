"""Hostile clients against a live server, at length, with the figures printed (`make abuse`).

    python bench/abuse.py [--slow-seconds 30] [--flood-seconds 60]

Runs the service as `make run` does (2 workers), on loopback only, and prints:
slow clients (probes answered and the slowest), idle connections that reconnect when
closed and slow readers of the largest file (a normal client's answers meanwhile),
resident memory under a flood of distinct valid queries, answers to six spellings of
the API's path under a limit, latency with Redis killed and frozen, and /metrics growth
under made-up methods.
Figures are printed, never asserted; every attack is bounded in count and time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.gunicorn_server import Server, running_server
from tests.hostile import (
    READING,
    distinct_queries,
    idle_connections,
    load_symptom_ids,
    random_method_requests,
    request,
    resident_mb,
    slow_clients,
    slow_readers,
    spelled_readings,
    worker_pids,
)
from tests.nginx_proxy import NGINX, running_nginx
from tests.redis_server import REDIS_SERVER, running_redis

RAISED_LIMIT = "1000000000 per minute"


def port_of(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def normal_client(port: int, seconds: float) -> tuple[list[float], int]:
    """A reading every half second for ``seconds``: each one's time (5 s if none) and failures."""
    latencies: list[float] = []
    failures = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            answer = request(port, READING, timeout=5)
            latencies.append(answer.seconds)
            failures += answer.status != 200
        except OSError:
            latencies.append(5.0)
            failures += 1
        time.sleep(0.5)
    return latencies, failures


def slow_client_figures(seconds: int, count: int = 50) -> None:
    """Normal readings while ``count`` connections trickle header bytes at 1 byte/s."""
    with running_server(WEB_CONCURRENCY="2") as server:
        port = port_of(server)
        with slow_clients(port, count=count, byte_interval=1.0):
            latencies, failures = normal_client(port, seconds)
    print(f"slow clients: {count} connections at 1 byte/s for {seconds} s")
    print(
        f"  readings answered {len(latencies) - failures}/{len(latencies)}, failed {failures},"
        f" median {statistics.median(latencies) * 1000:.1f} ms,"
        f" slowest {max(latencies) * 1000:.1f} ms"
    )


def held_connection_figures(
    name: str,
    attack: Callable[[int, int], AbstractContextManager[list[int]]],
    count: int,
    seconds: int,
) -> None:
    """A normal client's readings while ``count`` hostile connections are held open.

    Against the server alone, then (when nginx is installed) through the proxy
    configuration in deploy/nginx/ in front of it.
    """
    fronts = ["server alone", *(["through nginx"] if NGINX else [])]
    for front in fronts:
        with ExitStack() as stack:
            server = stack.enter_context(running_server(WEB_CONCURRENCY="2"))
            port = port_of(server)
            if front == "through nginx":
                port = stack.enter_context(running_nginx(port))
            with attack(port, count) as reconnections:
                time.sleep(5)  # let every connection open
                latencies, failures = normal_client(port, seconds)
        late = sum(latency > 1.0 for latency in latencies)
        print(
            f"{name}, {front}: {count} connections for {seconds} s,"
            f" reconnected {reconnections[0]} times"
        )
        print(
            f"  readings answered {len(latencies) - failures}/{len(latencies)}, over 1 s {late},"
            f" median {statistics.median(latencies) * 1000:.1f} ms,"
            f" slowest {max(latencies) * 1000:.1f} ms"
        )


def flood_figures(seconds: int) -> None:
    """Peak resident memory of each worker under distinct valid queries at full speed."""
    with running_server(WEB_CONCURRENCY="2", TWITCHLORE_RATE_LIMIT=RAISED_LIMIT) as server:
        port = port_of(server)
        load_symptom_ids(port)
        pids = worker_pids(server.process.pid)
        start = resident_mb(pids)
        peak = dict(start)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.5):
                for pid, mb in resident_mb(pids).items():
                    peak[pid] = max(peak[pid], mb)

        sampler = threading.Thread(target=sample)
        sampler.start()
        count = distinct_queries(port, seconds, connections=8)
        done.set()
        sampler.join()
    print(f"flood: {count} distinct valid queries in {seconds} s ({count / seconds:.0f}/s)")
    for pid in pids:
        print(f"  worker {pid}: {start[pid]:.1f} MB at start, peak {peak[pid]:.1f} MB")


def spelling_figures() -> None:
    """Answers of 200 to 24 readings spelled six ways under a limit of 5 per minute.

    The limit is counted in one place (a shared Redis, or else a single worker), since
    with ``memory://`` each worker counts on its own.
    """
    if REDIS_SERVER is None:
        with running_server(WEB_CONCURRENCY="1", TWITCHLORE_RATE_LIMIT="5 per minute") as server:
            statuses = spelled_readings(port_of(server), per_spelling=4)
        where = "1 worker, memory"
    else:
        with (
            running_redis() as redis,
            running_server(
                WEB_CONCURRENCY="2",
                TWITCHLORE_RATE_LIMIT="5 per minute",
                TWITCHLORE_RATE_LIMIT_STORAGE=redis.url,
            ) as server,
        ):
            statuses = spelled_readings(port_of(server), per_spelling=4)
        where = "2 workers, Redis"
    every = [status for spelling in statuses.values() for status in spelling]
    ok, refused = every.count(200), every.count(429)
    others = len(every) - ok - refused
    print(
        f"path spellings ({where}): {len(every)} readings: {ok} × 200, {refused} × 429,"
        f" {others} other"
    )


def redis_figures() -> None:
    """Reading latency with the shared Redis up, killed, frozen and back."""
    if REDIS_SERVER is None:
        print("redis: skipped, no redis-server (apt-get install redis-server)")
        return
    with (
        running_redis() as redis,
        running_server(WEB_CONCURRENCY="2", TWITCHLORE_RATE_LIMIT_STORAGE=redis.url) as server,
    ):
        port = port_of(server)

        def phase(name: str) -> None:
            answers = [request(port, READING, timeout=5) for _ in range(20)]
            ready = request(port, "/readyz", timeout=5)
            statuses = sorted({answer.status for answer in answers})
            slowest = max(answer.seconds for answer in answers)
            print(
                f"  {name}: readings {statuses}, slowest {slowest * 1000:.0f} ms,"
                f" content types {sorted({a.content_type for a in answers})},"
                f" /readyz {ready.status} in {ready.seconds * 1000:.0f} ms"
            )

        print("redis:")
        phase("up")
        redis.kill()
        phase("killed")
        redis.start()
        time.sleep(6)
        phase("back")
        redis.freeze()
        try:
            phase("frozen")
        finally:
            redis.thaw()
        time.sleep(6)
        phase("thawed")
        log = server.log_text()
    print(f"  log: {log.count('rate-limit storage failed')} 'failed' lines, "
          f"{log.count('storage answers again')} 'answers again' lines, "
          f"{log.count('Traceback')} tracebacks")  # fmt: skip


def metrics_figures(count: int = 2000) -> None:
    """Growth of /metrics under ``count`` requests with made-up method names."""
    with running_server(WEB_CONCURRENCY="2", TWITCHLORE_RATE_LIMIT=RAISED_LIMIT) as server:
        port = port_of(server)
        before = len(request(port, "/metrics").body)
        random_method_requests(port, count)
        after = request(port, "/metrics")
    print(f"metrics: {count} made-up methods grew /metrics from {before / 1000:.1f} KB to "
          f"{len(after.body) / 1000:.1f} KB (+{(len(after.body) - before) / 1000:.1f} KB), "
          f"scrape {after.seconds * 1000:.0f} ms")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow-seconds", type=int, default=30)
    parser.add_argument("--flood-seconds", type=int, default=60)
    parser.add_argument("--held-seconds", type=int, default=30)
    args = parser.parse_args()
    slow_client_figures(args.slow_seconds)
    held_connection_figures("idle connections", idle_connections, 4000, args.held_seconds)
    held_connection_figures("slow readers", slow_readers, 2000, args.held_seconds)
    flood_figures(args.flood_seconds)
    spelling_figures()
    redis_figures()
    metrics_figures()


if __name__ == "__main__":
    main()
