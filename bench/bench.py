"""Benchmark the service's server designs against a bare Flask hello, all in one run.

    python bench/bench.py [--duration SECONDS] [--connections N] [--rounds N]

The anchor is a bare Flask hello on gunicorn's defaults (one sync worker), started from a
scratch directory outside the project, where none of its settings apply; beside it, the
same bare app under Granian's defaults. The service as shipped (`python -m service`, as
`make run` and the image start it) and each design of it (gunicorn's gevent workers, as
before, and Granian's defaults; with and without the answer cache and precompression)
then serve a reading with one worker. wrk drives every server in turn, round after round
(A B C ... A B C ...), and the script prints requests/s, p50 and p99 with the ratios to
the anchor, then the other endpoints under the design as shipped, start-up time and resident memory.
Every request says ``Accept-Encoding: gzip, deflate, br`` as a browser does. Figures are
printed, never asserted. Every production feature is on at its default, except that the
rate limit is raised so wrk's single address is not refused.
The reading is also asked in Hindi (``lang=hi``; another served language when Hindi is
not in data/translations), under the design as shipped, and printed next to the English.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness import (
    ROOT,
    SERVICE_COMMAND,
    SERVICE_ENV,
    WrkResult,
    run_wrk,
    serving,
    worker_rss_mb,
    wrk_binary,
)
from variants import VARIANTS

from service.dataset import load_datasets

BIN = Path(sys.executable).parent
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
ANCHOR = "bare Flask hello, gunicorn sync (defaults)"
SHIPPED = "shipped: python -m service (Granian)"


def granian(target: str, factory: bool) -> list[str]:
    """Granian serving a WSGI ``target`` with one worker on ``{port}``."""
    command = [str(BIN / "granian"), "--interface", "wsgi", "--workers", "1"]
    command += ["--host", "127.0.0.1", "--port", "{port}", "--no-log"]
    return command + (["--factory", target] if factory else [target])


@dataclass(frozen=True)
class Design:
    """One way of serving: the command, its working directory, its settings and its path."""

    name: str
    command: list[str]
    outside_project: bool
    path: str
    env: dict[str, str]


def designs() -> list[Design]:
    """The anchors, the service as shipped, then the service under each server with and
    without each cache."""
    bench = str(ROOT / "bench")
    hello = ["--pythonpath", bench, "hello_app:app"]
    every = [
        Design(
            ANCHOR, [str(BIN / "gunicorn"), "--bind", "127.0.0.1:{port}", *hello], True, HELLO, {}
        ),
        Design(
            "bare Flask hello, Granian",
            [*granian("hello_app:app", factory=False), "--working-dir", bench],
            True,
            HELLO,
            {},
        ),
        Design(
            SHIPPED,
            SERVICE_COMMAND,
            False,
            READING,
            {"WEB_CONCURRENCY": "1", **SERVICE_ENV},
        ),
    ]
    for description, factory in VARIANTS.items():
        # gunicorn's gevent workers, as the service was served before Granian.
        gevent = [str(BIN / "gunicorn"), "--worker-class", "gevent", "--workers", "1"]
        gevent += ["--worker-connections", "1000", "--keep-alive", "5"]
        gevent += ["--bind", "127.0.0.1:{port}", "--chdir", bench, f"variants:{factory}()"]
        every += [
            Design(f"gevent, {description}", gevent, False, READING, SERVICE_ENV),
            Design(
                f"Granian, {description}",
                [*granian(f"variants:{factory}", factory=True), "--working-dir", bench],
                False,
                READING,
                SERVICE_ENV,
            ),
        ]
    return every


@contextmanager
def started(design: Design) -> Iterator[tuple[str, int]]:
    """Run ``design``'s server, from a scratch directory when it must be outside the project."""
    with tempfile.TemporaryDirectory(prefix="bench-outside-") as outside:
        cwd = Path(outside) if design.outside_project else ROOT
        env = {"PYTHONPATH": str(ROOT), **design.env}
        with serving(design.command, cwd, env) as served:
            yield served


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


def print_table(title: str, results: dict[str, list[WrkResult]], anchor: list[WrkResult]) -> None:
    base_rps = statistics.median(r.requests_per_second for r in anchor)
    base_p99 = statistics.median(r.p99_ms for r in anchor)
    print(title)
    print(
        f"{'':42} {'req/s':>9} {'x anchor':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'x anchor':>8} {'errors':>7}"
    )
    for name, runs in results.items():
        rps = statistics.median(r.requests_per_second for r in runs)
        p50 = statistics.median(r.p50_ms for r in runs)
        p99 = statistics.median(r.p99_ms for r in runs)
        errors = sum(r.errors for r in runs)
        print(
            f"{name:42} {rps:9.0f} {rps / base_rps:8.2f} {p50:8.2f} {p99:8.2f} "
            f"{p99 / base_p99:8.2f} {errors:7d}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="rounds; medians are shown")
    args = parser.parse_args()
    wrk = wrk_binary()
    every = designs()
    shipped = every[2]  # what `make run` and the image serve

    results: dict[str, list[WrkResult]] = {design.name: [] for design in every}
    endpoints: dict[str, list[WrkResult]] = {name: [] for name in ENDPOINTS}
    with ExitStack() as stack:
        urls = {design.name: stack.enter_context(started(design)) for design in every}
        for design in every:
            run_wrk(wrk, urls[design.name][0] + design.path, 2, args.connections)  # warm up
        for _ in range(args.rounds):
            for design in every:
                url = urls[design.name][0] + design.path
                results[design.name].append(run_wrk(wrk, url, args.duration, args.connections))
        for name, path in ENDPOINTS.items():
            url = urls[shipped.name][0] + path
            run_wrk(wrk, url, 1, args.connections)  # warm up
            endpoints[name].append(run_wrk(wrk, url, args.duration, args.connections))
        rss = worker_rss_mb(urls[shipped.name][1]) or [0.0]

    heading = (
        f"wrk -t2 -c{args.connections} -d{args.duration}s, {args.rounds} rounds in turn, medians;"
        " one worker each; Accept-Encoding: gzip, deflate, br"
    )
    print_table(heading, results, results[ANCHOR])
    print()
    print_table(f"{shipped.name}, each endpoint:", endpoints, results[ANCHOR])
    english = statistics.median(r.requests_per_second for r in endpoints["reading"])
    other = statistics.median(r.requests_per_second for r in endpoints[f"reading, lang={OTHER}"])
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
