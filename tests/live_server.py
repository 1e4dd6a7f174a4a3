"""Start the service with Granian, as `make run` does, for tests that need a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Server:
    """A running server: its base URL, process and log file (stdout and stderr)."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, log: Path, **env: str) -> subprocess.Popen[bytes]:
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


class PortTaken(AssertionError):
    """The server could not bind its port: another process took it after free_port() chose it."""


def wait_until_serving(server: Server, timeout: float = 45) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            log = server.log_text()
            if "Address already in use" in log:
                raise PortTaken(log)
            raise AssertionError(f"the server exited: {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not start listening in time")


@contextmanager
def running_server(**env: str) -> Iterator[Server]:
    """The service on a free loopback port, stopped afterwards.

    Tests run in parallel, so the port free_port() chose may be taken before the server binds
    it; then the server starts again on another.
    """
    with tempfile.TemporaryDirectory(prefix="twitchlore-server-") as scratch:
        for attempt in range(3):
            port = free_port()
            log = Path(scratch) / f"server-{attempt}.log"
            server = Server(f"http://127.0.0.1:{port}", start_server(port, log, **env), log)
            try:
                wait_until_serving(server)
                break
            except PortTaken:
                stop(server)
            except BaseException:
                stop(server)
                raise
        else:
            raise AssertionError("the server found no free port in 3 tries")
        try:
            yield server
        finally:
            stop(server)


def stop(server: Server) -> None:
    """Stop the server as an operator would (SIGTERM); kill it if it has not exited in 30 s."""
    end(server.process, 30)


def end(process: subprocess.Popen[bytes], seconds: float) -> None:
    """Let ``process`` exit after SIGTERM for up to ``seconds``, then kill it; never leave it."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def refused_start(log: Path, **env: str) -> int:
    """Start the server expecting it to refuse to start; its exit status, with output in ``log``.

    One that is still starting after 60 s is killed, and the test fails on its status.
    """
    process = start_server(free_port(), log, **env)
    try:
        return process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"the server still starting after 60 s: {log.read_text()}") from None


@contextmanager
def server_with_stalled_stderr(**env: str) -> Iterator[tuple[int, list[bytes]]]:
    """The server whose stderr is a pipe nobody reads until the block ends; its port, and what
    it wrote there (filled in once the block ends and the pipe is read again)."""
    port = free_port()
    process = subprocess.Popen(  # not start_server: stderr is not stdout here
        [sys.executable, "-m", "service"],
        cwd=ROOT,
        env={**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    written: list[bytes] = []
    reader = threading.Thread(target=lambda: written.append(process.stderr.read()))  # type: ignore[union-attr]
    try:
        wait_until_serving(Server(f"http://127.0.0.1:{port}", process, ROOT / "unused"))
        yield port, written
    finally:
        reader.start()  # the reader comes back, so the server can log its way out
        end(process, 30)
        reader.join(timeout=30)
        process.stderr.close()
