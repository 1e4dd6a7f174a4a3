"""Hostile clients against a live server, at length, with the figures printed (`make abuse`).

    python bench/abuse.py [--slow-seconds 30] [--flood-seconds 60]

Runs the service as `make run` does (2 workers), on loopback only, and prints:
slow clients (probes answered and the slowest), idle connections that reconnect when
closed and slow readers of the largest file (a normal client's answers meanwhile),
resident memory under a flood of distinct valid queries, answers to six spellings of
the API's path under a limit, latency with Redis killed and frozen, and /metrics growth
under made-up methods; the largest error answer any small query gets, a normal client's
throughput while eight clients loop on the heaviest answers, malformed chunked bodies
(statuses, log and metrics), and the smaller edge cases of issue 22, one line each.
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
    ERROR_ROUTES,
    READING,
    SWAGGER_BUNDLE,
    distinct_queries,
    expect_continue_with_huge_body,
    hostile_queries,
    idle_connections,
    largest_error_answer,
    load_symptom_ids,
    malformed_framing_statuses,
    random_method_requests,
    raw_exchange,
    request,
    resident_mb,
    slow_clients,
    slow_readers,
    spelled_readings,
    split_answer,
    status_line,
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


def error_answer_figures(seconds: int) -> None:
    """The largest error answer to a query under 2 KB, and what one client pulls in a loop."""
    with running_server(WEB_CONCURRENCY="2", TWITCHLORE_RATE_LIMIT=RAISED_LIMIT) as server:
        port = port_of(server)
        plain = largest_error_answer(port, "identity")
        packed = largest_error_answer(port, "gzip")
        url = ERROR_ROUTES[0] + hostile_queries()["1,990 commas"]
        pulled = count = 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            answer = request(port, url, headers={"Accept-Encoding": "identity"})
            pulled += len(answer.body)
            count += 1
    query_bytes = len(url)
    print(f"error answers: largest {plain[0]:,} bytes plain ({plain[1]}), {packed[0]:,} gzip;"
          f" the 2 KB comma query ({query_bytes:,} bytes) pulled {pulled / 1e6:.2f} MB in"
          f" {count:,} requests over {seconds} s ({pulled / max(count, 1) / query_bytes:.1f}× its"
          " size per answer)")  # fmt: skip


def heavy_answer_figures(seconds: int, attackers: int = 8) -> None:
    """A normal client's readings alone, then while ``attackers`` loop on a heavy answer."""

    def readings_for(port: int, duration: float) -> list[float]:
        latencies = []
        deadline = time.monotonic() + duration
        while time.monotonic() < deadline:
            latencies.append(request(port, READING, timeout=10).seconds)
        return latencies

    def p99(latencies: list[float]) -> float:
        return sorted(latencies)[int(len(latencies) * 0.99) - 1] * 1000

    with running_server(WEB_CONCURRENCY="2", TWITCHLORE_RATE_LIMIT=RAISED_LIMIT) as server:
        port = port_of(server)
        alone = readings_for(port, seconds)
        print(f"heavy answers: a normal client alone: {len(alone) / seconds:.0f} readings/s,"
              f" p99 {p99(alone):.1f} ms")  # fmt: skip
        for path in (SWAGGER_BUNDLE, "/openapi.json"):
            loaded, pulled = readings_under_load(port, path, attackers, seconds, readings_for)
            ratio = len(loaded) / len(alone)
            print(f"  with {attackers} clients looping on {path} (br, {pulled:,} answers):"
                  f" {len(loaded) / seconds:.0f} readings/s ({ratio:.2f}× alone),"
                  f" p99 {p99(loaded):.1f} ms")  # fmt: skip


def readings_under_load(
    port: int,
    path: str,
    attackers: int,
    seconds: int,
    readings_for: Callable[[int, float], list[float]],
) -> tuple[list[float], int]:
    """A normal client's reading times while ``attackers`` loop on ``path``; their count."""
    stop = threading.Event()
    pulled = [0]

    def loop() -> None:
        while not stop.is_set():
            answer = request(port, path, headers={"Accept-Encoding": "br"}, timeout=10)
            pulled[0] += answer.status == 200

    threads = [threading.Thread(target=loop) for _ in range(attackers)]
    for thread in threads:
        thread.start()
    try:
        return readings_for(port, seconds), pulled[0]
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def malformed_framing_figures(rounds: int = 50) -> None:
    """Statuses, log lines, tracebacks and 5xx metrics for rounds of malformed chunked GETs."""
    with running_server(WEB_CONCURRENCY="2") as server:
        port = port_of(server)
        before = len(server.log_text())
        counts = malformed_framing_statuses(port, rounds)
        time.sleep(0.5)
        metrics = request(port, "/metrics").body.decode()
        log = server.log_text()[before:]
    sent = sum(counts.values())
    fives = sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("twitchlore_http_requests_total{") and 'status="5' in line
    )
    print(f"malformed chunked bodies on /healthz: {sent} requests: {counts};"
          f" log {len(log) / sent:.0f} bytes per request, {log.count('Traceback')} tracebacks,"
          f" {fives:.0f} 5xx in the metrics")  # fmt: skip


