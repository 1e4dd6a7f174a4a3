"""Hostile clients against a live server, at length, with the figures printed (`make abuse`).

    python bench/abuse.py [--slow-seconds 30] [--flood-seconds 60] [--only redis,slow-redis]

Runs the service as `make run` does (2 workers), on loopback only, and prints:
slow clients (probes answered and the slowest), idle connections that reconnect when
closed and slow readers of the largest file (a normal client's answers meanwhile),
resident memory under a flood of distinct valid queries, answers to six spellings of
the API's path under a limit, latency with Redis killed, frozen, out of memory and slow
(replies held by a proxy), a flood of new client addresses against the in-memory limiter,
one IPv6 host rotating addresses in its /64, /metrics growth under made-up methods,
readings while nobody reads the server's stderr, the metrics directory after worker
restarts, full (root: a small tmpfs) and read-only; the largest error answer any small
query gets, a normal client's throughput while eight clients loop on the heaviest answers,
malformed chunked bodies (statuses, log and metrics), and the smaller edge cases of
issue 22, one line each.
Figures are printed, never asserted; every attack is bounded in count and time.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis as redis_client

from service.dataset import DATA_DIR
from tests.faults import fill, read_only, restart_a_worker, small_tmpfs
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
from tests.live_server import Server, running_server, server_with_stalled_stderr
from tests.nginx_proxy import NGINX, running_nginx
from tests.redis_server import REDIS_SERVER, delaying_proxy, running_redis

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


def unlabelled(metrics: str, name: str) -> str:
    """The value of the metric ``name`` (one without labels) in /metrics' text, or ``?``."""
    values = [line.split()[1] for line in metrics.splitlines() if line.startswith(f"{name} ")]
    return values[0] if values else "?"


def storage_verdict(port: int) -> str:
    """/readyz's status and storage verdict, and the degraded metric, in a few words."""
    ready = request(port, "/readyz", timeout=5)
    metrics = request(port, "/metrics", timeout=5).body.decode()
    degraded = unlabelled(metrics, "twitchlore_rate_limit_storage_degraded")
    storage = ready.json().get("rate_limit_storage")
    return (
        f"/readyz {ready.status} {storage} in {ready.seconds * 1000:.0f} ms,"
        f" degraded metric {degraded}"
    )


def reading_phase(port: int, name: str, count: int = 20) -> None:
    """``count`` readings one after another: their statuses, median and slowest; the verdict."""
    answers = [request(port, READING, timeout=5) for _ in range(count)]
    seconds = sorted(answer.seconds for answer in answers)
    print(
        f"  {name}: readings {sorted({answer.status for answer in answers})},"
        f" median {statistics.median(seconds) * 1000:.1f} ms, slowest {seconds[-1] * 1000:.0f} ms,"
        f" content types {sorted({a.content_type for a in answers})}; {storage_verdict(port)}"
    )


def redis_figures() -> None:
    """Reading latency with the shared Redis up, killed, frozen, out of memory and back."""
    if REDIS_SERVER is None:
        print("redis: skipped, no redis-server (apt-get install redis-server)")
        return
    with (
        running_redis() as redis,
        running_server(WEB_CONCURRENCY="2", TWITCHLORE_RATE_LIMIT_STORAGE=redis.url) as server,
    ):
        port = port_of(server)

        def phase(name: str) -> None:
            reading_phase(port, name)

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
        admin = redis_client.Redis.from_url(redis.url)
        admin.config_set("maxmemory-policy", "noeviction")
        admin.config_set("maxmemory", 1)
        phase("out of memory (maxmemory 1, noeviction; PING answers)")
        admin.config_set("maxmemory", 0)
        time.sleep(6)
        phase("memory back")
        log = server.log_text()
    print(f"  log: {log.count('rate-limit storage failed')} 'failed' lines, "
          f"{log.count('storage answers again')} 'answers again' lines, "
          f"{log.count('Traceback')} tracebacks")  # fmt: skip


def slow_redis_figures(delay: float = 0.24) -> None:
    """Readings while every Redis reply is held ``delay`` s (just under the old 250 ms timeout)."""
    if REDIS_SERVER is None:
        print("slow redis: skipped, no redis-server (apt-get install redis-server)")
        return
    with (
        running_redis() as redis,
        delaying_proxy(redis.port) as proxy,
        running_server(WEB_CONCURRENCY="2", TWITCHLORE_RATE_LIMIT_STORAGE=proxy.url) as server,
    ):
        port = port_of(server)
        print(f"slow redis (every reply held {delay * 1000:.0f} ms by a proxy):")
        reading_phase(port, "prompt")
        proxy.delay = delay
        reading_phase(port, "slow", count=40)
        proxy.delay = 0
        time.sleep(6)
        reading_phase(port, "prompt again")


