"""Benchmark the service against a bare Flask hello-world under the same gunicorn settings.

    python bench/bench.py [--duration SECONDS] [--connections N] [--rounds N]

Both apps run under gunicorn with the project's gunicorn.conf.py and one (gevent) worker.
wrk drives them in turns (A B A B ...), and the script prints requests/s, p50 and p99
per endpoint with the ratio to the bare app, then start-up time and resident memory.
Every request says ``Accept-Encoding: gzip, deflate, br`` as a browser does, so the
service answers with its kept compressed copies. Figures are printed, never asserted.
Every production feature is on at its default, except that the rate limit is raised so
wrk's single address is not refused. The reading is also asked in Hindi (``lang=hi``; another
served language when Hindi is not in data/translations yet), printed next to the English.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

from harness import ROOT, SERVICE_ENV, WrkResult, gunicorn, run_wrk, worker_rss_mb, wrk_binary

from service.dataset import load_datasets

HELLO = "/hello"
READING = "/v1/readings?side=left&lip=upper&sudden=true"
LANGUAGES = list(load_datasets())
OTHER = "hi" if "hi" in LANGUAGES else LANGUAGES[-1]
"""The language the reading is compared in: Hindi, else the last served (English alone)."""
ENDPOINTS = {
    "reading": READING,
    f"reading, lang={OTHER}": f"{READING}&lang={OTHER}",
    "reading + symptoms": "/v1/readings?side=left&lip=upper&symptoms=loss-of-taste",
    "omens, page_size=100": "/v1/omens?page_size=100",
    "conditions, page_size=100": "/v1/conditions?page_size=100",
    "one condition": "/v1/conditions/bells-palsy",
}


def startup_seconds(runs: int = 5) -> float:
    """Median time to import the service and load and validate the dataset, in a new process."""
    code = (
        "import time; t = time.perf_counter(); from service import create_app; "
        "create_app(); print(time.perf_counter() - t)"
    )
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", code],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, **SERVICE_ENV},
            ).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2, help="A B rounds; medians are shown")
    args = parser.parse_args()
    wrk = wrk_binary()

    results: dict[str, list[WrkResult]] = {name: [] for name in ("bare Flask hello", *ENDPOINTS)}
    with (
        gunicorn("hello_app:app", ROOT / "bench") as (bare, _),
        gunicorn("service:create_app()", ROOT, env=SERVICE_ENV) as (service, service_pid),
    ):
        for url in (bare + HELLO, *(service + path for path in ENDPOINTS.values())):
            run_wrk(wrk, url, 2, args.connections)  # warm up
        for _ in range(args.rounds):
            results["bare Flask hello"].append(
                run_wrk(wrk, bare + HELLO, args.duration, args.connections)
            )
            for name, path in ENDPOINTS.items():
                results[name].append(run_wrk(wrk, service + path, args.duration, args.connections))
        rss = worker_rss_mb(service_pid)

    base = results["bare Flask hello"]
    base_rps = statistics.median(r.requests_per_second for r in base)
    base_p99 = statistics.median(r.p99_ms for r in base)
    print(
        f"wrk -t2 -c{args.connections} -d{args.duration}s, {args.rounds} rounds A B, medians;"
        " gunicorn 1 gevent worker, gunicorn.conf.py, Accept-Encoding: gzip, deflate, br"
    )
    print(
        f"{'endpoint':28} {'req/s':>9} {'x bare':>7} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'x bare':>7} {'errors':>7}"
    )
    for name, runs in results.items():
        rps = statistics.median(r.requests_per_second for r in runs)
        p50 = statistics.median(r.p50_ms for r in runs)
        p99 = statistics.median(r.p99_ms for r in runs)
        errors = sum(r.errors for r in runs)
        print(
            f"{name:28} {rps:9.0f} {rps / base_rps:7.2f} {p50:8.2f} {p99:8.2f} "
            f"{p99 / base_p99:7.2f} {errors:7d}"
        )
    english = statistics.median(r.requests_per_second for r in results["reading"])
    other = statistics.median(r.requests_per_second for r in results[f"reading, lang={OTHER}"])
    print(
        f"reading in {OTHER} / in English: {other / english:.2f}x "
        f"(languages served: {', '.join(LANGUAGES)})"
    )
    print(f"start-up (import + load + validate), median of 5: {startup_seconds():.3f} s")
    print(
        "resident memory per service worker after the runs: "
        + ", ".join(f"{size:.1f} MB" for size in rss)
    )


if __name__ == "__main__":
    main()