def edge_case_figures() -> None:
    """One line per smaller edge case of issue 22: what the server answers now."""
    with running_server(WEB_CONCURRENCY="1", TWITCHLORE_RATE_LIMIT=RAISED_LIMIT) as server:
        port = port_of(server)

        def get(path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
            answer = request(port, path, headers=headers)
            return answer.status, answer.headers, answer.body

        status, headers, _ = get("/v1/omens", **{"Accept-Encoding": "gzip;q=0"})
        print(f"edge cases: gzip;q=0 → {status}, Content-Encoding"
              f" {headers.get('content-encoding', 'none')}")  # fmt: skip
        status, headers, _ = get(SWAGGER_BUNDLE, **{"Accept-Encoding": "*"})
        print(f"  '*' on {SWAGGER_BUNDLE} → Content-Encoding {headers.get('content-encoding')}")
        status, headers, _ = get(READING, **{"If-Match": "*"})
        print(f"  If-Match: * → {status}")
        status, headers, body = get(READING, **{"If-Match": '"other"'})
        print(
            f'  If-Match: "other" → {status}, {len(body)} bytes,'
            f" {headers.get('content-type')}, Cache-Control {headers.get('cache-control')}"
        )
        line, seconds = expect_continue_with_huge_body(port)
        print(f"  Expect: 100-continue, 50 MB Content-Length → {line!r} in {seconds * 1e3:.0f} ms")
        line = status_line(port, b"GET /healthz HTTP/1.9\r\nHost: x\r\nConnection: close\r\n\r\n")
        print(f"  HTTP/1.9 → {line!r}")
        raw = raw_exchange(port, b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
        print(f"  HTTP/1.1 without Host → {split_answer(raw)[0]}")
        status, _, _ = get("/v1/omens/x%2F..%2F..%2Fhealthz")
        print(f"  /v1/omens/x%2F..%2F..%2Fhealthz → {status}")
    with running_server(WEB_CONCURRENCY="1", TWITCHLORE_RATE_LIMIT=RAISED_LIMIT) as server:
        port = port_of(server)
        pages = {
            page: request(port, f"/v1/omens?page={page}")
            for page in ("%EF%BC%91", "%D9%A3", "1_0", "%2B1")
        }
        print(
            f"  pages fullwidth 1, Arabic-Indic 3, 1_0, +1 → {[a.status for a in pages.values()]}"
        )
        long_page = request(port, "/v1/omens?page=" + "9" * 2000)
        print(
            f"  a 2,000-digit page → {long_page.status}, {len(long_page.body)} bytes,"
            f" echoed: {('9' * 2000).encode() in long_page.body}"
        )
        answer = request(port, READING)
        print(f"  Server header: {answer.headers.get('server', 'none')}")
        redirect = request(port, "/docs/")
        print(f"  /docs/ → {redirect.status} {redirect.content_type}")
        html = {"Accept": "text/html"}
        print(
            f"  Accept: text/html on /v1 → {request(port, '/v1', headers=html).status},"
            f" on /v1/ → {request(port, '/v1/', headers=html).status}"
        )
    with running_server(WEB_CONCURRENCY="1", TWITCHLORE_RATE_LIMIT="3 per minute") as server:
        port = port_of(server)
        preflight = {"Origin": "https://a.example", "Access-Control-Request-Method": "GET"}
        statuses = [request(port, "/v1/omens", "OPTIONS", preflight).status for _ in range(5)]
        print(f"  5 OPTIONS under a limit of 3 per minute → {statuses}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow-seconds", type=int, default=30)
    parser.add_argument("--flood-seconds", type=int, default=60)
    parser.add_argument("--held-seconds", type=int, default=30)
    parser.add_argument("--heavy-seconds", type=int, default=10)
    args = parser.parse_args()
    slow_client_figures(args.slow_seconds)
    held_connection_figures("idle connections", idle_connections, 4000, args.held_seconds)
    held_connection_figures("slow readers", slow_readers, 2000, args.held_seconds)
    flood_figures(args.flood_seconds)
    spelling_figures()
    redis_figures()
    metrics_figures()
    error_answer_figures(args.heavy_seconds)
    heavy_answer_figures(args.heavy_seconds)
    malformed_framing_figures()
    edge_case_figures()


if __name__ == "__main__":
    main()