def limiter_growth_figures(clients: int, connections: int = 4) -> None:
    """A flood of new client addresses against one worker's in-memory limiter.

    The clients are named by X-Forwarded-For behind one trusted proxy. Every tenth of the
    flood, 50 readings from never-seen addresses are timed on their own connection.
    """
    with running_server(
        WEB_CONCURRENCY="1", TWITCHLORE_TRUSTED_PROXIES="1", TWITCHLORE_RATE_LIMIT="1200 per hour"
    ) as server:
        port = port_of(server)
        pids = worker_pids(server.process.pid)
        request(port, READING)
        sent = [0]
        print(f"limiter growth: {clients} new addresses, 1 worker, {connections} connections")

        def flood(first: int, last: int) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            for n in range(first, last):
                address = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
                connection.request("GET", READING, headers={"X-Forwarded-For": address})
                connection.getresponse().read()
            connection.close()

        def new_clients_ms(step: int) -> float:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            times = []
            for n in range(50):
                started = time.perf_counter()
                connection.request(
                    "GET", READING, headers={"X-Forwarded-For": f"172.16.{step}.{n}"}
                )
                connection.getresponse().read()
                times.append(time.perf_counter() - started)
            connection.close()
            return statistics.median(times) * 1000

        step_size = clients // 10
        started = time.monotonic()
        for step in range(10):
            first = step * step_size
            share = step_size // connections
            threads = [
                threading.Thread(target=flood, args=(first + i * share, first + (i + 1) * share))
                for i in range(connections)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            sent[0] = first + step_size
            memory = max(resident_mb(pids).values())
            print(
                f"  after {sent[0]:>7} clients ({time.monotonic() - started:.0f} s):"
                f" a new client's reading {new_clients_ms(step):.2f} ms (median of 50),"
                f" worker {memory:.0f} MB"
            )
        metrics = request(port, "/metrics").body.decode()
        evicted = unlabelled(metrics, "twitchlore_rate_limit_evictions_total")
        print(f"  windows dropped before their end (table full): {evicted}")


def ipv6_rotation_figures(count: int = 100) -> None:
    """One host rotating its IPv6 address within its /64, under a limit of 10 per minute."""
    with running_server(
        WEB_CONCURRENCY="1", TWITCHLORE_TRUSTED_PROXIES="1", TWITCHLORE_RATE_LIMIT="10 per minute"
    ) as server:
        port = port_of(server)
        statuses = [
            request(
                port, READING, headers={"X-Forwarded-For": f"2001:db8:7:7:{n:x}:{n:x}:{n:x}:1"}
            ).status
            for n in range(1, count + 1)
        ]
    print(
        f"ipv6 rotation: {count} readings from {count} addresses in one /64, limit 10 per minute:"
        f" {statuses.count(200)} × 200, {statuses.count(429)} × 429"
    )


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


def stalled_log_figures(count: int) -> None:
    """Readings and /healthz while nobody reads the server's stderr (a full pipe)."""
    with server_with_stalled_stderr(TWITCHLORE_RATE_LIMIT=RAISED_LIMIT) as (port, written):
        started = time.monotonic()
        answered = failed = 0
        slowest = 0.0
        for _ in range(count):
            try:
                answer = request(port, READING, timeout=5)
                answered += answer.status == 200
                failed += answer.status != 200
                slowest = max(slowest, answer.seconds)
            except OSError:
                failed += 1
                break  # a hung server: every further request would wait its timeout
        elapsed = time.monotonic() - started
        try:
            health = str(request(port, "/healthz", timeout=5).status)
            metrics = request(port, "/metrics", timeout=5).body.decode()
        except OSError:
            health, metrics = "no answer in 5 s", ""
    dropped = unlabelled(metrics, "twitchlore_log_lines_dropped_total")
    logged = written[0].count(b'"logger": "twitchlore.access"') if written else 0
    print(
        f"stalled log reader: {answered}/{count} readings answered in {elapsed:.0f} s"
        f" ({failed} failed, slowest {slowest * 1000:.0f} ms), /healthz {health};"
        f" lines dropped {dropped}, written once the reader came back"
        f" {logged}"
    )


def readings_for(port: int, seconds: float) -> tuple[int, int]:
    """Readings one after another for ``seconds``: how many answered 200, how many not."""
    answered = failed = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            answered += request(port, READING, timeout=5).status == 200
        except OSError:
            failed += 1
            continue
    return answered, failed


def dataset_series(port: int) -> int:
    metrics = request(port, "/metrics", timeout=5).body.decode()
    return sum(line.startswith("twitchlore_dataset_info{") for line in metrics.splitlines())


def metrics_directory_figures(restarts: int = 40, seconds: float = 10) -> None:
    """Workers restarted, the metrics disk full, the directory read-only: what each costs."""
    with tempfile.TemporaryDirectory(prefix="twitchlore-abuse-") as scratch:
        directory = Path(scratch) / "metrics"
        data = Path(scratch) / "data"
        shutil.copytree(DATA_DIR, data)
        with running_server(
            WEB_CONCURRENCY="2",
            PROMETHEUS_MULTIPROC_DIR=str(directory),
            TWITCHLORE_DATA_DIR=str(data),
        ) as server:
            port = port_of(server)
            request(port, READING)
            first_scrape = request(port, "/metrics").seconds
            for _ in range(restarts):
                restart_a_worker(server)
                for _ in range(4):  # the new worker writes metrics of its own
                    request(port, READING)
            files = len(list(directory.glob("*.db")))
            scrape = min(request(port, "/metrics").seconds for _ in range(5))
            version = str(request(port, "/v1/dataset").json()["version"])
            dataset = data / "dataset.yaml"
            dataset.write_text(dataset.read_text().replace(f'"{version}"', '"99.0.0"'))
            os.kill(server.process.pid, signal.SIGHUP)
            time.sleep(5)
            series = max(dataset_series(port) for _ in range(4))
        print(
            f"metrics directory: {restarts} worker restarts left {files} files"
            f" (scrape {first_scrape * 1000:.1f} ms before, {scrape * 1000:.1f} ms after);"
            f" after SIGHUP with new data, {series} twitchlore_dataset_info series"
        )
        if os.geteuid() != 0:
            print("  full and read-only directory: skipped, mounting needs root")
            return
        with (
            small_tmpfs(Path(scratch) / "small", "1m") as small,
            running_server(WEB_CONCURRENCY="2", PROMETHEUS_MULTIPROC_DIR=str(small)) as server,
        ):
            request(port_of(server), READING)
            fill(small)
            readings_after_sighup("disk full", server, seconds)
        directory = Path(scratch) / "read-only"
        with running_server(WEB_CONCURRENCY="2", PROMETHEUS_MULTIPROC_DIR=str(directory)) as server:
            request(port_of(server), READING)
            with read_only(directory):
                readings_after_sighup("read-only", server, seconds)


def readings_after_sighup(fault: str, server: Server, seconds: float) -> None:
    """SIGHUP (new workers, new metrics files), then readings for ``seconds``: the figures."""
    os.kill(server.process.pid, signal.SIGHUP)
    answered, failed = readings_for(port_of(server), seconds)
    log = server.log_text()
    print(
        f"  {fault}, then SIGHUP: {answered} readings answered, {failed} failed in"
        f" {seconds:.0f} s; {log.count('SIGBUS')} SIGBUS,"
        f" {log.count('metrics cannot be written')} 'cannot be written' lines"
    )


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
    parser.add_argument("--clients", type=int, default=120_000)
    parser.add_argument("--log-requests", type=int, default=15_000)
    parser.add_argument("--heavy-seconds", type=int, default=10)
    parser.add_argument("--only", default="", help="comma-separated attacks to run (default: all)")
    args = parser.parse_args()
    attacks: dict[str, Callable[[], None]] = {
        "slow-clients": lambda: slow_client_figures(args.slow_seconds),
        "idle": lambda: held_connection_figures(
            "idle connections", idle_connections, 4000, args.held_seconds
        ),
        "slow-readers": lambda: held_connection_figures(
            "slow readers", slow_readers, 2000, args.held_seconds
        ),
        "flood": lambda: flood_figures(args.flood_seconds),
        "spellings": spelling_figures,
        "redis": redis_figures,
        "slow-redis": slow_redis_figures,
        "limiter-growth": lambda: limiter_growth_figures(args.clients),
        "ipv6-rotation": ipv6_rotation_figures,
        "metrics": metrics_figures,
        "stalled-log": lambda: stalled_log_figures(args.log_requests),
        "metrics-directory": metrics_directory_figures,
        "error-answers": lambda: error_answer_figures(args.heavy_seconds),
        "heavy-answers": lambda: heavy_answer_figures(args.heavy_seconds),
        "malformed-framing": malformed_framing_figures,
        "edge-cases": edge_case_figures,
    }
    chosen = [name for name in args.only.split(",") if name] or list(attacks)
    unknown = sorted(set(chosen) - set(attacks))
    if unknown:
        parser.error(f"unknown attack {', '.join(unknown)}; choose from {', '.join(attacks)}")
    for name in chosen:
        attacks[name]()


if __name__ == "__main__":
    main()
