"""Helpers for the benchmark and the soak test: servers, wrk runs, worker memory."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile import resident_mb, worker_pids

ROOT = Path(__file__).resolve().parents[1]
SERVICE_ENV = {
    "TWITCHLORE_RATE_LIMIT": "1000000000 per minute",
    "TWITCHLORE_RATE_LIMIT_ENABLED": "true",
}
"""Production defaults, but a limit wrk's single address cannot reach."""


@dataclass
class WrkResult:
    """One wrk run: throughput, latency percentiles in ms, and non-2xx/3xx answers."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def wrk_binary() -> str:
    """wrk from PATH, installing Debian's package when possible."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
        found = shutil.which("wrk")
    if not found:
        sys.exit("bench: needs wrk (apt-get install wrk)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(
    command: list[str], cwd: Path, env: Mapping[str, str] | None = None
) -> Iterator[tuple[str, int]]:
    """Run a server ``command`` (``{port}`` in it is filled in); yield its base URL and pid."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-metrics-") as metrics:
        process = subprocess.Popen(
            [part.format(port=port) for part in command],
            cwd=cwd,
            env={
                **os.environ,
                "HOST": "127.0.0.1",
                "PORT": str(port),
                "PROMETHEUS_MULTIPROC_DIR": metrics,
                **(env or {}),
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for(url)
            yield url, process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)


SERVICE_COMMAND = ["env", "HOST=127.0.0.1", "PORT={port}", sys.executable, "-m", "service"]
"""The service as `make run` and the image start it, on ``{port}`` of the loopback."""


@contextmanager
def service(workers: int = 1, env: Mapping[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """Run the service as `make run` does (``python -m service``); yield its base URL and pid."""
    env = {"WEB_CONCURRENCY": str(workers), **(env or {})}
    with serving(SERVICE_COMMAND, ROOT, env) as served:
        yield served


def wait_for(url: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1):
                return
        except OSError as error:
            if getattr(error, "code", None) == 404:  # the bare app has no /healthz
                return
            time.sleep(0.1)
    sys.exit(f"bench: {url} did not start")


BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br"}
"""What a browser sends on every request; the service answers it with compressed copies."""


def run_wrk(
    wrk: str,
    url: str,
    seconds: int,
    connections: int,
    script: Path | None = None,
    headers: dict[str, str] | None = None,
) -> WrkResult:
    """Drive ``url`` with wrk (and a Lua ``script`` if given) and parse its summary."""
    extra = ["-s", str(script)] if script else []
    for name, value in (BROWSER_HEADERS if headers is None else headers).items():
        extra += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=_latency_ms(output, "50%"),
        p99_ms=_latency_ms(output, "99%"),
        errors=(int(errors.group(1)) if errors else 0)
        + (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0),
    )


def _latency_ms(output: str, percentile: str) -> float:
    found = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    if found is None:
        sys.exit(f"bench: no {percentile} latency in wrk's output:\n{output}")
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each worker process of a server's master, in MB."""
    return list(resident_mb(worker_pids(master_pid)).values())
