"""A real redis-server on a free loopback port, that a test can kill, freeze and bring back."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from .live_server import end, free_port

REDIS_SERVER = shutil.which("redis-server")


class RedisServer:
    """One redis-server process with no persistence, on ``port``."""

    def __init__(self, port: int, directory: str) -> None:
        self.port = port
        self.directory = directory
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it answers."""
        assert REDIS_SERVER is not None
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.directory],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.process.kill()
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        """Kill the server outright, as a crash would."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def freeze(self) -> None:
        """Stop the process (SIGSTOP): connections stay open and nothing answers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        """Let a frozen server go on (SIGCONT)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        """Stop the server, whatever state it is in."""
        if self.process is not None and self.process.poll() is None:
            self.thaw()
            end(self.process, 10)


@contextmanager
def running_redis() -> Iterator[RedisServer]:
    """A redis-server on a free loopback port, stopped afterwards."""
    with tempfile.TemporaryDirectory(prefix="twitchlore-redis-") as directory:
        server = RedisServer(free_port(), directory)
        server.start()
        try:
            yield server
        finally:
            server.stop()


class DelayingProxy:
    """A TCP proxy on loopback in front of Redis that holds each reply for ``delay`` seconds.

    A Redis that answers, but slowly: a busy server, a congested network. The delay can be
    changed while connections are open.
    """

    def __init__(self, target_port: int) -> None:
        self.delay = 0.0
        self.target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, delayed: bool) -> None:
        try:
            while chunk := source.recv(65536):
                if delayed and self.delay:
                    time.sleep(self.delay)
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                sock.close()

    def close(self) -> None:
        self._closed.set()
        self._listener.close()


@contextmanager
def delaying_proxy(target_port: int) -> Iterator[DelayingProxy]:
    """A ``DelayingProxy`` in front of the Redis on ``target_port``, closed afterwards."""
    proxy = DelayingProxy(target_port)
    try:
        yield proxy
    finally:
        proxy.close()
