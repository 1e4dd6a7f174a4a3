"""Start the service under gunicorn, as `make run` does, for tests that need a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Server:
    """A running gunicorn: its base URL, process and log file (stdout and stderr)."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(port: int, log: Path, **env: str) -> subprocess.Popen[bytes]:
    """Start the server as `make run` does; its output goes to ``log``, not a pipe."""
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "service"],
            cwd=ROOT,
            env={
                **os.environ,
                "HOST": "127.0.0.1",
                "PORT": str(port),
                "WEB_CONCURRENCY": "1",
                **env,
            },
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def wait_until_serving(server: Server, timeout: float = 20) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {server.log_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start listening in time")


@contextmanager
def running_server(**env: str) -> Iterator[Server]:
    """A gunicorn server on a free loopback port, stopped afterwards."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="twitchlore-gunicorn-") as scratch:
        log = Path(scratch) / "gunicorn.log"
        server = Server(f"http://127.0.0.1:{port}", start_gunicorn(port, log, **env), log)
        try:
            wait_until_serving(server)
            yield server
        finally:
            server.process.terminate()
            server.process.wait(timeout=10)
